"""Arriba and STAR-Fusion run for real in the pipeline, beside star_chimeric and pizzly.

The simulated test cohort goes through the same rules a cluster runs under ``--sdm conda``, with the
Arriba and STAR-Fusion that ``make callers`` built from their released sources: Arriba on the shared
STAR BAM (no blacklist: ``-f blacklist``; allfuse's known-fusions file), STAR-Fusion in kickstart mode
on the shared ``Chimeric.out.junction`` with a CTAT library that rule ``ctat_genome_lib`` builds from
the run's own FASTA + GTF. Assertions are on the callers' own tables and on the merged events.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import built_callers, read_tsv, run_snakemake, write_config

from allfuse.callers.arriba import HEADER as ARRIBA_HEADER

ALL = ["star_chimeric", "pizzly", "arriba", "starfusion"]
MINI_HMMS = "STAR-Fusion-v1.15.1/ctat-genome-lib-builder/testing/test_ctat_build/data"


def caller_config(tools: Path) -> dict:
    hmms = tools.parent / MINI_HMMS
    return {"starfusion": {"dfam_db": str(hmms / "dfam.mini.hmm"), "pfam_db": str(hmms / "pfam.mini.hmm")}}


@pytest.fixture(scope="module")
def four(sim_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tools = built_callers()
    sim = sim_run / "sim"
    run = tmp_path_factory.mktemp("four_callers")
    cfg = write_config(
        run / "config.yaml",
        sim / "samples.tsv",
        sim / "genome.fa",
        sim / "genes.gtf",
        callers=ALL,
        **caller_config(tools),
    )
    proc = run_snakemake(run, cfg)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (run / "sim").symlink_to(sim)
    return run


def planted(run: Path):
    truth = read_tsv(run / "sim" / "truth.tsv")
    return truth[truth["fragments"].astype(int) >= 5]


@pytest.mark.parametrize("caller", ["arriba", "starfusion"])
def test_every_planted_fusion_is_in_the_callers_own_table_at_the_planted_breakpoints(
    four: Path, caller: str
) -> None:
    truth = planted(four)
    assert len(truth) == 4
    for t in truth.itertuples(index=False):
        calls = read_tsv(four / "results" / t.sample / "calls" / f"{caller}.tsv")
        hit = calls[(calls.gene_5p == t.gene_5p) & (calls.gene_3p == t.gene_3p)]
        assert len(hit) == 1, f"{caller} {t.sample} {t.fusion}: {calls[['fusion', 'pos_5p', 'pos_3p']]}"
        h = hit.iloc[0]
        assert (h.chrom_5p, h.pos_5p, h.chrom_3p, h.pos_3p) == (t.chrom_5p, t.pos_5p, t.chrom_3p, t.pos_3p)


def test_arriba_raw_table_and_its_own_columns(four: Path) -> None:
    raw = read_tsv(four / "results" / "T01" / "arriba" / "fusions.tsv").set_index(["#gene1", "gene2"])
    t = planted(four).set_index("fusion").loc["KMT2A::AFF1"]
    row = raw.loc[("KMT2A", "AFF1")]
    assert (row["breakpoint1"], row["breakpoint2"]) == (
        f"{t.chrom_5p}:{t.pos_5p}",
        f"{t.chrom_3p}:{t.pos_3p}",
    )
    assert row["site1"] == row["site2"] == "CDS/splice-site"  # exon boundaries inside the CDS
    assert "allfuse:KMT2A-r" in row["tags"]  # allfuse's known-fusions file reached Arriba (-t)
    calls = read_tsv(four / "results" / "T01" / "calls" / "arriba.tsv").set_index("fusion")
    for column in ("confidence", "reading_frame", "filters", "tags", "fusion_transcript"):
        assert calls.loc["KMT2A::AFF1", f"orig_{column}"] == row[column]
    assert calls.loc["KMT2A::AFF1", "junction_reads"] == str(
        int(row["split_reads1"]) + int(row["split_reads2"])
    )
    assert calls.loc["KMT2A::AFF1", "spanning_frags"] == row["discordant_mates"]


def test_starfusion_own_columns_survive(four: Path) -> None:
    raw = read_tsv(four / "results" / "T02" / "starfusion" / "star-fusion.fusion_predictions.abridged.tsv")
    row = raw.set_index("#FusionName").loc["BRD9--NUTM1"]
    calls = read_tsv(four / "results" / "T02" / "calls" / "starfusion.tsv").set_index("fusion")
    for column in ("FFPM", "SpliceType", "annots", "LeftBreakpoint", "RightBreakpoint"):
        assert calls.loc["BRD9::NUTM1", f"orig_{column}"] == row[column]
    assert row["SpliceType"] == "ONLY_REF_SPLICE" and float(row["FFPM"]) > 0


def test_driver_is_one_event_naming_all_four_callers_with_their_counts(four: Path) -> None:
    for sample, fusion in [("T01", "KMT2A::AFF1"), ("T02", "BRD9::NUTM1"), ("T03", "PAX5::ETV6")]:
        events = read_tsv(four / "results" / sample / "fusions.tsv")
        hit = events[events.fusion == fusion]
        assert len(hit) == 1, events[["fusion", "callers"]]
        ev = hit.iloc[0]
        assert ev.callers.split(",") == sorted(ALL) and ev.n_callers == "4"
        support = dict(part.split(":") for part in ev.support.split(";"))
        assert sorted(support) == sorted(ALL)
        for caller in ("arriba", "starfusion"):
            call = (
                read_tsv(four / "results" / sample / "calls" / f"{caller}.tsv")
                .set_index("fusion")
                .loc[fusion]
            )
            assert support[caller] == f"{call.junction_reads}+{call.spanning_frags}"
        cls = json.loads((four / "results" / sample / "classification.json").read_text())
        assert cls["driver_fusion"] == fusion


def test_reciprocal_is_its_own_event_from_all_four_callers(four: Path) -> None:
    events = read_tsv(four / "results" / "T01" / "fusions.tsv").set_index("fusion")
    assert events.loc["AFF1::KMT2A", "reciprocal_of"] != ""
    assert set(events.loc["AFF1::KMT2A", "callers"].split(",")) == set(ALL)


def test_fusion_free_and_decoy_samples_have_no_event(four: Path) -> None:
    for sample in ("T04", "T05"):
        assert read_tsv(four / "results" / sample / "fusions.tsv").empty
        cls = json.loads((four / "results" / sample / "classification.json").read_text())
        assert cls["status"] == "no defining fusion detected"
        for table in ("calls/arriba.tsv", "calls/starfusion.tsv"):
            assert read_tsv(four / "results" / sample / table).empty


def test_bam_without_chimeric_reads_is_a_header_only_arriba_table(four: Path) -> None:
    # T04 has no fusion and no chimeric read: Arriba exits 1 with its message; a negative, not a crash.
    log = (four / "results" / "T04" / "logs" / "arriba.log").read_text()
    assert "no split reads or discordant mates found" in log
    for name in ("fusions.tsv", "fusions.discarded.tsv"):
        assert (four / "results" / "T04" / "arriba" / name).read_text() == ARRIBA_HEADER + "\n"


def test_provenance_says_arriba_ran_without_a_blacklist(four: Path) -> None:
    prov = json.loads((four / "results" / "provenance.json").read_text())
    assert any("without a blacklist" in n and "-f blacklist" in n for n in prov["notes"])
    assert any("ctat_genome_lib" in n for n in prov["notes"])
    assert prov["tools"]["Arriba"] == "2.5.1"
    assert (four / "work" / "ctat_genome_lib" / "ref_annot.gtf").is_file()


def test_a_failing_caller_stops_its_sample_with_one_line(sim_run: Path, tmp_path: Path) -> None:
    tools = built_callers()
    sim = sim_run / "sim"
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(f"sample\tfq1\tfq2\nT01\t{sim}/reads/T01_R1.fastq.gz\t{sim}/reads/T01_R2.fastq.gz\n")
    options = caller_config(tools)
    options["starfusion"]["extra"] = "--no_such_option"
    cfg = write_config(
        tmp_path / "c.yaml",
        sheet,
        sim / "genome.fa",
        sim / "genes.gtf",
        callers=ALL,
        arriba={"extra": "-Z no_such_option"},
        **options,
    )
    proc = run_snakemake(tmp_path, cfg, "--keep-going")
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("allfuse: error:")]
    by_tool = {tool: [ln for ln in lines if f": {tool} failed" in ln] for tool in ("arriba", "STAR-Fusion")}
    (arriba,) = by_tool["arriba"]
    (starfusion,) = by_tool["STAR-Fusion"]
    assert arriba.startswith("allfuse: error: sample T01: arriba failed (exit ")
    assert "results/T01/logs/arriba.log" in arriba
    assert starfusion.startswith("allfuse: error: sample T01: STAR-Fusion failed (exit ")
    assert "results/T01/logs/starfusion.log" in starfusion
    assert not (tmp_path / "results" / "T01" / "classification.json").exists()


def test_each_event_carries_one_tier_shown_everywhere(four: Path) -> None:
    cohort = read_tsv(four / "results" / "cohort.tsv").set_index("sample")
    for sample, fusion in [("T01", "KMT2A::AFF1"), ("T02", "BRD9::NUTM1"), ("T03", "PAX5::ETV6")]:
        ev = read_tsv(four / "results" / sample / "fusions.tsv").set_index("fusion").loc[fusion]
        assert ev["tier"] == "high"  # four callers agree on >= 5 fragments
        raw = read_tsv(four / "results" / sample / "arriba" / "fusions.tsv")
        g5, g3 = fusion.split("::")
        arriba = raw[(raw["#gene1"] == g5) & (raw["gene2"] == g3)].iloc[0]
        assert (ev["arriba_confidence"], ev["arriba_filters"]) == (arriba["confidence"], arriba["filters"])
        sf = read_tsv(
            four / "results" / sample / "starfusion" / "star-fusion.fusion_predictions.abridged.tsv"
        )
        assert ev["starfusion_ffpm"] == sf.set_index("#FusionName").loc[f"{g5}--{g3}", "FFPM"]
        cls = json.loads((four / "results" / sample / "classification.json").read_text())
        assert cls["driver_tier"] == "high" and cohort.loc[sample, "driver_tier"] == "high"
        assert "Confidence tier" in (four / "results" / sample / "report.html").read_text()
    reciprocal = read_tsv(four / "results" / "T01" / "fusions.tsv").set_index("fusion").loc["AFF1::KMT2A"]
    assert reciprocal["tier"] == "high"
