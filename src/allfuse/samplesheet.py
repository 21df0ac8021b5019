"""Sample sheet and config validation, before any job starts.

A run that fails an hour in because one FASTQ path was mistyped wastes a cluster allocation, so
every problem we can see up front stops the run with one line naming the sample or file.
FASTQ paths in the sheet may be relative: they are taken relative to the sheet's own folder.

The first records of every FASTQ are parsed on every start of the workflow (``snakemake -n``
included): 2,000 files for 1,000 samples. So each file's head check is kept in ``work_dir`` by path,
size and modification time, and the files not yet checked are read in parallel: in forked worker
processes on Linux (threads share one interpreter lock, and the checks are mostly Python), else in
threads.
"""

from __future__ import annotations

import codecs
import io
import json
import multiprocessing
import os
import sys
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict
from functools import partial
from pathlib import Path

import pandas as pd

from allfuse.compression import MAGIC
from allfuse.config import read_schema, validate_config
from allfuse.errors import InputError
from allfuse.fastq_stream import StreamSummary, head_or_error
from allfuse.io import atomic_write, read_user_table
from allfuse.reads import HEAD_RECORDS, check_pair

__all__ = ["load_samples", "sample_id_pattern", "validate_config"]

SAMPLE_COLUMNS = ["sample", "fq1", "fq2"]
#: One file for every FASTQ's head check, in the cache folder (work_dir/.allfuse/).
HEAD_CACHE = "fastq-heads.json"
HEAD_WORKERS = 8
#: Fewer files than this are read in threads (starting worker processes would cost more).
PROCESSES_FROM = 64


def sample_id_pattern(schema_dir: Path | None = None) -> str:
    """The sheet schema's sample-ID pattern without its anchors: the workflow's ``{sample}``
    wildcard constraint (Snakemake matches whole paths) and the benchmark's copy of the plan use it,
    so a sample ID has one pattern."""
    pattern = read_schema("samples.schema.yaml", schema_dir)["properties"]["sample"]["pattern"]
    return pattern.removeprefix("^").removesuffix("$")


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


def _stamp(path: str) -> list:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def _pool(files: int) -> Executor:
    """Worker processes (forked: nothing is imported again) for many files on Linux, else threads."""
    workers = min(HEAD_WORKERS, files)
    if sys.platform == "linux" and files >= PROCESSES_FROM and (os.cpu_count() or 1) > 1:
        workers = min(workers, os.cpu_count() or 1)
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    return ThreadPoolExecutor(max_workers=workers)


def _read_heads(todo: list[tuple[str, str]]) -> list[StreamSummary | InputError]:
    """Each (path, label)'s head summary, or its InputError, in order."""
    check = partial(head_or_error, limit=HEAD_RECORDS)
    with _pool(len(todo)) as pool:
        return list(pool.map(check, todo, chunksize=max(1, len(todo) // 32)))


def check_heads(records: list[dict], cache_dir: Path | None = None) -> None:
    """The first ``HEAD_RECORDS`` records of both mates of every sample: InputError for the first
    sample, in sheet order, whose files are not FASTQ or whose mates are out of step.

    A file's head summary (record count and read-name digest) is reused while its path, size and
    modification time are unchanged; a failing file is never cached. Mates whose summaries differ
    are parsed again in step, which words the problem exactly as before.
    """
    cache_file = cache_dir / HEAD_CACHE if cache_dir else None
    cached: dict[str, dict] = {}
    if cache_file is not None and cache_file.is_file():
        try:
            cached = json.loads(cache_file.read_text())
        except ValueError:
            cached = {}  # a damaged cache is rebuilt
    stamps = {rec[col]: _stamp(rec[col]) for rec in records for col in ("fq1", "fq2")}
    heads: dict[str, StreamSummary | InputError] = {}
    todo = {}
    for rec in records:
        for col in ("fq1", "fq2"):
            entry = cached.get(rec[col])
            if entry and entry.get("stamp") == stamps[rec[col]]:
                heads[rec[col]] = StreamSummary(**entry["head"])
            else:
                todo.setdefault(rec[col], f"sample {rec['sample']}: {col}")

    if todo:
        heads.update(zip(todo, _read_heads(list(todo.items())), strict=True))
    try:
        for rec in records:
            h1, h2 = heads[rec["fq1"]], heads[rec["fq2"]]
            ok = isinstance(h1, StreamSummary) and isinstance(h2, StreamSummary)
            if not ok or (h1.records, h1.names_blake2b) != (h2.records, h2.names_blake2b):
                # The record-by-record check of both mates in step is the judge, and words it.
                check_pair(rec["sample"], rec["fq1"], rec["fq2"], HEAD_RECORDS)
    finally:
        if cache_file is not None and todo:
            fresh = {
                p: {"stamp": stamps[p], "head": asdict(h)}
                for p, h in heads.items()
                if isinstance(h, StreamSummary)
            }
            try:  # the cache only saves time: a folder that cannot be written is no error
                with atomic_write(cache_file) as fh:
                    fh.write(json.dumps({**cached, **fresh}, sort_keys=True))
            except OSError:
                pass


def load_samples(
    path: str | Path,
    schema_dir: Path | None = None,
    check_files: bool = True,
    check_reads: bool = True,
    cache_dir: str | Path | None = None,
) -> pd.DataFrame:
    """The sample sheet as a frame (sample, fq1, fq2 with absolute paths), or InputError.

    ``check_reads`` parses each mate's first records; Snakemake's job processes (which parse the
    workflow again for every job) skip it, since the main process did it before any job.
    ``cache_dir`` keeps each file's head check between runs (``check_heads``).
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
        records.append(rec)
    if not records:
        raise InputError(f"{path}: sample sheet has no samples")
    if check_files and check_reads:
        check_heads(records, Path(cache_dir) if cache_dir else None)
    return pd.DataFrame(records).set_index("sample", drop=False)
