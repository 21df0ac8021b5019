"""``allfuse simulate``: a deterministic simulated reference and infant-ALL cohort."""

from __future__ import annotations

import argparse
from pathlib import Path

from allfuse.simulate.clinical import write_clinical_tables
from allfuse.simulate.planted import COHORTS, simulate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--outdir", required=True, type=Path, help="folder to write the reference and reads into"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    parser.add_argument("--cohort", choices=sorted(COHORTS), default="demo", help="which planted cohort")
    parser.add_argument("--pairs", type=int, default=None, help="background read pairs per sample")
    parser.add_argument(
        "--clinical-only",
        action="store_true",
        help="write only clinical.tsv and cohort175/ (simulated follow-up), no reference or reads",
    )


def run(args: argparse.Namespace) -> int:
    if not args.clinical_only:
        simulate(args.outdir, seed=args.seed, cohort=args.cohort, pairs=args.pairs)
    write_clinical_tables(args.outdir, COHORTS[args.cohort][0], args.seed)
    print(f"simulated {args.cohort} cohort in {args.outdir}")
    return 0
