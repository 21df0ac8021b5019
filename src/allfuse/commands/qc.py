"""``allfuse qc``: STAR's Log.final.out, with the QC gates applied, as the sample's qc.tsv."""

from __future__ import annotations

import argparse
import sys

from allfuse.config import schema_default
from allfuse.io import read_table, write_tsv
from allfuse.qc import Gates, read_star_log


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log", required=True, help="STAR Log.final.out")
    parser.add_argument(
        "--reads", default=None, help="reads_check.tsv of the same sample (allfuse check-reads)"
    )
    parser.add_argument("--sample", required=True)
    parser.add_argument("--min-input-pairs", type=int, default=schema_default("qc", "min_input_pairs"))
    parser.add_argument(
        "--min-uniquely-mapped-pct",
        type=float,
        default=float(schema_default("qc", "min_uniquely_mapped_pct")),
    )
    parser.add_argument("--out", required=True)


def run(args: argparse.Namespace) -> int:
    pairs = None
    if args.reads:
        reads = read_table(args.reads, "read check table")
        pairs = int(reads["read_pairs"].iloc[0])
    gates = Gates(args.min_input_pairs, args.min_uniquely_mapped_pct)
    table = read_star_log(args.log, args.sample, gates, pairs)
    write_tsv(table, args.out)
    if not table["qc_pass"].iloc[0]:
        print(
            f"allfuse qc: warning: sample {args.sample} is not assessable: {table['qc_reason'].iloc[0]}",
            file=sys.stderr,
        )
    return 0
