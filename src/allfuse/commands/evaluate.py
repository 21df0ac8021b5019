"""``allfuse evaluate``: a run's results against the planted truth of a simulated cohort.

Exit 0 only when every planted fusion strong enough is found, no decoy is reported and every sample
whose driver must be found is classified as planted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from allfuse.evaluate import check_classification, evaluate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--truth", required=True, type=Path, help="truth.tsv of allfuse simulate (decoys.tsv beside it)"
    )
    parser.add_argument("--results", required=True, type=Path, help="the pipeline's results folder")
    parser.add_argument(
        "--min-fragments", type=int, default=5, help="planted fusions at least this strong must be found"
    )


def run(args: argparse.Namespace) -> int:
    found, decoys = evaluate(args.truth, args.results)
    print(found.to_string(index=False))
    if len(decoys):
        print(decoys.to_string(index=False))
    strong = found[found.fragments.astype(int) >= args.min_fragments]
    n_found = int(strong.found.sum())
    leaked = int(decoys.reported.sum()) if len(decoys) else 0
    expected = args.truth.with_name("expected.tsv")
    cls_ok = True
    if expected.is_file():
        cls = check_classification(expected, args.results)
        print(cls.to_string(index=False))
        # a driver below the fragment floor need not be found, so its sample need not classify
        must = cls[
            (cls.fragments == "") | (pd.to_numeric(cls.fragments, errors="coerce") >= args.min_fragments)
        ]
        cls_ok = bool(must.matches.all())
        print(
            f"samples classified as planted (group, subtype, partner, driver, exons, frame, flags):"
            f" {int(cls.matches.sum())}/{len(cls)}"
        )
    print(
        f"planted fusions with >= {args.min_fragments} fragments found: {n_found}/{len(strong)};"
        f" all planted found: {int(found.found.sum())}/{len(found)}; decoys reported: {leaked}/{len(decoys)}"
    )
    return 0 if n_found == len(strong) and leaked == 0 and cls_ok else 1
