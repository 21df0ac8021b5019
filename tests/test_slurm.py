"""The pipeline on a real SLURM cluster: Snakemake's SLURM executor on a one-node cluster started here.

``scripts/slurm-local.sh`` starts munged, slurmctld and slurmd for this machine (its CPUs and memory);
the small simulated cohort of ``sim_run`` is run again with ``snakemake --profile
workflow/profiles/slurm`` (``snakemake-executor-plugin-slurm``: every job goes through ``sbatch`` and
``srun``), into its own folder with the same config, and its tables must be byte-identical to the
local ``--cores 2`` run. The profile is used as a site would use it: only the partition is filled in
and conda is left out (these machines have the tools from Debian, not conda). What the rules ask for
is capped to the node on the command line (``--max-threads``, ``--set-resources``), never by editing
rules. No accounting database runs, so job states come from ``squeue`` (the plugin's
``--slurm-status-command squeue``). If SLURM cannot start, the test fails. The daemons need root: a
user who is not root runs them through passwordless sudo; without it this module skips, saying so
(under ``CI=true`` it fails instead).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import BIN, REPO
from slurm_cluster import NEEDS_ROOT, SlurmCluster, alive, as_root, local_slurm

PROFILE = REPO / "workflow" / "profiles" / "slurm" / "config.yaml"
# The local run to compare with uses --cores 2: no job gets more threads than that here either.
LOCAL_CORES = 2


@dataclass
class SlurmRun:
    folder: Path
    proc: subprocess.CompletedProcess
    cluster: SlurmCluster
    profile: dict
    jobs: dict[str, tuple[str, int, int]]  # SLURM job id -> (state, CPUs, memory MB), this run only
    planned: dict[str, int]  # rule -> number of jobs in the plan
    cluster_jobs: int  # submissions in the plan: a group job is one
    per_sample: dict[str, int]  # sample -> its submissions in the plan
    wall_s: float
    executed: dict[str, int]  # rule -> jobs run, from the SLURM job logs (kept for this)
    asked_mem_mb: dict[str, int]  # rule -> mem_mb its jobs ask for in the plan (the rule's own)
    still_alive_after_stop: list[int]


@pytest.fixture(scope="session", autouse=True)
def root_for_the_daemons() -> None:
    """Root, or passwordless sudo, before anything else (session scope: before ``sim_run``). As
    `make install` does, the tests need one of them: without, the SLURM tests fail saying so."""
    if as_root() is None:
        pytest.fail(NEEDS_ROOT, pytrace=False)


def site_profile(folder: Path, partition: str) -> dict:
    """The repository's profile with what a site sets: its partition; no conda on these machines."""
    profile = yaml.safe_load(PROFILE.read_text())
    profile["default-resources"]["slurm_partition"] = partition
    profile.pop("software-deployment-method")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(profile))
    return profile


def plan(
    run: Path, configfile: Path, env: dict[str, str], *args: str
) -> tuple[dict[str, dict[str, int]], dict]:
    """mem_mb each planned rule asks for (dry run with the same arguments), and how many jobs; and
    the submissions: a group job (rules' ``group:``) is one SLURM job, its members indented."""
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(run)]
    cmd += ["--configfile", str(configfile), "--dry-run", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rules: dict[str, dict[str, int]] = {}
    rule = None
    submissions, in_group = 0, False
    per_sample: dict[str, set[int]] = {}
    for line in proc.stdout.splitlines():
        if re.search(r"\bGroup job \w+ \(", line):
            submissions, in_group = submissions + 1, True
        elif m := re.match(r"^(\s*)(?:local)?rule (\w+):$", line):
            rule = m.group(2)
            rules.setdefault(rule, {"jobs": 0, "mem_mb": 0})["jobs"] += 1
            if not (in_group and m.group(1)):
                in_group = False
                submissions += rule != "all"  # the target rule runs no job
        elif rule and (m := re.match(r"^\s+resources: .*\bmem_mb=(\d+)", line)):
            rules[rule]["mem_mb"] = max(rules[rule]["mem_mb"], int(m.group(1)))
        elif rule and (m := re.match(r"^\s+wildcards: .*\bsample=([^,\s]+)", line)):
            per_sample.setdefault(m.group(1), set()).add(submissions)
    return rules, {
        "submissions": submissions,
        "per_sample": {s: len(j) for s, j in sorted(per_sample.items())},
    }


def capped_resources(profile: dict, planned: dict[str, dict[str, int]], mem_cap: int) -> list[str]:
    """``--set-resources`` values: the profile's, and every rule's memory capped to ``mem_cap``.

    Given on the command line, ``--set-resources`` replaces the profile's whole table, so the
    profile's entries (runtime of the long rules) are repeated with their memory capped.
    """
    table = {rule: dict(res) for rule, res in profile.get("set-resources", {}).items()}
    for rule, asked in planned.items():
        if asked["mem_mb"] > mem_cap:
            table.setdefault(rule, {})["mem_mb"] = mem_cap
    for res in table.values():
        if res.get("mem_mb", 0) > mem_cap:
            res["mem_mb"] = mem_cap
    return [f"{rule}:{key}={value}" for rule, res in sorted(table.items()) for key, value in res.items()]


@pytest.fixture(scope="module")
def slurm_run(sim_run: Path, tmp_path_factory: pytest.TempPathFactory) -> SlurmRun:
    """Start SLURM, run the cohort through the SLURM executor, record the jobs, stop SLURM."""
    run = tmp_path_factory.mktemp("slurmrun")
    configfile = run / "config.yaml"
    configfile.write_bytes((sim_run / "config.yaml").read_bytes())
    with local_slurm(tmp_path_factory.mktemp("slurm")) as cluster:
        env = cluster.env(dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}"))
        profile = site_profile(run / "profile", cluster.partition)
        common = ["--profile", str(run / "profile")]
        planned, submissions = plan(run, configfile, env, *common)
        # One CPU's share of the node's memory per job at most, so jobs can run side by side.
        mem_cap = cluster.mem_mb // cluster.cpus
        cmd = [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(run)]
        cmd += ["--configfile", str(configfile), *common]
        cmd += ["--max-threads", str(min(cluster.cpus, LOCAL_CORES))]
        cmd += ["--set-resources", *capped_resources(profile, planned, mem_cap)]
        cmd += ["--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "2"]
        cmd += ["--slurm-keep-successful-logs"]  # to count what each SLURM job ran
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1500, check=False)
        wall_s = time.perf_counter() - start
        (run / "snakemake.log").write_text(proc.stdout + proc.stderr)
        uuid = re.search(r"SLURM run ID: (\S+)", proc.stdout + proc.stderr)
        jobs = {}
        for line in cluster.query("squeue", "--states=all", "-h", "-o", "%i|%j|%T|%C|%m").splitlines():
            jobid, name, state, cpus, mem = line.split("|")
            if uuid and name == uuid.group(1):
                jobs[jobid] = (state, int(cpus), int(mem.rstrip("M")))
        pids = cluster.pids()
    return SlurmRun(
        folder=run,
        proc=proc,
        cluster=cluster,
        profile=profile,
        jobs=jobs,
        planned={rule: asked["jobs"] for rule, asked in planned.items()},
        cluster_jobs=submissions["submissions"],
        per_sample=submissions["per_sample"],
        wall_s=wall_s,
        executed=executed_rules(run / ".snakemake" / "slurm_logs"),
        asked_mem_mb={rule: asked["mem_mb"] for rule, asked in planned.items()},
        still_alive_after_stop=[pid for pid in pids.values() if alive(pid)],
    )


def executed_rules(logs: Path) -> dict[str, int]:
    """Jobs each rule ran, from the SLURM job logs. A group job's log holds two Snakemake runs: the
    job step's, which lists the group's rules ("    rule x:") and reports each finished, and the
    one it starts with ``srun -n1``, which runs them ("localrule x:"); only the second counts."""
    counts: dict[str, int] = {}
    for log in logs.rglob("*.log"):
        for rule in re.findall(r"^localrule (\w+):$", log.read_text(errors="replace"), re.MULTILINE):
            counts[rule] = counts.get(rule, 0) + 1
    return counts


def test_every_job_ran_as_a_slurm_job(slurm_run: SlurmRun) -> None:
    out = slurm_run.proc.stdout + slurm_run.proc.stderr
    assert slurm_run.proc.returncode == 0, out[-4000:]
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", out)
    print(
        f"SLURM run: {slurm_run.wall_s:.0f} s wall, {len(submitted)} SLURM jobs,"
        f" jobs per sample {slurm_run.per_sample}"
    )
    n_jobs = sum(n for rule, n in slurm_run.planned.items() if rule != "all")
    assert n_jobs >= 5 * 2, slurm_run.planned  # per sample: star_align (with pizzly), annotate
    # one submission per group job: per sample the alignment, and its callers + QC/annotate/report
    assert set(slurm_run.per_sample.values()) == {2}, slurm_run.per_sample
    assert len(submitted) == slurm_run.cluster_jobs
    # every job ran once, in groups too (their logs show each rule twice: listed, then run)
    assert slurm_run.executed == {rule: n for rule, n in slurm_run.planned.items() if rule != "all"}
    assert sorted(slurm_run.jobs) == sorted(submitted)
    assert {state for state, _, _ in slurm_run.jobs.values()} == {"COMPLETED"}


def test_jobs_ask_no_more_than_the_node_has(slurm_run: SlurmRun) -> None:
    cluster = slurm_run.cluster
    meminfo = Path("/proc/meminfo").read_text()
    total_mb = int(re.search(r"MemTotal:\s+(\d+) kB", meminfo).group(1)) // 1024
    assert 0 < cluster.mem_mb <= total_mb
    assert 0 < cluster.cpus <= (os.cpu_count() or 1)
    cap = cluster.mem_mb // cluster.cpus
    asked = list(slurm_run.jobs.values())
    assert max(cpus for _, cpus, _ in asked) == min(cluster.cpus, LOCAL_CORES)  # STAR, capped from 8
    # STAR's memory as its rule declares it (the profile does not repeat it), capped to the node
    assert slurm_run.asked_mem_mb["star_align"] == 40000
    assert max(mem for _, _, mem in asked) == min(cap, slurm_run.asked_mem_mb["star_align"])


def test_tables_are_byte_identical_to_the_local_run(slurm_run: SlurmRun, sim_run: Path) -> None:
    patterns = [
        "cohort.tsv",
        "expression_matrix.tsv",
        "*/fusions.tsv",
        "*/classification.json",
        "*/calls/*.tsv",
    ]
    patterns += ["*/qc.tsv", "*/expression.tsv", "*/evidence.json", "*/primers.tsv"]

    def tables(run: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(run)): p.read_bytes() for pat in patterns for p in (run / "results").glob(pat)
        }

    local, slurm = tables(sim_run), tables(slurm_run.folder)
    n = len(slurm_run.per_sample)  # the simulated test cohort's samples
    # cohort, expression matrix; per sample fusions, classification, qc, expression, evidence, primers,
    # and 2 callers
    assert n == 6 and len(local) == 2 + n * 6 + n * 2
    assert sorted(slurm) == sorted(local)
    assert [name for name in local if slurm[name] != local[name]] == []


def test_profile_changed_only_where_a_site_sets_it(slurm_run: SlurmRun) -> None:
    repo = yaml.safe_load(PROFILE.read_text())
    site = dict(slurm_run.profile)
    assert repo.pop("software-deployment-method") in ("conda", ["conda"])
    assert repo.pop("default-resources") | {"slurm_partition": slurm_run.cluster.partition} == site.pop(
        "default-resources"
    )
    assert site == repo


def test_cluster_daemons_stop_when_the_run_is_over(slurm_run: SlurmRun) -> None:
    assert slurm_run.still_alive_after_stop == []
    assert not (
        Path("/etc/slurm/slurm.conf").is_symlink()
        and slurm_run.cluster.folder.as_posix() in os.readlink("/etc/slurm/slurm.conf")
    )


def test_cluster_daemons_stop_even_when_the_body_fails(tmp_path: Path) -> None:
    pids: dict[str, int] = {}
    with pytest.raises(RuntimeError, match="body failed"), local_slurm(tmp_path / "slurm") as cluster:
        pids = cluster.pids()
        states = cluster.query("sinfo", "-h", "-o", "%T").split()
        assert states == ["idle"]
        raise RuntimeError("body failed")
    assert sorted(pids) == ["munged", "slurmctld", "slurmd"]
    assert [name for name, pid in pids.items() if alive(pid)] == []
    assert not Path("/etc/slurm/slurm.conf").is_symlink()
