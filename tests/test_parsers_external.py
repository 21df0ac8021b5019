"""Caller parsers against real caller outputs from public repositories (see shared/data/PROVENANCE.md).

The expected values below were read off the files themselves, so a parser that reads the wrong
column, shifts a coordinate or swaps partners wrongly fails here.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import shared_path

from allfuse.callers import arriba, fusioncatcher, starfusion
from allfuse.errors import InputError
from allfuse.tables import CALL_COLUMNS, ORIG_PREFIX

Parser = Callable[[str | Path, str], pd.DataFrame]

ARRIBA_FILES = [
    "arriba/fusions.tsv",
    "arriba/fusions_v1.2.0-format/fusions.tsv",
    "fusion-report/test_data/arriba.tsv",
    "easyfuse/fusiontoolparser/arriba.tsv",
    "resolwe-bio/expected_fusions.tsv.gz",
    "resolwe-bio/expected_discarded_fusions.tsv.gz",
]
STARFUSION_FILES = [
    "easyfuse-src/input_starfusion.star-fusion.fusion_predictions.tsv",
    "easyfuse/fusiontoolparser/starfusion.tsv",
    "chimeraviz/star-fusion.fusion_candidates.final.abridged.txt",
    "chimeraviz/star-fusion.fusion_predictions.abridged.annotated.coding_effect.tsv",
    "star-fusion/outputs_2016/star-fusion.fusion_candidates.final",
    "star-fusion/outputs_2016/star-fusion.fusion_candidates.final.abridged",
    "star-fusion/outputs_2016/star-fusion.fusion_candidates.final.abridged.FFPM",
    "hamlet/outputs_history/sample.star-fusion",
    "hamlet/outputs_history/sample.sf-isect",
    "fusion-report/test_data/starfusion.tsv",
    "fusioninspector/ex1.finspector.fusion_predictions.final.abridged.FFPM",
    "fusioninspector/ex2.finspector.fusion_predictions.final.abridged.FFPM",
]
FUSIONCATCHER_FILES = [
    "fusioncatcher/final-list_candidate-fusion-genes.txt",
    "fusion-report/test_data/fusioncatcher.txt",
    "chimeraviz/fusioncatcher_833ke_final-list-candidate-fusion-genes.txt",
    "easyfuse-src/input_fusioncatcher.final-list_candidate-fusion-genes.txt",
    "easyfuse/fusiontoolparser/fusioncatcher_2.tsv",
    "hamlet/outputs_history/sample.fusioncatcher",
]
ALL_FILES: list[tuple[Parser, str]] = (
    [(arriba.parse, f) for f in ARRIBA_FILES]
    + [(starfusion.parse, f) for f in STARFUSION_FILES]
    + [(fusioncatcher.parse, f) for f in FUSIONCATCHER_FILES]
)
IDS = [f for _, f in ALL_FILES]


def _lines(rel: str) -> list[str]:
    """Non-blank lines of a shared file, gzip or not."""
    path = shared_path(rel)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        return [line.rstrip("\n") for line in fh if line.strip()]


def _reference_table(rel: str) -> pd.DataFrame:
    """The file as pandas reads it with no quoting and no NA guessing: the lossless reference."""
    path = shared_path(rel)
    df = pd.read_csv(
        path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE, na_filter=False
    )
    return df.fillna("")


def _row(df: pd.DataFrame, **match: object) -> pd.Series:
    """The single row matching all given column values."""
    hit = df
    for col, value in match.items():
        hit = hit[hit[col] == value]
    assert len(hit) == 1, f"{match}: {len(hit)} rows"
    return hit.iloc[0]


def _breakpoints(r: pd.Series) -> tuple:
    return (r.chrom_5p, r.pos_5p, r.strand_5p, r.chrom_3p, r.pos_3p, r.strand_3p)


# ------------------------------------------------------------------------------------------
# Generic properties of every file
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("parse", "rel"), ALL_FILES, ids=IDS)
def test_declared_columns_first_and_one_row_per_line(parse: Parser, rel: str) -> None:
    df = parse(shared_path(rel), "S1")
    assert list(df.columns[: len(CALL_COLUMNS)]) == CALL_COLUMNS
    assert len(df) == len(_lines(rel)) - 1
    assert len(df) > 0
    assert (df["sample"] == "S1").all()
    for col in ("pos_5p", "pos_3p", "junction_reads", "spanning_frags"):
        assert df[col].dtype == "int64"
    assert (df["pos_5p"] > 0).all() and (df["pos_3p"] > 0).all()
    assert df["strand_5p"].isin(["+", "-", "."]).all()
    assert (df["fusion"] == df["gene_5p"] + "::" + df["gene_3p"]).all()


@pytest.mark.parametrize(("parse", "rel"), ALL_FILES, ids=IDS)
def test_original_columns_kept_unchanged(parse: Parser, rel: str) -> None:
    df = parse(shared_path(rel), "S1")
    header = _lines(rel)[0].split("\t")
    expected_names = [ORIG_PREFIX + name.removeprefix("#") for name in header]
    assert list(df.columns[len(CALL_COLUMNS) :]) == expected_names
    reference = _reference_table(rel)
    reference.columns = expected_names
    pd.testing.assert_frame_equal(df[expected_names].reset_index(drop=True), reference, check_dtype=False)


# ------------------------------------------------------------------------------------------
# Arriba
# ------------------------------------------------------------------------------------------


def test_arriba_v2_bcr_abl1() -> None:
    df = arriba.parse(shared_path("arriba/fusions.tsv"), "S1")
    r = _row(df, fusion="BCR::ABL1")
    assert r.caller == "arriba"
    assert _breakpoints(r) == ("22", 23632600, "+", "9", 133729451, "+")
    assert (r.junction_reads, r.spanning_frags) == (11, 0)  # split_reads 4 + 7, discordant 0
    assert r.caller_confidence == "high"
    assert (r.gene_id_5p, r.gene_id_3p) == ("ENSG00000186716.15", "ENSG00000097007.13")
    assert (r.caller_transcript_5p, r.caller_transcript_3p) == (
        "ENST00000305877.8",
        "ENST00000372348.2",
    )
    assert (r.site_5p, r.site_3p) == ("CDS/splice-site", "CDS/splice-site")
    assert r.caller_filters == "."
    assert r.orig_tags == "Mitelman"


def test_arriba_v1_layout_same_breakpoints() -> None:
    df = arriba.parse(shared_path("arriba/fusions_v1.2.0-format/fusions.tsv"), "S1")
    r = _row(df, fusion="BCR::ABL1")
    assert _breakpoints(r) == ("22", 23632600, "+", "9", 133729451, "+")
    assert (r.junction_reads, r.spanning_frags) == (4, 0)  # split_reads 3 + 1
    assert (r.site_5p, r.site_3p) == ("splice-site", "splice-site")
    # v1 has no gene_id/transcript_id columns
    assert (r.gene_id_5p, r.caller_transcript_5p, r.caller_transcript_3p) == (".", ".", ".")
    assert "orig_gene_id1" not in df.columns


def test_arriba_fusion_report_minus_strand_5p_and_intergenic_name() -> None:
    df = arriba.parse(shared_path("fusion-report/test_data/arriba.tsv"), "S1")
    rows = df[df.gene_3p == "NUTM1"]
    assert list(rows.gene_5p) == ["BRD4", "BRD4(1122),BRD4-1(2233)"]  # intergenic kept as given
    for _, r in rows.iterrows():
        assert _breakpoints(r) == ("19", 15254152, "-", "15", 34347969, "+")
        assert (r.junction_reads, r.spanning_frags) == (7, 1)
    fgfr3 = _row(df, fusion="FGFR3::TACC3")
    assert (fgfr3.junction_reads, fgfr3.spanning_frags) == (185, 300)
    assert fgfr3.caller_filters == "duplicates(82),low_entropy(8),mismappers(2),mismatches(3)"


def test_arriba_easyfuse_etv6_ntrk3() -> None:
    df = arriba.parse(shared_path("easyfuse/fusiontoolparser/arriba.tsv"), "S1")
    r = _row(df, fusion="ETV6::NTRK3")
    assert _breakpoints(r) == ("12", 11869969, "+", "15", 87940753, "-")
    assert (r.junction_reads, r.spanning_frags) == (130, 300)
    assert (r.caller_transcript_5p, r.caller_transcript_3p) == ("ENST00000396373", "ENST00000394480")


def test_arriba_gzip_resolwe_ccdc6_ret() -> None:
    df = arriba.parse(shared_path("resolwe-bio/expected_fusions.tsv.gz"), "S1")
    r = _row(df, fusion="CCDC6::RET")
    assert _breakpoints(r) == ("minigenome", 609384, "-", "minigenome", 490475, "+")
    assert (r.junction_reads, r.spanning_frags) == (1, 7)
    assert r.caller_transcript_5p == "CCDC6^ENST00000263102.6"


def test_arriba_discarded_puts_5p_first_and_keeps_unknown_order() -> None:
    df = arriba.parse(shared_path("resolwe-bio/expected_discarded_fusions.tsv.gz"), "S1")
    # Row 1 is written "CCDC6  CCDC6(40)  -/-  ./-  downstream upstream": transcribed on '-'
    # with the partner downstream makes gene1 the 3' end, so the intergenic side comes first.
    first = df.iloc[0]
    assert (first.orig_gene1, first.orig_gene2) == ("CCDC6", "CCDC6(40)")
    assert (first.gene_5p, first.gene_3p) == ("CCDC6(40)", "CCDC6")
    assert _breakpoints(first) == ("minigenome", 609958, "-", "minigenome", 609871, "-")
    assert (first.site_5p, first.site_3p) == ("intergenic", "5'UTR")
    assert (first.gene_id_5p, first.gene_id_3p) == (".", "CCDC6")
    # "RET RET +/. +/. upstream upstream": Arriba could not tell the strand -> order as given.
    unknown = df[df["orig_strand1(gene/fusion)"].str.endswith("/.")]
    assert len(unknown) > 0
    for _, r in unknown.iterrows():
        assert (r.gene_5p, r.orig_breakpoint1) == (r.orig_gene1, f"{r.chrom_5p}:{r.pos_5p}")
        assert r.strand_5p == "."
    swapped = df[df.chrom_5p + ":" + df.pos_5p.astype(str) != df.orig_breakpoint1]
    # all four are "CCDC6  CCDC6(n)  -/-  ./-  downstream upstream" (read-through into CCDC6)
    assert list(swapped.orig_gene2) == ["CCDC6(40)", "CCDC6(29)", "CCDC6(1)", "CCDC6(7)"]
    assert set(swapped.orig_gene1) == {"CCDC6"}
    assert len(df) == 37


@pytest.mark.parametrize("rel", ARRIBA_FILES)
def test_arriba_5p_side_is_consistent_with_direction(rel: str) -> None:
    """After orientation, a known 5' side has (+, partner downstream) or (-, partner upstream)."""
    df = arriba.parse(shared_path(rel), "S1")
    for _, r in df.iterrows():
        swapped = r.gene_5p != r.orig_gene1 or f"{r.chrom_5p}:{r.pos_5p}" != r.orig_breakpoint1
        direction_5p = r.orig_direction2 if swapped else r.orig_direction1
        if r.strand_5p != ".":
            assert (r.strand_5p == "+") == (direction_5p == "downstream")


def test_arriba_orientation_rule() -> None:
    assert not arriba.gene1_is_three_prime("+", "downstream", "+", "upstream")
    assert not arriba.gene1_is_three_prime("-", "upstream", "+", "upstream")
    assert arriba.gene1_is_three_prime("-", "downstream", "-", "upstream")
    assert arriba.gene1_is_three_prime("+", "upstream", ".", "downstream")
    assert not arriba.gene1_is_three_prime(".", "upstream", ".", "downstream")
    assert not arriba.gene1_is_three_prime("+", "upstream", "+", "upstream")  # contradictory


# ------------------------------------------------------------------------------------------
# STAR-Fusion and FusionInspector
# ------------------------------------------------------------------------------------------


def test_starfusion_easyfuse_src_etv6_ntrk3() -> None:
    df = starfusion.parse(
        shared_path("easyfuse-src/input_starfusion.star-fusion.fusion_predictions.tsv"), "S1"
    )
    r = _row(df, fusion="ETV6::NTRK3")
    assert r.caller == "starfusion"
    assert (r.junction_reads, r.spanning_frags) == (130, 393)
    assert _breakpoints(r) == ("12", 11869969, "+", "15", 87940753, "-")
    assert (r.gene_id_5p, r.gene_id_3p) == ("ENSG00000139083.10", "ENSG00000140538.16")
    assert (r.site_5p, r.site_3p) == ("ONLY_REF_SPLICE", "ONLY_REF_SPLICE")
    assert r.caller_confidence == "22961.7597"
    assert r.orig_LeftGene == "ETV6^ENSG00000139083.10"


def test_starfusion_est_columns_and_chr_prefix() -> None:
    df = starfusion.parse(shared_path("easyfuse/fusiontoolparser/starfusion.tsv"), "S1")
    r = _row(df, fusion="ETV6::NTRK3")
    assert _breakpoints(r) == ("chr12", 11869969, "+", "chr15", 87940753, "-")
    assert (r.junction_reads, r.spanning_frags) == (160, 390)
    assert (r.orig_est_J, r.orig_est_S) == ("160.00", "390.00")
    assert r.caller_confidence == "27200.7913"


def test_starfusion_chimeraviz_abridged() -> None:
    df = starfusion.parse(shared_path("chimeraviz/star-fusion.fusion_candidates.final.abridged.txt"), "S1")
    r = df.iloc[0]
    assert r.fusion == "THRA::AC090627.1"
    assert _breakpoints(r) == ("chr17", 38243106, "+", "chr17", 46371709, "+")
    assert (r.junction_reads, r.spanning_frags) == (27, 93)
    assert r.caller_confidence == "5372.0653"


def test_starfusion_coding_effect_transcripts() -> None:
    df = starfusion.parse(
        shared_path("chimeraviz/star-fusion.fusion_predictions.abridged.annotated.coding_effect.tsv"),
        "S1",
    )
    r = _row(df, fusion="KANSL1::ARL17B")
    assert (r.caller_transcript_5p, r.caller_transcript_3p) == (
        "ENST00000432791.1",
        "ENST00000575960.1",
    )
    assert _breakpoints(r) == ("chr17", 44171926, "-", "chr17", 44430296, "-")
    assert r.orig_PROT_FUSION_TYPE == "FRAMESHIFT"
    first = df.iloc[0]
    assert (first.fusion, first.caller_transcript_5p) == ("RP11-9L18.2::FLI1", ".")


def test_starfusion_2016_full_counts_match_read_name_lists() -> None:
    df = starfusion.parse(shared_path("star-fusion/outputs_2016/star-fusion.fusion_candidates.final"), "S1")
    r = _row(df, fusion="ACACA::STAC2")
    assert (r.junction_reads, r.spanning_frags) == (12, 51)
    assert _breakpoints(r) == ("chr17", 35479453, "-", "chr17", 37374426, "-")
    assert r.caller_confidence == "."  # no FFPM column in 2016 outputs
    # In this layout JunctionReads/SpanningFrags are read-name lists; the counts agree with them.
    for _, row in df.iterrows():
        assert len(row.orig_JunctionReads.split(",")) == row.junction_reads
        assert len(row.orig_SpanningFrags.split(",")) == row.spanning_frags


def test_starfusion_2016_abridged() -> None:
    df = starfusion.parse(
        shared_path("star-fusion/outputs_2016/star-fusion.fusion_candidates.final.abridged"), "S1"
    )
    r = _row(df, fusion="RPS6KB1::SNF8")
    assert _breakpoints(r) == ("chr17", 57970686, "+", "chr17", 47021337, "-")
    assert (r.junction_reads, r.spanning_frags) == (10, 42)
    assert r.orig_LargeAnchorSupport == "YES_LDAS"


def test_starfusion_2016_ffpm() -> None:
    df = starfusion.parse(
        shared_path("star-fusion/outputs_2016/star-fusion.fusion_candidates.final.abridged.FFPM"), "S1"
    )
    r = df.iloc[0]
    assert r.fusion == "THRA::AC090627.1"
    assert (r.junction_reads, r.spanning_frags) == (68, 98)
    assert (r.orig_J_FFPM, r.orig_S_FFPM, r.caller_confidence) == ("47585.7243", "68579.4262", ".")
    mt = _row(df, fusion="MT-ND5::MT-RNR2", orig_LargeAnchorSupport="YES_LDAS")
    assert (mt.chrom_5p, mt.pos_5p, mt.chrom_3p, mt.pos_3p) == ("chrM", 14016, "chrM", 2218)


@pytest.mark.parametrize(
    "rel", ["hamlet/outputs_history/sample.star-fusion", "hamlet/outputs_history/sample.sf-isect"]
)
def test_starfusion_hamlet_pml_rara_both_ways(rel: str) -> None:
    df = starfusion.parse(shared_path(rel), "S1")
    r = _row(df, fusion="RARA::PML")
    assert _breakpoints(r) == ("chr17", 40331396, "+", "chr15", 74034478, "+")
    assert (r.junction_reads, r.spanning_frags) == (111, 43)
    p = _row(df, fusion="PML::RARA")
    assert _breakpoints(p) == ("chr15", 74033414, "+", "chr17", 40348316, "+")
    assert (p.junction_reads, p.spanning_frags) == (40, 25)
    assert p.caller_confidence != "."


def test_starfusion_fusion_report_brd4_nutm1_and_json_annots() -> None:
    df = starfusion.parse(shared_path("fusion-report/test_data/starfusion.tsv"), "S1")
    r = _row(df, fusion="BRD4::NUTM1")
    assert _breakpoints(r) == ("19", 15254152, "-", "15", 34347969, "+")
    assert (r.junction_reads, r.spanning_frags) == (6, 2)
    assert r.gene_id_5p == "ENSG00000141867"
    hook3 = _row(df, fusion="HOOK3::RET")
    assert hook3.orig_annots.startswith('["HaasMedCancer","ChimerKB"')  # quotes untouched


def test_fusioninspector_old_layout_counts_and_padding() -> None:
    df = starfusion.parse(
        shared_path("fusioninspector/ex1.finspector.fusion_predictions.final.abridged.FFPM"), "S1"
    )
    assert set(df.caller) == {"fusioninspector"}
    r = _row(df, fusion="HS3ST3A1::C1QTNF2")
    assert (r.junction_reads, r.spanning_frags) == (159, 1499)  # JunctionReads holds counts here
    assert _breakpoints(r) == ("chr17", 13503848, "-", "chr5", 159776788, "-")
    assert (r.gene_id_5p, r.site_5p) == (".", "ONLY_REF_SPLICE")
    assert r.orig_TrinityGG == ""  # declared in the header, never written in the rows


def test_fusioninspector_local_breakpoint_layout() -> None:
    df = starfusion.parse(
        shared_path("fusioninspector/ex2.finspector.fusion_predictions.final.abridged.FFPM"), "S1"
    )
    assert set(df.caller) == {"fusioninspector"}
    r = _row(df, fusion="MICAL1::TMEM198B")
    assert _breakpoints(r) == ("chr6", 109767899, "-", "chr12", 56227231, "+")
    assert (r.junction_reads, r.spanning_frags) == (159, 1582)
    assert (r.orig_LeftLocalBreakpoint, r.orig_FAF_left) == ("11555", "1.00")


def test_starfusion_caller_override() -> None:
    df = starfusion.parse(
        shared_path("fusion-report/test_data/starfusion.tsv"), "S1", caller="fusioninspector"
    )
    assert set(df.caller) == {"fusioninspector"}


# ------------------------------------------------------------------------------------------
# FusionCatcher
# ------------------------------------------------------------------------------------------


def test_fusioncatcher_brd4_nutm1() -> None:
    df = fusioncatcher.parse(shared_path("fusioncatcher/final-list_candidate-fusion-genes.txt"), "S1")
    r = _row(df, fusion="BRD4::NUTM1")
    assert r.caller == "fusioncatcher"
    assert _breakpoints(r) == ("19", 15254152, "-", "15", 34347969, "+")
    assert (r.junction_reads, r.spanning_frags) == (9, 5)
    assert (r.gene_id_5p, r.gene_id_3p) == ("ENSG00000141867", "ENSG00000184507")
    assert (r.caller_exon_5p, r.caller_exon_3p) == ("ENSE00001187704", "ENSE00001367212")
    assert (r.site_5p, r.site_3p) == ("CDS", "CDS")  # Predicted_effect in-frame
    assert r.caller_filters.startswith("known,oncogene,cosmic")


def test_fusioncatcher_fusion_report_sites_from_effect() -> None:
    df = fusioncatcher.parse(shared_path("fusion-report/test_data/fusioncatcher.txt"), "S1")
    first = df.iloc[0]
    assert first.fusion == "FGFR3::TACC3"
    assert _breakpoints(first) == ("4", 1806934, "+", "4", 1727977, "+")
    assert (first.junction_reads, first.spanning_frags) == (66, 820)
    second = df.iloc[1]
    assert second.orig_Predicted_effect == "intronic/CDS(truncated)"
    assert (second.site_5p, second.site_3p) == ("intronic", "CDS(truncated)")
    assert (first.caller_exon_5p, first.caller_exon_3p) == (".", ".")  # empty Exon_*_id cells


def test_fusioncatcher_chimeraviz_18_columns() -> None:
    df = fusioncatcher.parse(
        shared_path("chimeraviz/fusioncatcher_833ke_final-list-candidate-fusion-genes.txt"), "S1"
    )
    r = df.iloc[0]
    assert r.fusion == "CLEC6A::CLEC4D"
    assert _breakpoints(r) == ("12", 8465629, "+", "12", 8515236, "+")
    assert (r.junction_reads, r.spanning_frags) == (4, 11)
    assert r.caller_exon_5p == "ENSE00001490820"
    assert r.orig_Predicted_fused_transcripts.startswith("ENST00000382073:555/ENST00000382064:180")


def test_fusioncatcher_easyfuse_src() -> None:
    df = fusioncatcher.parse(
        shared_path("easyfuse-src/input_fusioncatcher.final-list_candidate-fusion-genes.txt"), "S1"
    )
    r = _row(df, fusion="EWSR1::ATF1")
    assert _breakpoints(r) == ("22", 29287134, "+", "12", 50814280, "+")
    assert (r.junction_reads, r.spanning_frags) == (23, 340)


def test_fusioncatcher_easyfuse_tsv() -> None:
    df = fusioncatcher.parse(shared_path("easyfuse/fusiontoolparser/fusioncatcher_2.tsv"), "S1")
    r = _row(df, fusion="TMPRSS2::ETV1")
    assert _breakpoints(r) == ("21", 41494380, "-", "7", 13935843, "-")
    assert (r.junction_reads, r.spanning_frags) == (16, 367)
    assert (r.caller_exon_5p, r.caller_exon_3p) == (".", ".")


def test_fusioncatcher_hamlet() -> None:
    df = fusioncatcher.parse(shared_path("hamlet/outputs_history/sample.fusioncatcher"), "S1")
    r = df.iloc[0]
    assert r.fusion == "ADGRE2::ADGRE5"
    assert _breakpoints(r) == ("19", 14773938, "-", "19", 14390924, "+")
    assert (r.junction_reads, r.spanning_frags) == (10, 18)
    assert r.caller_exon_5p == "ENSE00003634486"
    assert (df.fusion == "ADGRE5::ADGRE2").sum() == 8


def test_fusioncatcher_summary_file_is_rejected() -> None:
    path = shared_path("easyfuse/fusiontoolparser/fusioncatcher_1.txt")
    with pytest.raises(InputError) as err:
        fusioncatcher.parse(path, "S1")
    message = str(err.value)
    assert str(path) in message and "summary_candidate_fusions.txt" in message
    assert "\n" not in message


def test_same_breakpoints_across_callers_on_one_sample() -> None:
    """fusion-report holds all three callers' results for the same reads: same junctions."""
    base = shared_path("fusion-report/test_data")
    tables = [
        arriba.parse(base / "arriba.tsv", "S1"),
        starfusion.parse(base / "starfusion.tsv", "S1"),
        fusioncatcher.parse(base / "fusioncatcher.txt", "S1"),
    ]
    for fusion in ("FGFR3::TACC3", "BRD4::NUTM1", "ETV6::NTRK3", "HOOK3::RET", "CD74::ROS1"):
        seen = {_breakpoints(t[t.fusion == fusion].iloc[0]) for t in tables}
        assert len(seen) == 1, (fusion, seen)


# ------------------------------------------------------------------------------------------
# Empty and wrong inputs
# ------------------------------------------------------------------------------------------

HEADER_SOURCES = [
    (arriba.parse, "arriba/fusions.tsv"),
    (arriba.parse, "arriba/fusions_v1.2.0-format/fusions.tsv"),
    (starfusion.parse, "fusion-report/test_data/starfusion.tsv"),
    (starfusion.parse, "fusioninspector/ex2.finspector.fusion_predictions.final.abridged.FFPM"),
    (fusioncatcher.parse, "fusioncatcher/final-list_candidate-fusion-genes.txt"),
]


@pytest.mark.parametrize(("parse", "rel"), HEADER_SOURCES, ids=[r for _, r in HEADER_SOURCES])
def test_header_only_file_gives_empty_table(parse: Parser, rel: str, tmp_path: Path) -> None:
    header = _lines(rel)[0]
    path = tmp_path / "header_only.tsv"
    path.write_text(header + "\n")
    df = parse(path, "S1")
    assert len(df) == 0
    expected = CALL_COLUMNS + [ORIG_PREFIX + c.removeprefix("#") for c in header.split("\t")]
    assert list(df.columns) == expected
    assert df["pos_5p"].dtype == "int64"


@pytest.mark.parametrize("parse", [arriba.parse, starfusion.parse, fusioncatcher.parse])
def test_zero_byte_file_gives_empty_table(parse: Parser, tmp_path: Path) -> None:
    path = tmp_path / "empty.tsv"
    path.write_bytes(b"")
    df = parse(path, "S1")
    assert len(df) == 0
    assert list(df.columns) == CALL_COLUMNS


WRONG_KIND = [
    (arriba.parse, "fusion-report/test_data/starfusion.tsv", "not an Arriba fusions.tsv"),
    (arriba.parse, "fusioncatcher/final-list_candidate-fusion-genes.txt", "breakpoint1"),
    (arriba.parse, "star-fusion/chimeric_junction/hg19.Chimeric.out.junction", "Chimeric.out"),
    (starfusion.parse, "arriba/fusions.tsv", "LeftBreakpoint"),
    (starfusion.parse, "fusioninspector/fusion_targets.A.txt", "not a STAR-Fusion"),
    (fusioncatcher.parse, "fusion-report/test_data/starfusion.tsv", "Fusion_point_for_gene_1"),
    (fusioncatcher.parse, "arriba/read1.fastq.gz", "not a FusionCatcher"),
    (starfusion.parse, "hamlet/bam/BCR_ABL1.bam", "not a text file"),
]


@pytest.mark.parametrize(("parse", "rel", "words"), WRONG_KIND, ids=[r for _, r, _ in WRONG_KIND])
def test_wrong_kind_of_file_names_file(parse: Parser, rel: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse(shared_path(rel), "S1")
    message = str(err.value)
    assert message.startswith(str(shared_path(rel)) + ":")
    assert words in message
    assert "\n" not in message


def test_random_text_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are\tnot fusions\nat all\there\n")
    for parse in (arriba.parse, starfusion.parse, fusioncatcher.parse):
        with pytest.raises(InputError, match="notes.txt: missing columns"):
            parse(path, "S1")
    with pytest.raises(InputError, match="nothere.tsv: file not found"):
        arriba.parse(tmp_path / "nothere.tsv", "S1")


def test_malformed_breakpoint_names_line(tmp_path: Path) -> None:
    lines = _lines("arriba/fusions.tsv")
    cells = lines[1].split("\t")
    cells[lines[0].split("\t").index("breakpoint1")] = "22-23632600"
    path = tmp_path / "bad.tsv"
    path.write_text(lines[0] + "\n" + "\t".join(cells) + "\n")
    with pytest.raises(InputError, match=r"bad.tsv: line 2: column breakpoint1"):
        arriba.parse(path, "S1")
