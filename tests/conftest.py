"""Shared fixtures: paths, and one real pipeline run on a small simulated cohort per test session.

Real public caller outputs, reads and references live outside the checkout, in ``../shared/data``.
Tests reach them only through :func:`shared_path`, never at import time, so the suite collects
without that folder. Where it is absent, every test that reads it skips with one reason
(``SHARED_ABSENT``); with ``CI=true`` those tests fail with the same words, since CI has the folder.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
BIN = Path(sys.executable).parent
SHARED_ABSENT = f"needs ../shared/data (absent: {SHARED}): real public caller outputs and reads"
#: Arriba and STAR-Fusion, built by `make callers` from ../shared/tools (the sources no registry serves).
TOOLS_BIN = REPO / ".tools" / "bin"
CALLER_SOURCES = REPO.parent / "shared" / "tools"
TOOLS_ABSENT = (
    f"needs ../shared/tools (absent: {CALLER_SOURCES}): Arriba and STAR-Fusion sources for make callers"
)


def in_ci() -> bool:
    """CI runs the suite with everything present: what would skip elsewhere fails there."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def shared_path(rel: str = "") -> Path:
    """``../shared/data/<rel>``, for use inside a test or fixture (never at import time).

    Without ../shared/data the calling test skips (a fixture: every test using it), all with the
    single reason ``SHARED_ABSENT``; with ``CI=true`` it fails with that reason instead.
    """
    if not SHARED.is_dir():
        if in_ci():
            pytest.fail(SHARED_ABSENT, pytrace=False)
        pytest.skip(SHARED_ABSENT)  # ../shared absent: the one reason line
    return SHARED / rel


def callers_built() -> bool:
    """Whether `make callers` built Arriba and STAR-Fusion (a question only: built_callers() decides
    what a test without them does)."""
    return all((TOOLS_BIN / tool).exists() for tool in ("arriba", "STAR-Fusion", "prep_genome_lib.pl"))


def built_callers() -> Path:
    """The folder with the Arriba and STAR-Fusion that `make callers` built, for use inside a test
    or fixture. Without their sources (../shared/tools) the test skips with one reason (CI=true:
    fails); with the sources but nothing built it fails, saying to run `make callers`."""
    if not callers_built():
        if CALLER_SOURCES.is_dir():
            pytest.fail(f"Arriba/STAR-Fusion not built in {TOOLS_BIN}: run `make callers`", pytrace=False)
        if in_ci():
            pytest.fail(TOOLS_ABSENT, pytrace=False)
        pytest.skip(TOOLS_ABSENT)  # ../shared/tools absent: the one reason line
    return TOOLS_BIN


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Always list skip reasons in the summary (``-rs``): a skipped test must say why it did not run."""
    chars = config.option.reportchars or ""
    if not any(c in chars for c in "sSaAN"):
        config.option.reportchars = chars + "s"


def _where(func) -> tuple[str, int]:
    code = inspect.unwrap(func).__code__
    return code.co_filename, code.co_firstlineno


#: Skip reasons shared by many tests, each listed once in the summary at the place that decides it.
#: (pytest would list a skip raised in a fixture once per test, at the test's own line.)
ONE_LINE_SKIPS = {
    SHARED_ABSENT: _where(shared_path),
    TOOLS_ABSENT: _where(built_callers),
}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2]
        site = ONE_LINE_SKIPS.get(reason.removeprefix("Skipped: "))
        if site:
            report.longrepr = (*site, reason)
    return report


def run_snakemake(workdir: Path, configfile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the project's Snakefile for real (STAR, kallisto, pizzly; Arriba and STAR-Fusion where
    `make callers` built them), in ``workdir``."""
    env = dict(os.environ, PATH=f"{BIN}:{TOOLS_BIN}:{os.environ['PATH']}")
    cmd = [
        str(BIN / "snakemake"),
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(configfile),
        "--cores",
        "2",
        *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1500, check=False)


def write_config(path: Path, samples: Path, fasta: Path, gtf: Path, **overrides) -> Path:
    """A user's config for this run's sheet and reference: only what the simulated genome needs;
    everything else takes the schema's documented defaults (nothing is inherited from the demo)."""
    config: dict = {
        "samples": str(samples),
        "reference": {"fasta": str(fasta), "gtf": str(gtf), "star_sa_index_nbases": 8, "read_length": 100},
        "callers": ["star_chimeric", "pizzly"],
    }
    # The simulator writes clinical.tsv beside the sheet (survival rule); elsewhere there is none.
    clinical = Path(samples).parent / "clinical.tsv"
    if clinical.is_file():
        config["clinical"] = str(clinical)
    config.update(overrides)
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="session")
def sim_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Simulate the test cohort and run the whole pipeline on it once; return the run folder."""
    run = tmp_path_factory.mktemp("simrun")
    sim = run / "sim"
    subprocess.run(
        [str(BIN / "allfuse"), "simulate", "--outdir", str(sim), "--cohort", "test", "--seed", "7"],
        check=True,
    )
    cfg = write_config(run / "config.yaml", sim / "samples.tsv", sim / "genome.fa", sim / "genes.gtf")
    proc = run_snakemake(run, cfg)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return run


def read_tsv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """The run failed with exactly one non-blank line on stderr, holding every needle."""
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
