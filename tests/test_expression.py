"""Gene-level expression from the real kallisto run of the simulated cohort (allfuse.expression).

Gene sums are checked against kallisto's own abundance.tsv with the transcript -> gene map read from
the simulated GTF's text here, not through allfuse.gtf.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from conftest import read_tsv

from allfuse.errors import InputError
from allfuse.expression import (
    EXPRESSION_COLUMNS,
    MARKER_COLUMNS,
    NUTM1_FLAG,
    cohort_matrix,
    gene_expression,
    marker_levels,
    nutm1_check,
    read_abundance,
    read_expression,
    read_markers,
    write_expression,
)
from allfuse.gtf import Annotation
from allfuse.resources import load_resources

SAMPLES = ["T01", "T02", "T03", "T04", "T05", "T06"]


def abundance_path(run: Path, sample: str) -> Path:
    return run / "results" / sample / "pizzly" / "kallisto" / "abundance.tsv"


@pytest.fixture(scope="module")
def expressions(sim_run: Path) -> dict[str, pd.DataFrame]:
    ann = Annotation.from_gtf(sim_run / "sim" / "genes.gtf")
    res = load_resources()
    return {s: gene_expression(read_abundance(abundance_path(sim_run, s)), ann, res) for s in SAMPLES}


def test_gene_tpm_is_kallistos_transcript_tpm_summed(sim_run: Path, expressions) -> None:
    gene_of = {}
    for line in (sim_run / "sim" / "genes.gtf").read_text().splitlines():
        f = line.split("\t")
        if len(f) == 9 and f[2] == "transcript":
            gene_of[re.search(r'transcript_id "([^"]+)"', f[8])[1]] = re.search(r'gene_id "([^"]+)"', f[8])[1]
    for sample, expr in expressions.items():
        assert list(expr.columns) == EXPRESSION_COLUMNS
        tpm, counts, n = defaultdict(float), defaultdict(float), defaultdict(int)
        with open(abundance_path(sim_run, sample)) as fh:
            next(fh)
            for line in fh:
                target, _, _, est, t = line.rstrip("\n").split("\t")
                tpm[gene_of[target]] += float(t)
                counts[gene_of[target]] += float(est)
                n[gene_of[target]] += 1
        got = expr.set_index("gene_id")
        assert set(got.index) == set(tpm)
        for gid in tpm:
            assert got.loc[gid, "tpm"] == pytest.approx(tpm[gid], rel=1e-9, abs=1e-9)
            assert got.loc[gid, "est_counts"] == pytest.approx(counts[gid])
            assert got.loc[gid, "n_transcripts"] == n[gid]
        assert expr["tpm"].sum() == pytest.approx(1e6, rel=1e-5)
        # NUTM1 has its MANE and a second isoform in the simulated GTF: both counted
        assert got.set_index("gene").loc["NUTM1", "n_transcripts"] == 2


def test_expression_table_and_cohort_matrix(tmp_path: Path, expressions) -> None:
    for sample, expr in expressions.items():
        write_expression(expr, tmp_path / sample / "expression.tsv")
        back = read_expression(tmp_path / sample / "expression.tsv")
        pd.testing.assert_frame_equal(back, expr, check_dtype=False)
    matrix = cohort_matrix({s: read_expression(tmp_path / s / "expression.tsv") for s in SAMPLES})
    assert list(matrix.columns) == ["gene", "gene_id", *SAMPLES]
    for sample, expr in expressions.items():
        got = matrix.set_index("gene_id")[sample]
        want = expr.set_index("gene_id")["tpm"]
        assert got.loc[want.index].tolist() == pytest.approx(want.tolist())


def test_marker_panel_is_sourced(expressions) -> None:
    markers = read_markers()
    assert list(markers.columns[: len(MARKER_COLUMNS)]) == MARKER_COLUMNS
    assert {"NUTM1", "DUX4", "CRLF2"} <= set(markers["gene"])
    assert (markers["source"].str.len() > 20).all() and (markers["reason"].str.len() > 20).all()
    levels = marker_levels(expressions["T04"], markers).set_index("gene")
    assert bool(levels.loc["NUTM1", "in_reference"])  # the simulated genome has NUTM1 ...
    assert levels.loc["NUTM1", "tpm"] == expressions["T04"].set_index("gene").loc["NUTM1", "tpm"]
    assert not levels.loc["DUX4", "in_reference"] and pd.isna(levels.loc["DUX4", "tpm"])  # ... not DUX4


def test_nutm1_flag_needs_expression_and_no_nutm1_call(sim_run: Path, expressions) -> None:
    # T02 carries BRD9::NUTM1, called: never flagged, whatever the threshold
    t02 = nutm1_check(expressions["T02"], read_tsv(sim_run / "results" / "T02" / "fusions.tsv"), 0.001)
    assert t02.nutm1_fusion_called and not t02.flag and t02.caveat == ""
    # NUTM1 is silent in every background: T04 (no fusion) has none, and is never flagged
    t04 = nutm1_check(expressions["T04"], read_tsv(sim_run / "results" / "T04" / "fusions.tsv"), 0.001)
    assert t04.tpm == 0 and not t04.flag and not t04.nutm1_fusion_called
    # T06: ACIN1::NUTM1 planted below every caller's minimum (one spanning fragment, 60 fragments of
    # the fused transcript): no NUTM1 event, NUTM1 expressed far above the 10 TPM default
    events = read_tsv(sim_run / "results" / "T06" / "fusions.tsv")
    assert not (events["gene_3p"] == "NUTM1").any()
    tpm = float(expressions["T06"].set_index("gene").loc["NUTM1", "tpm"])
    assert tpm > 1000
    flagged = nutm1_check(expressions["T06"], events, 10)
    assert flagged.flag and flagged.tpm == tpm and not flagged.nutm1_fusion_called
    assert "NUTM1 rearrangement is possible and was not detected" in flagged.caveat
    assert not nutm1_check(expressions["T06"], events, tpm * 1.01).flag
    assert NUTM1_FLAG == "nutm1_expressed_without_fusion"


def test_pipeline_flags_nutm1_exactly_on_the_planted_case(sim_run: Path, expressions) -> None:
    """expression.tsv from the expression rule, the flag and caveat in classification.json and cohort.tsv:
    on T06 only (expected.tsv's expected_flags), its status kept."""
    results = sim_run / "results"
    expected = read_tsv(sim_run / "sim" / "expected.tsv").set_index("sample")
    cohort = read_tsv(results / "cohort.tsv").set_index("sample")
    for sample in SAMPLES:
        pd.testing.assert_frame_equal(
            read_expression(results / sample / "expression.tsv"), expressions[sample], check_dtype=False
        )
        cls = json.loads((results / sample / "classification.json").read_text())
        want = [f for f in expected.loc[sample, "expected_flags"].split(",") if f]
        assert (NUTM1_FLAG in cls["flags"]) == (sample == "T06") == (want == [NUTM1_FLAG]), sample
        assert (NUTM1_FLAG in cohort.loc[sample, "flags"].split(",")) == (sample == "T06"), sample
        nutm1 = float(expressions[sample].set_index("gene").loc["NUTM1", "tpm"])
        assert cls["nutm1_tpm"] == pytest.approx(nutm1, abs=1e-3)
        if sample == "T06":
            assert cls["status"] == "no defining fusion detected" and cls["subtype"] == "none"
            assert len(cls["caveats"]) == 1 and "NUTM1 is expressed" in cls["caveats"][0]
            assert cohort.loc[sample, "caveats"] == cls["caveats"][0]
        else:
            assert cls["caveats"] == [] and cohort.loc[sample, "caveats"] == ""
    matrix = read_tsv(results / "expression_matrix.tsv")
    assert list(matrix.columns) == ["gene", "gene_id", *SAMPLES]
    nutm1_row = matrix[matrix["gene"] == "NUTM1"].iloc[0]
    positive = {s for s in SAMPLES if float(nutm1_row[s]) > 0}
    assert positive == {"T02", "T06"}  # the called BRD9::NUTM1 and the planted subthreshold one


def test_bad_abundance_files_fail_with_one_line(sim_run: Path, tmp_path: Path) -> None:
    ann = Annotation.from_gtf(sim_run / "sim" / "genes.gtf")
    real = abundance_path(sim_run, "T04").read_text().splitlines()
    # kallisto on zero pseudoaligned reads writes '-nan' TPM: that is no expression, not an error
    nan = tmp_path / "nan.tsv"
    nan.write_text("\n".join([real[0]] + ["\t".join(ln.split("\t")[:3] + ["0", "-nan"]) for ln in real[1:]]))
    assert gene_expression(read_abundance(nan), ann)["tpm"].sum() == 0
    foreign = tmp_path / "foreign.tsv"
    foreign.write_text("\n".join(real + ["ENST99999999999.1\t100\t50\t3\t7"]) + "\n")
    with pytest.raises(
        InputError, match=r"1 kallisto target\(s\) not in the GTF \(first: ENST99999999999.1\)"
    ):
        gene_expression(read_abundance(foreign), ann)
    broken = tmp_path / "broken.tsv"
    broken.write_text(real[0] + "\n" + real[1].rsplit("\t", 1)[0] + "\tmany\n")
    with pytest.raises(InputError, match=r"broken.tsv: line 2: tpm is not a number"):
        read_abundance(broken)
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty kallisto abundance file"):
        read_abundance(empty)
