"""allfuse's STAR chimeric summary on every Chimeric.out.junction layout in ../shared/data.

The files are real STAR output (see shared/data/PROVENANCE.md): legacy 14 columns, 16 columns
(STAR 2.6.1a, trailing comments), multimapping 20/21 columns with and without header and comment
lines, gzipped, and one with a header but no records.
"""

from __future__ import annotations

import gzip

import pytest
from conftest import shared_path

from allfuse.callers.star_chimeric import Thresholds, read_junctions, summarise
from allfuse.errors import InputError
from allfuse.gtf import Annotation
from allfuse.tables import CALL_COLUMNS

K562 = "generated-here/star-2.7.10b_K562f_vs_hamlet-ref"
LAYOUTS = {
    f"{K562}/legacy_14col/Chimeric.out.junction": (283, 14),
    f"{K562}/multimap_format0/Chimeric.out.junction": (318, 20),
    f"{K562}/multimap_format1/Chimeric.out.junction": (318, 20),
    "star-fusion/chimeric_junction/hg38.Chimeric.out.junction": (12116, 21),
    "star-fusion/chimeric_junction/hg19.Chimeric.out.junction": (8177, 21),
    "star-fusion/chimeric_junction/STAR_2.6.1a/Chimeric.out.junction": (7893, 16),
    "star-fusion/chimeric_junction/old_14col/Chimeric.out.junction.gz": (39991, 14),
    "nf-core-test-datasets/test.Chimeric.out.junction": (0, 14),
}


def _data_lines(path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        return sum(1 for line in fh if line.strip() and not line.startswith(("#", "chr_donorA")))


@pytest.mark.parametrize("rel", sorted(LAYOUTS))
def test_every_layout_reads_every_record(rel: str) -> None:
    path = shared_path(rel)
    df = read_junctions(path)
    assert df.shape == LAYOUTS[rel]
    assert len(df) == _data_lines(path)
    if len(df):
        assert set(df["strand_donorA"]) <= {"+", "-"}
        assert df["junction_type"].isin([-1, 0, 1, 2]).all()


@pytest.fixture(scope="module")
def hamlet_gtf() -> Annotation:
    return Annotation.from_gtf(shared_path("hamlet/reference/hamlet-ref.gtf"))


@pytest.mark.parametrize("layout", ["legacy_14col", "multimap_format0", "multimap_format1"])
def test_bcr_abl1_at_exon_boundaries_in_every_layout(layout: str, hamlet_gtf: Annotation) -> None:
    # STAR writes intron bases (chr22:23290414 -> chr9:130854063); exon boundaries are one base in:
    # BCR exon 14 ends at chr22:23290413, ABL1 exon 2 starts at chr9:130854064 (GRCh38, MANE).
    calls = summarise(
        read_junctions(shared_path(K562) / layout / "Chimeric.out.junction"), hamlet_gtf, "K562", Thresholds()
    )
    bcr = calls[calls.fusion == "BCR::ABL1"]
    assert len(bcr) == 1
    row = bcr.iloc[0]
    assert (row.chrom_5p, row.pos_5p, row.strand_5p) == ("chr22", 23290413, "+")
    assert (row.chrom_3p, row.pos_3p, row.strand_3p) == ("chr9", 130854064, "+")
    assert (row.junction_reads, row.spanning_frags) == (27, 17)
    assert row.gene_id_5p == "ENSG00000186716" and row.gene_id_3p == "ENSG00000097007"
    assert list(calls.columns[: len(CALL_COLUMNS)]) == CALL_COLUMNS
    assert len(row.orig_junction_read_names.split(",")) == 27


def test_minigenome_fusions_with_strands_and_orientation() -> None:
    base = shared_path("generated-here/star-2.7.10b_fusioncatcher-reads_vs_easyfuse-minigenome")
    gtf = Annotation.from_gtf(base / "Homo_sapiens.GRCh38.110_miniannotation.inrange.gtf")
    calls = summarise(read_junctions(base / "Chimeric.out.junction"), gtf, "FC", Thresholds()).set_index(
        "fusion"
    )
    # BRD4 is on the minus strand: its last kept base is the exon's lowest coordinate.
    brd4 = calls.loc["BRD4::NUTM1"]
    assert (brd4.chrom_5p, brd4.pos_5p, brd4.strand_5p, brd4.chrom_3p, brd4.pos_3p, brd4.strand_3p) == (
        "19",
        18734,
        "-",
        "15",
        4755,
        "+",
    )
    assert (brd4.junction_reads, brd4.spanning_frags) == (7, 1)
    assert {"EWSR1::ATF1", "EWSR1::FLI1", "HOOK3::RET", "CD74::ROS1"} <= set(calls.index)
    assert (calls.loc["HOOK3::RET", "junction_reads"], calls.loc["HOOK3::RET", "spanning_frags"]) == (12, 2)


def test_thresholds_drop_single_fragment_calls(hamlet_gtf: Annotation) -> None:
    junctions = read_junctions(shared_path(K562) / "multimap_format1" / "Chimeric.out.junction")
    loose = summarise(junctions, hamlet_gtf, "K562", Thresholds(1, 1))
    strict = summarise(junctions, hamlet_gtf, "K562", Thresholds(1, 2))
    assert len(strict) < len(loose)
    assert ((strict.junction_reads + strict.spanning_frags) >= 2).all()
    assert (loose.junction_reads + loose.spanning_frags == 1).any()


def test_empty_file_gives_empty_table_with_every_column() -> None:
    calls = summarise(
        read_junctions(shared_path("nf-core-test-datasets/test.Chimeric.out.junction")),
        None,
        "x",
        Thresholds(),
    )
    assert calls.empty and list(calls.columns[: len(CALL_COLUMNS)]) == CALL_COLUMNS


def test_wrong_file_kind_is_one_clear_error(tmp_path) -> None:
    bad = tmp_path / "Chimeric.out.junction"
    bad.write_text(shared_path("arriba/fusions.tsv").read_text())
    with pytest.raises(InputError, match=r"Chimeric.out.junction: line 2 .*(columns|not a STAR)"):
        read_junctions(bad)
