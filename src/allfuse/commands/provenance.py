"""``allfuse provenance``: the run's provenance.json (tool versions, reference checksums, config)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from allfuse.errors import InputError
from allfuse.io import write_json
from allfuse.report.provenance import provenance


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fasta", required=True, type=Path, help="reference genome FASTA")
    parser.add_argument("--gtf", required=True, type=Path, help="reference annotation GTF")
    parser.add_argument("--callers", nargs="*", default=[], help="callers the run used")
    parser.add_argument("--config-json", default="{}", help="the run's configuration as a JSON object")
    parser.add_argument(
        "--note", action="append", default=[], help="a fact about how the run was made (repeatable)"
    )
    parser.add_argument("--out", required=True, type=Path, help="provenance.json to write")


def run(args: argparse.Namespace) -> int:
    try:
        config = json.loads(args.config_json)
    except json.JSONDecodeError as exc:
        raise InputError(f"--config-json: not valid JSON ({exc.msg})") from exc
    data = provenance(args.fasta, args.gtf, args.callers, config, args.note)
    write_json(args.out, data, indent=2, sort_keys=True)
    return 0
