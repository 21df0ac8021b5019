"""The workflow catalogue's test setup: ``.test/config/`` on the simulated "test" cohort.

What CI runs, from the project folder (``.test/`` is the working directory, so results, work and
logs stay inside it):

    snakemake --directory .test --configfile .test/config/config.yaml --lint   # fresh clone
    allfuse simulate --outdir .test/data --cohort test --seed 7
    snakemake --directory .test --configfile .test/config/config.yaml -n

Here the same commands run on a copy of ``.test/config/`` in a temporary folder: the lint before any
data exist, then the simulation and the dry run, whose plan must hold every step once per sample
and the shared steps once. The committed sample sheet must name exactly what the simulator writes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import BIN, REPO, TOOLS_BIN

DOT_TEST = REPO / ".test"
SAMPLES = ["T01", "T02", "T03", "T04", "T05", "T06"]
# star_align: reads check, STAR, sort, index, kallisto and pizzly; annotate: QC gate, expression,
# annotate, evidence, primers and the report
PER_SAMPLE = ["star_align", "annotate"]
ONCE = [
    "star_index",
    "transcripts_fasta",
    "genome_fai",
    "annotation_index",
    "kallisto_index",
    "pizzly_cache",
    "provenance",
    "cohort",  # cohort table, expression matrix, survival (the config names a clinical table), page
]
SIMULATE = ["simulate", "--outdir", "data", "--cohort", "test", "--seed", "7"]


def snakemake(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """CI's command, run in ``folder`` (a copy of .test/): ``--directory`` and the copy's config."""
    env = dict(os.environ, PATH=f"{BIN}:{TOOLS_BIN}:{os.environ['PATH']}")
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(folder)]
    cmd += ["--configfile", str(folder / "config" / "config.yaml"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)


def job_counts(stdout: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run: rule -> number of jobs."""
    table = stdout[stdout.index("Job stats:") :]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}


def fresh_copy(parent: Path) -> Path:
    """A copy of the committed .test/config/ (what a fresh clone has: no data, no results)."""
    folder = parent / ".test"
    shutil.copytree(DOT_TEST / "config", folder / "config")
    return folder


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy with the simulator's data in data/, as CI makes them."""
    folder = fresh_copy(tmp_path_factory.mktemp("dot_test"))
    subprocess.run([str(BIN / "allfuse"), *SIMULATE], cwd=folder, check=True, capture_output=True)
    return folder


def test_lint_passes_on_a_fresh_clone(tmp_path: Path) -> None:
    folder = fresh_copy(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["config"]
    proc = snakemake(folder, "--lint")
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in proc.stdout + proc.stderr


def test_config_is_small_and_names_only_dot_test_files() -> None:
    config = yaml.safe_load((DOT_TEST / "config" / "config.yaml").read_text())
    assert config["callers"] == ["star_chimeric", "pizzly"]  # the tools of a fresh install
    assert config["reference"]["star_sa_index_nbases"] == 8  # the 0.6 Mb simulated genome
    paths = [config["samples"], config["reference"]["fasta"], config["reference"]["gtf"], config["clinical"]]
    for path in paths + [config["work_dir"]]:
        assert not Path(path).is_absolute() and ".." not in Path(path).parts, path
    # comments in the config name the simulator's command that makes its data
    assert (
        "allfuse simulate --outdir .test/data --cohort test --seed 7"
        in (DOT_TEST / "config" / "config.yaml").read_text()
    )


def test_sheet_names_what_the_simulator_writes(simulated: Path) -> None:
    def rows(sheet: Path) -> list[tuple[str, Path, Path]]:
        lines = [ln for ln in sheet.read_text().splitlines() if ln and not ln.startswith("#")]
        assert lines[0].split("\t") == ["sample", "fq1", "fq2"]
        return [
            (s, (sheet.parent / fq1).resolve(), (sheet.parent / fq2).resolve())
            for s, fq1, fq2 in (ln.split("\t") for ln in lines[1:])
        ]

    committed = rows(simulated / "config" / "samples.tsv")
    assert [s for s, _, _ in committed] == SAMPLES
    assert committed == rows(simulated / "data" / "samples.tsv")
    assert all(fq1.is_file() and fq2.is_file() for _, fq1, fq2 in committed)


def test_dry_run_plans_every_step_per_sample(simulated: Path) -> None:
    proc = snakemake(simulated, "--dry-run")
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    counts = job_counts(proc.stdout)
    for rule in PER_SAMPLE:
        assert counts.get(rule) == len(SAMPLES), (rule, counts)
    for rule in ONCE + ["all"]:
        assert counts.get(rule) == 1, (rule, counts)
    assert set(counts) == {*PER_SAMPLE, *ONCE, "all", "total"}, counts
    assert counts["total"] == len(SAMPLES) * len(PER_SAMPLE) + len(ONCE) + 1
    # every per-sample job is one of the five samples, each once
    for rule in PER_SAMPLE:
        block = re.findall(
            rf"^\s*rule {rule}:\n(?:\s+.*\n)*?\s+wildcards: sample=(\w+)", proc.stdout, re.MULTILINE
        )
        assert sorted(block) == SAMPLES, (rule, block)
    assert not (simulated / "results").exists()  # a dry run writes no result
