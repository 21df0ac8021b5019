"""Shared fixtures: paths, and one real pipeline run on a small simulated cohort per test session."""

from __future__ import annotations

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


def run_snakemake(workdir: Path, configfile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the project's Snakefile for real (STAR, kallisto, pizzly), in ``workdir``."""
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")
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
