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
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allfuse.callers.table import assemble, cell_int, read_raw_table, require_columns, split_locus

CALLER = "arriba"

#: The header Arriba 2.5 writes. Arriba exits 1 without writing anything when the BAM holds no
#: chimeric read at all; that is a negative result, written as this header alone (workflow rule).
HEADER = (
    "#gene1\tgene2\tstrand1(gene/fusion)\tstrand2(gene/fusion)\tbreakpoint1\tbreakpoint2\tsite1\tsite2\ttype"
    "\tsplit_reads1\tsplit_reads2\tdiscordant_mates\tcoverage1\tcoverage2\tconfidence\treading_frame\ttags"
    "\tretained_protein_domains\tclosest_genomic_breakpoint1\tclosest_genomic_breakpoint2\tgene_id1\tgene_id2"
    "\ttranscript_id1\ttranscript_id2\tdirection1\tdirection2\tfilters\tfusion_transcript\tpeptide_sequence"
    "\tread_identifiers"
)
#: Arriba's message for a BAM without chimeric reads (checked on Arriba 2.5.1).
NO_CHIMERIC_READS = "no split reads or discordant mates found"

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
