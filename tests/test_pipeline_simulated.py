"""The whole pipeline, for real, on a simulated cohort with fusions planted at known exons.

Real STAR, kallisto and pizzly run on reads from ``allfuse simulate``; the results are compared
with the planted truth: genes, order, exact breakpoints, exons, and each sample's group.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from conftest import BIN, read_tsv

from allfuse.callers.pizzly import KALLISTO_FUSION_HEADER


def fusions(run: Path, sample: str):
    return read_tsv(run / "results" / sample / "fusions.tsv")


def test_every_planted_fusion_is_found_at_its_exact_breakpoints(sim_run: Path) -> None:
    truth = read_tsv(sim_run / "sim" / "truth.tsv")
    assert len(truth) == 4
    for t in truth.itertuples(index=False):
        ev = fusions(sim_run, t.sample)
        hit = ev[(ev.gene_5p == t.gene_5p) & (ev.gene_3p == t.gene_3p)]
        assert len(hit) == 1, f"{t.sample} {t.fusion} not found: {ev[['fusion', 'pos_5p', 'pos_3p']]}"
        h = hit.iloc[0]
        assert (h.chrom_5p, h.pos_5p, h.chrom_3p, h.pos_3p) == (t.chrom_5p, t.pos_5p, t.chrom_3p, t.pos_3p)
        assert int(h.junction_reads) + int(h.spanning_frags) >= 5
        assert "star_chimeric" in h.callers.split(",")


def test_both_callers_agree_on_the_planted_breakpoints(sim_run: Path) -> None:
    for sample, fusion in [("T01", "KMT2A::AFF1"), ("T02", "BRD9::NUTM1"), ("T03", "PAX5::ETV6")]:
        ev = fusions(sim_run, sample).set_index("fusion")
        assert ev.loc[fusion, "callers"] == "pizzly,star_chimeric"
        assert ev.loc[fusion, "n_callers"] == "2"
        pizzly = read_tsv(sim_run / "results" / sample / "calls" / "pizzly.tsv").set_index("fusion")
        star = read_tsv(sim_run / "results" / sample / "calls" / "star_chimeric.tsv").set_index("fusion")
        for calls in (pizzly, star):
            assert calls.loc[fusion, "pos_5p"] == ev.loc[fusion, "pos_5p"]
            assert calls.loc[fusion, "pos_3p"] == ev.loc[fusion, "pos_3p"]


def test_every_pizzly_reads_the_one_cache_of_the_run(sim_run: Path) -> None:
    """Rule pizzly_cache runs pizzly once on kallisto's fusion-list header alone (the header every
    sample's real fusion.txt starts with); each sample's pizzly loads that cache, with its genes and
    transcripts, instead of parsing the GTF."""
    built = (sim_run / "logs" / "pizzly_cache.log").read_text()
    counts = re.search(r"GTF file contains (\d+) genes and (\d+) transcripts", built)
    assert counts and (sim_run / "work" / "pizzly.gtf.cache").is_file(), built
    samples = sorted(p.name for p in (sim_run / "results").iterdir() if (p / "pizzly").is_dir())
    assert len(samples) == 6, samples
    for sample in samples:
        fusion_list = sim_run / "results" / sample / "pizzly" / "kallisto" / "fusion.txt"
        assert fusion_list.read_text().split("\n", 1)[0] == KALLISTO_FUSION_HEADER
        log = (sim_run / "results" / sample / "logs" / "pizzly.log").read_text()
        loaded = f"Opening cached file ... loaded {counts[1]} genes and {counts[2]} transcripts"
        assert log.startswith(loaded), (sample, log[:200])


def test_reciprocal_is_linked_not_merged(sim_run: Path) -> None:
    ev = fusions(sim_run, "T01").set_index("fusion")
    assert set(ev.index) == {"KMT2A::AFF1", "AFF1::KMT2A"}
    assert ev.loc["KMT2A::AFF1", "reciprocal_of"] == ev.loc["AFF1::KMT2A", "event_id"]
    assert ev.loc["AFF1::KMT2A", "reciprocal_of"] == ev.loc["KMT2A::AFF1", "event_id"]


def test_negative_and_decoy_samples(sim_run: Path) -> None:
    assert fusions(sim_run, "T04").empty, "no fusion was planted in T04"
    decoys = read_tsv(sim_run / "sim" / "decoys.tsv")
    single = decoys[decoys.fragments == "1"].iloc[0]
    ev = fusions(sim_run, "T05")
    assert not ((ev.gene_5p == single.gene_5p) & (ev.gene_3p == single.gene_3p)).any()
    calls = read_tsv(sim_run / "results" / "T05" / "calls" / "star_chimeric.tsv")
    assert "ETV6::RUNX1" not in set(calls.fusion)
    for sample in ("T04", "T05"):
        cls = json.loads((sim_run / "results" / sample / "classification.json").read_text())
        assert (cls["group"], cls["subtype"]) == ("KMT2A-wt", "none")


def test_classification_matches_the_planted_truth(sim_run: Path) -> None:
    expected = {
        "T01": ("KMT2A-r", "KMT2A-r", "AFF1", "KMT2A::AFF1", 9, 4, "in-frame"),
        "T02": ("KMT2A-wt", "NUTM1-r", "BRD9", "BRD9::NUTM1", 8, 3, "out-of-frame"),
        "T03": ("KMT2A-wt", "PAX5-r", "ETV6", "PAX5::ETV6", 4, 3, "in-frame"),
    }
    for sample, want in expected.items():
        cls = json.loads((sim_run / "results" / sample / "classification.json").read_text())
        got = tuple(
            cls[k]
            for k in ("group", "subtype", "partner", "driver_fusion", "exon_5p", "exon_3p", "reading_frame")
        )
        assert got == want, sample


def test_qc_and_cohort_table(sim_run: Path) -> None:
    cohort = read_tsv(sim_run / "results" / "cohort.tsv").set_index("sample")
    assert list(cohort.index) == ["T01", "T02", "T03", "T04", "T05", "T06"]
    # 6000 background pairs plus the planted fusion fragments of each sample
    assert cohort.loc["T01", "input_read_pairs"] == "6035"
    assert cohort.loc["T04", "input_read_pairs"] == "6000"
    assert float(cohort.loc["T04", "uniquely_mapped_pct"]) > 95
    assert float(cohort.loc["T01", "chimeric_pct"]) > float(cohort.loc["T04", "chimeric_pct"])
    assert cohort.loc["T01", "best_event"] == "KMT2A::AFF1"
    assert cohort.loc["T02", "subtype"] == "NUTM1-r"
    assert cohort.loc["T04", "n_events"] == "0"


def test_evaluate_reports_full_recovery(sim_run: Path) -> None:
    """``allfuse evaluate`` (what ``make demo`` prints) agrees: everything found, classified as planted."""
    expected = read_tsv(sim_run / "sim" / "expected.tsv").set_index("sample")
    assert expected.loc["T02", "reading_frame"] == "out-of-frame"
    assert expected.loc["T01", "reading_frame"] == "in-frame"
    proc = subprocess.run(
        [str(BIN / "allfuse"), "evaluate", "--truth", str(sim_run / "sim" / "truth.tsv"),
         "--results", str(sim_run / "results")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    assert "found: 4/4" in proc.stdout and "decoys reported: 0/2" in proc.stdout
    assert (
        "samples classified as planted (group, subtype, partner, driver, exons, frame, flags): 6/6"
        in proc.stdout
    )
