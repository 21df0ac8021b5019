"""One confidence tier per event from its callers together, and Arriba's/STAR-Fusion's own evidence.

The rule is resources/confidence_tiers.tsv (first matching row wins): high when two or more callers
agree at the breakpoint, or Arriba's own confidence is high, with at least 5 fragments; low for one
caller with fewer than 5 fragments, or Arriba alone saying low; medium otherwise. The tier is shown
(fusions.tsv, classification.json, cohort.tsv, both reports) and never changes a sample's group, subtype or
driver; its one effect on the status (a high-tier driver is reported despite a failed QC gate) is tested in
test_status_qc.py.

Inputs are built here: calls tables in the declared schema, Arriba 2.5 and STAR-Fusion 1.15 files at
GRCh38 KMT2A exon 9 :: MLLT10 exon 6 (the demo's INF10 call, 2 junction reads + 1 spanning fragment,
moved onto the MANE Select coordinates of resources/), and the session's simulated pipeline run.
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import BIN, REPO, read_tsv
from test_report import parse_html

from allfuse.artefacts import flag_artefacts
from allfuse.callers.arriba import HEADER as ARRIBA_HEADER
from allfuse.calls import empty_calls, finish_calls
from allfuse.classify import classify_sample
from allfuse.errors import InputError
from allfuse.merge import load_tier_rules, merge_calls, tier_of
from allfuse.resources import load_resources
from allfuse.tables import CALLER_EVIDENCE_COLUMNS, EVENT_COLUMNS, FUSIONS_COLUMNS, TIERS

# GRCh38 MANE Select (resources/mane_exons.tsv): last base of KMT2A exon 9, first base of MLLT10 exon 6.
KMT2A_E9_END = 118484314
MLLT10_E6_START = 21612348
KMT2A_ID, MLLT10_ID = "ENSG00000118058.26", "ENSG00000078403.19"


# ---- constructed calls tables -----------------------------------------------------------------------
def call(caller: str, jr: int, sf: int, g5: str = "KMT2A", g3: str = "MLLT10", **extra) -> pd.DataFrame:
    """One call of ``caller`` in the declared calls schema (KMT2A exon 9 :: MLLT10 exon 6 by default)."""
    row = {
        "gene_5p": g5,
        "gene_3p": g3,
        "chrom_5p": "chr11",
        "pos_5p": KMT2A_E9_END,
        "strand_5p": "+",
        "chrom_3p": "chr10",
        "pos_3p": MLLT10_E6_START,
        "strand_3p": "+",
        "junction_reads": jr,
        "spanning_frags": sf,
        **extra,
    }
    return finish_calls(pd.DataFrame([row]), "S", caller)


def arriba_call(jr: int, sf: int, confidence: str, **extra) -> pd.DataFrame:
    return call(
        "arriba",
        jr,
        sf,
        caller_confidence=confidence,
        caller_filters=extra.pop("filters", "."),
        orig_confidence=confidence,
        orig_reading_frame=extra.pop("reading_frame", "."),
        **extra,
    )


def starfusion_call(jr: int, sf: int, ffpm: str = "149.9775", **extra) -> pd.DataFrame:
    return call(
        "starfusion",
        jr,
        sf,
        caller_confidence=ffpm,
        site_5p="ONLY_REF_SPLICE",
        site_3p="ONLY_REF_SPLICE",
        orig_FFPM=ffpm,
        orig_SpliceType="ONLY_REF_SPLICE",
        orig_annots="INTERCHROMOSOMAL[chr11--chr10]",
        **extra,
    )


def merged(*tables: pd.DataFrame) -> pd.DataFrame:
    return merge_calls(pd.concat(tables, ignore_index=True), "S")


def test_two_callers_agreeing_is_high() -> None:
    ev = merged(call("star_chimeric", 10, 3), call("pizzly", 8, 3))
    assert len(ev) == 1
    e = ev.iloc[0]
    assert (e.callers, e.n_callers, e.junction_reads, e.spanning_frags) == ("pizzly,star_chimeric", 2, 10, 3)
    assert e.tier == "high"


def test_single_caller_with_three_fragments_is_low() -> None:
    e = merged(call("star_chimeric", 2, 1)).iloc[0]
    assert (e.n_callers, e.junction_reads + e.spanning_frags, e.tier) == (1, 3, "low")


def test_single_caller_with_enough_fragments_is_medium() -> None:
    e = merged(call("star_chimeric", 12, 3)).iloc[0]
    assert (e.n_callers, e.tier) == (1, "medium")


def test_four_callers_on_three_fragments_is_medium() -> None:
    """The demo's INF10 KMT2A::MLLT10: every caller reports it, but from 3 fragments (2 + 1): agreement
    confirms the junction, it does not multiply the reads."""
    ev = merged(
        call("star_chimeric", 2, 1),
        arriba_call(2, 1, "low"),
        starfusion_call(2, 1),
        call("pizzly", 1, 1),
    )
    assert len(ev) == 1
    e = ev.iloc[0]
    assert (e.n_callers, e.junction_reads, e.spanning_frags, e.tier) == (4, 2, 1, "medium")
    assert {c: e[c] for c in CALLER_EVIDENCE_COLUMNS} == {
        "arriba_confidence": "low",
        "arriba_reading_frame": ".",
        "arriba_filters": ".",
        "starfusion_ffpm": "149.9775",
        "starfusion_splice_type": "ONLY_REF_SPLICE",
        "starfusion_annots": "INTERCHROMOSOMAL[chr11--chr10]",
    }


def test_arriba_alone_high_is_high_low_is_low() -> None:
    high = merged(arriba_call(20, 5, "high", reading_frame="in-frame", filters="duplicates(2)")).iloc[0]
    assert (high.n_callers, high.tier) == (1, "high")
    assert (high.arriba_confidence, high.arriba_reading_frame, high.arriba_filters) == (
        "high",
        "in-frame",
        "duplicates(2)",
    )
    assert (high.starfusion_ffpm, high.starfusion_splice_type, high.starfusion_annots) == (".", ".", ".")
    # 35 fragments, but Arriba says low and no other caller agrees.
    low = merged(arriba_call(30, 5, "low")).iloc[0]
    assert (low.n_callers, low.tier) == (1, "low")


def test_arriba_low_with_an_agreeing_caller_is_high() -> None:
    e = merged(arriba_call(17, 5, "low"), starfusion_call(17, 5, ffpm="1098.3525")).iloc[0]
    assert (e.callers, e.tier, e.arriba_confidence, e.starfusion_ffpm) == (
        "arriba,starfusion",
        "high",
        "low",
        "1098.3525",
    )


def test_evidence_is_dot_for_callers_that_did_not_call() -> None:
    e = merged(call("star_chimeric", 18, 6), call("pizzly", 14, 7)).iloc[0]
    assert [e[c] for c in CALLER_EVIDENCE_COLUMNS] == ["."] * 6
    assert e.tier == "high"


def test_each_event_gets_its_own_tier() -> None:
    """Two breakpoint pairs of one gene pair: two events, two tiers."""
    other = call("star_chimeric", 2, 1, pos_5p=KMT2A_E9_END + 5000)
    ev = merged(call("star_chimeric", 12, 3), call("pizzly", 10, 3), other)
    assert ev[["event_id", "n_callers", "tier"]].values.tolist() == [["S.E1", 2, "high"], ["S.E2", 1, "low"]]


def test_empty_calls_give_the_declared_columns() -> None:
    ev = merge_calls(empty_calls(), "S")
    assert list(ev.columns) == EVENT_COLUMNS and "tier" in ev.columns


def test_artefact_gets_a_tier_and_stays_an_artefact() -> None:
    mt = call("star_chimeric", 2, 1, g5="MT-CO1", g3="MT-ND1", chrom_5p="chrM", chrom_3p="chrM", pos_3p=4000)
    ev = flag_artefacts(merged(mt))
    e = ev.iloc[0]
    assert (e.fusion, e.tier, e.artefact, e.artefact_reason) == (
        "MT-CO1::MT-ND1",
        "low",
        True,
        "mitochondrial",
    )


# ---- the rule itself ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n_callers", "fragments", "arriba", "tier"),
    [
        (2, 5, ".", "high"),  # two callers, 5 fragments
        (4, 55, "medium", "high"),
        (2, 55, "low", "high"),  # another caller agrees: Arriba's low does not pull it down
        (1, 5, "high", "high"),  # Arriba's own high
        (2, 4, ".", "medium"),  # agreement on too few fragments
        (4, 3, "low", "medium"),  # INF10
        (1, 4, "high", "medium"),  # Arriba high on too few fragments
        (1, 5, ".", "medium"),  # one caller, enough fragments
        (1, 55, "medium", "medium"),
        (1, 3, ".", "low"),  # one caller, 3 fragments
        (1, 4, "medium", "low"),
        (1, 55, "low", "low"),  # Arriba alone says low
        (1, 0, ".", "low"),
    ],
)
def test_tier_rule(n_callers: int, fragments: int, arriba: str, tier: str) -> None:
    assert tier_of(n_callers, fragments, arriba, load_tier_rules()) == tier


def test_rule_table_is_sourced_and_ends_in_a_catch_all() -> None:
    with open(REPO / "resources" / "confidence_tiers.tsv") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert [r["rule_id"] for r in rows] == [
        "AGREEMENT",
        "ARRIBA_HIGH",
        "ARRIBA_HIGH_FEW_READS",
        "FEW_READS_ONE_CALLER",
        "ARRIBA_LOW_ONE_CALLER",
        "OTHERWISE",
    ]
    assert all(r["tier"] in TIERS and r["source"].strip() and r["rationale"].strip() for r in rows)
    assert {r["tier"] for r in rows} == set(TIERS)
    rules = load_tier_rules()
    assert [r.rule_id for r in rules] == [r["rule_id"] for r in rows]
    assert (rules[-1].tier, rules[-1].arriba_confidence) == ("medium", None)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("BAD\tsure\t*\t*\t*\tr\ts", "rule 'BAD': tier 'sure' is not one of high, medium, low"),
        ("BAD\thigh\ttwo\t*\t*\tr\ts", "rule 'BAD': n_callers 'two' is not"),
        ("BAD\thigh\t>=2\t*\t\tr\ts", "rule 'BAD': arriba_confidence is empty"),
        ("LAST\tlow\t1\t*\t*\tr\ts", "the last rule must match every event"),
    ],
)
def test_bad_rule_table_is_one_error(tmp_path: Path, row: str, message: str) -> None:
    header = "rule_id\ttier\tn_callers\tfragments\tarriba_confidence\trationale\tsource\n"
    (tmp_path / "confidence_tiers.tsv").write_text(header + row + "\n")
    with pytest.raises(InputError, match=message) as err:
        load_tier_rules(tmp_path)
    assert str(tmp_path / "confidence_tiers.tsv") in str(err.value)


# ---- classification: tiers reported, never deciding ----------------------------------------------
def events_table(*rows: dict) -> pd.DataFrame:
    out = []
    for i, r in enumerate(rows, start=1):
        out.append(
            {
                "sample": "S",
                "event_id": f"S.E{i}",
                "gene_id_5p": "",
                "gene_id_3p": "",
                "callers": "star_chimeric",
                "n_callers": 1,
                "read_through": False,
                "artefact": False,
                "fusion": f"{r['gene_5p']}::{r['gene_3p']}",
                **r,
            }
        )
    return pd.DataFrame(out)


def test_classification_reports_every_defining_tier() -> None:
    res = load_resources()
    ev = events_table(
        {"gene_5p": "KMT2A", "gene_3p": "AFF1", "junction_reads": 35, "spanning_frags": 20, "tier": "high"},
        {"gene_5p": "AFF1", "gene_3p": "KMT2A", "junction_reads": 2, "spanning_frags": 1, "tier": "low"},
        {"gene_5p": "ETV6", "gene_3p": "RUNX1", "junction_reads": 9, "spanning_frags": 1, "tier": "medium"},
    )
    cls = classify_sample("S", ev, res)
    assert (cls["driver_fusion"], cls["driver_tier"]) == ("KMT2A::AFF1", "high")
    assert (cls["reciprocal_fusion"], cls["reciprocal_tier"]) == ("AFF1::KMT2A", "low")
    assert (cls["other_defining_fusions"], cls["other_defining_tiers"]) == (["ETV6::RUNX1"], ["medium"])


@pytest.mark.parametrize("tier", TIERS)
def test_tier_never_changes_the_answer(tier: str) -> None:
    res = load_resources()
    row = {"gene_5p": "KMT2A", "gene_3p": "MLLT10", "junction_reads": 2, "spanning_frags": 1}
    base = classify_sample("S", events_table(row), res)
    cls = classify_sample("S", events_table({**row, "tier": tier}), res)
    assert cls["driver_tier"] == tier and base["driver_tier"] == ""
    assert {k: v for k, v in cls.items() if k != "driver_tier"} == {
        k: v for k, v in base.items() if k != "driver_tier"
    }
    assert (cls["status"], cls["group"], cls["subtype"]) == ("fusion detected", "KMT2A-r", "KMT2A-r")


def test_no_driver_no_tier() -> None:
    cls = classify_sample("S", events_table({"gene_5p": "A", "gene_3p": "B", "junction_reads": 50,
                                             "spanning_frags": 9, "tier": "high"}), load_resources())  # fmt: skip
    assert (cls["status"], cls["driver_tier"], cls["reciprocal_tier"], cls["other_defining_tiers"]) == (
        "no defining fusion detected",
        "",
        "",
        [],
    )


# ---- real caller layouts through allfuse annotate, cohort and the reports -------------------------
def mane_gtf(path: Path, genes: list[str]) -> Path:
    """GENCODE-style gene/transcript/exon lines of the MANE Select transcripts of resources/."""
    with open(REPO / "resources" / "mane_exons.tsv") as fh:
        exons = list(csv.DictReader(fh, delimiter="\t"))
    with open(REPO / "resources" / "mane_transcripts.tsv") as fh:
        tx = {r["gene"]: r for r in csv.DictReader(fh, delimiter="\t")}
    lines = []
    for gene in genes:
        t, mine = tx[gene], [r for r in exons if r["gene"] == gene]
        attrs = f'gene_id "{t["ensembl_gene"]}"; gene_type "protein_coding"; gene_name "{gene}";'
        lines.append(
            (t["chrom"], "gene", t["gene_start_gencode44"], t["gene_end_gencode44"], t["strand"], attrs)
        )
        attrs += f' transcript_id "{t["ensembl"]}"; transcript_type "protein_coding"; tag "MANE_Select";'
        start, end = min(int(r["start_1based"]) for r in mine), max(int(r["end"]) for r in mine)
        lines.append((t["chrom"], "transcript", start, end, t["strand"], attrs))
        for r in mine:
            lines.append(
                (
                    t["chrom"],
                    "exon",
                    r["start_1based"],
                    r["end"],
                    t["strand"],
                    f"{attrs} exon_number {r['exon']};",
                )
            )
    path.write_text("".join(f"{c}\tHAVANA\t{f}\t{s}\t{e}\t.\t{st}\t.\t{a}\n" for c, f, s, e, st, a in lines))
    return path


def arriba_file(path: Path, split1: int, split2: int, discordant: int, confidence: str) -> Path:
    """Arriba 2.5.1's fusions.tsv with one KMT2A::MLLT10 record, as Arriba writes it for the demo's INF10."""
    names = ARRIBA_HEADER.removeprefix("#").split("\t")
    row = dict.fromkeys(names, ".")
    row.update(
        {
            "gene1": "KMT2A",
            "gene2": "MLLT10",
            "strand1(gene/fusion)": "+/+",
            "strand2(gene/fusion)": "+/+",
            "breakpoint1": f"chr11:{KMT2A_E9_END}",
            "breakpoint2": f"chr10:{MLLT10_E6_START}",
            "site1": "CDS/splice-site",
            "site2": "CDS/splice-site",
            "type": "translocation",
            "split_reads1": str(split1),
            "split_reads2": str(split2),
            "discordant_mates": str(discordant),
            "coverage1": "12",
            "coverage2": "39",
            "confidence": confidence,
            "reading_frame": "in-frame",
            "tags": "allfuse:KMT2A-r",
            "gene_id1": KMT2A_ID,
            "gene_id2": MLLT10_ID,
            "transcript_id1": "ENST00000534358.8",
            "transcript_id2": "ENST00000307729.12",
            "direction1": "downstream",
            "direction2": "upstream",
            "filters": "duplicates(1)",
        }
    )
    path.write_text(ARRIBA_HEADER + "\n" + "\t".join(row[n] for n in names) + "\n")
    return path


STARFUSION_HEADER = (
    "#FusionName\tJunctionReadCount\tSpanningFragCount\test_J\test_S\tSpliceType\tLeftGene\tLeftBreakpoint"
    "\tRightGene\tRightBreakpoint\tLargeAnchorSupport\tFFPM\tLeftBreakDinuc\tLeftBreakEntropy\tRightBreakDinuc"
    "\tRightBreakEntropy\tannots"
)


def starfusion_file(path: Path, junction: int, spanning: int) -> Path:
    """STAR-Fusion 1.15.1's fusion_predictions.abridged.tsv with one KMT2A--MLLT10 record."""
    row = [
        "KMT2A--MLLT10", str(junction), str(spanning), f"{junction}.00", f"{spanning}.00", "ONLY_REF_SPLICE",
        f"KMT2A^{KMT2A_ID}", f"chr11:{KMT2A_E9_END}:+", f"MLLT10^{MLLT10_ID}", f"chr10:{MLLT10_E6_START}:+",
        "YES_LDAS", "149.9775", "GT", "1.5656", "AG", "1.9219", '["INTERCHROMOSOMAL[chr11--chr10]"]',
    ]  # fmt: skip
    path.write_text(STARFUSION_HEADER + "\n" + "\t".join(row) + "\n")
    return path


def qc_file(path: Path, sample: str) -> Path:
    path.write_text(
        "sample\tinput_read_pairs\tuniquely_mapped_pct\tchimeric_pct\tchimeric_reads\tqc_pass\tqc_reason"
        f"\tmin_input_pairs\tmin_uniquely_mapped_pct\n{sample}\t20003\t99.97\t0.01\t3\tTrue\t\t1000\t30\n"
    )
    return path


def allfuse(*args: str | Path) -> str:
    proc = subprocess.run(
        [str(BIN / "allfuse"), *map(str, args)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def kmt2a_mllt10(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three samples through allfuse annotate, cohort, report and cohort-report: K2 Arriba + STAR-Fusion
    on 3 fragments, K1 Arriba alone on 3 fragments (Arriba: low), KH Arriba alone on 40 (Arriba: high)."""
    base = tmp_path_factory.mktemp("tier")
    gtf = mane_gtf(base / "genes.gtf", ["KMT2A", "MLLT10"])
    results = base / "results"
    inputs = {
        "K2": [
            "--arriba", arriba_file(base / "k2_arriba.tsv", 2, 0, 1, "low"),
            "--starfusion", starfusion_file(base / "k2_sf.tsv", 2, 1),
        ],
        "K1": ["--arriba", arriba_file(base / "k1_arriba.tsv", 2, 0, 1, "low")],
        "KH": ["--arriba", arriba_file(base / "kh_arriba.tsv", 20, 12, 8, "high")],
    }  # fmt: skip
    for sample, callers in inputs.items():
        qc = qc_file(base / f"{sample}_qc.tsv", sample)
        (results / sample).mkdir(parents=True)
        (results / sample / "qc.tsv").write_text(qc.read_text())
        allfuse(
            "annotate", "--sample", sample, "--gtf", gtf, "--outdir", results / sample, "--qc", qc, *callers
        )
        allfuse("report", "--sample-dir", results / sample, "--out", results / sample / "report.html")
    allfuse("cohort", "--results", results, "--samples", *inputs, "--out", results / "cohort.tsv")
    allfuse("cohort-report", "--results", results, "--samples", *inputs, "--out", results / "cohort.html")
    return results


def test_real_layouts_fusions_tsv(kmt2a_mllt10: Path) -> None:
    want = {
        # sample: (callers, n_callers, junction_reads, spanning_frags, tier)
        "K2": ("arriba,starfusion", "2", "2", "1", "medium"),
        "K1": ("arriba", "1", "2", "1", "low"),
        "KH": ("arriba", "1", "32", "8", "high"),
    }
    for sample, expected in want.items():
        ev = read_tsv(kmt2a_mllt10 / sample / "fusions.tsv")
        assert list(ev.columns) == FUSIONS_COLUMNS
        assert len(ev) == 1
        e = ev.iloc[0]
        assert (e.fusion, e.exon_5p, e.exon_3p, e.category) == ("KMT2A::MLLT10", "9", "6", "KMT2A-r")
        assert (e.callers, e.n_callers, e.junction_reads, e.spanning_frags, e.tier) == expected, sample
        assert (e.arriba_reading_frame, e.arriba_filters) == ("in-frame", "duplicates(1)")
    k2 = read_tsv(kmt2a_mllt10 / "K2" / "fusions.tsv").iloc[0]
    assert {c: k2[c] for c in CALLER_EVIDENCE_COLUMNS} == {
        "arriba_confidence": "low",
        "arriba_reading_frame": "in-frame",
        "arriba_filters": "duplicates(1)",
        "starfusion_ffpm": "149.9775",
        "starfusion_splice_type": "ONLY_REF_SPLICE",
        "starfusion_annots": '["INTERCHROMOSOMAL[chr11--chr10]"]',
    }
    k1 = read_tsv(kmt2a_mllt10 / "K1" / "fusions.tsv").iloc[0]
    assert (k1.arriba_confidence, k1.starfusion_ffpm, k1.starfusion_splice_type) == ("low", ".", ".")


def test_real_layouts_classification_and_cohort(kmt2a_mllt10: Path) -> None:
    tiers = {"K2": "medium", "K1": "low", "KH": "high"}
    for sample, tier in tiers.items():
        cls = json.loads((kmt2a_mllt10 / sample / "classification.json").read_text())
        # Whatever the tier: the same answer.
        assert (cls["status"], cls["group"], cls["subtype"], cls["driver_fusion"]) == (
            "fusion detected",
            "KMT2A-r",
            "KMT2A-r",
            "KMT2A::MLLT10",
        )
        assert (cls["driver_tier"], cls["reciprocal_tier"], cls["other_defining_tiers"]) == (tier, "", [])
    cohort = read_tsv(kmt2a_mllt10 / "cohort.tsv")
    assert cohort[["sample", "driver_tier", "best_event_tier", "subtype"]].values.tolist() == [
        ["K2", "medium", "medium", "KMT2A-r"],
        ["K1", "low", "low", "KMT2A-r"],
        ["KH", "high", "high", "KMT2A-r"],
    ]


def test_real_layouts_sample_report(kmt2a_mllt10: Path) -> None:
    doc = parse_html((kmt2a_mllt10 / "K2" / "report.html").read_text())
    assert " ".join(doc.one(data_field="tier").text().split()) == "medium (2 callers, 3 fragments)"
    row = doc.one(id="evidence-table").one("tr", data_role="driver")
    assert row.attrs["data-fusion"] == "KMT2A::MLLT10"
    assert row.one("td", data_tier="medium").text() == "medium (2 callers, 3 fragments)"
    evidence = {
        td.attrs["data-evidence"]: td.text() for td in row.find_all("td") if "data-evidence" in td.attrs
    }
    assert evidence == {
        "arriba_confidence": "low",
        "arriba_reading_frame": "in-frame",
        "arriba_filters": "duplicates(1)",
        "starfusion_ffpm": "149.9775",
        "starfusion_splice_type": "ONLY_REF_SPLICE",
        "starfusion_annots": "INTERCHROMOSOMAL[chr11--chr10]",
    }
    events = doc.one(id="events-table").find_all("tr")[1:]
    assert [(r.attrs["data-event"], r.one("td", data_tier="medium").text()) for r in events] == [
        ("K2.E1", "medium")
    ]
    # Arriba alone: STAR-Fusion did not run on K1, so it has no columns there.
    k1 = parse_html((kmt2a_mllt10 / "K1" / "report.html").read_text())
    k1_row = k1.one(id="evidence-table").one("tr", data_role="driver")
    assert [td.attrs["data-evidence"] for td in k1_row.find_all("td") if "data-evidence" in td.attrs] == [
        "arriba_confidence",
        "arriba_reading_frame",
        "arriba_filters",
    ]
    assert " ".join(k1.one(data_field="tier").text().split()) == "low (1 caller, 3 fragments)"


def test_real_layouts_cohort_report(kmt2a_mllt10: Path) -> None:
    doc = parse_html((kmt2a_mllt10 / "cohort.html").read_text())
    rows = doc.one(id="samples-table").find_all("tr")[1:]
    assert {r.attrs["data-sample"]: r.one(data_field="tier").text() for r in rows} == {
        "K2": "medium",
        "K1": "low",
        "KH": "high",
    }
    by_tier = {
        tr.find_all("td")[0].text(): tr.find_all("td")[1].text()
        for tr in doc.one(id="by-tier").find_all("tr")[1:]
    }
    assert by_tier == {"high": "1", "low": "1", "medium": "1"}


# ---- the simulated pipeline run (star_chimeric + pizzly) ------------------------------------------
def test_simulated_run_tiers(sim_run: Path) -> None:
    """Every planted fusion of the test cohort is found by both callers with at least 5 fragments."""
    results = sim_run / "results"
    want = {"T01": ["KMT2A::AFF1", "AFF1::KMT2A"], "T02": ["BRD9::NUTM1"], "T03": ["PAX5::ETV6"]}
    for sample, fusions in want.items():
        ev = read_tsv(results / sample / "fusions.tsv")
        assert list(ev.columns) == FUSIONS_COLUMNS
        assert ev[["fusion", "n_callers", "tier"]].values.tolist() == [[f, "2", "high"] for f in fusions]
        assert (ev[CALLER_EVIDENCE_COLUMNS] == ".").all().all()  # neither Arriba nor STAR-Fusion ran
        cls = json.loads((results / sample / "classification.json").read_text())
        assert cls["driver_tier"] == "high"
        doc = parse_html((results / sample / "report.html").read_text())
        assert doc.one(data_field="tier").text().startswith("high (2 callers, ")
        # The caller-evidence table (defining fusions) and the events table: one tier cell per event each.
        tiers = [td.attrs["data-tier"] for td in doc.find_all("td") if "data-tier" in td.attrs]
        assert tiers == ["high"] * (2 * len(fusions))
    cls = json.loads((results / "T01" / "classification.json").read_text())
    assert (cls["reciprocal_fusion"], cls["reciprocal_tier"]) == ("AFF1::KMT2A", "high")
    cohort = read_tsv(results / "cohort.tsv")
    assert dict(zip(cohort["sample"], cohort["driver_tier"], strict=True)) == {
        "T01": "high",
        "T02": "high",
        "T03": "high",
        "T04": "",
        "T05": "",
        "T06": "",
    }
