"""The cluster setup, planned but not run: config/cluster.yaml and the SLURM profile.

``snakemake -n -p`` with all four callers on a small simulated cohort: the printed plan must hold
one STAR alignment per sample that every caller reads (Arriba its BAM, STAR-Fusion and allfuse's
star_chimeric its Chimeric.out.junction), and an annotate job per sample that is handed every
caller's output. Arriba's database and the CTAT library are empty stand-ins: a dry run only needs
them to exist. No conda is used (the conda directives are ignored without ``--sdm conda``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import BIN, REPO, run_snakemake

CALLERS = ["star_chimeric", "pizzly", "arriba", "starfusion"]
PROFILE = REPO / "workflow" / "profiles" / "slurm" / "config.yaml"


@dataclass
class Job:
    rule: str
    wildcards: dict[str, str] = field(default_factory=dict)
    input: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    shell: str = ""
    resources: str = ""
    cluster_job: int = 0  # jobs of one group job share this number; every other job has its own

    @property
    def args(self) -> list[str]:
        return shlex.split(self.shell)


def parse_plan(stdout: str) -> list[Job]:
    """Jobs of a ``snakemake -n -p`` plan, with their wildcards, files and shell command."""
    jobs: list[Job] = []
    cluster_job = 0
    in_group = False
    for line in stdout.splitlines():
        if re.search(r"\bGroup job \w+ \(", line):
            cluster_job += 1
            in_group = True
        elif m := re.match(r"^(\s*)(?:local)?rule (\w+):$", line):  # indented: a member of a group job
            if not (in_group and m.group(1)):
                cluster_job += 1
                in_group = False
            jobs.append(Job(m.group(2), cluster_job=cluster_job))
        elif not jobs:
            continue
        elif m := re.match(r"^\s+wildcards: (.*)$", line):
            jobs[-1].wildcards = dict(kv.split("=", 1) for kv in m.group(1).split(", "))
        elif m := re.match(r"^\s+input: (.*)$", line):
            jobs[-1].input = m.group(1).split(", ")
        elif m := re.match(r"^\s+output: (.*)$", line):
            jobs[-1].output = m.group(1).split(", ")
        elif m := re.match(r"^\s+resources: (.*)$", line):
            jobs[-1].resources = m.group(1)
        elif line.startswith("Shell command: "):
            jobs[-1].shell = line.removeprefix("Shell command: ")
    return jobs


def submissions(jobs: list[Job]) -> set[frozenset[tuple]]:
    """The plan's submissions, each as the set of its jobs (rule and outputs): a group job is one."""
    members: dict[int, set[tuple]] = {}
    for job in jobs:
        members.setdefault(job.cluster_job, set()).add((job.rule, tuple(sorted(job.output))))
    return {frozenset(m) for m in members.values()}


def commands(shell: str) -> list[list[str]]:
    """The simple commands of a job's shell line (split at ; && || | &), each as its words."""
    lexer = shlex.shlex(shell, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    out: list[list[str]] = [[]]
    for word in lexer:
        if word in (";", "&&", "||", "|", "&", ";;"):
            out.append([])
        else:
            out[-1].append(word)
    return [c for c in out if c]


def command(job: Job, *program: str) -> list[str]:
    """The one simple command of the job whose first words are ``program`` (e.g. "samtools", "sort")."""
    found = [words for words in commands(job.shell) if tuple(words[: len(program)]) == program]
    assert len(found) == 1, (program, job.shell)
    return found[0]


def option(args: list[str], name: str) -> str:
    """The value following ``name`` in a command line (exactly one occurrence)."""
    assert args.count(name) == 1, f"{name} given {args.count(name)} times in {shlex.join(args)}"
    return args[args.index(name) + 1]


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A simulated cohort, config/cluster.yaml pointed at it, and the dry-run plan."""
    run = tmp_path_factory.mktemp("cluster_dryrun")
    sim = run / "sim"
    subprocess.run(
        [str(BIN / "allfuse"), "simulate", "--outdir", str(sim), "--cohort", "test", "--seed", "7"]
        + ["--pairs", "200"],  # a plan needs the files, not many reads
        check=True,
        capture_output=True,
    )
    refs = run / "refs"
    ctat = refs / "ctat_genome_lib_build_dir"
    ctat.mkdir(parents=True)
    arriba_db = {
        "blacklist": refs / "blacklist_hg38_GRCh38_v2.5.1.tsv.gz",
        "known_fusions": refs / "known_fusions_hg38_GRCh38_v2.5.1.tsv.gz",
        "protein_domains": refs / "protein_domains_hg38_GRCh38_v2.5.1.gff3",
    }
    for path in arriba_db.values():
        path.touch()

    config = yaml.safe_load((REPO / "config" / "cluster.yaml").read_text())
    assert config["callers"] == CALLERS
    config["samples"] = str(sim / "samples.tsv")
    config["reference"].update(fasta=str(sim / "genome.fa"), gtf=str(sim / "genes.gtf"))
    config["arriba"].update({k: str(v) for k, v in arriba_db.items()})
    config["starfusion"]["genome_lib_dir"] = str(ctat)
    configfile = run / "cluster.yaml"
    configfile.write_text(yaml.safe_dump(config))

    proc = run_snakemake(run, configfile, "--dry-run", "--printshellcmds")
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    samples = sim.joinpath("samples.tsv").read_text().split()[3::3]
    return {
        "run": run,
        "configfile": configfile,
        "config": config,
        "work": config.get("work_dir", "work"),  # the schema default
        "samples": samples,
        "ctat": str(ctat),
        "arriba_db": {k: str(v) for k, v in arriba_db.items()},
        "jobs": parse_plan(proc.stdout),
    }


def by_sample(jobs: list[Job], rule: str) -> dict[str, Job]:
    """The jobs of one rule keyed by sample; fails if a sample has two."""
    selected = [j for j in jobs if j.rule == rule]
    keyed = {j.wildcards["sample"]: j for j in selected}
    assert len(keyed) == len(selected), f"{rule}: more than one job for a sample"
    return keyed


def test_cluster_config_is_the_documented_human_setup() -> None:
    config = yaml.safe_load((REPO / "config" / "cluster.yaml").read_text())
    assert config["callers"] == CALLERS
    assert config["reference"]["star_sa_index_nbases"] == 14
    assert config["reference"]["read_length"] in (101, 151)
    ctat = config["starfusion"]["genome_lib_dir"]
    assert config["reference"]["fasta"] == f"{ctat}/ref_genome.fa"
    assert config["reference"]["gtf"] == f"{ctat}/ref_annot.gtf"
    names = {k: Path(v).name for k, v in config["arriba"].items() if k != "extra"}
    assert re.fullmatch(r"blacklist_hg38_GRCh38_v2\.5\.\d+\.tsv\.gz", names["blacklist"])
    assert re.fullmatch(r"known_fusions_hg38_GRCh38_v2\.5\.\d+\.tsv\.gz", names["known_fusions"])
    assert re.fullmatch(r"protein_domains_hg38_GRCh38_v2\.5\.\d+\.gff3", names["protein_domains"])
    for path in [*config["arriba"].values(), ctat]:
        assert not path or path.startswith("refs/"), path
    # Everything except what a cluster changes is the demo's: one STAR call for every caller.
    demo = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    for key in ("star", "star_chimeric", "pizzly", "merge"):
        assert config[key] == demo[key], key


def test_one_alignment_per_sample_and_one_job_per_caller(cluster_run: dict) -> None:
    jobs, samples = cluster_run["jobs"], cluster_run["samples"]
    assert samples == ["T01", "T02", "T03", "T04", "T05", "T06"]
    for rule in ("star_align", "arriba", "starfusion", "annotate"):
        assert sorted(by_sample(jobs, rule)) == samples, rule
    assert [j.rule for j in jobs].count("star_index") == 1
    index = next(j for j in jobs if j.rule == "star_index").args
    assert option(index, "--genomeSAindexNbases") == "14"
    assert option(index, "--sjdbOverhang") == str(cluster_run["config"]["reference"]["read_length"] - 1)
    # pizzly's GTF is parsed once per run, into the cache every sample's pizzly reads
    work = cluster_run["work"]
    assert [j.rule for j in jobs].count("pizzly_cache") == 1
    cache = next(j for j in jobs if j.rule == "pizzly_cache")
    assert cache.output == [f"{work}/pizzly.gtf.cache"]
    assert option(command(cache, "pizzly"), "--gtf") == f"{work}/pizzly.gtf"


def test_at_most_four_cluster_jobs_per_sample(cluster_run: dict) -> None:
    """On a cluster each group job is one submission: per sample, the alignment job (reads check,
    STAR, sort, index, kallisto, pizzly) and one job for Arriba, STAR-Fusion, QC, annotate and
    report."""
    per_sample: dict[str, set[int]] = {}
    for job in cluster_run["jobs"]:
        if "sample" in job.wildcards:
            per_sample.setdefault(job.wildcards["sample"], set()).add(job.cluster_job)
    counts = {sample: len(jobs) for sample, jobs in per_sample.items()}
    print(f"cluster jobs per sample (all four callers): {counts}")
    assert sorted(counts) == cluster_run["samples"]
    assert set(counts.values()) == {2}, counts
    by_rule = {
        (j.wildcards["sample"], j.rule): j.cluster_job for j in cluster_run["jobs"] if "sample" in j.wildcards
    }
    for sample in cluster_run["samples"]:
        assert len({by_rule[sample, r] for r in ("arriba", "starfusion", "annotate")}) == 1


def test_star_writes_chimeric_reads_for_every_caller(cluster_run: dict) -> None:
    work = cluster_run["work"]
    for sample, job in by_sample(cluster_run["jobs"], "star_align").items():
        # STAR splits its command line on spaces: it reads the FASTQs through links with plain names
        assert ["ln", "-s", job.input[0], "$D/fq1"] in commands(job.shell), job.shell
        assert commands(job.shell)[0] == ["D=results/" + sample + "/star"]
        args = command(job, "STAR")
        assert option(args, "--readFilesIn") == "$D/fq1"
        # the reads are checked in the pass that feeds STAR
        assert option(args, "--readFilesCommand") == "$D/read_command"
        assert option(args, "--chimOutJunctionFormat") == "1"
        assert option(args, "--chimOutType") == "WithinBAM"
        assert option(args, "--outFileNamePrefix") == "$D/"
        assert option(args, "--outStd") == "BAM_Unsorted"
        assert f"results/{sample}/star/Chimeric.out.junction" in job.output
        assert f"results/{sample}/reads_check.tsv" in job.output
        # sorted as STAR writes it, in the same job, and indexed as it is written (no second pass)
        sort = command(job, "samtools", "sort")
        bam = f"results/{sample}/star/Aligned.sortedByCoord.out.bam"
        assert "--write-index" in sort and option(sort, "-o") == f"{bam}##idx##{bam}.bai"
        assert [bam, f"{bam}.bai"] == [f for f in job.output if f.startswith(bam)]
        assert "samtools index" not in job.shell
        # kallisto (pizzly's pseudoalignment) beside STAR, on the sample's reads
        kallisto = command(job, "kallisto")
        assert job.input[0] in kallisto and job.input[1] in kallisto
        assert option(kallisto, "-o") == f"results/{sample}/pizzly/kallisto"
        # pizzly right after kallisto, on its fusion.txt, still beside STAR (the same job)
        pizzly = command(job, "pizzly")
        assert f"results/{sample}/pizzly/kallisto/fusion.txt" in pizzly
        assert option(pizzly, "--output") == f"results/{sample}/pizzly/{sample}"
        assert option(pizzly, "-k") == str(cluster_run["config"]["pizzly"]["k"])
        # pizzly reads the run's annotation cache (rule pizzly_cache), not the GTF, in every sample
        assert option(pizzly, "--cache") == f"{work}/pizzly.gtf.cache"
        assert "--gtf" not in pizzly
        assert f"results/{sample}/pizzly/{sample}.json" in job.output


def test_arriba_runs_on_the_shared_star_bam(cluster_run: dict) -> None:
    db = cluster_run["arriba_db"]
    ref = cluster_run["config"]["reference"]
    for sample, job in by_sample(cluster_run["jobs"], "arriba").items():
        args = job.args
        assert args[0] == "arriba"
        assert option(args, "-x") == f"results/{sample}/star/Aligned.sortedByCoord.out.bam"
        assert option(args, "-a") == ref["fasta"]
        assert option(args, "-g") == ref["gtf"]
        assert option(args, "-b") == db["blacklist"]
        # the user's known fusions reach Arriba inside allfuse's file (rule arriba_known_fusions)
        assert option(args, "-k") == option(args, "-t") == "work/arriba/known_fusions.tsv"
        assert option(args, "-p") == db["protein_domains"]
        assert option(args, "-o") == f"results/{sample}/arriba/fusions.tsv"
        assert option(args, "-O") == f"results/{sample}/arriba/fusions.discarded.tsv"


def test_known_fusions_file_combines_the_users_with_allfuses(cluster_run: dict) -> None:
    (job,) = [j for j in cluster_run["jobs"] if j.rule == "arriba_known_fusions"]
    assert job.args[4] == "known-fusions"
    assert option(job.args, "--add") == cluster_run["arriba_db"]["known_fusions"]
    assert option(job.args, "--out") == "work/arriba/known_fusions.tsv"


def test_starfusion_kickstarts_from_the_shared_junction_file(cluster_run: dict) -> None:
    for sample, job in by_sample(cluster_run["jobs"], "starfusion").items():
        args = job.args
        assert args[0] == "STAR-Fusion"
        assert option(args, "-J") == f"results/{sample}/star/Chimeric.out.junction"
        assert option(args, "--genome_lib_dir") == cluster_run["ctat"]
        assert option(args, "--output_dir") == f"results/{sample}/starfusion"


def test_annotate_gets_every_callers_output(cluster_run: dict) -> None:
    gtf = cluster_run["config"]["reference"]["gtf"]
    for sample, job in by_sample(cluster_run["jobs"], "annotate").items():
        steps = next(c for c in commands(job.shell) if c[4:5] == ["steps"])
        # the checkout's own package, run by the Python that runs Snakemake (never 'python' on PATH)
        assert steps[0] == f"PYTHONPATH={REPO / 'src'}" and steps[2:4] == ["-m", "allfuse"]
        assert Path(steps[1]).resolve() == Path(sys.executable).resolve()  # python or python3 of the venv
        # one process, its steps each with its log: @LOG STEP ARGS ...
        starts = [i for i, word in enumerate(steps) if word.startswith("@")]
        named = {
            steps[i + 1]: steps[i + 1 : end] for i, end in zip(starts, [*starts[1:], len(steps)], strict=True)
        }
        assert list(named) == ["qc", "expression", "annotate", "evidence", "primers", "report"]
        assert steps[starts[2]] == f"@results/{sample}/logs/annotate.log"
        args = named["annotate"]
        assert option(args, "--sample") == sample
        assert option(args, "--gtf") == gtf
        assert option(args, "--outdir") == f"results/{sample}"
        assert option(args, "--arriba") == f"results/{sample}/arriba/fusions.tsv"
        assert (
            option(args, "--starfusion")
            == f"results/{sample}/starfusion/star-fusion.fusion_predictions.abridged.tsv"
        )
        assert option(args, "--star-chimeric") == f"results/{sample}/star/Chimeric.out.junction"
        assert option(args, "--pizzly") == f"results/{sample}/pizzly/{sample}.json"
        assert option(args, "--merge-distance") == "10"
        assert sorted(job.output) == sorted(
            [f"results/{sample}/calls/{c}.tsv" for c in CALLERS]
            + [f"results/{sample}/fusions.tsv", f"results/{sample}/classification.json"]
            + [f"results/{sample}/{name}" for name in ("qc.tsv", "expression.tsv", "evidence.json")]
            + [f"results/{sample}/primers.tsv", f"results/{sample}/report.html"]
        )


def test_one_cohort_job_after_every_sample(cluster_run: dict) -> None:
    """The run's steps after the samples are one job (one submission on a cluster, not a chain):
    cohort table, expression matrix and cohort page, in one process; with no clinical table in
    the config there is no survival step."""
    assert "clinical" not in cluster_run["config"]
    after = [j for j in cluster_run["jobs"] if j.rule in ("cohort", "expression_matrix", "cohort_report")]
    assert [j.rule for j in after] == ["cohort"]
    steps = next(c for c in commands(after[0].shell) if c[4:5] == ["steps"])
    assert steps[5:7] == ["--what", "cohort"]
    starts = [i for i, word in enumerate(steps) if word.startswith("@")]
    assert [(steps[i], steps[i + 1]) for i in starts] == [
        ("@logs/cohort.log", "cohort"),
        ("@logs/expression_matrix.log", "expression-matrix"),
        ("@logs/cohort_report.log", "cohort-report"),
    ]
    for i, end in zip(starts, [*starts[1:], len(steps)], strict=True):
        args = steps[i + 1 : end]  # every step reads every sample's results
        assert args[args.index("--samples") + 1 :][: len(cluster_run["samples"])] == cluster_run["samples"]
    assert sorted(after[0].output) == sorted(
        ["results/cohort.tsv", "results/expression_matrix.tsv", "results/cohort.html"]
    )


def test_slurm_profile_is_a_snakemake_slurm_profile() -> None:
    profile = yaml.safe_load(PROFILE.read_text())
    assert PROFILE.read_text().startswith("#"), "comment header"
    assert profile["executor"] == "slurm"
    assert profile["software-deployment-method"] in ("conda", ["conda"])
    assert {"mem_mb", "runtime", "slurm_partition"} <= set(profile["default-resources"])
    assert isinstance(profile["jobs"], int) and profile["jobs"] > 0
    smk = "".join(p.read_text() for p in REPO.glob("workflow/rules/*.smk"))
    rules = set(re.findall(r"^rule (\w+):", smk, re.MULTILINE))
    assert set(profile.get("set-threads", {})) <= rules
    assert set(profile.get("set-resources", {})) <= rules


def test_slurm_profile_options_are_valid_snakemake_options(cluster_run: dict) -> None:
    """Dry run with the profile; only the SLURM executor and conda, not installed here, left out."""
    profile = yaml.safe_load(PROFILE.read_text())
    profile.pop("executor")
    profile.pop("software-deployment-method")
    local = cluster_run["run"] / "profile"
    local.mkdir(exist_ok=True)
    (local / "config.yaml").write_text(yaml.safe_dump(profile))
    proc = run_snakemake(cluster_run["run"], cluster_run["configfile"], "--dry-run", "--profile", str(local))
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = parse_plan(proc.stdout)
    star = by_sample(jobs, "star_align")["T01"].resources
    partition = profile["default-resources"]["slurm_partition"]
    assert f"slurm_partition={partition}" in star
    assert f"runtime={profile['set-resources']['star_align']['runtime']}" in star
    # memory from the rule itself: the profile does not repeat it
    assert f"mem_mb={declared_resources()['star_align']['mem_mb']}" in star


def declared_resources() -> dict[str, dict[str, int]]:
    """threads and mem_mb of every rule as workflow/rules/*.smk declare them."""
    smk = "".join(p.read_text() for p in sorted(REPO.glob("workflow/rules/*.smk")))
    declared = {}
    for m in re.finditer(r"^\s*rule (\w+):\n(.*?)(?=^\s*rule \w+:|\Z)", smk, re.MULTILINE | re.DOTALL):
        body = m.group(2)
        declared[m.group(1)] = {
            key: int(v.group(1))
            for key, pattern in (("threads", r"^\s+threads: (\d+)"), ("mem_mb", r"^\s+mem_mb=(\d+)"))
            if (v := re.search(pattern, body, re.MULTILINE))
        }
    return declared


def test_slurm_profile_repeats_no_resource_of_the_rules() -> None:
    """Threads and memory live in the rules only; the profile sets site values (runtime here)."""
    profile = yaml.safe_load(PROFILE.read_text())
    declared = declared_resources()
    assert declared["star_align"] == {"threads": 8, "mem_mb": 40000}
    assert all("mem_mb" in res for res in declared.values()), declared
    assert "set-threads" not in profile
    for rule, res in profile.get("set-resources", {}).items():
        assert set(res) == {"runtime"}, (rule, res)


def test_benchmark_floor_plans_the_same_jobs_and_files(
    cluster_run: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scripts/benchmark.py's P4 floor ("Snakemake alone on the same plan") runs a Snakefile made
    from a dry run of the sheet's first sample: for the whole sheet it must plan exactly the
    workflow's jobs, with the same declared inputs and outputs and the same group jobs, or the floor
    measures another plan."""
    spec = importlib.util.spec_from_file_location("allfuse_benchmark", REPO / "scripts" / "benchmark.py")
    benchmark = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "allfuse_benchmark", benchmark)  # its dataclass needs the module
    spec.loader.exec_module(benchmark)
    run = cluster_run["run"]
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")
    sheet = Path(cluster_run["config"]["samples"])
    mirror = benchmark.mirror_of_plan(run, sheet, cluster_run["configfile"], env)
    assert isinstance(mirror, Path), mirror
    proc = subprocess.run(
        [str(BIN / "snakemake"), "-s", str(mirror), "--directory", str(run), "-n"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]

    def plan(jobs: list[Job]) -> list[tuple]:
        return sorted((job.rule, sorted(job.input), sorted(job.output)) for job in jobs)

    mirrored = parse_plan(proc.stdout)
    assert len(mirrored) == len(cluster_run["jobs"]) > 4 * len(cluster_run["samples"])
    assert plan(mirrored) == plan(cluster_run["jobs"])
    # and the same group jobs: the cluster's submissions, which Snakemake also plans
    assert submissions(mirrored) == submissions(cluster_run["jobs"])
    assert len(submissions(mirrored)) < len(mirrored)  # there are group jobs to compare
