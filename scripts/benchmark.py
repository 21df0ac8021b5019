#!/usr/bin/env python3
"""Print the speed figures of issue 16 side by side, from one run (figures, not a test).

Usage (after `make demo`, from the project folder; about 5 minutes on 2 cores):
    .venv/bin/python scripts/benchmark.py [--out /tmp/allfuse-bench] [--cores 2] [--samples 1000] [--repeat 1]
        [--skip P1,P2,P3,P4]

P1  one sample of 0.96 M read pairs (the demo's reads, concatenated 4 times), callers star_chimeric
    and pizzly, references built beforehand: the whole pipeline (`snakemake --cores N`, fresh
    results) divided by STAR alone (the same options, index and threads, unsorted BAM); with
    --repeat, also each pipeline run against the STAR run just before it (the machine drifts).
P2  SLURM jobs per sample: submissions counted from a dry run (a group job is one submission),
    with the demo's callers and with all four callers.
P3  `allfuse annotate` on a GENCODE-sized GTF (allfuse.simulate.big_gtf): the one-time annotation
    index build and one sample's annotate, time and peak memory; and pizzly's own GTF parse, which
    every sample's pizzly did, against reading the run's cache (rule pizzly_cache).
P4  `snakemake -n` on a 1,000-sample sheet (2,000 FASTQ paths, hard links to the demo's reads): a
    first run (no cached FASTQ head checks) and a second run on unchanged files; and Snakemake
    alone on the same plan: a Snakefile with the workflow's rules, their declared files and groups
    only (read from a one-sample dry run with --forceall, so the rules that made the references are
    in it, as Snakemake must check their files; no config, checks or Python per job), which is what
    any workflow with these jobs and files costs Snakemake here.

Each figure is printed with its target; nothing is asserted. Peak RSS is that of the measured
process and everything it waited for (os.wait4). The machine's core count and load are printed:
figures from a machine shared with other work are noisy.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COPIES = 4  # the demo's first 12 samples (INF01-INF12, about 20,000 pairs each), 4 times: 961,040 pairs
P1_SAMPLES = 12  # the 0.96 M pairs (INF13, added later, is left out)
DEMO = {"dir": REPO / "demo"}  # `make demo`'s folder (--demo)
TARGETS = {"P1": 1.3, "P2": 4, "P3_s": 5.0, "P3_mb": 1000, "P4_first": 10.0, "P4_second": 5.0}


@dataclass(frozen=True)
class Measured:
    seconds: float
    max_rss_mb: float
    cpu_seconds: float  # user + system, the process and every child it waited for
    returncode: int
    stdout: str
    stderr: str


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> Measured:
    """Wall time, peak RSS and CPU time (the process and every child it waited for) of one command."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return Measured(wall, usage.ru_maxrss / 1024, cpu, proc.returncode, out.read(), err.read())


def run_env() -> dict[str, str]:
    """PATH with the venv and the callers built here first; this checkout's package first."""
    path = f"{BIN}:{REPO / '.tools' / 'bin'}:{os.environ.get('PATH', '')}"
    return dict(os.environ, PATH=path, PYTHONPATH=str(REPO / "src"))


def snakemake(folder: Path, configfile: Path, *args: str) -> list[str]:
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(folder)]
    return cmd + [*args, "--configfile", str(configfile)]  # --configfile takes every word after it


def demo_config(folder: Path, sheet: Path, callers: list[str] | None = None) -> Path:
    """The demo's config on another sheet, without survival (a per-cohort step)."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["samples"] = str(sheet)
    config["reference"]["fasta"] = str(DEMO["dir"] / "genome.fa")
    config["reference"]["gtf"] = str(DEMO["dir"] / "genes.gtf")
    config["work_dir"] = str(folder.parent / "work")  # references shared by every step here
    for key in ("dfam_db", "pfam_db"):
        config["starfusion"][key] = str(REPO / config["starfusion"][key])
    config.pop("clinical", None)
    if callers:
        config["callers"] = callers
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def demo_reads() -> list[tuple[Path, Path]]:
    reads = DEMO["dir"] / "reads"
    pairs = [(r1, reads / r1.name.replace("_R1.", "_R2.")) for r1 in sorted(reads.glob("*_R1.fastq.gz"))]
    if not pairs:
        sys.exit(f"no demo reads in {reads}: run `make demo` first")
    return pairs


def big_sample(folder: Path) -> Path:
    """One sample of the demo's reads concatenated COPIES times (gzip members concatenate)."""
    folder.mkdir(parents=True, exist_ok=True)
    pairs = demo_reads()[:P1_SAMPLES]
    for mate in (0, 1):
        target = folder / f"big_R{mate + 1}.fastq.gz"
        size = COPIES * sum(pair[mate].stat().st_size for pair in pairs)
        if not target.exists() or target.stat().st_size != size:  # made from other reads: again
            tmp = target.with_suffix(".tmp")
            with open(tmp, "wb") as out:
                for _ in range(COPIES):
                    out.writelines(pair[mate].read_bytes() for pair in pairs)
            tmp.replace(target)  # a half-written sample is never reused
    sheet = folder / "samples.tsv"
    sheet.write_text(f"sample\tfq1\tfq2\nbig\t{folder / 'big_R1.fastq.gz'}\t{folder / 'big_R2.fastq.gz'}\n")
    return sheet


def pairs_in(path: Path) -> int:
    with gzip.open(path, "rb") as fh:
        return sum(1 for _ in fh) // 4


def build_references(out: Path, env: dict) -> None:
    folder = out / "refs"
    folder.mkdir(parents=True, exist_ok=True)
    sheet = big_sample(out / "p1" / "reads")
    configfile = demo_config(folder, sheet)
    work = out / "work"
    names = ("star_index", "kallisto.idx", "transcripts.fa", "pizzly.gtf.cache", "annotation_index.json")
    targets = [str(work / name) for name in names]
    proc = measure(snakemake(folder, configfile, *targets, "--cores", "2", "-q"), env=env)
    if proc.returncode:
        sys.exit(f"building the references failed:\n{proc.stderr[-2000:]}")


def p1(out: Path, cores: int, env: dict, repeat: int = 1) -> list[str]:
    folder = out / "p1"
    sheet = big_sample(folder / "reads")
    configfile = demo_config(folder, sheet)
    config = yaml.safe_load(configfile.read_text())
    star_dir = folder / "star_alone"
    shutil.rmtree(star_dir, ignore_errors=True)
    star_dir.mkdir()
    star = ["STAR", "--runThreadN", str(cores), "--genomeDir", str(out / "work" / "star_index")]
    star += [
        "--readFilesIn",
        str(folder / "reads" / "big_R1.fastq.gz"),
        str(folder / "reads" / "big_R2.fastq.gz"),
    ]
    star += [
        "--readFilesCommand",
        "zcat",
        "--outFileNamePrefix",
        f"{star_dir}/",
        "--outSAMtype",
        "BAM",
        "Unsorted",
    ]
    star += ["--outSAMattrRGline", "ID:big", "SM:big", *config["star"]["extra"].split()]
    star += config["star"]["chimeric"].split()
    alones, wholes = [], []
    for _ in range(repeat):  # alternated; the fastest of each, against other work on the machine
        alones.append(measure(star, env=env))
        for name in ("results", "logs", "benchmarks", ".snakemake"):
            shutil.rmtree(folder / name, ignore_errors=True)
        wholes.append(measure(snakemake(folder, configfile, "--cores", str(cores), "-q"), env=env))
    alone = min(alones, key=lambda m: (m.returncode, m.seconds))
    whole = min(wholes, key=lambda m: (m.returncode, m.seconds))
    if alone.returncode or whole.returncode:
        return [
            f"P1  failed: STAR exit {alone.returncode}, pipeline exit {whole.returncode}: {whole.stderr[-500:]}"
        ]
    ratio = whole.seconds / alone.seconds
    steps = rule_seconds(folder / "benchmarks")
    lines = [
        (
            f"P1  whole pipeline / STAR alone, one sample of {pairs_in(folder / 'reads' / 'big_R1.fastq.gz'):,} pairs,"
            f" --cores {cores}: {whole.seconds:.1f} s / {alone.seconds:.1f} s = {ratio:.2f}"
            f"   (target <= {TARGETS['P1']}; peak RSS pipeline {whole.max_rss_mb:.0f} MB)"
        ),
        (
            f"    CPU time: pipeline {whole.cpu_seconds:.1f} s, STAR alone {alone.cpu_seconds:.1f} s"
            f" ({whole.cpu_seconds / alone.cpu_seconds:.2f}; on {cores} cores the added work cannot hide beside STAR)"
        ),
        f"    per-rule benchmarks: {steps}",
    ]
    if repeat > 1:  # the machine's speed drifts within minutes: each run against the STAR run just before it
        pairs = ", ".join(
            f"{w.seconds / a.seconds:.2f} ({w.seconds:.1f} / {a.seconds:.1f} s)"
            for a, w in zip(alones, wholes, strict=True)
            if not (a.returncode or w.returncode)
        )
        lines.append(f"    each run against the STAR alone run just before it: {pairs}")
    return lines


def rule_seconds(bench: Path) -> str:
    parts = []
    for f in sorted(bench.rglob("*.tsv")):
        lines = f.read_text().splitlines()
        if len(lines) > 1:
            parts.append(f"{f.stem} {float(lines[1].split()[0]):.1f} s")
    return ", ".join(parts) or "none"


@dataclass
class PlannedJob:
    """One job of a non-quiet dry run: its rule, the submission it is part of (a group job, its
    members indented under it, is one SLURM submission), that group's name, and the fields the dry
    run prints for it (``input``, ``output``, ``log``, ``benchmark``, ``wildcards``)."""

    rule: str
    submission: int
    group: str | None
    fields: dict[str, str] = field(default_factory=dict)

    def files(self, key: str) -> list[str]:
        return self.fields[key].split(", ") if key in self.fields else []


def planned_jobs(dry_run: str) -> list[PlannedJob]:
    """The jobs of a non-quiet dry run, in its order (P2 counts their submissions, P4 mirrors them)."""
    jobs: list[PlannedJob] = []
    submission, group = 0, None
    for line in dry_run.splitlines():
        if m := re.search(r"\bGroup job (\w+) \(", line):
            submission, group = submission + 1, m.group(1)
        elif m := re.match(r"^(\s*)(?:local)?rule (\w+):$", line):
            if not (group and m.group(1)):  # indented: a member of the group job above
                submission, group = submission + 1, None
            jobs.append(PlannedJob(m.group(2), submission, group))
        elif jobs and (m := re.match(r"^\s+(input|output|log|benchmark|wildcards): (.+)$", line)):
            jobs[-1].fields[m.group(1)] = m.group(2)
    return jobs


def submissions_per_sample(stdout: str) -> dict[str, int]:
    """Per sample, how many SLURM jobs a plan submits: a group job is one."""
    per_sample: dict[str, set[int]] = {}
    for job in planned_jobs(stdout):
        if m := re.search(r"\bsample=([^,\s]+)", job.fields.get("wildcards", "")):
            per_sample.setdefault(m.group(1), set()).add(job.submission)
    return {sample: len(jobs) for sample, jobs in per_sample.items()}


def hmm_stand_ins(configfile: Path) -> list[str]:
    """Where STAR-Fusion's mini HMMs are not there (they come with its sources, built by `make
    callers`, which needs ../shared/tools), point the config at empty files beside it: a dry run
    plans the same jobs without reading them. Returns the config keys so replaced."""
    config = yaml.safe_load(configfile.read_text())
    replaced = []
    for key in ("dfam_db", "pfam_db"):
        if not Path(config["starfusion"][key]).is_file():
            stand_in = configfile.parent / f"{key}.stand-in.hmm"
            stand_in.touch()
            config["starfusion"][key] = str(stand_in)
            replaced.append(f"starfusion.{key}")
    if replaced:
        configfile.write_text(yaml.safe_dump(config))
    return replaced


def p2(out: Path, env: dict) -> list[str]:
    lines = []
    sheet = big_sample(out / "p1" / "reads")
    all_four = ["star_chimeric", "pizzly", "arriba", "starfusion"]
    for label, callers in (("demo callers", None), ("all four callers", all_four)):
        folder = out / "p2" / label.replace(" ", "_")
        folder.mkdir(parents=True, exist_ok=True)
        configfile = demo_config(folder, sheet, callers)
        stand_ins = hmm_stand_ins(configfile) if callers else []
        proc = measure(snakemake(folder, configfile, "-n", "--forceall"), env=env)
        if proc.returncode:
            # a dry run's error (e.g. missing input files) is on Snakemake's stdout
            why = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:]
            lines.append(f"P2  {label}: dry run failed ({why})")
            continue
        counts = submissions_per_sample(proc.stdout)
        note = f"; empty stand-ins for {', '.join(stand_ins)} (no `make callers` here)" if stand_ins else ""
        lines.append(
            f"P2  SLURM jobs per sample ({label}, dry run): {max(counts.values())}   (target <= {TARGETS['P2']}){note}"
        )
    return lines


def p3(out: Path, env: dict) -> list[str]:
    from allfuse.simulate.big_gtf import write_gencode_sized_gtf

    folder = out / "p3"
    folder.mkdir(parents=True, exist_ok=True)
    gtf = folder / "gencode_sized.gtf"
    if not gtf.exists():
        size = write_gencode_sized_gtf(DEMO["dir"] / "genes.gtf", gtf)
        print(f"    (wrote {gtf}: {size})")
    sample = next((d for d in sorted((out / "p1" / "results").glob("big")) if d.is_dir()), None)
    if sample is None:
        return ["P3  skipped: P1's sample results are needed (run without --skip P1)"]
    allfuse = [str(BIN / "python"), "-m", "allfuse"]
    index_dir = folder / "index"
    shutil.rmtree(index_dir, ignore_errors=True)
    build = measure(
        [*allfuse, "annotation-index", "--gtf", str(gtf), "--index-dir", str(index_dir)]
        + ["--out", str(folder / "index.ok")],
        env=env,
    )
    lines = [
        f"P3  annotation index build (once per GTF): {build.seconds:.1f} s, peak RSS {build.max_rss_mb:.0f} MB"
        + (f"  FAILED: {build.stderr.strip()[-300:]}" if build.returncode else "")
    ]
    cmd = [*allfuse, "annotate", "--sample", "big", "--gtf", str(gtf), "--index-dir", str(index_dir)]
    cmd += ["--outdir", str(folder / "out"), "--qc", str(sample / "qc.tsv")]
    cmd += ["--star-chimeric", str(sample / "star" / "Chimeric.out.junction")]
    cmd += ["--pizzly", str(sample / "pizzly" / "big.json")]
    run = measure(cmd, env=env)
    lines.append(
        f"P3  annotate per sample on a GENCODE-sized GTF: {run.seconds:.1f} s, peak RSS {run.max_rss_mb:.0f} MB"
        f"   (target <= {TARGETS['P3_s']} s, <= {TARGETS['P3_mb']} MB)"
        + (f"  FAILED: {run.stderr.strip()[-300:]}" if run.returncode else "")
    )
    lines.append(annotate_job(out, gtf, index_dir, env))
    return lines + [pizzly_annotation(folder, gtf, out / "work" / "transcripts.fa", env)]


def annotate_job(out: Path, gtf: Path, index_dir: Path, env: dict) -> str:
    """The whole annotate job (QC, expression, annotate, evidence, primers, report: ``allfuse steps``)
    on a copy of P1's sample, with the GENCODE-sized GTF and its index in place of the demo's: the
    job's own command from a dry run, those two options swapped."""
    p1 = out / "p1"
    plan = measure(
        snakemake(p1, p1 / "config.yaml", "-n", "-p", "--forcerun", "annotate", "results/big/report.html"),
        env=env,
    )
    command = next((line for line in plan.stdout.splitlines() if " steps --sample big " in line), None)
    if command is None:
        return f"P3  annotate job: no command in the dry run: {plan.stderr.strip()[-300:]}"
    copy = out / "p3" / "job" / "big"
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(p1 / "results" / "big", copy)
    # every path of the sample's folder, the bare folder too (the steps' --outdir): nothing of P1's is
    # read or written
    command = re.sub(r"(?<![\w/.])results/big(?=[/\s]|$)", str(copy), command.removeprefix("Shell command: "))
    command = re.sub(r"--gtf \S+", f"--gtf {gtf}", command)
    command = re.sub(r"--index-dir \S+", f"--index-dir {index_dir}", command)
    job = measure(["bash", "-c", command], cwd=p1, env=env)
    return (
        f"P3  annotate job per sample (its six steps) on the GENCODE-sized GTF: {job.seconds:.1f} s,"
        f" peak RSS {job.max_rss_mb:.0f} MB"
        + (f"  FAILED: {job.stderr.strip()[-300:]}" if job.returncode else "")
    )


def pizzly_annotation(folder: Path, gtf: Path, transcripts: Path, env: dict) -> str:
    """pizzly's own GTF parse on the GENCODE-sized GTF (what every sample's pizzly did) against
    reading the run's cache (rule pizzly_cache): pizzly on a fusion list with no records, so only
    its annotation is timed; a sample's records cost the same either way."""
    from allfuse.callers.pizzly import KALLISTO_FUSION_HEADER

    fusions = folder / "no_fusions.txt"
    fusions.write_text(KALLISTO_FUSION_HEADER + "\n")
    cache = folder / "pizzly.gtf.cache"
    cache.unlink(missing_ok=True)
    pizzly = ["pizzly", "-k", "31", "--cache", str(cache), "--fasta", str(transcripts), "--output"]
    parsed = measure([*pizzly, str(folder / "parsed"), "--gtf", str(gtf), str(fusions)], env=env)
    cached = measure([*pizzly, str(folder / "cached"), str(fusions)], env=env)
    if parsed.returncode or cached.returncode:
        return f"P3  pizzly failed: {(parsed.stderr or cached.stderr).strip()[-300:]}"
    return (
        f"P3  pizzly's annotation per sample on the GENCODE-sized GTF: parsed {parsed.seconds:.1f} s,"
        f" {parsed.max_rss_mb:.0f} MB (once per run now, rule pizzly_cache); from the run's cache"
        f" {cached.seconds:.1f} s, {cached.max_rss_mb:.0f} MB"
    )


def many_samples(folder: Path, n: int) -> Path:
    """n samples, each two hard links (own paths, own cache entries) to a demo sample's reads."""
    reads = folder / "reads"
    reads.mkdir(parents=True, exist_ok=True)
    pairs = demo_reads()
    rows = ["sample\tfq1\tfq2"]
    for i in range(n):
        r1, r2 = pairs[i % len(pairs)]
        links = [reads / f"S{i:04d}_R{m}.fastq.gz" for m in (1, 2)]
        for link, target in zip(links, (r1, r2), strict=True):
            if not link.exists():
                try:
                    os.link(target, link)
                except OSError:
                    shutil.copy(target, link)
        rows.append(f"S{i:04d}\t{links[0]}\t{links[1]}")
    sheet = folder / "samples.tsv"
    sheet.write_text("\n".join(rows) + "\n")
    return sheet


def mirror_snakefile(jobs: list[PlannedJob], sample: str, sheet: Path) -> str:
    """A Snakefile with the plan's rules (one job each: the plan of a one-sample sheet), declared
    files (the sample's name made the wildcard; a rule without it that names the sample's files
    names every sample's) and groups, and nothing else: no config, no checks, no Python per job,
    shell `true`. What Snakemake alone costs for the plan."""
    from allfuse.samplesheet import sample_id_pattern

    sample_id = sample_id_pattern(REPO / "workflow" / "schemas")
    lines = [
        f"SAMPLES = [ln.split()[0] for ln in open({str(sheet)!r}).read().splitlines()[1:]]",
        "wildcard_constraints:",
        f"    sample={sample_id!r}",  # the workflow's constraint: the sheet's sample-ID pattern
    ]
    rules = {job.rule: job for job in jobs}
    for name in ["all"] + [r for r in rules if r != "all"]:
        job = rules.get(name, PlannedJob(name, 0, None))
        per_sample = any(sample in f for f in job.files("output"))
        lines.append(f"rule {name}:")
        for key in ("input", "output", "log", "benchmark"):
            files = [f.replace(sample, "{sample}") for f in job.files(key)]
            if not files:
                continue
            if per_sample or key != "input":
                items = ", ".join(repr(f) for f in files)
            else:
                items = ", ".join(
                    f"expand({f!r}, sample=SAMPLES)" if "{sample}" in f else repr(f) for f in files
                )
            lines.append(f"    {key}: {items}")
        if job.group:  # a cluster's submissions, also planned by Snakemake
            lines.append(f"    group: {job.group!r}")
        if name != "all":
            lines.append('    shell: "true"')
    return "\n".join(lines) + "\n"


def mirror_of_plan(folder: Path, sheet: Path, configfile: Path, env: dict) -> Path | str:
    """Write the mirror of the workflow's plan for ``sheet`` (mirror_snakefile, from a dry run of
    the sheet's first sample) and return its path, or why it could not be made. Run it with
    ``--directory folder``, as the workflow; made once, timed as often as --repeat says.

    The dry run forces every job (--forceall), so the mirror also has the rules that made the
    run's references (STAR index, annotation index, ...): their outputs exist and are not planned
    again, but every sample's job names them and Snakemake looks up and checks their producers, as
    it does in the workflow. Without those rules the floor was about 0.17 s lower on 1,000
    samples, and about as much again lower without the groups (2026-12-04)."""
    header, row = sheet.read_text().splitlines()[:2]
    fields = row.split("\t")
    for i in (1, 2):  # the FASTQ paths, taken relative to the sheet's folder as the workflow does
        fields[i] = str((sheet.parent / fields[i]).resolve())
    one = folder / "one_sample.tsv"
    one.write_text(f"{header}\n" + "\t".join(fields) + "\n")
    config = yaml.safe_load(configfile.read_text())
    config["samples"] = str(one)
    one_config = folder / "one_sample.yaml"
    one_config.write_text(yaml.safe_dump(config))
    plan = measure(snakemake(folder, one_config, "-n", "--forceall"), env=env)
    if plan.returncode:
        return f"dry run of one sample failed: {plan.stderr.strip()[-300:]}"
    mirror = folder / "mirror" / "Snakefile"
    mirror.parent.mkdir(exist_ok=True)
    mirror.write_text(mirror_snakefile(planned_jobs(plan.stdout + plan.stderr), fields[0], sheet))
    return mirror


def p4(out: Path, n: int, env: dict, repeat: int = 1) -> list[str]:
    from allfuse.samplesheet import HEAD_CACHE

    folder = out / "p4"
    sheet = many_samples(folder, n)
    configfile = demo_config(folder, sheet)
    # no cached FASTQ head checks (the run's other caches, e.g. the reference's contig names and
    # the annotation index, stay: a new cohort on the same reference has them)
    (out / "work" / ".allfuse" / HEAD_CACHE).unlink(missing_ok=True)
    first = measure(snakemake(folder, configfile, "-n", "-q"), env=env)
    check = measure([str(BIN / "python"), "-m", "allfuse", "check-samples", "--samples", str(sheet)], env=env)
    mirror = mirror_of_plan(folder, sheet, configfile, env)  # Snakemake alone on the same plan
    alone_cmd = [str(BIN / "snakemake"), "-s", str(mirror), "--directory", str(folder), "-n", "-q"]
    seconds, alones = [], []
    for _ in range(repeat):  # alternated; the fastest of each
        seconds.append(measure(snakemake(folder, configfile, "-n", "-q"), env=env))
        if isinstance(mirror, Path):
            alones.append(measure(alone_cmd, env=env))
    second = min(seconds, key=lambda m: (m.returncode, m.seconds))
    if first.returncode or second.returncode:
        return [f"P4  dry run failed: {(first.stderr or second.stderr)[-500:]}"]
    alone = min(alones, key=lambda m: (m.returncode, m.seconds), default=None)
    if alone is None or alone.returncode:
        why = mirror if alone is None else alone.stderr[-300:]
        alone_line = f"    Snakemake alone on the same plan: failed: {why}"
    else:
        # side by side, so the ratio holds when the machine's speed drifts between runs
        alone_line = (
            f"    Snakemake alone on the same plan (its rules, declared files and groups, no allfuse code, no checks):"
            f" {alone.seconds:.1f} s; the second run takes {second.seconds / alone.seconds:.2f} times this"
        )
    return [
        (
            f"P4  snakemake -n, {n:,} samples: first {first.seconds:.1f} s (target <= {TARGETS['P4_first']}),"
            f" second {second.seconds:.1f} s (target <= {TARGETS['P4_second']});"
            f" peak RSS {max(first.max_rss_mb, second.max_rss_mb):.0f} MB"
        ),
        f"    allfuse check-samples alone (no cache): {check.seconds:.1f} s",
        alone_line,
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/allfuse-bench"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--skip", default="", help="comma-separated: P1,P2,P3,P4")
    parser.add_argument(
        "--repeat", type=int, default=1, help="P1 and P4's second run: runs of each, the fastest counts"
    )
    parser.add_argument("--demo", type=Path, default=DEMO["dir"], help="the folder `make demo` wrote")
    args = parser.parse_args()
    DEMO["dir"] = args.demo.resolve()
    skip = {s.strip().upper() for s in args.skip.split(",") if s.strip()}
    sys.path.insert(0, str(REPO / "src"))
    env = run_env()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (figures are noisy when not ~0);"
        f" Python {platform.python_version()} from {sys.base_prefix} (the venv's: Snakemake and allfuse run on it)"
    )
    build_references(out, env)
    lines: list[str] = []
    for name, step in (
        ("P1", lambda: p1(out, args.cores, env, args.repeat)),
        ("P2", lambda: p2(out, env)),
        ("P3", lambda: p3(out, env)),
        ("P4", lambda: p4(out, args.samples, env, args.repeat)),
    ):
        if name in skip:
            lines.append(f"{name}  skipped (--skip)")
            continue
        result = step()
        for line in result:
            print(line, flush=True)
        lines += result
    print(f"\nmachine: {os.cpu_count()} cores, load average now {os.getloadavg()[0]:.2f}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
