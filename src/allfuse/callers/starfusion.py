"""STAR-Fusion and FusionInspector prediction tables -> allfuse calls table.

Layouts read by column name (one parser, because they all share Left*/Right* breakpoint columns):

* ``star-fusion.fusion_predictions.tsv`` and ``.abridged.tsv`` (v1.x), with or without
  ``est_J``/``est_S``, with ``chr`` or bare contig names, and the ``.annotated.coding_effect``
  variant (``CDS_LEFT_ID``/``CDS_RIGHT_ID`` give the caller's transcripts);
* the 2015-2016 ``star-fusion.fusion_candidates.final(.abridged)(.FFPM)`` files
  (``#FusionName JunctionReadCount SpanningFragCount ...``; the full file adds ``JunctionReads``
  and ``SpanningFrags`` holding read-name lists; the ``.FFPM`` variant has ``J_FFPM``/``S_FFPM``);
* FusionInspector abridged outputs, old (``#fusion_name JunctionReads SpanningFrags ... Splice_type``
  where ``JunctionReads``/``SpanningFrags`` are *counts*) and newer (``LeftLocalBreakpoint``,
  ``FAF_left``...).  These are reported as caller ``fusioninspector``.

Read support: ``JunctionReadCount``/``SpanningFragCount`` when present; otherwise
``JunctionReads``/``SpanningFrags``, which are counts in the oldest layout and comma-separated read
names elsewhere (then the names are counted).  Left is always the 5' partner in STAR-Fusion, and
``LeftBreakpoint``/``RightBreakpoint`` (``chrom:pos:strand``, 1-based) are already the last base of
the 5' partner and the first base of the 3' partner; the strand is the partner gene's strand.
``FFPM`` becomes ``caller_confidence`` ('.' when the file has only ``J_FFPM``/``S_FFPM`` or none).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allfuse.callers.table import RawTable, assemble, cell_int, read_raw_table, require_columns, split_locus

CALLER = "starfusion"
FUSIONINSPECTOR = "fusioninspector"

#: Columns only FusionInspector writes; any of them marks a FusionInspector table.
FUSIONINSPECTOR_MARKERS = {
    "LeftLocalBreakpoint",
    "RightLocalBreakpoint",
    "FAF_left",
    "FAF_right",
    "FAR_left",
    "FAR_right",
    "NumCounterFusionLeft",
    "NumCounterFusionRight",
    "TrinityGG",
}

WHAT = "a STAR-Fusion/FusionInspector prediction table"


def _first_present(table: RawTable, *names: str) -> str | None:
    return next((n for n in names if table.has(n)), None)


def _count(table: RawTable, row: int, column: str, value: str) -> int:
    """A support count: a whole number, or a comma-separated read-name list that is counted."""
    value = value.strip()
    if value in ("", "."):
        return 0
    if value.isdigit():
        return int(value)
    if value.lstrip("-").isdigit():
        return cell_int(table, row, column, value)
    return len([name for name in value.split(",") if name])


def _gene(value: str) -> tuple[str, str]:
    """``BCR^ENSG00000186716.14`` -> (``BCR``, ``ENSG00000186716.14``); a bare symbol has no id."""
    symbol, caret, gene_id = value.partition("^")
    return (symbol or ".", gene_id if caret and gene_id else ".")


def caller_of(table: RawTable, path: Path) -> str:
    """``fusioninspector`` for FusionInspector tables (by their own columns or file name)."""
    name = path.name.lower()
    if FUSIONINSPECTOR_MARKERS & set(table.columns) or "finspector" in name or "fusioninspector" in name:
        return FUSIONINSPECTOR
    return CALLER


def _support_columns(table: RawTable) -> tuple[str, str]:
    """Junction and spanning support columns: the count columns, else the old name-list ones."""
    junction = _first_present(table, "JunctionReadCount", "JunctionReads") or "JunctionReadCount"
    spanning = _first_present(table, "SpanningFragCount", "SpanningFrags") or "SpanningFragCount"
    return junction, spanning


def _check_header(table: RawTable) -> None:
    """Every layout names the fusion, both genes, both breakpoints and both kinds of support."""
    name = _first_present(table, "FusionName", "fusion_name") or "FusionName"
    needed = [name, "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint"]
    require_columns(table, needed + list(_support_columns(table)), WHAT)


def parse(path: str | Path, sample: str, caller: str | None = None) -> pd.DataFrame:
    """STAR-Fusion / FusionInspector predictions -> calls table (``caller`` overrides detection)."""
    path = Path(path)
    table = read_raw_table(path, _check_header)
    if not table.columns:
        return assemble(table, {}, sample, caller or CALLER)
    caller = caller or caller_of(table, path)
    junction_col, spanning_col = _support_columns(table)
    splice_col = _first_present(table, "SpliceType", "Splice_type")

    n = len(table.rows)

    def col(name: str | None) -> list[str]:
        if name is None or not table.has(name):
            return ["."] * n
        return [v if v != "" else "." for v in table.column(name)]

    out: dict[str, list] = {k: [] for k in ("gene_5p", "gene_3p", "gene_id_5p", "gene_id_3p")}
    for key in ("chrom_5p", "pos_5p", "strand_5p", "chrom_3p", "pos_3p", "strand_3p"):
        out[key] = []
    out["junction_reads"] = []
    out["spanning_frags"] = []
    left_genes, right_genes = table.column("LeftGene"), table.column("RightGene")
    left_bps, right_bps = table.column("LeftBreakpoint"), table.column("RightBreakpoint")
    junctions, spannings = table.column(junction_col), table.column(spanning_col)
    for i in range(n):
        g5, id5 = _gene(left_genes[i])
        g3, id3 = _gene(right_genes[i])
        c5, p5, s5 = split_locus(table, i, "LeftBreakpoint", left_bps[i])
        c3, p3, s3 = split_locus(table, i, "RightBreakpoint", right_bps[i])
        for key, value in zip(
            ("gene_5p", "gene_id_5p", "gene_3p", "gene_id_3p"), (g5, id5, g3, id3), strict=True
        ):
            out[key].append(value)
        for key, value in zip(
            ("chrom_5p", "pos_5p", "strand_5p", "chrom_3p", "pos_3p", "strand_3p"),
            (c5, p5, s5, c3, p3, s3),
            strict=True,
        ):
            out[key].append(value)
        out["junction_reads"].append(_count(table, i, junction_col, junctions[i]))
        out["spanning_frags"].append(_count(table, i, spanning_col, spannings[i]))

    splice = col(splice_col)
    out["site_5p"] = splice
    out["site_3p"] = list(splice)
    out["caller_transcript_5p"] = col("CDS_LEFT_ID")
    out["caller_transcript_3p"] = col("CDS_RIGHT_ID")
    out["caller_exon_5p"] = ["."] * n
    out["caller_exon_3p"] = ["."] * n
    out["caller_confidence"] = col("FFPM")
    out["caller_filters"] = ["."] * n
    return assemble(table, out, sample, caller)
