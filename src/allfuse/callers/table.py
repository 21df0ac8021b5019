"""The tab-separated tables fusion callers write, read exactly as written.

Every caller parser goes through this reader so headers (with or without a leading '#'), gzip,
blank lines and ragged rows are treated the same way, original cells stay untouched for the
``orig_`` columns, and a wrong file gets one error line naming it and what it looks like.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allfuse.calls import finish_calls
from allfuse.compression import MAGIC
from allfuse.errors import InputError
from allfuse.tables import ORIG_PREFIX


@dataclass
class RawTable:
    """A caller's table exactly as written: header names (leading '#' removed) and string cells.

    Cells are never converted, quoted or NA-interpreted, because the calls table must keep every
    original value unchanged (STAR-Fusion's ``annots`` holds JSON with double quotes, Arriba and
    FusionCatcher use ``.`` and empty cells with meaning).
    """

    path: Path
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)  # 1-based line of each row, for errors
    first_line: str = ""

    def column(self, name: str) -> list[str]:
        """All values of one column, in row order."""
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def has(self, name: str) -> bool:
        return name in self.columns

    def orig_frame(self) -> pd.DataFrame:
        """The whole table as ``orig_<name>`` string columns (also when there are no rows)."""
        names = [ORIG_PREFIX + c for c in self.columns]
        if not self.rows:
            return pd.DataFrame({n: pd.Series(dtype="object") for n in names})
        return pd.DataFrame(self.rows, columns=names, dtype="object")


def read_raw_table(path: str | Path, check_header: Callable[[RawTable], None] | None = None) -> RawTable:
    """Read a tab-separated caller output (plain or gzip) without interpreting any cell.

    ``check_header`` runs as soon as the header is known, so a wrong kind of file is reported
    as such (missing columns) rather than by whatever its rows happen to trip over first.

    The first non-blank line is the header.  Blank lines are skipped.  Rows shorter than the
    header are padded with empty strings (FusionInspector's old ``TrinityGG`` column is declared
    but never filled); rows longer than the header are an error unless the extra cells are empty.
    A 0-byte file gives a table with no columns and no rows.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    data = path.read_bytes()
    if data.startswith(MAGIC["gzip"]):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: damaged gzip file ({exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (not UTF-8)") from None
    if "\x00" in text:
        raise InputError(f"{path}: not a text file (contains NUL bytes)")

    table = RawTable(path=path)
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        cells = line.split("\t")
        if not table.columns:
            table.first_line = line
            table.columns = [c.removeprefix("#") for c in cells]
            seen: set[str] = set()
            for name in table.columns:
                if name in seen:
                    raise InputError(f"{path}: header repeats column {name!r}")
                seen.add(name)
            if check_header is not None:
                check_header(table)
            continue
        width = len(table.columns)
        if len(cells) > width:
            if any(cells[width:]):
                raise InputError(f"{path}: line {number} has {len(cells)} fields but the header has {width}")
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        table.rows.append(cells)
        table.line_numbers.append(number)
    return table


def guess_kind(table: RawTable) -> str:
    """A few words naming what the file looks like, so a wrong-file error says what was given."""
    cols = set(table.columns)
    first = table.first_line.strip()
    if {"gene1", "gene2", "breakpoint1", "breakpoint2"} <= cols:
        return "an Arriba fusions.tsv"
    if {"LeftLocalBreakpoint", "RightLocalBreakpoint"} & cols:
        return "a FusionInspector table"
    if {"LeftBreakpoint", "RightBreakpoint"} <= cols:
        return "a STAR-Fusion prediction table"
    if any(c.startswith("Fusion_point_for_gene_1") for c in cols):
        return "a FusionCatcher final-list_candidate-fusion-genes.txt"
    if first.startswith("Very short summary of found candidate"):
        return "a FusionCatcher summary_candidate_fusions.txt (no breakpoints)"
    if {"chr_donorA", "brkpt_donorA"} <= cols:
        return "a STAR Chimeric.out.junction"
    return "an unknown format"


def require_columns(table: RawTable, needed: Iterable[str], what: str) -> None:
    """Fail with one line naming the file, the missing columns and what the file looks like."""
    missing = [c for c in needed if c not in table.columns]
    if missing:
        kind = guess_kind(table)
        raise InputError(
            f"{table.path}: missing columns {', '.join(missing)}: not {what} (looks like {kind})"
        )


def cell_int(table: RawTable, row: int, column: str, value: str) -> int:
    """A count or position cell as int; a non-number is an input error naming file and line."""
    try:
        return int(value)
    except ValueError:
        raise InputError(
            f"{table.path}: line {table.line_numbers[row]}: column {column} is {value!r}, not a whole number"
        ) from None


def split_locus(table: RawTable, row: int, column: str, value: str) -> tuple[str, int, str]:
    """``chrom:pos`` or ``chrom:pos:strand`` -> (chrom, pos, strand or '.').

    Split from the right, so contig names containing ':' (e.g. HLA alleles) stay whole.
    """
    parts = value.rsplit(":", 2)
    strand = "."
    if len(parts) == 3 and parts[2] in ("+", "-", "."):
        chrom, pos, strand = parts
    else:
        parts = value.rsplit(":", 1)
        if len(parts) != 2 or not parts[0]:
            raise InputError(
                f"{table.path}: line {table.line_numbers[row]}: column {column} is {value!r}, not chrom:pos"
            )
        chrom, pos = parts
    return chrom, cell_int(table, row, column, pos), strand


def assemble(
    table: RawTable,
    declared: dict[str, list] | list[dict[str, object]],
    sample: str,
    caller: str,
) -> pd.DataFrame:
    """Declared columns beside the untouched ``orig_`` columns, finished by the schema."""
    orig = table.orig_frame()
    if not table.rows:
        return finish_calls(orig, sample, caller)
    df = pd.concat([pd.DataFrame(declared, index=orig.index), orig], axis=1)
    return finish_calls(df, sample, caller)
