"""A GENCODE-sized GTF (about 62k genes, 250k transcripts, 1.6M exon lines) for measuring annotate.

Per-sample cost of annotation grows with the GTF, not with the sample, so it must be measured on a
GTF of GENCODE's size; GENCODE itself is too big to ship or to download in a test. This one is built
from the simulated reference's GTF (whose genes are the MANE Select structures of
``resources/mane_exons.tsv``): its lines are copied first, unchanged, so annotate on the simulated
samples finds the same genes, then its transcripts are replicated with distinct ids and names, far
beyond the simulated contigs' ends (no read can land on them, so the results do not change).

Each replica gene has one full copy of a MANE transcript (exons and CDS, tagged like GENCODE) and
alternative transcripts made of windows of its exons, so the exon and transcript counts match
GENCODE's while the exon structures stay real.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from allfuse.gtf import Annotation
from allfuse.io import atomic_write

#: GENCODE v44 (primary assembly) in round figures.
GENES = 62_000
TRANSCRIPTS = 250_000
EXON_LINES = 1_600_000
#: Replicas start this far along each contig: beyond every simulated contig (a few hundred kb).
OFFSET = 10_000_000
#: Space between replica genes on a contig.
GAP = 20_000


@dataclass(frozen=True)
class GtfSize:
    """What was written: feature counts of the whole file, template included."""

    genes: int
    transcripts: int
    exons: int
    cds: int
    lines: int


@dataclass(frozen=True)
class _Template:
    chrom: str
    strand: str
    gene_name: str
    exons: list[tuple[int, int]]  # transcript order (5'->3'), relative to the gene's start
    cds: list[tuple[int, int, int]]  # (start, end, phase), relative to the gene's start
    length: int


def _templates(ann: Annotation) -> list[_Template]:
    out = []
    for tid, ex in ann.exons.groupby("transcript_id", sort=False):
        strand = str(ex["strand"].iloc[0])
        ex = ex.sort_values("start", ascending=strand != "-")
        base = int(ex["start"].min())
        cds = ann.cds[ann.cds["transcript_id"] == tid].sort_values("start", ascending=strand != "-")
        tx = ann.transcripts[ann.transcripts["transcript_id"] == tid]
        name = str(tx["gene_name"].iloc[0]) if len(tx) else str(tid)
        out.append(
            _Template(
                str(ex["chrom"].iloc[0]),
                strand,
                name,
                [(int(s) - base, int(e) - base) for s, e in zip(ex["start"], ex["end"], strict=True)],
                [
                    (int(s) - base, int(e) - base, 0 if pd.isna(p) else int(p))
                    for s, e, p in zip(cds["start"], cds["end"], cds["phase"], strict=True)
                ],
                int(ex["end"].max()) - base + 1,
            )
        )
    return out


def write_gencode_sized_gtf(
    template_gtf: str | Path,
    out: str | Path,
    genes: int = GENES,
    transcripts: int = TRANSCRIPTS,
    exon_lines: int = EXON_LINES,
) -> GtfSize:
    """Write ``out``: the template GTF's lines, then replica genes up to the given totals."""
    template_gtf = Path(template_gtf)
    ann = Annotation.from_gtf(template_gtf)
    templates = _templates(ann)
    with open(template_gtf, encoding="utf-8") as fh:
        head = fh.read()
    n_genes, n_tx, n_exons, n_cds = len(ann.genes), len(ann.transcripts), len(ann.exons), len(ann.cds)
    lines = head.count("\n")
    extra_genes = max(genes - n_genes, 0)
    extra_tx = max(transcripts - n_tx, extra_genes)
    ends: dict[str, int] = {}  # next free position per contig
    written_exons = 0
    with atomic_write(Path(out)) as dst:
        dst.write(head)
        tx_done = 0
        for g in range(extra_genes):
            t = templates[g % len(templates)]
            n_alt = (extra_tx * (g + 1)) // extra_genes - (extra_tx * g) // extra_genes - 1
            start = ends.get(t.chrom, OFFSET)
            ends[t.chrom] = start + t.length + GAP
            gid, name = f"ENSG9{g:010d}.1", f"{t.gene_name}-R{g}"
            gattrs = f'gene_id "{gid}"; gene_type "protein_coding"; gene_name "{name}"; level 2;'
            rows = [(t.chrom, "gene", start, start + t.length - 1, ".", gattrs)]
            for j in range(n_alt + 1):
                tid = f"ENST9{tx_done:010d}.1"
                tx_done += 1
                if j == 0:
                    window, cds, kind, tags = (
                        t.exons,
                        t.cds,
                        "protein_coding",
                        ' tag "basic"; tag "MANE_Select";',
                    )
                else:
                    # exons still owed, spread over the alternative transcripts left in the run
                    owed = exon_lines - n_exons - written_exons
                    left = max(extra_tx - tx_done + 1, 1)
                    size = min(max(owed // left, 2), len(t.exons))
                    first = (j - 1) % max(len(t.exons) - size + 1, 1)
                    window, cds, kind, tags = t.exons[first : first + size], [], "retained_intron", ""
                lo = min(s for s, _ in window) + start
                hi = max(e for _, e in window) + start
                tattrs = (
                    f'gene_id "{gid}"; transcript_id "{tid}"; gene_type "protein_coding"; gene_name "{name}";'
                    f' transcript_type "{kind}"; transcript_name "{name}-{201 + j}"; level 2;{tags}'
                )
                rows.append((t.chrom, "transcript", lo, hi, ".", tattrs))
                for k, (s, e) in enumerate(window, start=1):
                    rows.append(
                        (
                            t.chrom,
                            "exon",
                            s + start,
                            e + start,
                            ".",
                            f'{tattrs} exon_number {k}; exon_id "{tid}E{k}";',
                        )
                    )
                written_exons += len(window)
                for k, (s, e, p) in enumerate(cds, start=1):
                    rows.append((t.chrom, "CDS", s + start, e + start, str(p), f"{tattrs} exon_number {k};"))
                n_cds += len(cds)
            dst.writelines(f"{c}\tSIM\t{f}\t{s}\t{e}\t.\t{t.strand}\t{p}\t{a}\n" for c, f, s, e, p, a in rows)
            lines += len(rows)
    return GtfSize(n_genes + extra_genes, n_tx + tx_done, n_exons + written_exons, n_cds, lines)
