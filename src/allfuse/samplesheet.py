"""Sample sheet and config validation, before any job starts.

A run that fails an hour in because one FASTQ path was mistyped wastes a cluster allocation, so
every problem we can see up front stops the run with one line naming the sample or file.
FASTQ paths in the sheet may be relative: they are taken relative to the sheet's own folder.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pandas as pd

from allfuse.compression import MAGIC
from allfuse.config import read_schema, validate_config
from allfuse.errors import InputError
from allfuse.io import read_user_table
from allfuse.reads import HEAD_RECORDS, check_pair

__all__ = ["load_samples", "validate_config"]

SAMPLE_COLUMNS = ["sample", "fq1", "fq2"]


def _sheet_text(path: Path) -> str:
    """The sheet as text, however a spreadsheet saved it: UTF-8 with or without a byte-order mark,
    UTF-16 ("Unicode text"), CRLF or LF line ends (csv reads both)."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(MAGIC["gzip"]) or b"\x00" in data[:4096]:
        raise InputError(f"{path}: sample sheet is not a text file (a tab-separated table is expected)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: sample sheet is not UTF-8 text (save it as UTF-8)") from None


def _delimiter(text: str) -> str:
    """Tab, as documented; a comma when the header line has commas and no tab (a sheet saved as
    CSV, as nf-core pipelines take it)."""
    header = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    return "," if "\t" not in header and "," in header else "\t"


def load_samples(
    path: str | Path, schema_dir: Path | None = None, check_files: bool = True, check_reads: bool = True
) -> pd.DataFrame:
    """The sample sheet as a frame (sample, fq1, fq2 with absolute paths), or InputError.

    ``check_reads`` parses each mate's first records; Snakemake's job processes (which parse the
    workflow again for every job) skip it, since the main process did it before any job.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: sample sheet not found")
    text = _sheet_text(path)
    table = read_user_table(
        path,
        io.StringIO(text, newline=""),
        "sample sheet",
        SAMPLE_COLUMNS,
        "need sample, fq1, fq2",
        read_schema("samples.schema.yaml", schema_dir),
        delimiter=_delimiter(text),
    )
    seen: dict[str, int] = {}
    records = []
    for lineno, fields in table.rows:
        rec = {k: v for k, v in zip(table.header, fields, strict=False) if v}
        name = rec.get("sample", "?")
        label = f"{path}: line {lineno} (sample {name})"
        if "fq1" in rec and "fq2" not in rec:
            raise InputError(f"{label}: R1 given without R2 (fq2 is empty); allfuse needs paired-end reads")
        for e in table.validator.iter_errors(rec):
            if e.validator == "pattern":
                raise InputError(
                    f"{label}: unsafe sample ID {name!r}: use letters, digits, '_', '-' or '.', at most 64"
                )
            raise InputError(f"{label}: {e.message}")
        if name in seen:
            raise InputError(f"{label}: duplicate sample ID (first on line {seen[name]})")
        seen[name] = lineno
        for col in ("fq1", "fq2"):
            fq = Path(rec[col]) if Path(rec[col]).is_absolute() else path.parent / rec[col]
            if check_files and not fq.is_file():
                raise InputError(f"{label}: {col} file not found: {fq}")
            rec[col] = str(fq.resolve())
        if rec["fq1"] == rec["fq2"]:
            raise InputError(f"{label}: fq1 and fq2 are the same file")
        if check_files and check_reads:
            check_pair(name, rec["fq1"], rec["fq2"], HEAD_RECORDS)
        records.append(rec)
    if not records:
        raise InputError(f"{path}: sample sheet has no samples")
    return pd.DataFrame(records).set_index("sample", drop=False)
