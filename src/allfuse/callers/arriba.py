"""Arriba ``fusions.tsv`` / ``fusions.discarded.tsv`` -> allfuse calls table.

Both column layouts are read by column name: the v2.x layout (``gene_id1/2``, ``transcript_id1/2``,
``tags``, ``retained_protein_domains``; direction1/2 near the end) and the v1.x layout (direction1/2
right after ``type``, no gene or transcript ids).  Every original column is kept as ``orig_<name>``.

Orientation (checked against Arriba's documentation and source, ``source/output_fusions.cpp``):
the docs say ``gene1`` is the 5' end, but Arriba puts a gene first according to its own
*transcript start* guess, which it derives from the annotated *gene* strand.  The transcribed
strand it prints after the slash in ``strand1(gene/fusion)`` can disagree with that guess: in
resolwe-bio's ``expected_discarded_fusions.tsv.gz`` the row ``CCDC6  CCDC6(40)  -/-  ./-
downstream upstream`` has its 3' partner first.  So the 5' partner is derived here from the
transcribed strand and the ``direction`` of each breakpoint (``downstream`` = the partner is
fused at higher coordinates, i.e. this side's retained part lies below the breakpoint):

* a side transcribed on ``+`` whose partner lies ``downstream`` is the 5' end,
* a side transcribed on ``-`` whose partner lies ``upstream`` is the 5' end,
* the other two combinations mark the 3' end.

When the transcribed strand is ``.`` (Arriba could not tell) or the two sides contradict each
other, the given order is kept.  Arriba's breakpoints already follow allfuse's convention (last
base of the 5' partner, first base of the 3' partner, 1-based), so positions are taken as written.

The raw-table reader used by every caller parser lives here as well (``read_raw_table``) so that
all parsers treat headers, gzip, blank lines and ragged rows the same way.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allfuse.errors import InputError
from allfuse.schema import ORIG_PREFIX, finish_calls

CALLER = "arriba"

#: Columns present in both the v1.x and v2.x layouts that the parser needs.
REQUIRED = [
    "gene1",
    "gene2",
    "strand1(gene/fusion)",
    "strand2(gene/fusion)",
    "breakpoint1",
    "breakpoint2",
    "site1",
    "site2",
    "direction1",
    "direction2",
    "split_reads1",
    "split_reads2",
    "discordant_mates",
    "confidence",
    "filters",
]


# --------------------------------------------------------------------------------------------
# Shared reader for the tab-separated caller outputs
# --------------------------------------------------------------------------------------------


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
    if data[:2] == b"\x1f\x8b":
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


# --------------------------------------------------------------------------------------------
# Arriba
# --------------------------------------------------------------------------------------------


def _transcribed_strand(value: str) -> str:
    """``+/-`` -> ``-``: the part after the slash is the strand Arriba saw transcribed."""
    _, slash, fusion = value.partition("/")
    fusion = fusion.strip() if slash else ""
    return fusion if fusion in ("+", "-") else "."


def _is_five_prime(strand: str, direction: str) -> bool | None:
    """True if this breakpoint side is the 5' partner, False if 3', None if Arriba can't tell."""
    if strand not in ("+", "-") or direction not in ("upstream", "downstream"):
        return None
    return (strand == "+") == (direction == "downstream")


def gene1_is_three_prime(strand1: str, direction1: str, strand2: str, direction2: str) -> bool:
    """Whether gene1/gene2 must be swapped to put the 5' partner first.

    Swap only when the evidence points one way: side 1 is 3' or side 2 is 5', and nothing says
    the opposite.  Unknown ('.') or contradictory strands keep Arriba's order.
    """
    five1 = _is_five_prime(strand1, direction1)
    five2 = _is_five_prime(strand2, direction2)
    swap = five1 is False or five2 is True
    keep = five1 is True or five2 is False
    return swap and not keep


def parse(path: str | Path, sample: str) -> pd.DataFrame:
    """Arriba fusions.tsv (v1.x or v2.x layout, plain or gzip) -> calls table, 5' partner first."""
    table = read_raw_table(path, lambda t: require_columns(t, REQUIRED, "an Arriba fusions.tsv"))
    if not table.columns:
        return assemble(table, {}, sample, CALLER)

    def col(name: str) -> list[str]:
        """A column with empty cells as '.', or all '.' when this layout lacks it (v1.x ids)."""
        if not table.has(name):
            return ["."] * len(table.rows)
        return [v if v.strip() else "." for v in table.column(name)]

    genes = (col("gene1"), col("gene2"))
    gene_ids = (col("gene_id1"), col("gene_id2"))
    strands = (col("strand1(gene/fusion)"), col("strand2(gene/fusion)"))
    breakpoints = (col("breakpoint1"), col("breakpoint2"))
    sites = (col("site1"), col("site2"))
    directions = (col("direction1"), col("direction2"))
    transcripts = (col("transcript_id1"), col("transcript_id2"))
    split1, split2 = col("split_reads1"), col("split_reads2")
    discordant = col("discordant_mates")
    confidence, filters = col("confidence"), col("filters")

    records: list[dict[str, object]] = []
    for i in range(len(table.rows)):
        strand = (_transcribed_strand(strands[0][i]), _transcribed_strand(strands[1][i]))
        loci = (
            split_locus(table, i, "breakpoint1", breakpoints[0][i]),
            split_locus(table, i, "breakpoint2", breakpoints[1][i]),
        )
        swap = gene1_is_three_prime(strand[0], directions[0][i], strand[1], directions[1][i])
        five, three = (1, 0) if swap else (0, 1)
        records.append(
            {
                "gene_5p": genes[five][i],
                "gene_3p": genes[three][i],
                "gene_id_5p": gene_ids[five][i],
                "gene_id_3p": gene_ids[three][i],
                "chrom_5p": loci[five][0],
                "pos_5p": loci[five][1],
                "strand_5p": strand[five],
                "chrom_3p": loci[three][0],
                "pos_3p": loci[three][1],
                "strand_3p": strand[three],
                "junction_reads": cell_int(table, i, "split_reads1", split1[i])
                + cell_int(table, i, "split_reads2", split2[i]),
                "spanning_frags": cell_int(table, i, "discordant_mates", discordant[i]),
                "site_5p": sites[five][i],
                "site_3p": sites[three][i],
                "caller_transcript_5p": transcripts[five][i],
                "caller_transcript_3p": transcripts[three][i],
                "caller_exon_5p": ".",  # Arriba names no exon
                "caller_exon_3p": ".",
                "caller_confidence": confidence[i],
                "caller_filters": filters[i],
            }
        )
    return assemble(table, records, sample, CALLER)
