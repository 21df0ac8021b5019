"""``allfuse cohort``: every sample's results gathered into results/cohort.tsv."""

from __future__ import annotations

import argparse
from pathlib import Path

from allfuse.cohort_table import build_cohort
from allfuse.io import write_tsv


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results", required=True, type=Path, help="results folder (one subfolder per sample)"
    )
    parser.add_argument("--samples", required=True, nargs="+", help="sample IDs, in cohort order")
    parser.add_argument("--out", required=True, help="cohort table to write")


def run(args: argparse.Namespace) -> int:
    write_tsv(build_cohort(args.results, args.samples), args.out)
    return 0
