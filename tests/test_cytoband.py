"""Cytogenetic bands and ISCN forms on real GRCh38 coordinates (allfuse.cytoband).

Breakpoints are MANE Select exon ends/starts on GRCh38 from resources/mane_exons.tsv, or the span
ends of MANE transcripts (../shared/knowledge/transcripts.tsv, MANE v1.5) written here as numbers.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO

from allfuse.cytoband import CYTOBAND_COLUMNS, Cytobands, cytogenetics, is_grch38, rearrangement


@pytest.fixture(scope="module")
def bands() -> Cytobands:
    return Cytobands.from_resources()


def mane_junction(gene_5p: str, exon_5p: int, gene_3p: str, exon_3p: int) -> dict:
    """An exon-boundary event: last base of exon_5p (transcript direction) -> first base of exon_3p."""
    mane = pd.read_csv(REPO / "resources" / "mane_exons.tsv", sep="\t", dtype=str)
    e5 = mane[(mane.gene == gene_5p) & (mane.exon == str(exon_5p))].iloc[0]
    e3 = mane[(mane.gene == gene_3p) & (mane.exon == str(exon_3p))].iloc[0]
    return {
        "chrom_5p": e5.chrom,
        "pos_5p": int(e5.end) if e5.strand == "+" else int(e5.start_1based),
        "strand_5p": e5.strand,
        "chrom_3p": e3.chrom,
        "pos_3p": int(e3.start_1based) if e3.strand == "+" else int(e3.end),
        "strand_3p": e3.strand,
    }


def test_kmt2a_aff1_is_t_4_11_q21_3_q23_3(bands: Cytobands) -> None:
    event = mane_junction("KMT2A", 9, "AFF1", 4)
    assert (event["chrom_5p"], event["chrom_3p"]) == ("chr11", "chr4")
    got = cytogenetics(event, bands, "GRCh38")
    assert got.iscn == "t(4;11)(q21.3;q23.3)"
    assert (got.band_5p, got.band_3p) == ("11q23.3", "4q21.3")
    # the reciprocal product names the same translocation
    recip = cytogenetics(mane_junction("AFF1", 3, "KMT2A", 10), bands, "GRCh38")
    assert recip.iscn == "t(4;11)(q21.3;q23.3)"


def test_other_translocations_order_chromosomes_as_iscn(bands: Cytobands) -> None:
    # ETV6::RUNX1, the commonest childhood B-ALL fusion: t(12;21)(p13;q22)
    assert cytogenetics(mane_junction("ETV6", 5, "RUNX1", 3), bands, "hg38").iscn == "t(12;21)(p13.2;q22.12)"
    # BCR::ABL1 e14a2 as STAR places the junction of the real K562 reads (../shared README): t(9;22)
    e14a2 = {"chrom_5p": "chr22", "pos_5p": 23290414, "strand_5p": "+"}
    e14a2 |= {"chrom_3p": "chr9", "pos_3p": 130854063, "strand_3p": "+"}
    assert cytogenetics(e14a2, bands, "GRCh38.p14").iscn == "t(9;22)(q34.12;q11.23)"
    # a sex chromosome comes first whatever the partner order: CRLF2 (chrX PAR1) with ETV6 (chr12)
    to_x = {"chrom_5p": "chr12", "pos_5p": 11650160, "strand_5p": "+"}
    to_x |= {"chrom_3p": "chrX", "pos_3p": 1212649, "strand_3p": "-"}
    assert cytogenetics(to_x, bands, "GRCh38").iscn == "t(X;12)(p22.33;p13.2)"


def test_same_chromosome_inversion_deletion_duplication(bands: Cytobands) -> None:
    # CBFB (16q22.1, +) :: MYH11 (16p13.11, -): opposite strands -> pericentric inversion inv(16)
    inv = {"chrom_5p": "chr16", "pos_5p": 67100000, "strand_5p": "+"}
    inv |= {"chrom_3p": "chr16", "pos_3p": 15800000, "strand_3p": "-"}
    assert rearrangement(inv) == ("inv", "")
    assert cytogenetics(inv, bands, "GRCh38").iscn == "inv(16)(p13.11q22.1)"
    # P2RY8::CRLF2: both on the minus strand of PAR1, CRLF2 downstream -> interstitial deletion
    p2ry8 = {"chrom_5p": "chrX", "pos_5p": 1537185, "strand_5p": "-"}
    p2ry8 |= {"chrom_3p": "chrX", "pos_3p": 1212649, "strand_3p": "-"}
    assert cytogenetics(p2ry8, bands, "GRCh38").iscn == "del(X)(p22.33p22.33)"
    # the same strand with the 3' partner upstream: a tandem duplication
    dup = p2ry8 | {"pos_5p": 1212649, "pos_3p": 1537185}
    assert rearrangement(dup) == ("dup", "")
    unknown = inv | {"strand_3p": "."}
    got = cytogenetics(unknown, bands, "GRCh38")
    assert got.iscn is None and "strand unknown" in got.reason and got.band_5p == "16q22.1"


def test_no_bands_outside_grch38(bands: Cytobands) -> None:
    event = mane_junction("KMT2A", 9, "AFF1", 4)
    for build in ("GRCh37", "hg19", "", None):
        got = cytogenetics(event, bands, build)
        assert got.iscn is None and got.band_5p is None
        assert "GRCh38 only" in got.reason
    assert "GRCh37" in cytogenetics(event, bands, "GRCh37").reason
    assert is_grch38("hg38") and is_grch38("GRCh38.p14") and not is_grch38("GRCh38x")
    off = event | {"pos_3p": 10**9}
    got = cytogenetics(off, bands, "GRCh38")
    assert got.iscn is None and "on no GRCh38 band" in got.reason


def test_band_table_is_sourced_and_contiguous(bands: Cytobands) -> None:
    t = pd.read_csv(REPO / "resources" / "cytobands_grch38.tsv", sep="\t", dtype=str)
    assert list(t.columns) == CYTOBAND_COLUMNS
    assert (t["source"].str.contains("Arriba v2.4.0")).all()
    assert set(t["chrom"]) == {str(c) for c in range(1, 23)} | {"X", "Y"}
    for _, df in t.groupby("chrom"):
        starts, ends = df["start"].astype(int).to_numpy(), df["end"].astype(int).to_numpy()
        assert starts[0] == 1 and (starts[1:] == ends[:-1] + 1).all()
    assert bands.band("chr1", 1) == "p36.33" and bands.band("1", 2300001) == "p36.32"
    assert bands.locus("11", 118484314) == "11q23.3"
