"""Paired FASTQ files checked before they reach STAR or kallisto.

STAR reads a gzipped file through ``zcat`` and a plain one directly; given the wrong one it aligns
nothing and exits 0, and a sample with no aligned reads would then read as fusion-negative. So the
reads are checked twice: before any job (first records of both mates parsed: FASTQ structure, gzip
or plain, mate names agree) and, per sample, to the end (truncated gzip, R1/R2 record counts, zero
reads). The pipeline does the second in the pass that feeds STAR (``allfuse.fastq_stream``) and
compares the mates here afterwards (``verify_streams``); ``allfuse check-reads`` streams both files
alone. Each problem is one line naming the sample and the file.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pandas as pd

from allfuse.compression import sniff
from allfuse.errors import InputError
from allfuse.fastq_stream import (
    StreamSummary,
    damaged_gzip,
    mate_name,
    record_problem,
    summary_path,
    truncated,
)
from allfuse.io import open_binary, write_tsv
from allfuse.tables import READ_CHECK_COLUMNS

#: Records parsed per mate before any job starts: enough to catch a wrong or mismatched file.
HEAD_RECORDS = 1000


def compression(path: str | Path) -> str:
    """'gzip' or 'plain', from the file's first bytes (never from its name); the sheet check has
    already stopped any other compression with one line."""
    return "gzip" if sniff(path) == "gzip" else "plain"


@dataclass(frozen=True)
class Record:
    name: bytes
    line: int  # 1-based line of the header


def records(path: Path, label: str, limit: int | None = None) -> Iterator[Record]:
    """FASTQ records of one file, checked for structure; InputError names label, file and line."""
    try:
        with open_binary(path, label) as fh:
            lines = fh if limit is None else islice(fh, 4 * limit)
            block: list[bytes] = []
            for number, raw in enumerate(lines, start=1):
                block.append(raw.rstrip(b"\r\n"))
                if len(block) < 4:
                    continue
                first = number - 3
                problem = record_problem(*block, first, path, label)
                if problem:
                    raise InputError(problem)
                yield Record(mate_name(block[0]), first)
                block = []
            if block:
                raise truncated(path, label)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise damaged_gzip(path, label, exc) from None


def check_pair(sample: str, fq1: str | Path, fq2: str | Path, limit: int | None = HEAD_RECORDS) -> int:
    """Parse both mates in step (the first ``limit`` records, or all): structure, names, counts.

    Returns the number of read pairs seen. Raises InputError on the first problem.
    """
    fq1, fq2 = Path(fq1), Path(fq2)
    r1 = records(fq1, f"sample {sample}: fq1", limit)
    r2 = records(fq2, f"sample {sample}: fq2", limit)
    pairs = 0
    while True:
        a, b = next(r1, None), next(r2, None)
        if a is None and b is None:
            break
        if a is None or b is None:
            short, long_ = (fq1, fq2) if a is None else (fq2, fq1)
            raise InputError(
                f"sample {sample}: {short} has fewer reads than {long_} ({pairs} pairs, then one file ends)"
            )
        if a.name != b.name:
            raise InputError(
                f"sample {sample}: read {pairs + 1} is {a.name.decode('utf-8', 'replace')!r} in {fq1} "
                f"but {b.name.decode('utf-8', 'replace')!r} in {fq2} (R1/R2 out of step)"
            )
        pairs += 1
    return pairs


def check_reads_table(sample: str, fq1: str, fq2: str) -> pd.DataFrame:
    """Stream both mates to the end; the one-row table the alignment waits for."""
    pairs = check_pair(sample, fq1, fq2, limit=None)
    row = [sample, fq1, fq2, compression(fq1), compression(fq2), pairs]
    return pd.DataFrame([row], columns=READ_CHECK_COLUMNS)


def verify_streams(sample: str, fq1: str, fq2: str, link_dir: Path) -> pd.DataFrame | None:
    """Both mates as STAR's read command saw them (``allfuse.fastq_stream``): the table
    ``check_reads_table`` gives, or InputError with the same line it raises, or None when the
    files are sound but STAR stopped reading them (STAR's own failure, which its log words).

    Counts and name digests that differ are worded by streaming both files again in step: only a
    failing sample pays for that second pass.
    """
    paths = [summary_path(link_dir / "fq1"), summary_path(link_dir / "fq2")]
    if not any(p.is_file() for p in paths):
        return None  # STAR failed before it started reading
    summaries = [StreamSummary.read(p) if p.is_file() else None for p in paths]
    for s in summaries:
        if s is not None and s.error:
            raise InputError(s.error)
    s1, s2 = summaries
    if s1 and s2 and s1.complete and s2.complete:
        if (s1.records, s1.names_blake2b) == (s2.records, s2.names_blake2b):
            row = [sample, fq1, fq2, s1.compression, s2.compression, s1.records]
            return pd.DataFrame([row], columns=READ_CHECK_COLUMNS)
        check_pair(sample, fq1, fq2, limit=None)
        raise InputError(f"sample {sample}: {fq1} and {fq2} changed while STAR read them (R1/R2 differ)")
    check_pair(sample, fq1, fq2, limit=None)  # a mate ended early (STAR stops at the first to end)
    return None


def verify_streams_command(sample: str, fq1: str, fq2: str, link_dir: str, out: str) -> int:
    """The alignment job's step after STAR: exit 0 with ``out`` written, 1 with the reads'
    problem in one line, 3 when STAR did not read the files to the end (its log says why)."""
    try:
        table = verify_streams(sample, fq1, fq2, Path(link_dir))
    except InputError as exc:
        print(f"allfuse: error: {exc}", file=sys.stderr)
        return 1
    if table is None:
        print(f"sample {sample}: STAR did not read the FASTQ files to the end", file=sys.stderr)
        return 3
    write_tsv(table, out)
    report_pairs(sample, fq1, fq2, int(table["read_pairs"].iloc[0]))
    return 0


def report_pairs(sample: str, fq1: str, fq2: str, pairs: int) -> None:
    print(f"sample {sample}: {pairs} read pairs")
    if pairs == 0:
        # Not an error for the cohort run: the QC gate makes the sample 'not assessable'.
        print(
            f"allfuse: warning: sample {sample}: {fq1} and {fq2} hold no reads;"
            " the sample will be not assessable",
            file=sys.stderr,
        )
