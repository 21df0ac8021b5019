"""The evidence behind one fusion event that a reviewer can check: sequence, peptide and reads.

A count of supporting reads cannot be signed off; the fused sequence, the protein it makes and the
reads themselves can. For one row of ``fusions.tsv`` this module gives

* the **fused transcript**: the 5' partner's exons of ``transcript_5p`` (its MANE Select transcript)
  up to ``pos_5p`` joined to the 3' partner's exons of ``transcript_3p`` from ``pos_3p`` on, read from
  the genome FASTA (minus-strand exons reverse-complemented), with the junction offset and a window
  of ``flank`` bases either side written ``5' bases|3' bases`` (``JUNCTION_MARK``). Only breakpoints in
  exons (the exon-boundary splice breakpoints the callers report, or inside an exon) have one; a
  breakpoint in an intron or outside the transcript gets a reason instead, since the exonic sequence
  at an intronic break depends on splicing we do not know;
* the **peptide**: translation (Biopython, standard code) of the fused sequence from the 5' partner's
  CDS start. The junction is marked in the peptide window with ``|`` when it falls between codons and
  with ``[X]`` around the one residue whose codon holds bases of both partners. In frame, the window
  shows the fusion protein across the junction; out of frame, it runs to the first stop codon, and the
  stop's distance from the junction is given in codons and bases;
* the **supporting reads** from the sample's STAR BAM (chimeric alignments written WithinBAM): split
  reads whose 5' segment ends at ``pos_5p`` and whose other segment (supplementary alignment, SA tag)
  starts at ``pos_3p``, in the partners' transcription directions; spanning pairs with one mate on each
  partner's kept side; and a text alignment of up to ``max_reads`` split reads under the fused window.

Coordinates follow the project convention: ``pos_5p`` is the last base of the 5' partner kept,
``pos_3p`` the first base of the 3' partner, 1-based. The fused sequence and its exon segments stay
available (``FusedTranscript``) for primer design across the junction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pysam
from Bio.Seq import Seq
from pyfaidx import Fasta, FastaIndexingError

from allfuse.errors import InputError
from allfuse.frame import Cds, cds_models
from allfuse.gtf import Annotation, strip_chr
from allfuse.transcriptome import revcomp

#: Marks the junction in the nucleotide window and, between codons, in the peptide window.
JUNCTION_MARK = "|"
#: Surround the residue whose codon is made of bases of both partners.
CHIMERIC_RESIDUE = ("[", "]")
IN_FRAME = "in-frame"
OUT_OF_FRAME = "out-of-frame"

# CIGAR operations (pysam codes) that consume read bases / are clips.
_QUERY_OPS = {0, 1, 7, 8}  # M I = X
_CLIP_OPS = {4, 5}  # S H


@dataclass(frozen=True)
class Segment:
    """One exon piece of the fused transcript, in genome coordinates (1-based, inclusive)."""

    partner: str  # '5p' or '3p'
    chrom: str
    start: int
    end: int
    strand: str
    exon: int  # exon number on the partner's transcript (5'->3')


@dataclass(frozen=True)
class FusedTranscript:
    """The fused transcript sequence (5'->3'), with ``junction`` = offset of its first 3' base."""

    sequence: str
    junction: int
    transcript_5p: str
    transcript_3p: str
    segments: tuple[Segment, ...]
    flank: int = 30

    @property
    def window(self) -> str:
        """``flank`` bases either side of the junction, written ``5' bases|3' bases``."""
        j, f = self.junction, self.flank
        return self.sequence[max(0, j - f) : j] + JUNCTION_MARK + self.sequence[j : j + f]


@dataclass(frozen=True)
class Peptide:
    """Translation of the fused transcript from the 5' partner's start codon.

    ``junction_residue`` is the 1-based number of the first residue encoded (wholly or partly) by 3'
    bases; ``chimeric_codon`` says whether that codon also holds 5' bases. ``protein`` runs in frame to
    the 3' partner's annotated CDS end (its stop included when present); out of frame to and including
    the first stop (``*``) after the junction, or to the end of the fused transcript. The residues
    before the junction are the 5' partner's CDS as annotated, stops included if the sequence has any.
    """

    frame: str  # 'in-frame' / 'out-of-frame' / "3' breakpoint in UTR"
    cds_start: int  # offset in the fused sequence of the first base of the first full codon
    protein: str
    junction_residue: int
    chimeric_codon: bool
    window: str
    # out of frame / 3' UTR only: codons from the junction residue to the first stop (stop excluded),
    # and 3' bases before that stop codon's first base
    stop_after_junction_codons: int | None
    stop_after_junction_nt: int | None
    flank: int = 10


@dataclass(frozen=True)
class SplitRead:
    """One read (mate) split across the junction, placed on the fused transcript."""

    name: str
    mate: int  # 1 or 2
    bases_5p: int  # read bases on the 5' side of the junction (transcript orientation)
    sequence: str | None  # whole read in transcript orientation; None when STAR hard-clipped every record


@dataclass
class SupportingReads:
    split: list[SplitRead] = field(default_factory=list)
    spanning: list[str] = field(default_factory=list)  # read-pair names, one mate on each partner

    @property
    def split_names(self) -> list[str]:
        return sorted({r.name for r in self.split})

    @property
    def names(self) -> list[str]:
        return sorted(set(self.split_names) | set(self.spanning))


@dataclass
class Evidence:
    """Everything shown beside one event; each part is ``None`` with its reason when it cannot be given."""

    fused: FusedTranscript | None = None
    fused_reason: str = ""
    peptide: Peptide | None = None
    peptide_reason: str = ""
    reads: SupportingReads | None = None
    reads_reason: str = ""
    alignment: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data for JSON (classification, report templates)."""
        out = asdict(self)
        if self.fused is not None:
            out["fused"]["window"] = self.fused.window
        if self.reads is not None:
            out["reads"]["split_names"] = self.reads.split_names
        return out


# ---- genome --------------------------------------------------------------------------------------
def open_genome(fasta: str | Path, index: str | Path | None = None) -> Fasta:
    """The genome FASTA through pyfaidx. ``index`` is where its ``.fai`` is written when none lies
    beside the FASTA: inputs are never modified, so the caller names a place in its own output."""
    fasta = Path(fasta)
    if not fasta.is_file():
        raise InputError(f"{fasta}: genome FASTA not found")
    beside = fasta.with_name(fasta.name + ".fai")
    if index is None and not beside.is_file():
        raise InputError(f"{fasta}: no .fai index beside it and no place given to write one")
    try:
        return Fasta(
            str(fasta),
            indexname=str(index) if index is not None else str(beside),
            as_raw=True,
            sequence_always_upper=True,
        )
    except FastaIndexingError as exc:
        raise InputError(f"{fasta}: cannot be indexed: {exc}") from None


def _contig(genome: Fasta, chrom: str) -> str | None:
    if chrom in genome:
        return chrom
    want = strip_chr(chrom)
    return next((k for k in genome.records if strip_chr(k) == want), None)


def _genome_seq(genome: Fasta, seg: Segment) -> str:
    contig = _contig(genome, seg.chrom)
    if contig is None:
        raise InputError(f"{genome.filename}: no contig {seg.chrom}")
    seq = str(genome[contig][seg.start - 1 : seg.end])
    return seq if seg.strand != "-" else revcomp(seq)


# ---- fused transcript ----------------------------------------------------------------------------
def _kept_segments(ann: Annotation, transcript: str, pos: int, partner: str) -> tuple[list[Segment], str]:
    """Exon pieces of ``transcript`` kept in the fusion: up to ``pos`` (5') or from ``pos`` on (3')."""
    ex = ann.transcript_exons(transcript)
    if ex.empty:
        return [], f"transcript {transcript} of the {partner} partner is not in the GTF"
    strand = str(ex["strand"].iloc[0])
    chrom = str(ex["chrom"].iloc[0])
    hit = ex[(ex["start"] <= pos) & (ex["end"] >= pos)]
    if hit.empty:
        lo, hi = int(ex["start"].min()), int(ex["end"].max())
        where = "in an intron" if lo <= pos <= hi else "outside the transcript"
        return [], f"{partner} breakpoint {chrom}:{pos} lies {where} of {transcript}"
    k = int(hit.index[0])
    segs = []
    for i, row in ex.iterrows():
        s, e, n = int(row["start"]), int(row["end"]), int(row["exon_number"])
        if (partner == "5p" and i > k) or (partner == "3p" and i < k):
            continue
        if i == k:
            # transcript direction: + runs start->end, - runs end->start
            if partner == "5p":
                s, e = (s, pos) if strand != "-" else (pos, e)
            else:
                s, e = (pos, e) if strand != "-" else (s, pos)
        segs.append(Segment(partner, chrom, s, e, strand, n))
    return segs, ""


def fused_transcript(
    event: Mapping, ann: Annotation, genome: Fasta, flank: int = 30
) -> tuple[FusedTranscript | None, str]:
    """The fused transcript of one event, or ``None`` and the reason there is none."""
    t5, t3 = _text(event.get("transcript_5p")), _text(event.get("transcript_3p"))
    if not t5 or not t3:
        return None, "no canonical transcript for " + ("the 5' partner" if not t5 else "the 3' partner")
    seg5, why = _kept_segments(ann, t5, int(event["pos_5p"]), "5p")
    if not seg5:
        return None, why.replace("5p", "5'")
    seg3, why = _kept_segments(ann, t3, int(event["pos_3p"]), "3p")
    if not seg3:
        return None, why.replace("3p", "3'")
    seq5 = "".join(_genome_seq(genome, s) for s in seg5)
    seq3 = "".join(_genome_seq(genome, s) for s in seg3)
    return FusedTranscript(seq5 + seq3, len(seq5), t5, t3, tuple(seg5 + seg3), flank), ""


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


# ---- peptide -------------------------------------------------------------------------------------
def _offset_in(segments: tuple[Segment, ...], chrom: str, pos: int) -> int | None:
    """0-based offset in the fused sequence of genome position ``pos`` (None if not in it)."""
    acc = 0
    for s in segments:
        if s.chrom == chrom and s.start <= pos <= s.end:
            return acc + (pos - s.start if s.strand != "-" else s.end - pos)
        acc += s.end - s.start + 1
    return None


def _cds_genome_start(c: Cds) -> int:
    return c.sign * int(c.starts[0])


def peptide(
    event: Mapping, fused: FusedTranscript, ann: Annotation, flank: int = 10
) -> tuple[Peptide | None, str]:
    """Translation across the junction, or ``None`` and the reason there is none.

    The frame is read off the translation itself: in frame when the codon count from the 5' start
    codon to the junction leaves the 3' partner's own coding phase, as frame.py computes it from the
    GTF's CDS segments.
    """
    cds = cds_models(ann, {fused.transcript_5p, fused.transcript_3p})
    c5, c3 = cds.get(fused.transcript_5p), cds.get(fused.transcript_3p)
    if c5 is None:
        return None, f"5' transcript {fused.transcript_5p} is non-coding"
    pos5, pos3 = int(event["pos_5p"]), int(event["pos_3p"])
    if c5.before_start(pos5):
        return None, "5' breakpoint in UTR: the fused transcript keeps no start codon of the 5' partner"
    if c5.after_end(pos5):
        return None, "5' breakpoint in UTR: the 5' partner's whole protein ends before the junction"
    seg5 = tuple(s for s in fused.segments if s.partner == "5p")
    start = _offset_in(seg5, seg5[0].chrom, _cds_genome_start(c5))
    if start is None:  # a CDS start outside the kept exons (an annotation oddity): no frame to read
        return None, f"the CDS start of {fused.transcript_5p} is not in its exons"
    start += c5.first_phase
    coding = fused.sequence[start:]
    # The whole fused sequence in the 5' frame; cut below at the stop that ends the fusion protein.
    full = str(Seq(coding[: len(coding) // 3 * 3]).translate())
    into = fused.junction - start  # 5' coding bases before the junction
    k, phase = divmod(into, 3)
    end3 = None  # residues up to the 3' partner's annotated CDS end (in frame only)
    if c3 is None or c3.before_start(pos3) or c3.after_end(pos3):
        frame = "3' breakpoint in UTR" if c3 is not None else "3' transcript is non-coding"
    else:
        phase3 = (c3.coding_through(pos3 - c3.sign) - c3.first_phase) % 3
        frame = IN_FRAME if phase == phase3 else OUT_OF_FRAME
        seg3 = tuple(s for s in fused.segments if s.partner == "3p")
        last = _offset_in(seg3, seg3[0].chrom, c3.sign * int(c3.ends[-1]))
        if frame == IN_FRAME and last is not None:
            end3 = (fused.junction + last + 1 - start) // 3
    if end3 is not None:
        # in frame: the 3' partner's own protein to its annotated end (GTF CDS excludes the stop)
        stop = end3 if full[end3 : end3 + 1] == "*" else -1
        protein = full[: end3 + 1] if stop >= 0 else full[:end3]
    else:
        # otherwise: the 5' frame runs on into the 3' partner until its first stop codon
        stop = full.find("*", k)
        protein = full[: stop + 1] if stop >= 0 else full
    # where the protein stops after the junction: asked for when the 3' partner's frame is lost
    lost = frame != IN_FRAME and stop >= 0
    stop_codons = stop - k if lost else None
    stop_nt = start + 3 * stop - fused.junction if lost else None
    left = protein[max(0, k - flank) : k]
    if phase == 0:
        mid, right_from = JUNCTION_MARK, k
    else:
        mid, right_from = CHIMERIC_RESIDUE[0] + protein[k : k + 1] + CHIMERIC_RESIDUE[1], k + 1
    # in frame: flank residues past the junction; otherwise through the first stop
    right_to = right_from + flank if frame == IN_FRAME or stop < 0 else stop + 1
    window = left + mid + protein[right_from:right_to]
    return (
        Peptide(frame, start, protein, k + 1, phase != 0, window, stop_codons, stop_nt, flank),
        "",
    )


# ---- reads ---------------------------------------------------------------------------------------
def _clips(cigar: list[tuple[int, int]]) -> tuple[int, int]:
    left = right = 0
    for op, n in cigar:
        if op not in _CLIP_OPS:
            break
        left += n
    for op, n in reversed(cigar):
        if op not in _CLIP_OPS:
            break
        right += n
    return left, right


def _ends_at_5p(a: pysam.AlignedSegment, pos5: int, strand5: str) -> bool:
    """The alignment is the 5' segment of a split read: its junction-side end is at ``pos5``,
    with the rest of the read clipped beyond it."""
    left, right = _clips(a.cigartuples)
    if strand5 == "-":
        return a.reference_start + 1 == pos5 and left > 0
    return a.reference_end == pos5 and right > 0


def _starts_at_3p(a: pysam.AlignedSegment, pos3: int, strand3: str) -> bool:
    left, right = _clips(a.cigartuples)
    if strand3 == "-":
        return a.reference_end == pos3 and right > 0
    return a.reference_start + 1 == pos3 and left > 0


def _mate(a: pysam.AlignedSegment) -> int:
    return 2 if a.is_read2 else 1


def _at(bam: pysam.AlignmentFile, chrom: str, pos: int) -> list[pysam.AlignedSegment]:
    """Mapped alignments over ``pos`` with a supplementary part (SA tag): the split-read candidates.
    The cheap tests first: a highly expressed gene has thousands of reads at a position."""
    contig = next((c for c in bam.references if strip_chr(c) == strip_chr(chrom)), None)
    if contig is None:
        return []
    return [
        a for a in bam.fetch(contig, pos - 1, pos) if not a.flag & 4 and a.has_tag("SA") and a.cigartuples
    ]


def supporting_reads(
    event: Mapping, bam_path: str | Path, ann: Annotation, fused: FusedTranscript | None = None
) -> SupportingReads:
    """Split reads and spanning pairs for the event's junction, from a sorted, indexed BAM.

    A split read is a mate with one alignment ending at ``pos_5p`` and one starting at ``pos_3p``
    (STAR writes the second as a supplementary alignment with an SA tag). A spanning pair has one
    mate wholly on the 5' partner's kept side and its mate on the 3' partner's kept side, neither
    split at this junction.
    """
    bam_path = Path(bam_path)
    if not bam_path.is_file():
        raise InputError(f"{bam_path}: BAM not found")
    pos5, pos3 = int(event["pos_5p"]), int(event["pos_3p"])
    s5, s3 = str(event["strand_5p"]), str(event["strand_3p"])
    try:
        bam = pysam.AlignmentFile(str(bam_path), "rb")
    except (ValueError, OSError) as exc:
        raise InputError(f"{bam_path}: not a readable BAM: {exc}") from None
    with bam:
        if not bam.has_index():
            raise InputError(f"{bam_path}: BAM has no index (.bai)")
        five = {
            (a.query_name, _mate(a)): a
            for a in _at(bam, str(event["chrom_5p"]), pos5)
            if _ends_at_5p(a, pos5, s5)
        }
        three = {
            (a.query_name, _mate(a)): a
            for a in _at(bam, str(event["chrom_3p"]), pos3)
            if _starts_at_3p(a, pos3, s3)
        }
        out = SupportingReads()
        for key in sorted(five.keys() & three.keys()):
            a5, a3 = five[key], three[key]
            left, right = _clips(a5.cigartuples)
            aligned = sum(n for op, n in a5.cigartuples if op in _QUERY_OPS)
            bases_5p = (left if s5 != "-" else right) + aligned
            whole, strand = (a5, s5) if not _hard_clipped(a5) else (a3, s3)
            seq = None
            if not _hard_clipped(whole) and whole.query_sequence:
                seq = whole.query_sequence if strand != "-" else revcomp(whole.query_sequence)
            out.split.append(SplitRead(key[0], key[1], bases_5p, seq))
        split_names = {k[0] for k in five.keys() & three.keys()}
        out.spanning = _spanning(bam, event, ann, fused, split_names)
    return out


def _hard_clipped(a: pysam.AlignedSegment) -> bool:
    return any(op == 5 for op, _ in a.cigartuples)


def _spanning(
    bam: pysam.AlignmentFile, event: Mapping, ann: Annotation, fused: FusedTranscript | None, skip: set[str]
) -> list[str]:
    if fused is None:
        return []
    seg5 = [s for s in fused.segments if s.partner == "5p"]
    seg3 = [s for s in fused.segments if s.partner == "3p"]
    lo5, hi5 = min(s.start for s in seg5), max(s.end for s in seg5)
    lo3, hi3 = min(s.start for s in seg3), max(s.end for s in seg3)
    c5 = next((c for c in bam.references if strip_chr(c) == strip_chr(seg5[0].chrom)), None)
    c3 = next((c for c in bam.references if strip_chr(c) == strip_chr(seg3[0].chrom)), None)
    if c5 is None or c3 is None:
        return []
    names = set()
    tid3 = bam.get_tid(c3)
    for a in bam.fetch(c5, lo5 - 1, hi5):
        # the mate's place first (an integer test that rejects almost every read), then the flags:
        # paired, neither read nor mate unmapped, neither secondary nor supplementary
        if (
            a.next_reference_id != tid3
            or not lo3 <= a.next_reference_start + 1 <= hi3
            or a.flag & 0x90C
            or not a.flag & 1
            or a.query_name in skip
            or a.reference_start + 1 < lo5
            or a.reference_end > hi5
        ):
            continue
        # an ordinary pair inside one gene of a same-chromosome fusion is not chimeric
        if c5 == c3 and lo3 <= a.reference_start + 1 <= hi3:
            continue
        names.add(a.query_name)
    return sorted(names)


def alignment_text(fused: FusedTranscript, reads: SupportingReads, max_reads: int = 20) -> list[str]:
    """The fused window and, under it, up to ``max_reads`` split reads placed at the junction.

    Each read line holds its bases (transcript orientation) in the window's columns, lower case where
    they differ from the fused sequence, blank beyond the read; then its name and mate.
    """
    j, f = fused.junction, fused.flank
    lo, hi = max(0, j - f), min(len(fused.sequence), j + f)
    ref = fused.sequence[lo:hi]
    cut = j - lo
    lines = [ref[:cut] + JUNCTION_MARK + ref[cut:] + "  fused transcript"]
    shown = [r for r in reads.split if r.sequence is not None][:max_reads]
    for r in shown:
        start = j - r.bases_5p  # fused offset of the read's first base
        cols = []
        for x in range(lo, hi):
            i = x - start
            if 0 <= i < len(r.sequence):
                b = r.sequence[i]
                cols.append(b if b == fused.sequence[x] else b.lower())
            else:
                cols.append(" ")
        cols.insert(cut, JUNCTION_MARK)
        lines.append("".join(cols) + f"  {r.name}/{r.mate}")
    return lines


# ---- all together --------------------------------------------------------------------------------
def fusion_evidence(
    event: Mapping,
    ann: Annotation,
    genome: Fasta,
    bam: str | Path | None,
    flank: int = 30,
    max_reads: int = 20,
) -> Evidence:
    """Sequence, peptide and reads for one event row; missing parts carry their reason."""
    ev = Evidence()
    ev.fused, ev.fused_reason = fused_transcript(event, ann, genome, flank)
    if ev.fused is not None:
        ev.peptide, ev.peptide_reason = peptide(event, ev.fused, ann)
    else:
        ev.peptide_reason = "no fused transcript: " + ev.fused_reason
    if bam is None:
        ev.reads_reason = "no STAR BAM"
    else:
        ev.reads = supporting_reads(event, bam, ann, ev.fused)
        if ev.fused is not None:
            ev.alignment = alignment_text(ev.fused, ev.reads, max_reads)
    return ev
