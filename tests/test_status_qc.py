"""A strong positive is not hidden by QC (allfuse.status.qc_failed_status), on both sides of the rule.

The QC gates exist so that a negative is never trusted on too few reads. A sample that fails a gate
but whose driver is of the ``high`` tier (resources/confidence_tiers.tsv) is ``fusion detected`` with
its group, the QC failure stated in ``status_reason``; with a lower-tier driver, or none, it stays
``not assessable``; a crashed caller (empty output) keeps it ``not assessable`` whatever else was found.

Real reads: STAR's chimeric junctions of the K562 reads on GRCh38 (../shared, 601 pairs, below the
1,000-pair gate): BCR::ABL1 from star_chimeric alone is ``medium`` (one caller), so the sample stays
not assessable. The high side on real reads (Arriba + star_chimeric on Arriba's 40 BCR::ABL1 pairs) is
in test_real_bcr_abl1.py, which owns that STAR run. Simulated: the test cohort's T01 KMT2A::AFF1,
given a failing qc.tsv.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import BIN, read_tsv, shared_path

from allfuse.cohort_table import build_cohort
from allfuse.status import DETECTED, NOT_ASSESSABLE, qc_failed_status
from allfuse.tables import QC_COLUMNS

K562_JUNCTIONS = "generated-here/star-2.7.10b_K562f_vs_hamlet-ref/multimap_format1/Chimeric.out.junction"
HAMLET_GTF = "hamlet/reference/hamlet-ref.gtf"
K562_QC_REASON = "input read pairs 601 < 1000; uniquely mapped 20.6 % < 30 %"


def write_qc(path: Path, sample: str, pairs: int, unique: float, reason: str) -> Path:
    """A failing qc.tsv as ``allfuse qc`` writes it (gates 1,000 pairs and 30 % uniquely mapped)."""
    values = [sample, str(pairs), str(unique), "1.0", "10", "False", reason, "1000", "30"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\t".join(QC_COLUMNS) + "\n" + "\t".join(values) + "\n")
    return path


def annotate(outdir: Path, sample: str, gtf: Path, *args: str) -> dict:
    proc = subprocess.run(
        [str(BIN / "allfuse"), "annotate", "--sample", sample, "--gtf", str(gtf), "--outdir", str(outdir), *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads((outdir / "classification.json").read_text())


def test_rule() -> None:
    status, reason = qc_failed_status("high", "input read pairs 601 < 1000")
    assert status == DETECTED and "QC failed (input read pairs 601 < 1000)" in reason
    for tier in ("medium", "low", ""):
        assert qc_failed_status(tier, "input read pairs 601 < 1000") == (
            NOT_ASSESSABLE,
            "QC: input read pairs 601 < 1000",
        )


def test_real_k562_medium_tier_stays_not_assessable(tmp_path: Path) -> None:
    junctions, gtf = shared_path(K562_JUNCTIONS), shared_path(HAMLET_GTF)
    qc = write_qc(tmp_path / "qc.tsv", "K562", 601, 20.6, K562_QC_REASON)
    # without the gate: BCR::ABL1 e14a2 from 27 junction reads + 17 spanning fragments, one caller
    free = annotate(tmp_path / "free", "K562", gtf, "--star-chimeric", str(junctions))
    assert (free["status"], free["driver_fusion"], free["driver_tier"]) == (DETECTED, "BCR::ABL1", "medium")
    assert free["junction_reads"] + free["spanning_frags"] == 44
    gated = annotate(tmp_path / "gated", "K562", gtf, "--star-chimeric", str(junctions), "--qc", str(qc))
    assert gated["status"] == NOT_ASSESSABLE and gated["group"] == NOT_ASSESSABLE
    assert gated["status_reason"] == f"QC: {K562_QC_REASON}"


def _sim_args(
    sim_run: Path, sample: str, callers: tuple[str, ...] = ("star_chimeric", "pizzly")
) -> list[str]:
    res = sim_run / "results" / sample
    files = {
        "star_chimeric": res / "star" / "Chimeric.out.junction",
        "pizzly": res / "pizzly" / f"{sample}.json",
    }
    return [a for c in callers for a in (f"--{c.replace('_', '-')}", str(files[c]))]


def test_simulated_high_tier_driver_is_reported_despite_qc(sim_run: Path, tmp_path: Path) -> None:
    gtf = sim_run / "sim" / "genes.gtf"
    results = tmp_path / "results"
    reason = "input read pairs 600 < 1000"
    # T01: KMT2A::AFF1 from both callers (25 planted fragments): high, reported with its group
    qc = write_qc(results / "T01" / "qc.tsv", "T01", 600, 95.0, reason)
    cls = annotate(results / "T01", "T01", gtf, *_sim_args(sim_run, "T01"), "--qc", str(qc))
    want = json.loads((sim_run / "results" / "T01" / "classification.json").read_text())
    assert cls["status"] == DETECTED and cls["driver_tier"] == "high"
    assert {k: cls[k] for k in ("group", "subtype", "partner", "driver_fusion", "exon_5p", "exon_3p")} == {
        k: want[k] for k in ("group", "subtype", "partner", "driver_fusion", "exon_5p", "exon_3p")
    }
    assert cls["status_reason"].startswith(f"QC failed ({reason}), but the driver fusion is of the high")
    # the same reads from one caller: medium, not assessable
    qc1 = write_qc(results / "T01b" / "qc.tsv", "T01b", 600, 95.0, reason)
    one = annotate(
        results / "T01b", "T01b", gtf, *_sim_args(sim_run, "T01", ("star_chimeric",)), "--qc", str(qc1)
    )
    assert (one["status"], one["group"], one["status_reason"]) == (
        NOT_ASSESSABLE,
        NOT_ASSESSABLE,
        f"QC: {reason}",
    )
    # a crashed caller (0-byte output) beside the high-tier caller: not assessable
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    qc2 = write_qc(results / "T01c" / "qc.tsv", "T01c", 600, 95.0, reason)
    crashed = annotate(
        results / "T01c", "T01c", gtf, *_sim_args(sim_run, "T01", ("star_chimeric",)), "--pizzly", str(empty),
        "--qc", str(qc2), "--on-empty-caller", "not-assessable",
    )  # fmt: skip
    assert crashed["status"] == NOT_ASSESSABLE and crashed["status_reason"].startswith(
        f"QC: {reason}; pizzly"
    )
    # no fusion at all (T04): not assessable
    qc3 = write_qc(results / "T04" / "qc.tsv", "T04", 0, 0.0, "input read pairs 0 < 1000")
    none = annotate(results / "T04", "T04", gtf, *_sim_args(sim_run, "T04"), "--qc", str(qc3))
    assert none["status"] == NOT_ASSESSABLE
    # cohort.tsv carries the status and the QC failure beside it
    cohort = build_cohort(results, ["T01", "T01b", "T01c", "T04"]).set_index("sample")
    assert cohort.loc["T01", "status"] == DETECTED and cohort.loc["T01", "group"] == want["group"]
    assert cohort.loc["T01", "status_reason"] == cls["status_reason"]
    assert (cohort.loc[["T01b", "T01c", "T04"], "status"] == NOT_ASSESSABLE).all()
    shutil.rmtree(results)


def test_pipeline_cohort_has_no_qc_failure(sim_run: Path) -> None:
    """The simulated run passes every gate: no status there carries a QC reason."""
    cohort = read_tsv(sim_run / "results" / "cohort.tsv")
    assert not cohort["status_reason"].str.contains("QC").any()
