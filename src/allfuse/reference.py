"""The genome FASTA and GTF checked against each other before any job starts.

A FASTA named ``1, 2, ... X`` (Ensembl) with a GTF named ``chr1 ...`` (GENCODE, UCSC) is the most
common reference mistake; every tool then runs, finds no gene on any contig, and the run fails hours
later deep in a rule, or worse, reports every sample fusion-negative. So the contig names are
compared up front, and a mismatch is one line that says which names each file has and whether
adding or dropping ``chr`` would make them agree.

Reading a human FASTA's names means reading all of it (3 GB; a FASTA index next to it is used when
present), so each file's contigs are cached in ``work_dir`` by path, size and modification time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from allfuse.compression import require_gzip_or_plain
from allfuse.errors import InputError
from allfuse.io import open_binary, write_text

#: Bytes read at a time when scanning a FASTA for its '>' lines.
CHUNK = 1 << 22
#: Contig names quoted in a message.
SHOWN = 4


@dataclass(frozen=True)
class Contigs:
    """Contig names of one file, in file order, with the number of GTF lines on each (FASTA: 0)."""

    names: tuple[str, ...]
    lines: tuple[int, ...]


def _cache_file(path: Path, cache_dir: Path | None, kind: str) -> Path | None:
    if cache_dir is None:
        return None
    key = hashlib.sha1(f"{kind}\0{path.resolve()}".encode()).hexdigest()[:16]
    return cache_dir / f"contigs-{kind}-{key}.json"


def _stamp(path: Path) -> list:
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


def _cached(path: Path, cache_dir: Path | None, kind: str, scan) -> Contigs:
    """``scan(path)`` once per version of the file; the result kept in ``cache_dir``."""
    cache = _cache_file(path, cache_dir, kind)
    if cache is not None and cache.is_file():
        try:
            data = json.loads(cache.read_text())
            if data["stamp"] == _stamp(path):
                return Contigs(tuple(data["names"]), tuple(data["lines"]))
        except (ValueError, KeyError):
            pass  # a stale or damaged cache is rebuilt
    contigs = scan(path)
    if cache is not None:
        payload = {"stamp": _stamp(path), "names": list(contigs.names), "lines": list(contigs.lines)}
        write_text(cache, json.dumps(payload))
    return contigs


def _scan_fasta(path: Path) -> Contigs:
    fai = Path(str(path) + ".fai")
    kind = require_gzip_or_plain(path, "reference.fasta")
    if kind == "plain" and fai.is_file() and fai.stat().st_mtime_ns >= path.stat().st_mtime_ns:
        names = [ln.split("\t", 1)[0] for ln in fai.read_text().splitlines() if ln.strip()]
        return Contigs(tuple(names), (0,) * len(names))
    names: list[str] = []
    first = True
    carry = b""
    try:
        with open_binary(path, "reference.fasta") as fh:
            while chunk := fh.read(CHUNK):
                if first:
                    if chunk[:1] != b">":
                        shown = chunk[:20].decode("utf-8", "replace")
                        raise InputError(f"{path}: not a FASTA file (it starts with {shown!r}, not '>')")
                    first = False
                    chunk = b"\n" + chunk
                data = carry + chunk
                carry = data[-1:]  # a '\n' at a chunk's end may precede the next chunk's '>'
                pos = 0
                while (i := data.find(b"\n>", pos)) != -1:
                    end = data.find(b"\n", i + 2)
                    if end == -1:  # a name cut by the chunk's end: read it with the next chunk
                        carry = data[i:]
                        break
                    names.append((data[i + 2 : end].split(maxsplit=1) or [b""])[0].decode("utf-8", "replace"))
                    pos = end
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(f"{path}: damaged or truncated gzip file ({exc})") from None
    if not names:
        raise InputError(f"{path}: not a FASTA file (no '>' sequence name)")
    return Contigs(tuple(names), (0,) * len(names))


def _scan_gtf(path: Path) -> Contigs:
    counts: Counter[str] = Counter()
    gff3 = features = exons = 0
    no_ids: list[int] = []
    try:
        with open_binary(path, "reference.gtf") as fh:
            for number, raw in enumerate(fh, start=1):
                if raw.startswith(b"#") or not raw.strip():
                    continue
                fields = raw.split(b"\t", 9)
                if len(fields) < 9:
                    shown = raw[:40].decode("utf-8", "replace").rstrip()
                    raise InputError(
                        f"{path}: line {number}: not a GTF line (9 tab-separated columns expected): {shown!r}"
                    )
                features += 1
                if features <= 100 and b"gene_id " not in fields[8] and b"=" in fields[8]:
                    gff3 += 1
                if fields[2] == b"exon":
                    exons += 1
                    if b"transcript_id " not in fields[8] or b"gene_id " not in fields[8]:
                        no_ids.append(number)
                counts[fields[0].decode("utf-8", "replace")] += 1
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(f"{path}: damaged or truncated gzip file ({exc})") from None
    if not counts:
        raise InputError(f"{path}: GTF has no features")
    if gff3 == min(features, 100):
        raise InputError(
            f"{path}: this is GFF3 (attributes 'key=value'), not GTF; give the GTF of the same release"
        )
    if not exons:
        raise InputError(f"{path}: GTF has no exon lines (STAR, pizzly and the exon numbering need them)")
    if no_ids:
        raise InputError(
            f"{path}: line {no_ids[0]}: exon without gene_id or transcript_id ({len(no_ids)} such exon line(s))"
        )
    return Contigs(tuple(counts), tuple(counts.values()))


def fasta_contigs(path: str | Path, cache_dir: str | Path | None = None) -> Contigs:
    return _cached(Path(path), Path(cache_dir) if cache_dir else None, "fasta", _scan_fasta)


def gtf_contigs(path: str | Path, cache_dir: str | Path | None = None) -> Contigs:
    return _cached(Path(path), Path(cache_dir) if cache_dir else None, "gtf", _scan_gtf)


def _few(names: list[str] | tuple[str, ...]) -> str:
    shown = ", ".join(list(names)[:SHOWN])
    return shown + (", ..." if len(names) > SHOWN else "")


def _chr_hint(fasta: set[str], gtf: set[str]) -> str:
    """Whether adding or dropping 'chr' on one side would make the names meet."""
    add = {f"chr{n}" for n in fasta} & gtf
    drop = {n.removeprefix("chr") for n in fasta if n.startswith("chr")} & gtf
    if add:
        return f"adding 'chr' to the FASTA's names would match {len(add)} contig(s)"
    if drop:
        return f"dropping 'chr' from the FASTA's names would match {len(drop)} contig(s)"
    return "neither adding nor dropping 'chr' makes them match: are they of the same genome build?"


def check_reference(fasta: str | Path, gtf: str | Path, cache_dir: str | Path | None = None) -> list[str]:
    """Raise InputError if FASTA and GTF share no contig; return warnings (GTF contigs the FASTA lacks)."""
    for path, key in ((fasta, "reference.fasta"), (gtf, "reference.gtf")):
        if not Path(path).is_file():
            raise InputError(f"{key}: file not found: {path}")
    fa = fasta_contigs(fasta, cache_dir)
    twice = [name for name, n in Counter(fa.names).items() if n > 1]
    if twice:
        raise InputError(
            f"{fasta}: contig name(s) {_few(twice)} appear more than once (files concatenated twice?)"
        )
    gt = gtf_contigs(gtf, cache_dir)
    shared = set(fa.names) & set(gt.names)
    if not shared:
        raise InputError(
            f"{fasta} and {gtf} share no contig name (FASTA: {_few(fa.names)}; GTF: {_few(gt.names)}); "
            + _chr_hint(set(fa.names), set(gt.names))
        )
    foreign = [(n, c) for n, c in zip(gt.names, gt.lines, strict=True) if n not in shared]
    if not foreign:
        return []
    lines = sum(c for _, c in foreign)
    message = (
        f"{gtf}: {lines} line(s) on {len(foreign)} contig(s) that {fasta} lacks "
        f"({_few([n for n, _ in foreign])}); those genes are ignored"
    )
    return [message]
