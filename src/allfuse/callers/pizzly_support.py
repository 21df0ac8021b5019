"""Which of pizzly's read pairs support which fused transcript: read placement on junction sequences.

pizzly groups a gene pair without order and prints every read pair of the pair under each of its
transcript pairs, A::B and B::A alike; its per-transcript ``reads`` lists are not even indexes into
``readpairs`` (pizzly 0.37 writes the loop counter 0..n-1). Counting those lists gives a reciprocal
product the reads of the forward product. pizzly's JSON does keep each mate's sequence, and pizzly
writes the fused sequence of every transcript pair it reports (``PREFIX.fusions.fasta`` beside
``PREFIX.json``), so we decide it from the reads themselves:

* Each mate is placed, ungapped, on a window of ``window`` bases either side of the fused junction,
  forward or reverse-complemented, seeded by exact ``seed``-mers (every ``seed_step``-th of the read)
  and accepted with at most ``max(min_mismatches, mismatch_rate * length)`` mismatches. A mate of
  the other orientation's product does not exist in this sequence (B::A keeps A after its break,
  A::B before it), so it does not place: about three in four of its bases would mismatch.
* A read pair supports the fused transcript when its mates place on opposite strands, the forward
  mate starting no later than the reverse one (a fragment read from both ends), and the fragment
  reaches at least ``anchor`` bases into each partner: a discordant pair by the mates' layout.
* It is a junction (split) read when one mate itself covers the junction with ``anchor`` bases on
  each side (pizzly's own minimum split overhang is 8), otherwise a spanning fragment.

Indels are not modelled (Illumina reads rarely carry them); such a mate does not place and its pair
is not counted, which errs on the side of less support, never of support for the wrong product.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from allfuse.errors import InputError
from allfuse.transcriptome import revcomp


@dataclass(frozen=True)
class SupportSettings:
    window: int = 1000  # bases each side of the junction: longer than any RNA-seq fragment
    seed: int = 16  # exact seed length: unique in a 2 kb window, several per 100 bp read
    seed_step: int = 4
    anchor: int = 8  # bases a fragment (or split mate) must reach into each partner
    mismatch_rate: float = 0.05
    min_mismatches: int = 2


@dataclass(frozen=True)
class Junction:
    """A fused transcript around its junction: ``seq[at]`` is the first base of the 3' partner."""

    seq: str
    at: int
    seeds: dict[str, list[int]] = field(repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class Placement:
    forward: bool
    start: int
    end: int  # exclusive


def junction(fused: str, at: int, settings: SupportSettings) -> Junction:
    """The window of a fused sequence around its junction, with a seed index."""
    lo = max(0, at - settings.window)
    seq = fused[lo : at + settings.window].upper()
    seeds: dict[str, list[int]] = {}
    for i in range(len(seq) - settings.seed + 1):
        seeds.setdefault(seq[i : i + settings.seed], []).append(i)
    return Junction(seq, at - lo, seeds)


def place(read: str, j: Junction, settings: SupportSettings) -> Placement | None:
    """Best ungapped placement of a read on either strand, or None if it does not fit."""
    best: tuple[int, Placement] | None = None
    limit = max(settings.min_mismatches, int(settings.mismatch_rate * len(read)))
    for forward, r in ((True, read.upper()), (False, revcomp(read.upper()))):
        votes: Counter[int] = Counter()
        for i in range(0, len(r) - settings.seed + 1, settings.seed_step):
            for p in j.seeds.get(r[i : i + settings.seed], ()):
                votes[p - i] += 1
        for start, _ in votes.most_common(2):
            if start < 0 or start + len(r) > len(j.seq):
                continue
            mm = sum(a != b for a, b in zip(r, j.seq[start : start + len(r)], strict=True))
            if mm <= limit and (best is None or mm < best[0]):
                best = (mm, Placement(forward, start, start + len(r)))
    return best[1] if best else None


def fragment_support(read1: str, read2: str, j: Junction, settings: SupportSettings) -> str | None:
    """``"junction"``, ``"spanning"``, or None when the pair does not come from this fused transcript."""
    p1 = place(read1, j, settings)
    p2 = place(read2, j, settings) if p1 is not None else None
    if p1 is None or p2 is None or p1.forward == p2.forward:
        return None
    fwd, rev = (p1, p2) if p1.forward else (p2, p1)
    a = settings.anchor
    if fwd.start > rev.start or fwd.start > j.at - a or rev.end < j.at + a:
        return None
    split = any(p.start <= j.at - a and p.end >= j.at + a for p in (p1, p2))
    return "junction" if split else "spanning"


def read_fasta(path: Path) -> dict[str, str]:
    """Sequences of a FASTA file by record name (first word of the header)."""
    seqs: dict[str, list[str]] = {}
    name = None
    with open(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.strip()
            if line.startswith(">"):
                name = line[1:].split()[0] if line[1:].strip() else ""
                if not name:
                    raise InputError(f"{path}: line {lineno}: FASTA header without a name")
                seqs[name] = []
            elif line:
                if name is None:
                    raise InputError(f"{path}: line {lineno}: sequence before the first '>' header")
                seqs[name].append(line)
    return {k: "".join(v) for k, v in seqs.items()}
