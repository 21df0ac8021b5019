"""``allfuse check-samples``: validate a sample sheet (and a config) before a run."""

from __future__ import annotations

import argparse

from allfuse.config import load_yaml, validate_config
from allfuse.samplesheet import load_samples


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", required=True, help="sample sheet (TSV: sample, fq1, fq2)")
    parser.add_argument("--config", default=None, help="config YAML to validate too")


def run(args: argparse.Namespace) -> int:
    if args.config:
        validate_config(load_yaml(args.config), args.config)
    samples = load_samples(args.samples)
    print(f"{args.samples}: {len(samples)} samples OK")
    return 0
