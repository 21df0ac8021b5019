"""``allfuse star-chimeric``: STAR's Chimeric.out.junction summarised into the calls table."""

from __future__ import annotations

import argparse

from allfuse.callers.star_chimeric import Thresholds, parse
from allfuse.config import schema_default
from allfuse.gtf import Annotation
from allfuse.io import write_tsv


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--junctions", required=True, help="STAR Chimeric.out.junction (any layout)")
    parser.add_argument("--gtf", required=True, help="GTF used to build the STAR index")
    parser.add_argument("--sample", required=True)
    parser.add_argument("--out", required=True, help="calls table to write")
    parser.add_argument(
        "--min-junction-reads", type=int, default=schema_default("star_chimeric", "min_junction_reads")
    )
    parser.add_argument(
        "--min-total-support", type=int, default=schema_default("star_chimeric", "min_total_support")
    )


def run(args: argparse.Namespace) -> int:
    ann = Annotation.from_gtf(args.gtf)
    calls = parse(
        args.junctions, args.sample, ann, Thresholds(args.min_junction_reads, args.min_total_support)
    )
    write_tsv(calls, args.out)
    return 0
