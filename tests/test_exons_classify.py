"""Exon numbering, reading frame and subtype rules on tiny GTFs built from real MANE coordinates.

The GTFs are written from resources/mane_exons.tsv (GRCh38, GENCODE v44 MANE transcripts). Each gene also
gets a non-canonical isoform that skips exon 2 and is listed before the MANE transcript, so picking the
first or an arbitrary transcript would shift every exon number. CDS segments are placed so that the
cumulative coding length matches the table's cds_start_phase/cds_end_phase at each exon.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from allfuse.classify import category_column, classify_sample
from allfuse.exons import annotate_exons
from allfuse.frame import reading_frame
from allfuse.gtf import Annotation
from allfuse.resources import load_resources, resolve_symbol

GTF_GENES = ["KMT2A", "AFF1", "AFDN", "BRD9", "NUTM1", "PAX5", "ETV6", "RUNX1", "TCF3", "PBX1", "BCR", "ABL1"]
MANE = {
    "KMT2A": "ENST00000534358.8",
    "AFF1": "ENST00000395146.9",
    "AFDN": "ENST00000683244.1",
    "BRD9": "ENST00000467963.6",
    "NUTM1": "ENST00000537011.6",
    "PAX5": "ENST00000358127.9",
    "ETV6": "ENST00000396373.9",
    "RUNX1": "ENST00000675419.1",
    "TCF3": "ENST00000262965.12",
    "PBX1": "ENST00000420696.7",
    "BCR": "ENST00000305877.13",
    "ABL1": "ENST00000318560.6",
}


@pytest.fixture(scope="module")
def res():
    return load_resources()


@pytest.fixture(scope="module")
def mane(res) -> pd.DataFrame:
    df = res.mane_exons.copy()
    for col in ("exon", "start_1based", "end", "length"):
        df[col] = df[col].astype(int)
    return df


def exon(mane: pd.DataFrame, gene: str, number: int) -> pd.Series:
    return mane[(mane["gene"] == gene) & (mane["exon"] == number)].iloc[0]


def exon_3p_end(mane: pd.DataFrame, gene: str, number: int) -> int:
    """Last base of an exon in transcript direction (the 5' partner's junction position)."""
    e = exon(mane, gene, number)
    return int(e["end"] if e["strand"] == "+" else e["start_1based"])


def exon_5p_start(mane: pd.DataFrame, gene: str, number: int) -> int:
    """First base of an exon in transcript direction (the 3' partner's junction position)."""
    e = exon(mane, gene, number)
    return int(e["start_1based"] if e["strand"] == "+" else e["end"])


# ---- GTF writer ----------------------------------------------------------------------------------
def _cds_segment(e: pd.Series, first: bool, last: bool) -> tuple[int, int] | None:
    """Genomic CDS span inside one exon whose length agrees with the table's start/end phases."""
    if e["cds_start_phase"] == "" or e["cds_end_phase"] == "":
        return None
    length = int(e["length"])
    if not (first or last):
        return int(e["start_1based"]), int(e["end"])
    want = (int(e["cds_end_phase"]) - int(e["cds_start_phase"])) % 3
    n = length - ((length - want) % 3) - (3 if length > 6 else 0)  # leave some UTR
    lo, hi = int(e["start_1based"]), int(e["end"])
    at_3p_end = first and not last  # first coding exon: CDS runs to the exon's 3' end
    if (e["strand"] == "+") == at_3p_end:
        return hi - n + 1, hi
    return lo, lo + n - 1


def _attrs(gene: str, gid: str, tid: str | None, tags: list[str], extra: str = "") -> str:
    out = f'gene_id "{gid}"; gene_name "{gene}"; gene_type "protein_coding";'
    if tid:
        out += f' transcript_id "{tid}"; transcript_type "protein_coding";'
    out += extra + "".join(f' tag "{t}";' for t in tags)
    return out


def gene_lines(mane: pd.DataFrame, gene: str, chr_prefix: bool, mane_tags: list[str]) -> list[str]:
    ex = mane[mane["gene"] == gene].sort_values("exon")
    chrom = ex["chrom"].iloc[0] if chr_prefix else ex["chrom"].iloc[0].removeprefix("chr")
    strand = ex["strand"].iloc[0]
    gid = f"ENSGTEST{gene}.1"
    lo, hi = int(ex["start_1based"].min()), int(ex["end"].max())

    def line(feature: str, start: int, end: int, attrs: str, frame: str = ".") -> str:
        return "\t".join([chrom, "TEST", feature, str(start), str(end), ".", strand, frame, attrs])

    out = [line("gene", lo, hi, _attrs(gene, gid, None, []))]
    coding = ex[ex["cds_start_phase"] != ""]["exon"].tolist()
    isoforms = [(f"ENSTTEST{gene}SKIP.1", ["basic"], ex[ex["exon"] != 2]), (MANE[gene], mane_tags, ex)]
    for tid, tags, exons in isoforms:
        out.append(line("transcript", lo, hi, _attrs(gene, gid, tid, tags)))
        for i, e in enumerate(exons.itertuples(index=False), start=1):
            attrs = _attrs(gene, gid, tid, tags, f" exon_number {i};")
            out.append(line("exon", e.start_1based, e.end, attrs))
            if tid != MANE[gene]:
                continue  # the skipping isoform needs no CDS for these tests
            seg = _cds_segment(pd.Series(e._asdict()), e.exon == coding[0], e.exon == coding[-1])
            if seg:
                phase = (3 - int(e.cds_start_phase)) % 3
                out.append(line("CDS", seg[0], seg[1], attrs, str(phase)))
    return out


def write_gtf(path: Path, mane: pd.DataFrame, chr_prefix: bool = True, tags: dict | None = None) -> Path:
    tags = tags or {}
    lines = ["##description: test GTF from MANE exons"]
    for gene in GTF_GENES:
        lines += gene_lines(
            mane, gene, chr_prefix, tags.get(gene, ["basic", "Ensembl_canonical", "MANE_Select"])
        )
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def ann(tmp_path_factory, mane) -> Annotation:
    return Annotation.from_gtf(write_gtf(tmp_path_factory.mktemp("gtf") / "test.gtf", mane))


def make_events(rows: list[dict]) -> pd.DataFrame:
    base = {
        "sample": "S1",
        "gene_id_5p": "",
        "gene_id_3p": "",
        "strand_5p": ".",
        "strand_3p": ".",
        "callers": "star_chimeric",
        "n_callers": 1,
        "junction_reads": 10,
        "spanning_frags": 5,
        "read_through": False,
    }
    out = []
    for i, row in enumerate(rows, start=1):
        r = {**base, "event_id": f"E{i}", **row}
        r["fusion"] = f"{r['gene_5p']}::{r['gene_3p']}"
        out.append(r)
    return pd.DataFrame(out)


def junction(mane, g5: str, e5: int, g3: str, e3: int, **extra) -> dict:
    c5 = exon(mane, g5, e5)["chrom"]
    c3 = exon(mane, g3, e3)["chrom"]
    return {
        "gene_5p": g5,
        "gene_3p": g3,
        "chrom_5p": c5,
        "pos_5p": exon_3p_end(mane, g5, e5),
        "chrom_3p": c3,
        "pos_3p": exon_5p_start(mane, g3, e3),
        **extra,
    }


# ---- exon numbering ------------------------------------------------------------------------------
def test_kmt2a_aff1_exons_on_mane(ann, res, mane):
    out = annotate_exons(make_events([junction(mane, "KMT2A", 9, "AFF1", 4)]), ann, res).iloc[0]
    assert out["transcript_5p"] == "ENST00000534358.8"
    assert out["transcript_3p"] == "ENST00000395146.9"
    assert out["transcript_source_5p"] == "canonical_table"
    assert out["transcript_source_3p"] == "canonical_table"
    assert out["exon_5p"] == 9 and out["exon_3p"] == 4
    assert pd.isna(out["intron_5p"]) and pd.isna(out["intron_3p"])
    assert bool(out["exon_boundary_5p"]) is True and bool(out["exon_boundary_3p"]) is True
    assert out["dist_to_exon_5p"] == 0 and out["dist_to_exon_3p"] == 0


@pytest.mark.parametrize(
    ("e5", "frame"), [(3, "in-frame"), (8, "out-of-frame"), (14, "in-frame")], ids=["ex3", "ex8", "ex14"]
)
def test_brd9_nutm1_exons_and_frame(ann, res, mane, e5, frame):
    ev = make_events([junction(mane, "BRD9", e5, "NUTM1", 3)])
    out = reading_frame(annotate_exons(ev, ann, res), ann).iloc[0]
    assert out["transcript_5p"] == "ENST00000467963.6"
    assert out["transcript_3p"] == "ENST00000537011.6"
    assert out["exon_5p"] == e5 and out["exon_3p"] == 3
    assert bool(out["exon_boundary_5p"]) and bool(out["exon_boundary_3p"])
    assert out["reading_frame"] == frame


def test_reading_frame_requires_exon_columns(ann, res, mane):
    """The frame is read on the exons annotate_exons chose; without them it says so, not recomputes."""
    ev = make_events([junction(mane, "BRD9", 3, "NUTM1", 3), junction(mane, "BRD9", 8, "NUTM1", 3)])
    with pytest.raises(
        ValueError, match="needs the exon columns.*missing: transcript_5p, transcript_source_5p"
    ):
        reading_frame(ev, ann)
    with pytest.raises(ValueError, match="missing: exon_3p$"):
        reading_frame(annotate_exons(ev, ann, res).drop(columns="exon_3p"), ann)
    annotated = annotate_exons(ev, ann, res)
    assert reading_frame(annotated, ann)["reading_frame"].tolist() == ["in-frame", "out-of-frame"]


def test_pax5_etv6_minus_strand(ann, res, mane):
    out = reading_frame(annotate_exons(make_events([junction(mane, "PAX5", 4, "ETV6", 3)]), ann, res), ann)
    row = out.iloc[0]
    assert row["transcript_5p"] == "ENST00000358127.9" and row["exon_5p"] == 4
    assert row["transcript_3p"] == "ENST00000396373.9" and row["exon_3p"] == 3
    assert bool(row["exon_boundary_5p"]) and bool(row["exon_boundary_3p"])
    assert row["reading_frame"] == "in-frame"  # PAX5 ex4 ends phase 1, ETV6 ex3 starts phase 1


@pytest.mark.parametrize(
    ("g5", "e5", "g3", "e3"),
    [("ETV6", 5, "RUNX1", 3), ("TCF3", 16, "PBX1", 3), ("BCR", 13, "ABL1", 2), ("BCR", 14, "ABL1", 2)],
)
def test_classic_junctions_in_frame(ann, res, mane, g5, e5, g3, e3):
    out = reading_frame(annotate_exons(make_events([junction(mane, g5, e5, g3, e3)]), ann, res), ann)
    row = out.iloc[0]
    assert (row["transcript_5p"], row["exon_5p"]) == (MANE[g5], e5)
    assert (row["transcript_3p"], row["exon_3p"]) == (MANE[g3], e3)
    assert row["reading_frame"] == "in-frame"


def test_breakpoint_inside_exon_is_not_a_boundary(ann, res, mane):
    row = junction(mane, "KMT2A", 9, "AFF1", 4)
    row["pos_5p"] -= 10
    row["pos_3p"] += 10
    out = annotate_exons(make_events([row]), ann, res).iloc[0]
    assert out["exon_5p"] == 9 and out["exon_3p"] == 4
    assert bool(out["exon_boundary_5p"]) is False and bool(out["exon_boundary_3p"]) is False


def test_kmt2a_intron9(ann, res, mane):
    e9_end = int(exon(mane, "KMT2A", 9)["end"])
    e10_start = int(exon(mane, "KMT2A", 10)["start_1based"])
    near9 = junction(mane, "KMT2A", 9, "AFF1", 4, pos_5p=e9_end + 100)
    near10 = junction(mane, "KMT2A", 9, "AFF1", 4, pos_5p=e10_start - 30)
    out = reading_frame(annotate_exons(make_events([near9, near10]), ann, res), ann)
    assert out["intron_5p"].tolist() == [9, 9]
    assert out["exon_5p"].isna().all()
    assert out["dist_to_exon_5p"].tolist() == [100, -30]
    assert out["exon_boundary_5p"].tolist() == [False, False]
    assert out["reading_frame"].tolist() == ["intronic breakpoint"] * 2


def test_minus_strand_intron(ann, res, mane):
    # BRD9 is on the minus strand: 50 bases below exon 3's lowest coordinate is 50 bases into intron 3
    pos = int(exon(mane, "BRD9", 3)["start_1based"]) - 50
    out = annotate_exons(make_events([junction(mane, "BRD9", 3, "NUTM1", 3, pos_5p=pos)]), ann, res).iloc[0]
    assert pd.isna(out["exon_5p"]) and out["intron_5p"] == 3 and out["dist_to_exon_5p"] == 50


@pytest.mark.parametrize("gtf_chr", [True, False], ids=["gtf-chr", "gtf-nochr"])
@pytest.mark.parametrize("caller_chr", [True, False], ids=["caller-chr", "caller-nochr"])
def test_contig_names_reconciled(tmp_path, res, mane, gtf_chr, caller_chr):
    ann = Annotation.from_gtf(write_gtf(tmp_path / "t.gtf", mane, chr_prefix=gtf_chr))
    row = junction(mane, "KMT2A", 9, "AFF1", 4)
    if not caller_chr:
        row["chrom_5p"], row["chrom_3p"] = "11", "4"
    out = annotate_exons(make_events([row]), ann, res).iloc[0]
    assert (out["exon_5p"], out["exon_3p"]) == (9, 4)


def test_old_symbols_resolve(ann, res, mane):
    assert resolve_symbol("mll", res) == "KMT2A"
    assert [res.resolve_symbol(s) for s in ("AF4", "ENL", "AF9", "AF10", "MLLT4", "AF6", "SEPT6")] == [
        "AFF1",
        "MLLT1",
        "MLLT3",
        "MLLT10",
        "AFDN",
        "AFDN",
        "SEPTIN6",
    ]
    assert res.resolve_symbol("SEPT2") == "SEPTIN2"  # its own gene, not the SEPTIN6 alias
    assert res.resolve_symbol("SEPTIN2") == "SEPTIN2"
    assert res.resolve_symbol("NOTAGENE") == "NOTAGENE"
    rows = [
        junction(mane, "KMT2A", 9, "AFF1", 4, gene_5p="MLL", gene_3p="AF4"),
        junction(mane, "KMT2A", 11, "AFDN", 2, gene_5p="MLL", gene_3p="MLLT4"),
    ]
    out = annotate_exons(make_events(rows), ann, res)
    assert out["transcript_5p"].tolist() == [MANE["KMT2A"]] * 2
    assert out["transcript_3p"].tolist() == [MANE["AFF1"], MANE["AFDN"]]
    assert out["exon_5p"].tolist() == [9, 11] and out["exon_3p"].tolist() == [4, 2]


def test_fallback_to_gtf_tags(tmp_path, mane):
    res = load_resources()
    can = res.canonical.copy()
    can.loc[can["gene"] == "KMT2A", "ensembl"] = "ENST00000000001.1"  # not in the GTF
    can.loc[can["gene"] == "AFF1", "ensembl"] = "ENST00000000002.1"
    res = type(res)(can, res.aliases, res.kmt2a_partners, res.subtype_rules, res.mane_exons, res.root)
    tags = {"AFF1": ["basic", "Ensembl_canonical"]}  # no MANE_Select tag: next fallback
    ann = Annotation.from_gtf(write_gtf(tmp_path / "t.gtf", mane, tags=tags))
    rows = [
        junction(mane, "KMT2A", 9, "AFF1", 4),
        {**junction(mane, "KMT2A", 9, "AFF1", 4), "gene_3p": "NOPE"},
    ]
    out = annotate_exons(make_events(rows), ann, res)
    assert out["transcript_5p"].tolist() == [MANE["KMT2A"]] * 2
    assert out["transcript_source_5p"].tolist() == ["MANE_Select_tag"] * 2
    assert out["transcript_3p"].tolist() == [MANE["AFF1"], ""]
    assert out["transcript_source_3p"].tolist() == ["Ensembl_canonical", "none"]
    assert out["exon_5p"].tolist() == [9, 9]
    assert out["exon_3p"].iloc[0] == 4 and pd.isna(out["exon_3p"].iloc[1])
    assert reading_frame(out, ann)["reading_frame"].tolist()[1] == "no canonical transcript"


def test_5p_utr_breakpoint(ann, res, mane):
    # the first KMT2A exon starts with UTR in the test GTF (as in GENCODE)
    row = junction(mane, "KMT2A", 9, "AFF1", 4, pos_5p=int(exon(mane, "KMT2A", 1)["start_1based"]))
    assert (
        reading_frame(annotate_exons(make_events([row]), ann, res), ann)["reading_frame"].iloc[0]
        == "5' breakpoint in UTR"
    )


# ---- classification ------------------------------------------------------------------------------
def fusion(g5: str, g3: str, jr: int = 10, sf: int = 5, **extra) -> dict:
    return {
        "gene_5p": g5,
        "gene_3p": g3,
        "chrom_5p": "chr1",
        "pos_5p": 1000,
        "chrom_3p": "chr2",
        "pos_3p": 2000,
        "junction_reads": jr,
        "spanning_frags": sf,
        **extra,
    }


def classify(res, *rows: dict) -> dict:
    return classify_sample("S1", make_events(list(rows)), res)


def test_kmt2a_aff1_with_reciprocal(res):
    got = classify(res, fusion("KMT2A", "AFF1", 20, 4), fusion("AFF1", "KMT2A", 30, 6))
    assert (got["group"], got["subtype"], got["partner"]) == ("KMT2A-r", "KMT2A-r", "AFF1")
    assert got["driver_fusion"] == "KMT2A::AFF1" and got["rule"] == "KMT2A_PARTNER"
    assert (got["junction_reads"], got["spanning_frags"]) == (20, 4)
    assert got["reciprocal_fusion"] == "AFF1::KMT2A"
    assert got["other_defining_fusions"] == []
    assert got["flags"] == []


def test_reciprocal_alone(res):
    got = classify(res, fusion("AFF1", "KMT2A"))
    assert (got["group"], got["subtype"], got["partner"]) == ("KMT2A-r", "KMT2A-r", "AFF1")
    assert got["driver_fusion"] == "AFF1::KMT2A" and got["rule"] == "KMT2A_RECIPROCAL"


def test_old_symbols_classify(res):
    got = classify(res, fusion("MLL", "AF4"))
    assert (got["subtype"], got["partner"], got["driver_fusion"]) == ("KMT2A-r", "AFF1", "KMT2A::AFF1")


def test_kmt2a_ptd_is_not_kmt2a_r(res):
    got = classify(res, fusion("KMT2A", "KMT2A"))
    assert (got["group"], got["subtype"], got["partner"]) == ("KMT2A-wt", "none", "")
    assert got["flags"] == ["KMT2A-PTD"] and got["other_defining_fusions"] == []


def test_brd9_nutm1(res):
    got = classify(res, fusion("BRD9", "NUTM1"))
    assert (got["group"], got["subtype"], got["partner"]) == ("KMT2A-wt", "NUTM1-r", "BRD9")
    assert got["driver_fusion"] == "BRD9::NUTM1" and got["rule"] == "NUTM1_ANY"


def test_pax5_etv6(res):
    got = classify(res, fusion("PAX5", "ETV6"))
    assert (got["group"], got["subtype"], got["partner"]) == ("KMT2A-wt", "PAX5-r", "ETV6")
    assert got["flags"] == []


def test_pax5_jak2_flagged(res):
    got = classify(res, fusion("PAX5", "JAK2"))
    assert (got["subtype"], got["partner"], got["rule"]) == ("PAX5-r", "JAK2", "PAX5_JAK2")
    assert got["flags"] == ["JAK-STAT/Ph-like"]


def test_bcr_abl1(res):
    got = classify(res, fusion("BCR", "ABL1"))
    assert (got["group"], got["subtype"], got["rule"]) == ("KMT2A-wt", "BCR::ABL1", "BCR_ABL1")


def test_kmt2a_wins_over_other_defining(res):
    got = classify(res, fusion("ETV6", "RUNX1", 100, 50), fusion("KMT2A", "MLLT3", 5, 1))
    assert (got["group"], got["subtype"], got["partner"]) == ("KMT2A-r", "KMT2A-r", "MLLT3")
    assert got["driver_fusion"] == "KMT2A::MLLT3"
    assert got["other_defining_fusions"] == ["ETV6::RUNX1"]


def test_best_supported_event_drives_within_priority(res):
    got = classify(res, fusion("KMT2A", "MLLT3", 5, 1), fusion("KMT2A", "AFF1", 40, 2))
    assert got["driver_fusion"] == "KMT2A::AFF1" and got["other_defining_fusions"] == ["KMT2A::MLLT3"]


def test_read_through_only(res):
    got = classify(res, fusion("KMT2A", "AFF1", read_through=True))
    assert (got["group"], got["subtype"], got["driver_fusion"], got["rule"]) == ("KMT2A-wt", "none", "", "")
    assert got["other_defining_fusions"] == [] and got["flags"] == []


def test_driver_details_come_from_annotated_event(ann, res, mane):
    ev = reading_frame(annotate_exons(make_events([junction(mane, "BRD9", 14, "NUTM1", 3)]), ann, res), ann)
    got = classify_sample("S1", ev, res)
    assert (got["transcript_5p"], got["exon_5p"], got["intron_5p"]) == (MANE["BRD9"], 14, "")
    assert (got["transcript_3p"], got["exon_3p"], got["reading_frame"]) == (MANE["NUTM1"], 3, "in-frame")
    assert got["callers"] == "star_chimeric"


def test_category_column(res):
    ev = make_events(
        [
            fusion("KMT2A", "AFF1"),
            fusion("KMT2A", "KMT2A"),
            fusion("BRD9", "NUTM1"),
            fusion("GENEA", "GENEB"),
            fusion("PAX5", "ETV6", read_through=True),
        ]
    )
    assert category_column(ev, res).tolist() == ["KMT2A-r", "KMT2A-PTD", "NUTM1-r", "other", "other"]
