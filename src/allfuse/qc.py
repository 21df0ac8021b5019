"""Per-sample alignment QC from STAR's ``Log.final.out``, and the gates that decide whether a
sample can be assessed at all.

Three figures tell whether a sample's fusion calls can be trusted: how many read pairs went in,
how many mapped uniquely, and how many were chimeric. A sample with too few pairs or too little
unique mapping is ``not assessable``: finding no fusion in it means nothing, so it must never be
reported as fusion-negative. The thresholds are config values (``qc:``), written into the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allfuse.config import schema_default
from allfuse.errors import InputError
from allfuse.io import read_table
from allfuse.tables import QC_COLUMNS


@dataclass(frozen=True)
class Gates:
    """QC thresholds (config ``qc:``); defaults as in the config schema."""

    min_input_pairs: int = field(default_factory=lambda: schema_default("qc", "min_input_pairs"))
    min_uniquely_mapped_pct: float = field(
        default_factory=lambda: float(schema_default("qc", "min_uniquely_mapped_pct"))
    )

    def __post_init__(self) -> None:
        if self.min_input_pairs < 0 or not 0 <= self.min_uniquely_mapped_pct <= 100:
            raise InputError(
                "QC thresholds: min_input_pairs must be >= 0 and min_uniquely_mapped_pct within 0-100 "
                f"(got {self.min_input_pairs}, {self.min_uniquely_mapped_pct})"
            )

    def reason(self, pairs: int, unique_pct: float) -> str:
        """Why a sample fails the gates, or '' when it passes."""
        if pairs == 0:
            return "0 input read pairs (empty FASTQ files)"
        if pairs < self.min_input_pairs:
            return f"{pairs} input read pairs (QC minimum {self.min_input_pairs})"
        if unique_pct < self.min_uniquely_mapped_pct:
            return f"{unique_pct:g}% uniquely mapped reads (QC minimum {self.min_uniquely_mapped_pct:g}%)"
        return ""


FIELDS = {
    "Number of input reads": "input_read_pairs",
    "Uniquely mapped reads %": "uniquely_mapped_pct",
    "% of chimeric reads": "chimeric_pct",
    "Number of chimeric reads": "chimeric_reads",
}


def read_star_log(
    path: str | Path, sample: str, gates: Gates | None = None, read_pairs: int | None = None
) -> pd.DataFrame:
    """One QC row from a STAR Log.final.out, with the gates applied.

    ``read_pairs`` is the count allfuse's read check streamed; STAR's own count must equal it (a
    difference means STAR did not read the files it was given).
    """
    gates = gates or Gates()
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
    row: dict = {"sample": sample, **values}
    row["input_read_pairs"] = int(row["input_read_pairs"])
    row["chimeric_reads"] = int(row["chimeric_reads"])
    if read_pairs is not None and read_pairs != row["input_read_pairs"]:
        raise InputError(
            f"{path}: sample {sample}: STAR read {row['input_read_pairs']} pairs but the FASTQ files "
            f"hold {read_pairs}"
        )
    reason = gates.reason(row["input_read_pairs"], row["uniquely_mapped_pct"])
    row |= {
        "qc_pass": not reason,
        "qc_reason": reason,
        "min_input_pairs": gates.min_input_pairs,
        "min_uniquely_mapped_pct": gates.min_uniquely_mapped_pct,
    }
    return pd.DataFrame([row], columns=QC_COLUMNS)


def read_qc(path: str | Path) -> dict:
    """A qc.tsv written by ``allfuse qc``: its one row, as strings."""
    df = read_table(path, "QC table")
    missing = [c for c in ("sample", "input_read_pairs", "qc_pass", "qc_reason") if c not in df.columns]
    if missing or len(df) != 1:
        raise InputError(f"{path}: not an allfuse QC table (one row with {', '.join(QC_COLUMNS[:7])})")
    return df.iloc[0].to_dict()
