"""``allfuse check-reads``: stream a sample's paired FASTQ files and write their one-row check table."""

from __future__ import annotations

import argparse
import sys

from allfuse.io import write_tsv
from allfuse.reads import check_reads_table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True)
    parser.add_argument("--fq1", required=True)
    parser.add_argument("--fq2", required=True)
    parser.add_argument("--out", required=True, help="one-row table: compression and read pairs")


def run(args: argparse.Namespace) -> int:
    table = check_reads_table(args.sample, args.fq1, args.fq2)
    write_tsv(table, args.out)
    pairs = int(table["read_pairs"].iloc[0])
    print(f"sample {args.sample}: {pairs} read pairs")
    if pairs == 0:
        # Not an error for the cohort run: the QC gate makes the sample 'not assessable'.
        print(
            f"allfuse: warning: sample {args.sample}: {args.fq1} and {args.fq2} hold no reads;"
            " the sample will be not assessable",
            file=sys.stderr,
        )
    return 0
