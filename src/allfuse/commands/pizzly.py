"""``allfuse pizzly``: pizzly's JSON (or flat table) normalised into the calls table."""

from __future__ import annotations

import argparse

from allfuse.callers.pizzly import parse
from allfuse.gtf import Annotation
from allfuse.io import write_tsv


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, help="pizzly JSON (or flat table)")
    parser.add_argument("--gtf", required=True, help="GTF given to pizzly")
    parser.add_argument(
        "--fasta", help="pizzly's fused sequences (default: PREFIX.fusions.fasta beside PREFIX.json)"
    )
    parser.add_argument("--sample", required=True)
    parser.add_argument("--out", required=True, help="calls table to write")


def run(args: argparse.Namespace) -> int:
    write_tsv(parse(args.input, args.sample, Annotation.from_gtf(args.gtf), args.fasta), args.out)
    return 0
