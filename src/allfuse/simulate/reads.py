"""Illumina-like paired-end reads from expressed transcripts and planted fusion transcripts.

Fragments are drawn from transcripts by expression, with a normal insert-size distribution; reads
carry position-dependent substitution errors with matching low base qualities, and read names of
the Illumina form (``@instrument:run:flowcell:lane:tile:x:y 1:N:0:index``). Fusion fragments are
drawn so that every one crosses the fusion junction, either inside a read (junction read) or
between the mates (spanning fragment), so the number planted is the number of supporting fragments.
A fusion can also be planted with its junction crossed only between mates (no read crosses it) and
with further fragments from the rest of the fused transcript (none crossing the junction): a fusion
transcript that is expressed but has too little junction evidence for any caller.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np

from allfuse.simulate.genome import Reference, Transcript
from allfuse.transcriptome import revcomp

_ACGT = np.frombuffer(b"ACGT", dtype=np.uint8)


@dataclass(frozen=True)
class ReadSettings:
    read_length: int = 100
    insert_mean: int = 260
    insert_sd: int = 40
    error_start: float = 0.001  # substitution rate at the first cycle ...
    error_end: float = 0.01  # ... rising linearly to this at the last cycle
    min_overhang: int = 20  # a fusion fragment has at least this much sequence on each side


@dataclass(frozen=True)
class FusionSpec:
    """A fusion transcript: 5' gene exons 1..exon_5p joined to 3' gene exons exon_3p..end.

    ``fragments`` cross the junction (the fusion's supporting fragments). With ``mates_only`` each of
    them is a spanning fragment whose reads both stay off the junction, so no read is split across
    it; ``transcript_fragments`` more come from the fused transcript away from the junction, so the
    partners' exons are expressed without adding junction evidence.
    """

    gene_5p: str
    exon_5p: int
    gene_3p: str
    exon_3p: int
    fragments: int
    mates_only: bool = False
    transcript_fragments: int = 0

    @property
    def name(self) -> str:
        return f"{self.gene_5p}::{self.gene_3p}"


def fusion_sequence(ref: Reference, spec: FusionSpec) -> tuple[str, int, int, int]:
    """Fusion transcript sequence, the junction offset, and the genomic breakpoints (5' last, 3' first)."""
    t5 = ref.gene(spec.gene_5p).canonical
    t3 = ref.gene(spec.gene_3p).canonical
    seq5 = t5.sequence(ref.genome)
    seq3 = t3.sequence(ref.genome)
    off5 = t5.exon_tx_offsets()[spec.exon_5p - 1][1]
    off3 = t3.exon_tx_offsets()[spec.exon_3p - 1][0]
    return seq5[:off5] + seq3[off3:], off5, t5.tx_to_genome(off5 - 1), t3.tx_to_genome(off3)


def fusion_frame(ref: Reference, spec: FusionSpec) -> str:
    """Reading frame of a planted fusion from the simulated CDS (independent of allfuse's frame.py)."""
    t5 = ref.gene(spec.gene_5p).canonical
    t3 = ref.gene(spec.gene_3p).canonical
    end5 = t5.exon_tx_offsets()[spec.exon_5p - 1][1]
    start3 = t3.exon_tx_offsets()[spec.exon_3p - 1][0]
    if t5.cds_start_tx is None or t3.cds_start_tx is None:
        return "non-coding transcript"
    if not t5.cds_start_tx < end5 <= t5.cds_end_tx or not t3.cds_start_tx <= start3 < t3.cds_end_tx:
        return "UTR"
    same = (end5 - t5.cds_start_tx) % 3 == (start3 - t3.cds_start_tx) % 3
    return "in-frame" if same else "out-of-frame"


def _gzip_text(path: Path) -> io.TextIOWrapper:
    """A gzip text stream with no timestamp in its header: the same seed gives the same bytes."""
    raw = gzip.GzipFile(path, "wb", compresslevel=3, mtime=0)
    return io.TextIOWrapper(raw, encoding="ascii")


class ReadWriter:
    """Writes read pairs to two gzipped FASTQ files with Illumina-style names and qualities."""

    def __init__(self, r1: Path, r2: Path, rng: np.random.Generator, settings: ReadSettings, sample_no: int):
        # Kept open across many writes; closed by close() / the with-block (see __exit__).
        self.fh1 = _gzip_text(r1)
        self.fh2 = _gzip_text(r2)
        self.rng = rng
        self.s = settings
        self.n = 0
        self.sample_no = sample_no
        cycles = np.arange(settings.read_length)
        self.qual_profile = 40 - (cycles * 8) // settings.read_length  # qualities fall along the read
        self.err = settings.error_start + (settings.error_end - settings.error_start) * cycles / max(
            1, settings.read_length - 1
        )

    def _mutate(self, seq: str) -> tuple[str, str]:
        """Apply substitution errors; erroneous bases get low qualities, as real base callers do."""
        n = len(seq)
        hit = self.rng.random(n) < self.err[:n]
        qual = self.qual_profile[:n] - self.rng.integers(0, 4, n)
        if hit.any():
            arr = np.frombuffer(seq.encode(), dtype=np.uint8).copy()
            idx = np.flatnonzero(hit)
            shift = self.rng.integers(1, 4, len(idx))
            codes = np.searchsorted(_ACGT, arr[idx])
            arr[idx] = _ACGT[(np.minimum(codes, 3) + shift) % 4]
            seq = arr.tobytes().decode()
            qual[hit] = self.rng.integers(2, 12, len(idx))
        return seq, (qual + 33).astype(np.uint8).tobytes().decode()

    def write_fragment(self, fragment: str) -> None:
        """Write one fragment as a read pair, in a random orientation (unstranded library)."""
        rl = self.s.read_length
        if self.rng.random() < 0.5:
            fragment = revcomp(fragment)
        r1, q1 = self._mutate(fragment[:rl])
        r2, q2 = self._mutate(revcomp(fragment)[:rl])
        self.n += 1
        tile = 1101 + (self.n // 4000)
        x, y = int(self.rng.integers(1000, 30000)), int(self.rng.integers(1000, 30000))
        name = f"@ALLSIM:{self.sample_no}:HSIMFCXX:1:{tile}:{x}:{y}"
        self.fh1.write(f"{name} 1:N:0:ACGTACGT\n{r1}\n+\n{q1}\n")
        self.fh2.write(f"{name} 2:N:0:ACGTACGT\n{r2}\n+\n{q2}\n")

    def close(self) -> None:
        self.fh1.close()
        self.fh2.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def insert_size(rng: np.random.Generator, s: ReadSettings) -> int:
    return int(
        np.clip(rng.normal(s.insert_mean, s.insert_sd), s.read_length, s.insert_mean + 4 * s.insert_sd)
    )


def write_background(w: ReadWriter, ref: Reference, n_pairs: int, expression: dict[str, float]) -> None:
    """Fragments from every transcript, in proportion to expression times length."""
    transcripts: list[Transcript] = [t for g in ref.genes for t in g.transcripts]
    seqs = [t.sequence(ref.genome) for t in transcripts]
    weights = np.array([expression[t.transcript_id] * len(s) for t, s in zip(transcripts, seqs, strict=True)])
    weights /= weights.sum()
    choice = w.rng.choice(len(transcripts), size=n_pairs, p=weights)
    for i in choice:
        seq = seqs[i]
        frag = insert_size(w.rng, w.s)
        if len(seq) <= frag:
            w.write_fragment(seq if len(seq) >= w.s.read_length else seq + "A" * (w.s.read_length - len(seq)))
            continue
        start = int(w.rng.integers(0, len(seq) - frag + 1))
        w.write_fragment(seq[start : start + frag])


def write_fusion(w: ReadWriter, seq: str, junction: int, n_fragments: int) -> None:
    """Fragments that all cross the junction with at least ``min_overhang`` bases on each side."""
    _write_across(w, seq, junction, n_fragments, w.s.min_overhang, min_fragment=0)


def write_spanning(w: ReadWriter, seq: str, junction: int, n_fragments: int) -> None:
    """Fragments that cross the junction between the mates only: one read ends before the junction,
    the other starts after it (inserts too short for that are drawn again)."""
    rl = w.s.read_length
    if junction < rl or len(seq) - junction < rl:
        raise ValueError(f"junction at {junction} of {len(seq)} nt: no room for a read on each side")
    _write_across(w, seq, junction, n_fragments, rl, min_fragment=2 * rl)


def _write_across(w: ReadWriter, seq: str, junction: int, n: int, overhang: int, min_fragment: int) -> None:
    """``n`` fragments with at least ``overhang`` bases on each side of the junction; inserts shorter
    than ``min_fragment`` are drawn again (the same RNG draws as before this was shared)."""
    for _ in range(n):
        frag = insert_size(w.rng, w.s)
        while frag < min_fragment:
            frag = insert_size(w.rng, w.s)
        lo = max(0, junction - frag + overhang)
        hi = min(junction - overhang, len(seq) - frag)
        start = int(w.rng.integers(lo, hi + 1))
        w.write_fragment(seq[start : start + frag])


def write_transcript(w: ReadWriter, seq: str, junction: int, n_fragments: int) -> None:
    """Fragments from anywhere on the fused transcript except across the junction (those are drawn
    again), so both partners' exons are covered without adding junction evidence."""
    for _ in range(n_fragments):
        while True:
            frag = insert_size(w.rng, w.s)
            start = int(w.rng.integers(0, len(seq) - frag + 1))
            if not start < junction < start + frag:
                break
        w.write_fragment(seq[start : start + frag])
