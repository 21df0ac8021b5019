"""`allfuse steps`, the per-sample job's one process: each step as the subcommand a user runs, its
own log, and the shell wrapper's one line when a step fails (run on the simulated cohort's files)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import BIN, one_line_error


def allfuse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "allfuse"), *args], capture_output=True, text=True, check=False)


def qc_step(sample_dir: Path, log: Path, out: Path, min_pairs: int = 1000) -> list[str]:
    return [
        f"@{log}",
        "qc",
        "--log",
        str(sample_dir / "star" / "Log.final.out"),
        "--reads",
        str(sample_dir / "reads_check.tsv"),
        "--sample",
        sample_dir.name,
        "--min-input-pairs",
        str(min_pairs),
        "--min-uniquely-mapped-pct",
        "30",
        "--out",
        str(out),
    ]


def test_steps_write_what_the_pipeline_wrote_each_with_its_log(sim_run: Path, tmp_path: Path) -> None:
    t01 = sim_run / "results" / "T01"
    expression = [
        f"@{tmp_path / 'expression.log'}",
        "expression",
        "--sample",
        "T01",
        "--abundance",
        str(t01 / "pizzly" / "kallisto" / "abundance.tsv"),
        "--gtf",
        str(sim_run / "sim" / "genes.gtf"),
        "--out",
        str(tmp_path / "expression.tsv"),
    ]
    proc = allfuse(
        "steps", "--sample", "T01", *qc_step(t01, tmp_path / "qc.log", tmp_path / "qc.tsv"), *expression
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (tmp_path / "qc.tsv").read_bytes() == (t01 / "qc.tsv").read_bytes()
    assert (tmp_path / "expression.tsv").read_bytes() == (t01 / "expression.tsv").read_bytes()
    assert (tmp_path / "qc.log").exists() and (tmp_path / "expression.log").exists()


def test_a_warning_of_a_step_reaches_the_console(sim_run: Path, tmp_path: Path) -> None:
    t01 = sim_run / "results" / "T01"
    # T01 has about 6,000 pairs: a gate of 10^9 makes it not assessable, which qc warns about
    proc = allfuse("steps", "--sample", "T01", *qc_step(t01, tmp_path / "qc.log", tmp_path / "qc.tsv", 10**9))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("allfuse qc: warning: sample T01 is not assessable: ")
    assert "False" in (tmp_path / "qc.tsv").read_text().splitlines()[1].split("\t")


def test_the_first_failing_step_stops_the_job_with_one_line(sim_run: Path, tmp_path: Path) -> None:
    t01 = sim_run / "results" / "T01"
    missing = tmp_path / "Log.final.out"
    broken = qc_step(t01, tmp_path / "qc.log", tmp_path / "qc.tsv")
    broken[broken.index("--log") + 1] = str(missing)
    after = qc_step(t01, tmp_path / "second.log", tmp_path / "second.tsv")
    proc = allfuse("steps", "--sample", "T01", *broken, *after)
    line = one_line_error(
        proc, "allfuse: error: sample T01: allfuse qc failed (exit ", f"(log: {tmp_path / 'qc.log'})"
    )
    assert str(missing) in line  # the log's own error line names the file
    assert not (tmp_path / "qc.tsv").exists()
    assert not (tmp_path / "second.log").exists()  # nothing after the failing step ran


def test_a_malformed_step_list_is_one_line(tmp_path: Path) -> None:
    one_line_error(allfuse("steps", "--sample", "T01", "qc", "--out", "x"), "expected @LOG before 'qc'")
    one_line_error(
        allfuse("steps", "--sample", "T01", f"@{tmp_path / 'a.log'}"), "no allfuse subcommand after @"
    )


def test_the_cohort_job_steps_and_their_one_line(sim_run: Path, tmp_path: Path) -> None:
    """The run's job after every sample (rule cohort) writes what separate jobs wrote, and a failing
    step's one line names the cohort, not a sample."""
    results = sim_run / "results"
    samples = sorted(p.name for p in results.iterdir() if (p / "report.html").is_file())
    assert samples == ["T01", "T02", "T03", "T04", "T05", "T06"]
    common = ["--results", str(results), "--samples", *samples]
    proc = allfuse(
        "steps", "--what", "cohort",
        f"@{tmp_path / 'cohort.log'}", "cohort", *common, "--out", str(tmp_path / "cohort.tsv"),
        f"@{tmp_path / 'matrix.log'}", "expression-matrix", *common, "--out", str(tmp_path / "matrix.tsv"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cohort.tsv").read_bytes() == (results / "cohort.tsv").read_bytes()
    assert (tmp_path / "matrix.tsv").read_bytes() == (results / "expression_matrix.tsv").read_bytes()
    missing = tmp_path / "clinical.tsv"
    proc = allfuse(
        "steps", "--what", "cohort",
        f"@{tmp_path / 'survival.log'}", "survival", "--cohort", str(tmp_path / "cohort.tsv"),
        "--clinical", str(missing), "--out", str(tmp_path / "survival"),
    )  # fmt: skip
    line = one_line_error(
        proc, "allfuse: error: cohort: allfuse survival failed (exit ", f"(log: {tmp_path / 'survival.log'})"
    )
    assert str(missing) in line
    assert not (tmp_path / "survival").exists()
