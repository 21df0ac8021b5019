"""Each FASTQ file checked in the same pass that feeds it to STAR (STAR's ``--readFilesCommand``).

The per-sample read check used to stream both mates in a job of its own before STAR started: at
50 M read pairs that held STAR back for minutes. Here STAR runs this module once per mate as its
read command: the file is decompressed once, its bytes go to STAR unchanged, and on the way every
record is checked exactly as ``allfuse.reads.records`` checks it (FASTQ structure, truncated gzip).
What the mates must share (read names in step, equal counts) cannot be seen from one file, so each
mate's pass leaves a summary (record count and a digest of its read names) beside STAR's outputs,
and the alignment job compares the two summaries after STAR (``verify``) before it writes
``reads_check.tsv``. Nothing downstream starts without that table, so no result is
made from reads that were not checked to the end.

The standard library, isal (ISA-L's gzip) and allfuse's light modules only (no pandas): it starts
twice per sample inside STAR's job, run by the Python that runs Snakemake (allfuse's dependencies),
whatever environment the job has.
Records are checked a chunk at a time with bytes operations; a chunk with any doubt is checked
again record by record with the shared exact checks, so the messages are the same as before.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from isal import igzip, isal_zlib

from allfuse.compression import require_gzip_or_plain
from allfuse.errors import InputError
from allfuse.io import atomic_write, write_json
from allfuse.tables import READ_CHECK_COLUMNS

#: Decompressed bytes read and passed on at a time.
CHUNK_BYTES = 1 << 20
_MATE_SUFFIX = re.compile(rb"/[12]\n")
_FIRST_WORD = re.compile(rb"^@[^\S\n]*(\S*)", re.MULTILINE)  # a header's first word, as mate_name


def mate_name(header: bytes) -> bytes:
    """The read name both mates share: first word of the header, without '/1' or '/2'."""
    word = header[1:].split(maxsplit=1)[0] if len(header) > 1 else b""
    return word[:-2] if word[-2:] in (b"/1", b"/2") else word


def record_problem(
    head: bytes, seq: bytes, plus: bytes, qual: bytes, first: int, path: Path, label: str
) -> str | None:
    """The one-line problem of one record (lines without their line ends), or None."""
    if not head.startswith(b"@"):
        return (
            f"{label}: {path}: line {first}: not FASTQ (a record starts with '@', found "
            f"{head[:20].decode('utf-8', 'replace')!r})"
        )
    if not plus.startswith(b"+"):
        return f"{label}: {path}: line {first + 2}: not FASTQ (expected '+' line)"
    if len(seq) != len(qual):
        return (
            f"{label}: {path}: line {first}: sequence and quality lengths differ ({len(seq)} vs {len(qual)})"
        )
    return None


def truncated(path: Path, label: str) -> InputError:
    return InputError(f"{label}: {path}: ends inside a FASTQ record (truncated file?)")


def damaged_gzip(path: Path, label: str, exc: Exception) -> InputError:
    return InputError(f"{label}: {path}: damaged or truncated gzip file ({exc})")


def _names_exactly(lines: list[bytes], first_line: int, path: Path, label: str) -> list[bytes]:
    """Mate names of whole records, checked one by one (the path of any chunk with a doubt)."""
    names = []
    for i in range(0, len(lines), 4):
        head, seq, plus, qual = (line.rstrip(b"\r") for line in lines[i : i + 4])
        problem = record_problem(head, seq, plus, qual, first_line + i, path, label)
        if problem:
            raise InputError(problem)
        names.append(mate_name(head))
    return names


def _names(lines: list[bytes], first_line: int, path: Path, label: str) -> bytes:
    """Mate names of whole records, each followed by a newline; InputError on the first bad record.

    Whole chunks are checked with bytes operations (no Python loop per record); any doubt (a bad
    record, a CR line end) sends the chunk through the exact record-by-record check, which also
    words the message.
    """
    heads, seqs, pluses, quals = lines[0::4], lines[1::4], lines[2::4], lines[3::4]
    if not heads:
        return b""
    head_text = b"\n".join(heads)
    fast = (
        head_text.startswith(b"@")
        and head_text.count(b"\n@") == len(heads) - 1
        and (b"\n" + b"\n".join(pluses)).count(b"\n+") == len(pluses)
        and list(map(len, seqs)) == list(map(len, quals))
        and b"\r" not in head_text
        and b"\r" not in b"".join(quals)
    )
    if not fast:
        return b"".join(name + b"\n" for name in _names_exactly(lines, first_line, path, label))
    return _MATE_SUFFIX.sub(b"\n", b"\n".join(_FIRST_WORD.findall(head_text)) + b"\n")


@dataclass(frozen=True)
class StreamSummary:
    """What one mate's pass saw: the alignment job compares the two mates' summaries."""

    path: str
    compression: str
    records: int
    names_blake2b: str  # digest of the mate names in order: equal for mates in step
    error: str | None = None  # the file's own problem (one line)
    complete: bool = True  # False: STAR stopped reading before the end (its own failure)

    def write(self, target: Path) -> None:
        """Atomically (allfuse.io): a summary that exists is whole."""
        write_json(target, asdict(self), sort_keys=True)

    @classmethod
    def read(cls, source: Path) -> StreamSummary:
        return cls(**json.loads(source.read_text()))


def _chunks(path: Path, label: str, size: int) -> Iterator[bytes]:
    # allfuse.io.open_binary, with ISA-L's gzip reader (isal.igzip: the stdlib's interface and
    # errors, and its own IsalError for damaged deflate data), which decompresses in less than half
    # of zlib's time: every record of every mate passes through here once per sample.
    opener = igzip.open if require_gzip_or_plain(path, label) == "gzip" else open
    try:
        with opener(path, "rb") as fh:
            while chunk := fh.read(size):
                yield chunk
    except (EOFError, gzip.BadGzipFile, zlib.error, isal_zlib.error) as exc:
        raise damaged_gzip(path, label, exc) from None


def stream_check(
    path: str | Path, label: str, out: BinaryIO | None = None, limit: int | None = None
) -> StreamSummary:
    """Check every record of one FASTQ file (or its first ``limit``), passing its decompressed
    bytes to ``out`` unchanged.

    Raises InputError (one line naming ``label`` and the file) at the first problem; bytes of the
    chunk with the problem may already have been passed on, which is why the summary, not the
    stream, says whether the file passed.
    """
    path = Path(path)
    kind = require_gzip_or_plain(path, label)
    digest = hashlib.blake2b(digest_size=16)
    records = 0
    carry = b""
    for chunk in _chunks(path, label, CHUNK_BYTES if limit is None else 1 << 16):
        if out is not None:
            out.write(chunk)
        lines = (carry + chunk).split(b"\n")
        whole = (len(lines) - 1) // 4 * 4  # the last piece is an unfinished line
        if limit is not None and records + whole // 4 >= limit:
            whole = 4 * (limit - records)
            digest.update(_names(lines[:whole], 4 * records + 1, path, label))
            return StreamSummary(str(path), kind, limit, digest.hexdigest())
        carry = b"\n".join(lines[whole:])
        digest.update(_names(lines[:whole], 4 * records + 1, path, label))
        records += whole // 4
    if carry:
        lines = carry.split(b"\n")
        if lines[-1] == b"":
            lines.pop()  # the file's last line end
        if len(lines) % 4:
            raise truncated(path, label)
        digest.update(_names(lines, 4 * records + 1, path, label))
        records += len(lines) // 4
    return StreamSummary(str(path), kind, records, digest.hexdigest())


def head_or_error(item: tuple[str, str], limit: int) -> StreamSummary | InputError:
    """The summary of the first ``limit`` records of (path, label), or the file's InputError: a
    sample sheet's files are checked in worker processes, which hand back either."""
    try:
        return stream_check(item[0], item[1], limit=limit)
    except InputError as exc:
        return exc


def summary_path(link: Path) -> Path:
    """Where one mate's pass leaves its summary: beside the link STAR reads (``fq1``, ``fq2``)."""
    return link.with_name(f"{link.name}.check.json")


def feed(sample: str, link: Path) -> int:
    """STAR's read command for one mate: the file behind ``link`` (named ``fq1`` or ``fq2``) to
    stdout, checked. The summary is written before stdout closes, so it exists once STAR has
    read the whole file."""
    path = Path(os.readlink(link)) if link.is_symlink() else link
    label, summary = f"sample {sample}: {link.name}", summary_path(link)
    out = sys.stdout.buffer
    try:
        result = stream_check(path, label, out)
        out.flush()
    except InputError as exc:
        StreamSummary(str(path), "", 0, "", error=str(exc)).write(summary)
        print(f"allfuse: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # STAR stopped reading (it failed): no verdict on this file
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())  # nothing more to flush at exit
        StreamSummary(str(path), "", 0, "", complete=False).write(summary)
        return 1
    result.write(summary)
    return 0


def verified_row(sample: str, fq1: str, fq2: str, link_dir: Path) -> list | None:
    """Both mates as STAR's read command saw them: the row of reads_check.tsv (columns
    ``allfuse.tables.READ_CHECK_COLUMNS``), or InputError with the line ``allfuse check-reads``
    gives, or None when the files are sound but STAR stopped reading them (STAR's own failure,
    which its log words).

    Counts and name digests that differ are worded by streaming both files again in step: only a
    failing sample pays for that second pass (and for allfuse.reads' imports).
    """
    paths = [summary_path(link_dir / "fq1"), summary_path(link_dir / "fq2")]
    if not any(p.is_file() for p in paths):
        return None  # STAR failed before it started reading
    summaries = [StreamSummary.read(p) if p.is_file() else None for p in paths]
    for s in summaries:
        if s is not None and s.error:
            raise InputError(s.error)
    s1, s2 = summaries
    both_read = bool(s1 and s2 and s1.complete and s2.complete)
    if both_read and (s1.records, s1.names_blake2b) == (s2.records, s2.names_blake2b):
        return [sample, fq1, fq2, s1.compression, s2.compression, s1.records]
    from allfuse.reads import check_pair  # a failing sample only

    check_pair(sample, fq1, fq2, limit=None)
    if both_read:
        raise InputError(f"sample {sample}: {fq1} and {fq2} changed while STAR read them (R1/R2 differ)")
    return None  # a mate ended early (STAR stops at the first to end), and check_pair found no fault


def write_row_table(columns: list[str], row: list, out: Path) -> None:
    """A one-row table as ``allfuse.io.write_tsv`` writes it (pandas' to_csv is the csv module's
    minimal quoting), atomically, without importing pandas into the step after STAR."""
    with atomic_write(out) as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerow(row)


def verify(sample: str, fq1: str, fq2: str, link_dir: str, out: str) -> int:
    """The alignment job's step after STAR: exit 0 with ``out`` (reads_check.tsv) written, 1 with
    the reads' problem in one line, 3 when STAR did not read the files to the end (its log says
    why)."""
    try:
        row = verified_row(sample, fq1, fq2, Path(link_dir))
    except InputError as exc:
        print(f"allfuse: error: {exc}", file=sys.stderr)
        return 1
    if row is None:
        print(f"sample {sample}: STAR did not read the FASTQ files to the end", file=sys.stderr)
        return 3
    write_row_table(READ_CHECK_COLUMNS, row, Path(out))
    report_pairs(sample, fq1, fq2, row[-1])
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
