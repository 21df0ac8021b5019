"""A simulated reference whose genes mirror real MANE Select exon structures.

Exon counts, exon lengths, strands and CDS phases come from ``resources/mane_exons.tsv``, so exon
numbers and reading frames in the simulation mean what they mean on GRCh38 MANE; introns are
shortened and the sequence is random, so the genome stays small enough for STAR in seconds.
Introns start with GT and end with AG on the transcribed strand, so aligners place splice and
chimeric junctions exactly at exon boundaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from allfuse.io import read_table
from allfuse.resources import resources_dir
from allfuse.transcriptome import revcomp

BASES = np.array(list("ACGT"))

#: Genes of the simulated reference taken from MANE (the classification genes of the design).
MANE_GENES = [
    "KMT2A",
    "AFF1",
    "MLLT1",
    "MLLT3",
    "MLLT10",
    "AFDN",
    "EPS15",
    "ELL",
    "NUTM1",
    "BRD9",
    "ACIN1",
    "CUX1",
    "PAX5",
    "ETV6",
    "NOL4L",
    "AUTS2",
    "BCR",
    "ABL1",
    "RUNX1",
    "TCF3",
    "PBX1",
    "JAK2",
    "IKZF1",
]

#: Genes that get a second, non-canonical isoform (listed before the MANE one in the GTF).
ALT_ISOFORM_GENES = ["KMT2A", "BRD9", "PAX5", "NUTM1", "AFF1", "ETV6"]


@dataclass
class Transcript:
    """One transcript: exons in transcript order (5'->3'), genome coordinates 1-based inclusive."""

    transcript_id: str
    gene_id: str
    gene_name: str
    chrom: str
    strand: str
    exons: list[tuple[int, int]]
    cds_start_tx: int | None  # 0-based transcript offset of the first coding base
    cds_end_tx: int | None  # 0-based transcript offset one past the last coding base
    mane: bool = False
    hgnc_id: str = ""
    refseq: str = ""

    @property
    def length(self) -> int:
        return sum(e - s + 1 for s, e in self.exons)

    def exon_tx_offsets(self) -> list[tuple[int, int]]:
        """Each exon's (first, one-past-last) offset in transcript coordinates."""
        out, acc = [], 0
        for s, e in self.exons:
            out.append((acc, acc + e - s + 1))
            acc += e - s + 1
        return out

    def tx_to_genome(self, offset: int) -> int:
        """Genome coordinate of a 0-based transcript offset."""
        for (s, e), (a, b) in zip(self.exons, self.exon_tx_offsets(), strict=True):
            if a <= offset < b:
                return s + (offset - a) if self.strand == "+" else e - (offset - a)
        raise ValueError(f"offset {offset} outside {self.transcript_id}")

    def sequence(self, genome: dict[str, str]) -> str:
        parts = [genome[self.chrom][s - 1 : e] for s, e in self.exons]
        seq = "".join(parts) if self.strand == "+" else "".join(revcomp(p) for p in parts)
        return seq


@dataclass
class Gene:
    gene_id: str
    gene_name: str
    chrom: str
    strand: str
    transcripts: list[Transcript] = field(default_factory=list)

    @property
    def start(self) -> int:
        return min(s for t in self.transcripts for s, _ in t.exons)

    @property
    def end(self) -> int:
        return max(e for t in self.transcripts for _, e in t.exons)

    @property
    def canonical(self) -> Transcript:
        return next(t for t in self.transcripts if t.mane)


@dataclass
class Reference:
    genome: dict[str, str]
    genes: list[Gene]

    def gene(self, name: str) -> Gene:
        return next(g for g in self.genes if g.gene_name == name)


def _cds_bounds(
    lengths: list[int], start_ph: list[float], end_ph: list[float], cds_len: int
) -> tuple[int, int] | None:
    """Place the CDS in transcript coordinates so every exon keeps its MANE start/end phase.

    MANE gives phases but not UTR lengths; we choose the 5' UTR inside the first coding exon so the
    first exon's coding part has the right length mod 3 and the total CDS length matches MANE where
    the last exon allows it.
    """
    coding = [i for i, p in enumerate(start_ph) if not math.isnan(p)]
    if not coding:
        return None
    f, last = coding[0], coding[-1]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    if f == last:
        c = min(cds_len, lengths[f]) // 3 * 3
        return int(offsets[f]), int(offsets[f] + c)
    middle = sum(lengths[f + 1 : last])
    want_f = int(end_ph[f]) % 3
    want_l = (int(end_ph[last]) - int(start_ph[last])) % 3
    best = None
    for c_f in range(lengths[f], 0, -1):
        if c_f % 3 != want_f:
            continue
        c_l = cds_len - middle - c_f
        if 1 <= c_l <= lengths[last] and c_l % 3 == want_l:
            best = (c_f, c_l)
            break
    if best is None:
        c_f = next(c for c in range(lengths[f], 0, -1) if c % 3 == want_f)
        c_l = next(c for c in range(lengths[last], 0, -1) if c % 3 == want_l)
        best = (c_f, c_l)
    start = int(offsets[f + 1] - best[0])
    end = int(offsets[last] + best[1])
    return start, end


class _Builder:
    """Lays genes out along simulated chromosomes, writing random sequence with GT..AG introns."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.chroms: dict[str, list[str]] = {}

    def random_seq(self, n: int) -> str:
        return "".join(BASES[self.rng.integers(0, 4, n)])

    def append(self, chrom: str, seq: str) -> int:
        """Append sequence to a chromosome; return the 1-based position of its first base."""
        parts = self.chroms.setdefault(chrom, [])
        start = sum(len(p) for p in parts) + 1
        parts.append(seq)
        return start

    def add_gene(self, chrom: str, strand: str, exon_lengths: list[int], intron_lengths: list[int]) -> list:
        """Write one gene (exons in transcript order) and return exon coordinates in that order."""
        # Build the gene on its own strand, then reverse-complement for minus-strand genes.
        pieces, tx_coords, acc = [], [], 0
        for i, ln in enumerate(exon_lengths):
            pieces.append(self.random_seq(ln))
            tx_coords.append((acc, acc + ln))
            acc += ln
            if i < len(intron_lengths):
                il = intron_lengths[i]
                pieces.append("GT" + self.random_seq(il - 4) + "AG")
                acc += il
        gene_seq = "".join(pieces)
        total = len(gene_seq)
        if strand == "-":
            gene_seq = revcomp(gene_seq)
        start = self.append(chrom, gene_seq)
        coords = []
        for a, b in tx_coords:
            if strand == "+":
                coords.append((start + a, start + b - 1))
            else:
                coords.append((start + total - b, start + total - a - 1))
        return coords

    def finish(self) -> dict[str, str]:
        return {c: "".join(p) for c, p in self.chroms.items()}


def _chrom_key(name: str) -> tuple[int, str]:
    c = name.removeprefix("chr")
    return (int(c), "") if c.isdigit() else (100, c)


def build_reference(seed: int, n_filler: int = 30, resources: Path | None = None) -> Reference:
    """Build the simulated genome and gene models (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    res = resources_dir(resources)
    mane = read_table(res / "mane_exons.tsv", "resource table")
    tx = read_table(res / "mane_transcripts.tsv", "resource table")
    tx = tx[tx["mane_status"] == "MANE Select"].drop_duplicates("gene")
    cds_len = dict(zip(tx["gene"], tx["cds_nt_derived"], strict=True))
    b = _Builder(rng)
    genes: list[Gene] = []

    by_chrom: dict[str, list[str]] = {}
    for name in MANE_GENES:
        rows = mane[mane["gene"] == name]
        by_chrom.setdefault(rows["chrom"].iloc[0], []).append(name)
    filler_chroms = sorted(by_chrom, key=_chrom_key)
    fillers_per = {c: [] for c in filler_chroms}
    for i in range(n_filler):  # fillers 1 and 2 are neighbours: the read-through decoy pair
        fillers_per[filler_chroms[0 if i < 2 else (i - 1) % len(filler_chroms)]].append(i + 1)

    for chrom in filler_chroms:
        b.append(chrom, b.random_seq(int(rng.integers(1500, 3000))))
        names = sorted(
            by_chrom[chrom], key=lambda n: int(mane.loc[mane["gene"] == n, "start_1based"].iloc[0])
        )
        for name in names:
            rows = mane[mane["gene"] == name].assign(exon=lambda d: d["exon"].astype(int)).sort_values("exon")
            strand = rows["strand"].iloc[0]
            lengths = rows["length"].astype(int).tolist()
            starts = rows["start_1based"].astype(int).tolist()
            ends = rows["end"].astype(int).tolist()
            real_introns = [
                (starts[i + 1] - ends[i] - 1) if strand == "+" else (starts[i] - ends[i + 1] - 1)
                for i in range(len(lengths) - 1)
            ]
            introns = [int(max(60, min(r, rng.integers(150, 500)))) for r in real_introns]
            coords = b.add_gene(chrom, strand, lengths, introns)
            bounds = _cds_bounds(
                lengths,
                [float(x) if x != "" else float("nan") for x in rows["cds_start_phase"]],
                [float(x) if x != "" else float("nan") for x in rows["cds_end_phase"]],
                int(cds_len.get(name, sum(lengths))),
            )
            meta = tx[tx["gene"] == name].iloc[0]
            gene = Gene(meta["ensembl_gene"], name, chrom, strand)
            canonical = Transcript(
                rows["ensembl"].iloc[0],
                gene.gene_id,
                name,
                chrom,
                strand,
                coords,
                bounds[0] if bounds else None,
                bounds[1] if bounds else None,
                mane=True,
                hgnc_id=meta["hgnc_id"],
                refseq=rows["refseq"].iloc[0],
            )
            if name in ALT_ISOFORM_GENES and len(coords) > 4:
                gene.transcripts.append(_skip_exon_isoform(canonical, len(genes) + 1))
            gene.transcripts.append(canonical)
            genes.append(gene)
            b.append(chrom, b.random_seq(int(rng.integers(2000, 4000))))
        for i in fillers_per[chrom]:
            genes.append(_filler_gene(b, rng, chrom, i))
            b.append(chrom, b.random_seq(int(rng.integers(800, 3000))))
    return Reference(b.finish(), genes)


def _skip_exon_isoform(canonical: Transcript, n: int) -> Transcript:
    """A non-canonical isoform that skips exon 2, so exon numbering differs from MANE's."""
    exons = [canonical.exons[0]] + canonical.exons[2:]
    skipped = canonical.exons[1][1] - canonical.exons[1][0] + 1
    cds = None if canonical.cds_start_tx is None else canonical.cds_start_tx
    cds_start = cds if cds is not None and cds < exons[0][1] - exons[0][0] + 1 else None
    return Transcript(
        f"ENSTSIM{n:08d}.1",
        canonical.gene_id,
        canonical.gene_name,
        canonical.chrom,
        canonical.strand,
        exons,
        cds_start,
        None if cds_start is None else canonical.cds_end_tx - skipped,
    )


def _filler_gene(b: _Builder, rng: np.random.Generator, chrom: str, i: int) -> Gene:
    """A housekeeping-like gene so the transcriptome is not only the fusion genes."""
    n_exons = int(rng.integers(3, 10))
    lengths = [int(x) for x in rng.integers(80, 400, n_exons)]
    lengths[-1] += int(rng.integers(300, 1200))
    introns = [int(x) for x in rng.integers(100, 600, n_exons - 1)]
    strand = "+" if rng.random() < 0.5 else "-"
    if i in (1, 2):  # the read-through decoy pair: neighbours on one strand
        strand = "+"
    coords = b.add_gene(chrom, strand, lengths, introns)
    name = f"SIMG{i:02d}"
    gene = Gene(f"ENSGSIM{i:08d}.1", name, chrom, strand)
    total = sum(lengths)
    cds_start = lengths[0] // 2
    cds_end = cds_start + (total - lengths[-1] // 2 - cds_start) // 3 * 3
    gene.transcripts.append(
        Transcript(
            f"ENSTSIMF{i:07d}.1", gene.gene_id, name, chrom, strand, coords, cds_start, cds_end, mane=True
        )
    )
    return gene


def write_fasta(genome: dict[str, str], path: Path) -> None:
    with open(path, "w") as fh:
        for chrom in sorted(genome, key=_chrom_key):
            seq = genome[chrom]
            fh.write(f">{chrom}\n")
            fh.writelines(seq[i : i + 60] + "\n" for i in range(0, len(seq), 60))


def _attrs(pairs: list[tuple[str, str | int]]) -> str:
    return " ".join(f'{k} "{v}";' if isinstance(v, str) else f"{k} {v};" for k, v in pairs)


def write_gtf(ref: Reference, path: Path) -> None:
    """GENCODE-style GTF: gene, transcript, exon and CDS lines; MANE transcripts tagged."""
    lines = ["##description: allfuse simulated reference (MANE Select exon structures, shortened introns)"]
    order = sorted(ref.genes, key=lambda g: (_chrom_key(g.chrom), g.start))
    for g in order:
        gattrs = [("gene_id", g.gene_id), ("gene_type", "protein_coding"), ("gene_name", g.gene_name)]
        lines.append(
            "\t".join([g.chrom, "SIM", "gene", str(g.start), str(g.end), ".", g.strand, ".", _attrs(gattrs)])
        )
        for t in g.transcripts:
            tags = [("tag", "basic")]
            if t.mane:
                tags += [("tag", "Ensembl_canonical"), ("tag", "MANE_Select")]
            tattrs = (
                gattrs[:1]
                + [("transcript_id", t.transcript_id)]
                + gattrs[1:]
                + [
                    (
                        "transcript_type",
                        "protein_coding" if t.cds_start_tx is not None else "processed_transcript",
                    ),
                    ("transcript_name", f"{g.gene_name}-{'201' if t.mane else '202'}"),
                ]
            )
            s, e = min(x for x, _ in t.exons), max(y for _, y in t.exons)
            lines.append(
                "\t".join(
                    [g.chrom, "SIM", "transcript", str(s), str(e), ".", g.strand, ".", _attrs(tattrs + tags)]
                )
            )
            offsets = t.exon_tx_offsets()
            for n, ((es, ee), (a, bnd)) in enumerate(zip(t.exons, offsets, strict=True), start=1):
                eattrs = tattrs + [
                    ("exon_number", n),
                    ("exon_id", f"{t.transcript_id.split('.')[0]}E{n:03d}"),
                ]
                lines.append(
                    "\t".join(
                        [g.chrom, "SIM", "exon", str(es), str(ee), ".", g.strand, ".", _attrs(eattrs + tags)]
                    )
                )
                if t.cds_start_tx is None:
                    continue
                lo, hi = max(a, t.cds_start_tx), min(bnd, t.cds_end_tx)
                if lo >= hi:
                    continue
                g1, g2 = t.tx_to_genome(lo), t.tx_to_genome(hi - 1)
                frame = (3 - (lo - t.cds_start_tx) % 3) % 3
                lines.append(
                    "\t".join(
                        [
                            g.chrom,
                            "SIM",
                            "CDS",
                            str(min(g1, g2)),
                            str(max(g1, g2)),
                            ".",
                            g.strand,
                            str(frame),
                            _attrs(eattrs + tags),
                        ]
                    )
                )
    path.write_text("\n".join(lines) + "\n")
