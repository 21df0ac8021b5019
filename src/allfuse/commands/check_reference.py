"""``allfuse check-reference``: do the genome FASTA and the GTF name the same contigs?"""

from __future__ import annotations

import argparse
import sys

from allfuse.reference import check_reference


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fasta", required=True, help="genome FASTA (plain, gzip or BGZF)")
    parser.add_argument("--gtf", required=True, help="GTF of the same genome (plain or gzip)")
    parser.add_argument("--cache-dir", default=None, help="keep each file's contig names here")


def run(args: argparse.Namespace) -> int:
    for warning in check_reference(args.fasta, args.gtf, args.cache_dir):
        print(f"allfuse: warning: {warning}", file=sys.stderr)
    print(f"{args.fasta} and {args.gtf}: contig names agree")
    return 0
