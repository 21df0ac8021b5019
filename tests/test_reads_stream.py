"""The reads check that feeds STAR (allfuse.fastq_stream) and the cached sheet check.

The pipeline checks each sample's reads in the pass that feeds STAR, a chunk at a time, instead of
streaming both mates record by record before STAR starts. These tests hold the fast check to the
record-by-record one (``allfuse.reads``): the same verdicts, the same one-line messages, the same
``reads_check.tsv``; and the sheet check's cache to the files' path, size and modification time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from pathlib import Path

import pytest

from allfuse import fastq_stream
from allfuse.errors import InputError
from allfuse.fastq_stream import StreamSummary, stream_check, summary_path
from allfuse.io import write_tsv
from allfuse.reads import check_pair, check_reads_table, records, verify_streams
from allfuse.samplesheet import HEAD_CACHE, load_samples


def fastq(n: int, mate: int, start: int = 0, suffix: bool = False, crlf: bool = False) -> bytes:
    end = "\r\n" if crlf else "\n"
    out = []
    for i in range(start, start + n):
        name = f"@read{i}" + (f"/{mate}" if suffix else f" {mate}:N:0:ACGT")
        seq = "ACGT" * (5 + i % 7)
        out.append(f"{name}{end}{seq}{end}+{end}{'I' * len(seq)}{end}")
    return "".join(out).encode()


def write(path: Path, data: bytes, gz: bool = True) -> Path:
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def exact(path: Path, label: str = "x", limit: int | None = None) -> tuple[int, list[bytes]]:
    names = [r.name for r in records(path, label, limit)]
    return len(names), names


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 1 kB, so that records straddle chunk ends many times."""
    monkeypatch.setattr(fastq_stream, "CHUNK_BYTES", 1000)


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("form", ["plain", "suffix", "crlf"])
def test_stream_sees_what_the_record_check_sees(tmp_path: Path, small_chunks, gz: bool, form: str) -> None:
    data = fastq(300, 1, suffix=form == "suffix", crlf=form == "crlf")
    path = write(tmp_path / "r1.fq", data, gz)
    out = io.BytesIO()
    summary = stream_check(path, "x", out)
    assert out.getvalue() == data  # STAR gets the file's bytes unchanged
    n, names = exact(path)
    assert summary.records == n == 300
    assert (
        summary.names_blake2b
        == hashlib.blake2b(b"".join(m + b"\n" for m in names), digest_size=16).hexdigest()
    )
    mate2 = stream_check(
        write(tmp_path / "r2.fq", fastq(300, 2, suffix=form == "suffix", crlf=form == "crlf"), gz), "y"
    )
    assert mate2.names_blake2b == summary.names_blake2b  # /1 and /2, or the comment, differ only
    assert summary.compression == ("gzip" if gz else "plain")
    head = stream_check(path, "x", limit=120)
    assert head.records == 120


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        (lambda d: d.replace(b"@read250 ", b"read250 ", 1), "line 1001: not FASTQ"),
        (lambda d: d.replace(b"\n+\n", b"\n-\n", 1), "line 3: not FASTQ (expected '+' line)"),
        (
            lambda d: d[: d.index(b"@read299")] + b"@read299 1\nACGT\n+\nII\n",
            "line 1197: sequence and quality",
        ),
        (lambda d: d[:-3], None),  # the last quality line cut: lengths differ
        (lambda d: d + b"@extra\nAC\n", "ends inside a FASTQ record"),
    ],
)
def test_stream_stops_with_the_record_checks_message(tmp_path: Path, small_chunks, damage, needle) -> None:
    path = write(tmp_path / "bad.fq.gz", damage(fastq(300, 1)))
    with pytest.raises(InputError) as want:
        exact(path, "sample S: fq1")
    with pytest.raises(InputError) as got:
        stream_check(path, "sample S: fq1", io.BytesIO())
    assert str(got.value) == str(want.value)
    assert needle is None or needle in str(got.value)


def test_truncated_gzip_is_one_line(tmp_path: Path) -> None:
    data = gzip.compress(fastq(3000, 1), mtime=0)
    path = tmp_path / "cut.fq.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match="damaged or truncated gzip file"):
        stream_check(path, "sample S: fq1", io.BytesIO())


def test_damaged_deflate_data_is_one_line(tmp_path: Path) -> None:
    """Bytes damaged inside the compressed data (not cut short): ISA-L's own error, the same line."""
    data = bytearray(gzip.compress(fastq(3000, 1), mtime=0))
    data[20:40] = b"\xff" * 20  # inside the first deflate block, after the 10-byte gzip header
    path = tmp_path / "damaged.fq.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(
        InputError, match=r"^sample S: fq1: .*damaged\.fq\.gz: damaged or truncated gzip file \("
    ):
        stream_check(path, "sample S: fq1", io.BytesIO())
    with pytest.raises(InputError, match=r"\(Error -1 Invalid deflate block found\)$"):
        stream_check(path, "sample S: fq1", io.BytesIO())  # ISA-L's words, as zlib's were quoted


def feed_both(tmp_path: Path, fq1: Path, fq2: Path) -> Path:
    """What STAR's read command leaves: links fq1/fq2 and each mate's summary beside them."""
    star = tmp_path / "star"
    star.mkdir()
    for name, target in (("fq1", fq1), ("fq2", fq2)):
        (star / name).symlink_to(target)
        try:
            result = stream_check(target, f"sample S: {name}", io.BytesIO())
        except InputError as exc:
            result = StreamSummary(str(target), "", 0, "", error=str(exc))
        result.write(summary_path(star / name))
    return star


def test_mates_in_step_give_the_read_check_table(tmp_path: Path) -> None:
    fq1 = write(tmp_path / "S_R1.fq.gz", fastq(500, 1))
    fq2 = write(tmp_path / "S_R2.fq", fastq(500, 2), gz=False)
    star = feed_both(tmp_path, fq1, fq2)
    got = verify_streams("S", str(fq1), str(fq2), star)
    assert got.equals(check_reads_table("S", str(fq1), str(fq2)))
    assert not list(star.glob("*.tmp"))


def test_verify_writes_the_table_pandas_wrote(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """reads_check.tsv from the step after STAR (csv module, no pandas) is byte for byte what
    write_tsv made of the same table, also for paths that need quoting."""
    folder = tmp_path / 'odd "name" here'
    folder.mkdir()
    fq1 = write(folder / "S_R1.fq.gz", fastq(300, 1))
    fq2 = write(folder / "S_R2.fq", fastq(300, 2), gz=False)
    star = feed_both(tmp_path, fq1, fq2)
    out = tmp_path / "out" / "reads_check.tsv"
    assert fastq_stream.verify("S", str(fq1), str(fq2), str(star), str(out)) == 0
    write_tsv(check_reads_table("S", str(fq1), str(fq2)), tmp_path / "want.tsv")
    assert out.read_bytes() == (tmp_path / "want.tsv").read_bytes()
    assert b'"' in out.read_bytes()  # the quoted paths
    assert capsys.readouterr().out == "sample S: 300 read pairs\n"
    assert not list(out.parent.glob("*.tmp"))


@pytest.mark.parametrize("problem", ["short", "out_of_step"])
def test_mates_that_disagree_are_worded_as_before(tmp_path: Path, problem: str) -> None:
    fq1 = write(tmp_path / "S_R1.fq.gz", fastq(500, 1))
    r2 = fastq(490, 2) if problem == "short" else fastq(200, 2) + fastq(300, 2, start=201)
    fq2 = write(tmp_path / "S_R2.fq.gz", r2)
    star = feed_both(tmp_path, fq1, fq2)
    with pytest.raises(InputError) as want:
        check_pair("S", fq1, fq2, limit=None)
    with pytest.raises(InputError) as got:
        verify_streams("S", str(fq1), str(fq2), star)
    assert str(got.value) == str(want.value)
    assert ("has fewer reads than" if problem == "short" else "out of step") in str(got.value)


def test_star_that_never_read_the_files_is_not_a_reads_problem(tmp_path: Path) -> None:
    fq1 = write(tmp_path / "S_R1.fq.gz", fastq(50, 1))
    fq2 = write(tmp_path / "S_R2.fq.gz", fastq(50, 2))
    (tmp_path / "star").mkdir()
    assert verify_streams("S", str(fq1), str(fq2), tmp_path / "star") is None


def test_sheet_check_is_cached_by_path_size_and_mtime(tmp_path: Path) -> None:
    reads = tmp_path / "reads"
    reads.mkdir()
    rows = ["sample\tfq1\tfq2"]
    for i in range(6):
        write(reads / f"S{i}_R1.fq.gz", fastq(1200, 1, start=i))
        write(reads / f"S{i}_R2.fq.gz", fastq(1200, 2, start=i))
        rows.append(f"S{i}\treads/S{i}_R1.fq.gz\treads/S{i}_R2.fq.gz")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("\n".join(rows) + "\n")
    cache = tmp_path / "work" / ".allfuse"
    first = load_samples(sheet, cache_dir=cache)
    assert len(first) == 6
    stored = (cache / HEAD_CACHE).read_text()
    assert len(stored.split('"stamp"')) == 13  # every file, once
    assert not list(cache.glob("*.tmp"))
    # a file replaced by one out of step is checked again (new size and mtime), not taken from the cache
    bad = reads / "S3_R2.fq.gz"
    write(bad, fastq(1200, 2, start=9))
    os.utime(bad, ns=(1, 1))
    with pytest.raises(InputError, match=r"sample S3: read 1 is 'read3' in .* but 'read9' .*out of step"):
        load_samples(sheet, cache_dir=cache)
    assert load_samples(sheet, check_reads=False, cache_dir=cache).equals(first)


def test_many_files_are_checked_in_worker_processes_with_the_same_verdicts(tmp_path: Path) -> None:
    """From PROCESSES_FROM files on the heads are read in worker processes: a file that is not
    FASTQ and mates out of step are still the one line of the first such sample in the sheet."""
    from allfuse import samplesheet

    n = samplesheet.PROCESSES_FROM // 2 + 8  # more files than PROCESSES_FROM
    reads = tmp_path / "reads"
    reads.mkdir()
    r1, r2 = write(reads / "R1.fq.gz", fastq(1100, 1)), write(reads / "R2.fq.gz", fastq(1100, 2))
    rows = ["sample\tfq1\tfq2"]
    for i in range(n):
        for mate, source in ((1, r1), (2, r2)):
            os.link(source, reads / f"S{i:02d}_R{mate}.fq.gz")
        rows.append(f"S{i:02d}\treads/S{i:02d}_R1.fq.gz\treads/S{i:02d}_R2.fq.gz")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("\n".join(rows) + "\n")
    cache = tmp_path / "work" / ".allfuse"
    assert len(load_samples(sheet, cache_dir=cache)) == n
    assert len((cache / HEAD_CACHE).read_text().split('"stamp"')) == 2 * n + 1
    # later samples broken: the first broken one in sheet order is named, as the record check words it
    (reads / f"S{n - 3}_R1.fq.gz").unlink()
    write(reads / f"S{n - 3}_R1.fq.gz", b"not a fastq file\n" * 10)
    (reads / f"S{n - 6}_R2.fq.gz").unlink()
    write(reads / f"S{n - 6}_R2.fq.gz", fastq(1100, 2, start=5))
    with pytest.raises(
        InputError, match=rf"sample S{n - 6}: read 1 is 'read0' in .* but 'read5' .*out of step"
    ):
        load_samples(sheet, cache_dir=cache)
    (reads / f"S{n - 6}_R2.fq.gz").unlink()
    os.link(r2, reads / f"S{n - 6}_R2.fq.gz")
    with pytest.raises(InputError, match=rf"sample S{n - 3}: fq1: .*S{n - 3}_R1.fq.gz: line 1: not FASTQ"):
        load_samples(sheet, cache_dir=cache)
