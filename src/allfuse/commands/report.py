"""``allfuse report``: one self-contained HTML page for one sample (no network, no JavaScript)."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from allfuse.config import schema_default
from allfuse.errors import InputError
from allfuse.io import write_text
from allfuse.report.page import sample_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample-dir", required=True, type=Path, help="results/<sample> folder")
    parser.add_argument("--out", required=True, type=Path, help="report.html to write")
    parser.add_argument(
        "--provenance",
        type=Path,
        help="provenance.json of the run (default: <sample-dir>/../provenance.json)",
    )
    parser.add_argument(
        "--config", type=Path, help="config YAML/JSON; its report.max_diagrams is used if present"
    )
    parser.add_argument(
        "--max-diagrams",
        type=int,
        help=f"fusions drawn per sample (default {schema_default('report', 'max_diagrams')})",
    )


def run(args: argparse.Namespace) -> int:
    max_diagrams = schema_default("report", "max_diagrams")
    if args.config is not None:
        if not args.config.is_file():
            raise InputError(f"{args.config}: config not found")
        config = yaml.safe_load(args.config.read_text()) or {}
        max_diagrams = int((config.get("report") or {}).get("max_diagrams", max_diagrams))
    if args.max_diagrams is not None:
        max_diagrams = args.max_diagrams
    if max_diagrams < 0:
        raise InputError(f"--max-diagrams: must be >= 0, got {max_diagrams}")
    write_text(args.out, sample_report(args.sample_dir, args.provenance, max_diagrams))
    return 0
