"""Per-sample alignment QC from STAR's ``Log.final.out``.

Three figures tell whether a sample's fusion calls can be trusted: how many read pairs went in,
how many mapped uniquely, and how many were chimeric.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from allfuse.errors import InputError
from allfuse.schema import write_tsv

QC_COLUMNS = ["sample", "input_read_pairs", "uniquely_mapped_pct", "chimeric_pct", "chimeric_reads"]
FIELDS = {
    "Number of input reads": "input_read_pairs",
    "Uniquely mapped reads %": "uniquely_mapped_pct",
    "% of chimeric reads": "chimeric_pct",
    "Number of chimeric reads": "chimeric_reads",
}


def read_star_log(path: str | Path, sample: str) -> pd.DataFrame:
    """One QC row from a STAR Log.final.out."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: STAR Log.final.out not found")
    values: dict[str, float] = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("|")
        key = FIELDS.get(name.strip())
        if sep and key:
            values[key] = float(value.strip().rstrip("%"))
    missing = [k for k in FIELDS.values() if k not in values]
    if missing:
        raise InputError(f"{path}: not a STAR Log.final.out (no {', '.join(missing)})")
    row = {"sample": sample, **values}
    row["input_read_pairs"] = int(row["input_read_pairs"])
    row["chimeric_reads"] = int(row["chimeric_reads"])
    return pd.DataFrame([row], columns=QC_COLUMNS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log", required=True, help="STAR Log.final.out")
    parser.add_argument("--sample", required=True)
    parser.add_argument("--out", required=True)


def run(args: argparse.Namespace) -> int:
    write_tsv(read_star_log(args.log, args.sample), args.out)
    return 0
