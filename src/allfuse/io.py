"""Reading and writing allfuse's files, in one place (import it as ``from allfuse.io import ...``).

Two rules hold for every file, so they are kept here rather than at each site:

* a file is written under a temporary name and renamed when complete, so a half-written table,
  report or JSON never looks finished (a failed job leaves nothing a rerun would trust);
* a file is read as UTF-8 text, gzip or plain told from its bytes (allfuse.compression), and a
  missing or malformed file is one InputError line naming it.

The module is named ``io`` after what it does; inside the package every import is absolute, so it
never stands in for the standard library's ``io``.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from allfuse.compression import require_gzip_or_plain
from allfuse.errors import InputError

if TYPE_CHECKING:  # imported where used: a step that writes only JSON (provenance) never pays for them
    import jsonschema
    import pandas as pd


@contextmanager
def atomic_write(path: str | Path, binary: bool = False) -> Iterator[IO]:
    """A file (UTF-8 text, or bytes) written under a temporary name and renamed when complete;
    the temporary file is removed on failure, so nothing half-written looks finished. The
    temporary name carries the process id: two jobs writing one shared file (the annotation index)
    never write into each other's."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8") as fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    """A text file (a report page, a FASTA) written atomically."""
    with atomic_write(path) as fh:
        fh.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """A binary file (a cache) written atomically."""
    with atomic_write(path, binary=True) as fh:
        fh.write(data)


def write_tsv(df: pd.DataFrame, path: str | Path) -> None:
    """A table, tab-separated with its header and no index, written atomically."""
    with atomic_write(path) as fh:
        df.to_csv(fh, sep="\t", index=False)


def write_json(path: str | Path, data: Any, **dumps: Any) -> None:
    """A JSON document (``dumps``: json.dumps options) with a final newline, written atomically."""
    write_text(path, json.dumps(data, **dumps) + "\n")


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """A table allfuse wrote (or a simulation's truth), every cell as written; InputError if absent."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    import pandas as pd

    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def read_json(path: str | Path, what: str) -> dict:
    """A JSON object allfuse wrote; one InputError line when it is absent, not JSON or not an object."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: {what} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} is not a JSON object")
    return data


def open_text(path: str | Path, label: str) -> IO[str]:
    """The file as UTF-8 text, gzip or plain told from its bytes; other compressions are an InputError."""
    if require_gzip_or_plain(path, label) == "gzip":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def open_binary(path: str | Path, label: str) -> IO[bytes]:
    """The file's decompressed bytes (gzip or plain); other compressions are an InputError."""
    if require_gzip_or_plain(path, label) == "gzip":
        return gzip.open(path, "rb")
    return open(path, "rb")


@dataclass(frozen=True)
class UserTable:
    """A table a person wrote (sample sheet, clinical table): its rows with the line a person sees,
    cells stripped, comment ('#') and blank lines skipped but counted, and the validator of its
    JSON schema for one row as a record."""

    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]
    validator: jsonschema.Draft202012Validator


def read_user_table(
    path: str | Path, lines: Iterable[str], what: str, needed: list[str], hint: str, schema: dict,
    delimiter: str = "\t",
) -> UserTable:  # fmt: skip
    """``lines`` of the table at ``path`` (the caller decodes them); InputError naming the file when it
    has no rows, or the header line and the ``needed`` columns it lacks (``hint``: what it needs)."""
    rows = [
        (n, [f.strip() for f in fields])
        for n, fields in enumerate(csv.reader(lines, delimiter=delimiter), start=1)
        if fields and not fields[0].startswith("#") and any(f.strip() for f in fields)
    ]
    if not rows:
        raise InputError(f"{path}: {what} is empty")
    header_line, header = rows[0]
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(f"{path}: line {header_line}: missing column(s) {', '.join(missing)} ({hint})")
    import jsonschema

    return UserTable(header_line, header, rows[1:], jsonschema.Draft202012Validator(schema))
