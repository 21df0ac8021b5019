"""Primer design on constructed fused transcripts: where Primer3's pair may lie, and the amplicon.

The cohort-level checks (planted fusions, real GRCh38 cases) are in test_primers.py; these pin the
placement rules on sequences whose every base is known.
"""

from __future__ import annotations

import random

import pytest
from Bio.Seq import Seq

from allfuse.evidence import JUNCTION_MARK, FusedTranscript, Segment
from allfuse.primers import ACROSS_BOUNDARY, WITHIN_EXONS, PrimerSettings, design_pair

SETTINGS = PrimerSettings(
    product_min=150,
    product_max=400,
    tm_min=57.0,
    tm_opt=60.0,
    tm_max=63.0,
    gc_min=40.0,
    gc_max=60.0,
    size_min=18,
    size_opt=20,
    size_max=25,
    junction_clearance=10,
)


def random_seq(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("ACGT") for _ in range(n))


def fused(seq: str, junction: int, cuts_5p: list[int], cuts_3p: list[int]) -> FusedTranscript:
    """Exons 1.. of the 5' partner end at cuts_5p, the 3' partner's exons start at junction, cuts_3p."""
    starts_5p = [0, *cuts_5p]
    ends_5p = [*cuts_5p, junction]
    starts_3p = [junction, *cuts_3p]
    ends_3p = [*cuts_3p, len(seq)]
    # genome coordinates of a '+'-strand partner whose exons sit back to back from position 1
    segs = [Segment("5p", "chrA", s + 1, e, "+", i + 1) for i, (s, e) in enumerate(zip(starts_5p, ends_5p))]
    segs += [Segment("3p", "chrB", s + 1, e, "+", i + 4) for i, (s, e) in enumerate(zip(starts_3p, ends_3p))]
    return FusedTranscript(seq, junction, "TX5", "TX3", tuple(segs))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pair_spans_junction_in_right_partners(seed: int) -> None:
    seq = random_seq(1500, seed)
    f = fused(seq, 700, [300], [900])
    pair = design_pair(f, SETTINGS)
    assert not pair.reason
    fwd_at = seq.find(pair.forward)
    rev_rc = str(Seq(pair.reverse).reverse_complement())
    rev_at = seq.find(rev_rc)
    assert fwd_at == pair.forward_start
    assert fwd_at + len(pair.forward) <= 700 - SETTINGS.junction_clearance
    assert rev_at >= 700 + SETTINGS.junction_clearance
    assert rev_at + len(rev_rc) == pair.reverse_end
    assert pair.product_size == pair.reverse_end - pair.forward_start
    assert SETTINGS.product_min <= pair.product_size <= SETTINGS.product_max
    assert pair.amplicon.replace(JUNCTION_MARK, "") == seq[pair.forward_start : pair.reverse_end]
    assert pair.amplicon.index(JUNCTION_MARK) == 700 - pair.forward_start
    for tm in (pair.forward_tm, pair.reverse_tm):
        assert SETTINGS.tm_min <= tm <= SETTINGS.tm_max
    assert pair.forward_exon.startswith("5p exon") and pair.reverse_exon.startswith("3p exon")
    assert pair.placement == WITHIN_EXONS


def test_same_input_same_primers() -> None:
    f = fused(random_seq(1500, 5), 700, [300], [900])
    assert design_pair(f, SETTINGS) == design_pair(f, SETTINGS)


def test_boundary_allowed_only_when_exons_too_short() -> None:
    # 5' exons of 15 nt each up to the junction: no 18-mer fits inside one of them
    seq = random_seq(1200, 7)
    cuts = list(range(15, 600, 15))
    pair = design_pair(fused(seq, 600, cuts, [800]), SETTINGS)
    assert not pair.reason
    assert pair.placement == ACROSS_BOUNDARY
    assert "exons" in pair.forward_exon


def test_no_pair_gives_primer3_reason() -> None:
    # poly-A on both sides: no primer meets Tm/GC
    f = fused("A" * 600 + "T" * 600, 600, [300], [900])
    pair = design_pair(f, SETTINGS)
    assert pair.forward == "" and pair.product_size is None
    assert pair.reason.startswith("Primer3 found no pair within the settings (")
    assert "considered" in pair.reason


def test_junction_too_close_to_end() -> None:
    f = fused(random_seq(500, 9), 20, [], [200])
    assert "too little fused sequence" in design_pair(f, SETTINGS).reason
