"""``allfuse expression-matrix``: every sample's expression.tsv as one genes x samples TPM table."""

from __future__ import annotations

import argparse
from pathlib import Path

from allfuse.expression import cohort_matrix, read_expression
from allfuse.io import write_tsv


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results", required=True, type=Path, help="results folder ({sample}/expression.tsv in it)"
    )
    parser.add_argument("--samples", required=True, nargs="+", help="sample IDs, in cohort order")
    parser.add_argument(
        "--out", required=True, type=Path, help="matrix to write (gene, gene_id, one column per sample)"
    )


def run(args: argparse.Namespace) -> int:
    tables = {s: read_expression(args.results / s / "expression.tsv") for s in args.samples}
    write_tsv(cohort_matrix(tables), args.out)
    return 0
