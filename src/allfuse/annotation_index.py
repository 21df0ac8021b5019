"""The parsed GTF kept in ``work_dir``, so a run parses its GTF once instead of once per sample.

``annotate`` needs the genes, transcripts, exons and CDS segments of :class:`allfuse.gtf.Annotation`.
Parsing GENCODE (1.6M exon lines) takes far longer than everything else annotate does for a sample,
and a cohort would pay it per sample. The frames are therefore pickled once into
``{work_dir}/.allfuse/annotation/<sha256 of the GTF>.pkl``:

* keyed by the GTF's bytes, so an edited or replaced GTF gets its own index and a stale one is
  never read; the checksum itself is cached by path, size and modification time, so a 1.5 GB GTF
  is hashed once, not per sample;
* written to a temporary file and renamed, so a sample never reads a half-written index, even when
  several samples build it at the same time;
* an unreadable index (damaged, or from another pandas) is parsed again and rewritten;
* read once per process: a sample's annotate job runs expression, annotate, evidence and primers in
  one process (``allfuse steps``), and each asks for the same index (about 0.7 s and 400 MB each for
  GENCODE's size). Safe to share: an index file's name is its GTF's checksum and it is only ever
  replaced whole, and no step changes the frames it is given.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
from pathlib import Path

from allfuse.gtf import Annotation
from allfuse.io import write_bytes

#: Bumped when the index's content changes (e.g. a new column in gtf.Annotation): old ones are ignored.
FORMAT = 1
#: Where in ``work_dir`` indexes live (beside reference.py's contig cache in ``.allfuse``).
SUBDIR = Path(".allfuse") / "annotation"
#: Bytes hashed at a time.
CHUNK = 1 << 22
_FRAMES = ("genes", "transcripts", "exons", "cds")


def index_dir(work_dir: str | Path) -> Path:
    """The folder of a run's annotation indexes."""
    return Path(work_dir) / SUBDIR


def _stamp(path: Path) -> list:
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


def checksum(gtf: str | Path, cache_dir: str | Path | None = None) -> str:
    """sha256 of the GTF's bytes (as stored: a gzipped GTF is hashed compressed).

    With ``cache_dir`` the checksum is kept there per path, size and modification time.
    """
    gtf = Path(gtf)
    cache = None
    if cache_dir is not None:
        key = hashlib.sha1(str(gtf.resolve()).encode()).hexdigest()[:16]
        cache = Path(cache_dir) / f"sha256-{key}.json"
        if cache.is_file():
            try:
                data = json.loads(cache.read_text())
                if data["stamp"] == _stamp(gtf):
                    return str(data["sha256"])
            except (ValueError, KeyError):
                pass  # a damaged cache is rewritten
    digest = hashlib.sha256()
    with open(gtf, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    sha = digest.hexdigest()
    if cache is not None:
        write_bytes(cache, json.dumps({"stamp": _stamp(gtf), "sha256": sha}).encode())
    return sha


def index_path(gtf: str | Path, cache_dir: str | Path) -> Path:
    """The index file of this GTF's content in ``cache_dir`` (whether it exists yet or not)."""
    return Path(cache_dir) / f"{checksum(gtf, cache_dir)}.pkl"


class _Unreadable(Exception):
    """An index file that cannot be used: not remembered (lru_cache keeps results, not exceptions)."""


def _read(path: Path, gtf: Path) -> Annotation | None:
    """The index's annotation, or None when it cannot be used (damaged, another format or pandas)."""
    try:
        return _read_once(str(path), str(gtf))
    except _Unreadable:
        return None


#: What reading an index can raise when it is damaged or was written by another pandas.
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError)


@functools.lru_cache(maxsize=1)
def _read_once(path: str, gtf: str) -> Annotation:
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        if data.get("format") != FORMAT:
            raise _Unreadable(path)
        return Annotation(*(data[name] for name in _FRAMES), path=gtf)
    except _UNREADABLE as exc:
        raise _Unreadable(path) from exc


def build_index(gtf: str | Path, cache_dir: str | Path) -> tuple[Path, Annotation]:
    """Parse the GTF and write its index (atomically); return the index file and the annotation."""
    gtf = Path(gtf)
    ann = Annotation.from_gtf(gtf)
    path = index_path(gtf, cache_dir)
    payload: dict[str, object] = {"format": FORMAT, "sha256": path.stem}
    payload.update({name: getattr(ann, name) for name in _FRAMES})
    write_bytes(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    return path, ann


def ensure_index(gtf: str | Path, cache_dir: str | Path) -> tuple[Path, Annotation]:
    """The GTF's index file in ``cache_dir`` and its annotation: read when there, else built."""
    gtf = Path(gtf)
    if gtf.is_file():  # a missing GTF is reported by the parser, with the usual message
        path = index_path(gtf, cache_dir)
        ann = _read(path, gtf) if path.is_file() else None
        if ann is not None:
            return path, ann
    return build_index(gtf, cache_dir)


def load_annotation(gtf: str | Path, cache_dir: str | Path | None = None) -> Annotation:
    """The GTF's annotation: from its index in ``cache_dir`` (built there if missing), else parsed.

    Without ``cache_dir`` (``allfuse annotate`` on outputs made elsewhere) the GTF is parsed, as before.
    """
    if cache_dir is None:
        return Annotation.from_gtf(gtf)
    return ensure_index(gtf, cache_dir)[1]
