"""Paired FASTQ files checked before they reach STAR or kallisto.

STAR reads a gzipped file through ``zcat`` and a plain one directly; given the wrong one it aligns
nothing and exits 0, and a sample with no aligned reads would then read as fusion-negative. So the
reads are checked twice: before any job (first records of both mates parsed: FASTQ structure, gzip
or plain, mate names agree) and, per sample, to the end (truncated gzip, R1/R2 record counts, zero
reads). The pipeline does the second in the pass that feeds STAR (``allfuse.fastq_stream``) and
compares the mates afterwards (``allfuse.fastq_stream.verified_row``); ``allfuse check-reads`` streams both files
alone. Each problem is one line naming the sample and the file.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pandas as pd

from allfuse.compression import sniff
from allfuse.errors import InputError
from allfuse.fastq_stream import (
    damaged_gzip,
    mate_name,
    record_problem,
    truncated,
    verified_row,
)
from allfuse.io import open_binary
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
    """Both mates as STAR's read command saw them (``allfuse.fastq_stream.verified_row``): the
    table ``check_reads_table`` gives, or InputError with the same line it raises, or None when
    the files are sound but STAR stopped reading them (STAR's own failure, which its log words)."""
    row = verified_row(sample, fq1, fq2, link_dir)
    return None if row is None else pd.DataFrame([row], columns=READ_CHECK_COLUMNS)
