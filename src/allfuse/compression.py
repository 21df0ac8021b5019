"""What compression a file uses, told from its first bytes, never from its name.

Users' files arrive as they were downloaded or exported: GENCODE's ``.fa.gz`` and ``.gtf.gz``
(plain gzip, or BGZF, which is gzip in blocks), FASTQ gzipped by the sequencer, or re-packed with
bzip2 or zstd by an archive. A name ending ``.gz`` proves nothing, so the bytes decide.
"""

from __future__ import annotations

from pathlib import Path

from allfuse.errors import InputError

#: Leading bytes of each compression format allfuse can name.
MAGIC: dict[str, bytes] = {
    "gzip": b"\x1f\x8b",  # also BGZF, which is a series of gzip members
    "bzip2": b"BZh",
    "zstd": b"\x28\xb5\x2f\xfd",
    "xz": b"\xfd7zXZ\x00",
}


def sniff(path: str | Path) -> str:
    """'gzip', 'bzip2', 'zstd', 'xz' or 'plain'."""
    with open(path, "rb") as fh:
        head = fh.read(6)
    for name, magic in MAGIC.items():
        if head.startswith(magic):
            return name
    return "plain"


def require_gzip_or_plain(path: str | Path, label: str) -> str:
    """'gzip' or 'plain'; any other compression is one InputError line that says what is accepted."""
    kind = sniff(path)
    if kind not in ("gzip", "plain"):
        raise InputError(
            f"{label}: {path} is {kind}-compressed; allfuse reads plain or gzip (including BGZF) files: "
            f"recompress it with gzip"
        )
    return kind
