"""``allfuse cohort-report``: results/cohort.html, one row per sample linking to each sample's report."""

from __future__ import annotations

import argparse
from pathlib import Path

from allfuse.errors import InputError
from allfuse.io import write_text
from allfuse.report.cohort_page import cohort_context
from allfuse.report.page import render


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results", required=True, type=Path, help="results folder (one subfolder per sample)"
    )
    parser.add_argument("--samples", required=True, nargs="+", help="sample IDs, in cohort order")
    parser.add_argument("--out", required=True, type=Path, help="cohort.html to write")
    parser.add_argument("--survival", type=Path, help="survival output folder to embed (skipped if absent)")


def run(args: argparse.Namespace) -> int:
    if not args.results.is_dir():
        raise InputError(f"{args.results}: results folder not found")
    if len(set(args.samples)) != len(args.samples):
        dup = sorted({s for s in args.samples if args.samples.count(s) > 1})
        raise InputError(f"--samples: duplicate sample ID(s) {', '.join(dup)}")
    context = cohort_context(args.results, args.samples, args.out, args.survival)
    write_text(args.out, render("cohort.html.j2", context))
    return 0
