"""FusionCatcher ``final-list_candidate-fusion-genes.txt`` -> allfuse calls table.

Read by column name, so the 16-column layout (FusionCatcher 1.x test outputs, fusion-report,
EasyFuse, HAMLET) and the 18-column layout with ``Predicted_fused_transcripts`` and
``Predicted_fused_proteins`` (chimeraviz, FusionCatcher 0.99.x) are both handled.

Gene 1 is the 5' partner by FusionCatcher's own column names ("5end_fusion_partner").
``Fusion_point_for_gene_1/2`` are ``chrom:pos:strand``, 1-based (FusionCatcher manual).  Checked
on the nf-core/FusionCatcher test sample, where fusion-report stores Arriba, STAR-Fusion and
FusionCatcher results for the same reads: FGFR3--TACC3 4:1806934 -> 4:1727977, BRD4--NUTM1
19:15254152 -> 15:34347969, ETV6--NTRK3, EWSR1--ATF1, HOOK3--RET, CD74--ROS1, GOPC--ROS1 all give
exactly the positions Arriba and STAR-Fusion give, so FusionCatcher uses the same convention (last
base of the 5' partner, first base of the 3' partner) and positions are taken as written.  Only
junctions inside short repeats differ (TMPRSS2--ETV1 +6 bp, EML4--ALK -3 bp on *both* sides,
i.e. the same junction slid along microhomology).  The strand is the partner gene's strand.

Support: ``Spanning_unique_reads`` (reads on the junction, PCR duplicates removed) are the
junction reads, ``Spanning_pairs`` the spanning fragments.  ``Predicted_effect`` is
``effect_gene_1/effect_gene_2`` (``---`` = none), or just ``in-frame``/``out-of-frame`` when both
junction points are in CDS (FusionCatcher manual); the sites are split from it accordingly.
``Exon_1_id``/``Exon_2_id`` (Ensembl exon ids, often empty) are the caller's exon choice;
``Fusion_description`` (labels such as ``known``, ``banned``, ``readthrough``) goes to
``caller_filters``.

FusionCatcher's ``summary_candidate_fusions.txt`` lists only gene pairs, so it is rejected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allfuse.callers.table import RawTable, assemble, cell_int, read_raw_table, require_columns, split_locus
from allfuse.errors import InputError

CALLER = "fusioncatcher"

GENE_1 = "Gene_1_symbol(5end_fusion_partner)"
GENE_2 = "Gene_2_symbol(3end_fusion_partner)"
POINT_1 = "Fusion_point_for_gene_1(5end_fusion_partner)"
POINT_2 = "Fusion_point_for_gene_2(3end_fusion_partner)"
GENE_ID_1 = "Gene_1_id(5end_fusion_partner)"
GENE_ID_2 = "Gene_2_id(3end_fusion_partner)"
EXON_1 = "Exon_1_id(5end_fusion_partner)"
EXON_2 = "Exon_2_id(3end_fusion_partner)"
REQUIRED = [GENE_1, GENE_2, POINT_1, POINT_2, "Spanning_pairs", "Spanning_unique_reads"]

WHAT = "a FusionCatcher final-list_candidate-fusion-genes.txt"


def sites_from_effect(effect: str) -> tuple[str, str]:
    """``CDS(truncated)/UTR`` -> (``CDS(truncated)``, ``UTR``); ``in-frame`` -> (``CDS``, ``CDS``)."""
    effect = effect.strip()
    if effect in ("in-frame", "out-of-frame"):
        return "CDS", "CDS"
    left, slash, right = effect.partition("/")
    if not slash:
        return (effect or "."), (effect or ".")

    def clean(site: str) -> str:
        return "." if site in ("", "---") else site

    return clean(left), clean(right)


def _check_header(table: RawTable) -> None:
    """Reject FusionCatcher's gene-pair summary by name, anything else by its missing columns."""
    if table.first_line.startswith("Very short summary of found candidate"):
        raise InputError(
            f"{table.path}: this is FusionCatcher's summary_candidate_fusions.txt, which has no"
            f" breakpoints: not {WHAT}"
        )
    require_columns(table, REQUIRED, WHAT)


def parse(path: str | Path, sample: str) -> pd.DataFrame:
    """FusionCatcher final-list_candidate-fusion-genes.txt -> calls table."""
    table = read_raw_table(path, _check_header)
    if not table.columns:
        return assemble(table, {}, sample, CALLER)

    n = len(table.rows)

    def col(name: str) -> list[str]:
        if not table.has(name):
            return ["."] * n
        return [v if v.strip() else "." for v in table.column(name)]

    out: dict[str, list] = {
        "gene_5p": col(GENE_1),
        "gene_3p": col(GENE_2),
        "gene_id_5p": col(GENE_ID_1),
        "gene_id_3p": col(GENE_ID_2),
    }
    for key in ("chrom_5p", "pos_5p", "strand_5p", "chrom_3p", "pos_3p", "strand_3p"):
        out[key] = []
    points1, points2 = table.column(POINT_1), table.column(POINT_2)
    for i in range(n):
        for suffix, column, value in (("5p", POINT_1, points1[i]), ("3p", POINT_2, points2[i])):
            chrom, pos, strand = split_locus(table, i, column, value)
            out[f"chrom_{suffix}"].append(chrom)
            out[f"pos_{suffix}"].append(pos)
            out[f"strand_{suffix}"].append(strand)
    out["junction_reads"] = [
        cell_int(table, i, "Spanning_unique_reads", v)
        for i, v in enumerate(table.column("Spanning_unique_reads"))
    ]
    out["spanning_frags"] = [
        cell_int(table, i, "Spanning_pairs", v) for i, v in enumerate(table.column("Spanning_pairs"))
    ]
    sites = [sites_from_effect(e) for e in col("Predicted_effect")]
    out["site_5p"] = [s[0] for s in sites]
    out["site_3p"] = [s[1] for s in sites]
    out["caller_transcript_5p"] = ["."] * n  # the final list names exons, not transcripts
    out["caller_transcript_3p"] = ["."] * n
    out["caller_exon_5p"] = col(EXON_1)
    out["caller_exon_3p"] = col(EXON_2)
    out["caller_confidence"] = ["."] * n
    out["caller_filters"] = col("Fusion_description")
    return assemble(table, out, sample, CALLER)
