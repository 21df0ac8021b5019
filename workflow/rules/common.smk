# Python of the workflow: config and sample sheet validation, and input functions.
import re
import shlex
import sys
from pathlib import Path

# The workflow uses this checkout's allfuse package even where it is not pip-installed.
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from allfuse.callers.arriba import HEADER as ARRIBA_HEADER
from allfuse.callers.arriba import NO_CHIMERIC_READS as ARRIBA_NO_CHIMERIC_READS
from allfuse.callers.registry import CALLERS as CALLER_REGISTRY
from allfuse.callers.registry import caller as caller_by_name
from allfuse.compression import sniff
from allfuse.errors import InputError
from allfuse.reads import star_read_command
from allfuse.reference import check_reference
from allfuse.samplesheet import load_samples, validate_config


def _fail(exc):
    # One line, non-zero exit, before any job starts.
    print(f"allfuse: error: {exc}", file=sys.stderr)
    sys.exit(1)


# `snakemake --lint` reads the rules only (Snakemake builds its workflow without the environment
# check then): it must pass on a fresh clone, before `make demo` has written the demo's reads and
# reference, so the checks of files' contents are left to real runs and dry-runs.
LINTING = not workflow.check_envvars
# Once, before any job; not again in every job process (Snakemake parses the workflow per job).
CHECK_FILES = workflow.is_main_process and not LINTING

try:
    _source = ", ".join(map(str, workflow.config_settings.configfiles)) or "config/config.yaml"
    validate_config(config, _source, Path(workflow.basedir) / "workflow" / "schemas")
    SAMPLES = load_samples(
        config["samples"],
        Path(workflow.basedir) / "workflow" / "schemas",
        check_files=not LINTING,
        check_reads=CHECK_FILES,
    )
    WORK = config["work_dir"].rstrip("/")
    if CHECK_FILES:
        for _warning in check_reference(
            config["reference"]["fasta"], config["reference"]["gtf"], f"{WORK}/.allfuse"
        ):
            print(f"allfuse: warning: {_warning}", file=sys.stderr)
except InputError as exc:
    _fail(exc)

CALLERS = list(config["callers"])
REF = config["reference"]
# Every default is filled in from the config schema by validate_config above: no default is repeated here.
ARRIBA = config["arriba"]
STARFUSION = config["starfusion"]
# Facts about how this run was made that a reader of its results must know (provenance.json).
RUN_NOTES = []
if "arriba" in CALLERS and not ARRIBA.get("blacklist"):
    RUN_NOTES.append(
        "Arriba ran without a blacklist (config arriba.blacklist): its blacklist filter was off (-f blacklist),"
        " so recurrent artefacts of the genome build are not removed by Arriba"
    )
if "starfusion" in CALLERS and not STARFUSION.get("genome_lib_dir"):
    _missing = [k for k in ("dfam_db", "pfam_db") if not STARFUSION.get(k)]
    if _missing:
        _fail(
            InputError(
                f"{_source}: starfusion: name a CTAT library (genome_lib_dir) or the HMMs to build one from the"
                f" reference ({' and '.join(_missing)} missing)"
            )
        )
    RUN_NOTES.append(
        "STAR-Fusion used a CTAT library built from the run's own FASTA + GTF (rule ctat_genome_lib) with the"
        f" HMMs {STARFUSION['dfam_db']} and {STARFUSION['pfam_db']}"
    )


def prepared_reference(key, name):
    """The reference file every tool reads: the user's own when plain; a gzipped (or BGZF) one
    decompressed once into work_dir (rule unpack_reference), never touched in place. Told from
    the file's bytes; a file not there yet (lint, a job process on another node) counts as plain."""
    path = REF[key]
    if Path(path).is_file() and sniff(path) == "gzip":
        return f"{WORK}/reference/{name}"
    return path


# What a failing reference step names in its one error line.
REF_LABEL = f"reference {REF['fasta']} + {REF['gtf']}"
# Generated reference files go to WORK (STAR index, transcript FASTA, kallisto index, pizzly GTF).
GENOME_FASTA = prepared_reference("fasta", "genome.fa")
GENES_GTF = prepared_reference("gtf", "genes.gtf")


def _allfuse_command():
    """allfuse's own steps run this checkout's code: in the Python running Snakemake (the .venv,
    whatever is first on PATH), or in the rule's env's python under --sdm conda."""
    src = shlex.quote(str(Path(workflow.basedir) / "src"))
    in_conda_env = any(m.name == "CONDA" for m in workflow.deployment_settings.deployment_method)
    python = "python" if in_conda_env else shlex.quote(sys.executable)
    return f"PYTHONPATH={src} {python} -m allfuse"


ALLFUSE = _allfuse_command()


wildcard_constraints:
    sample="|".join(re.escape(s) for s in SAMPLES.index),
    caller="|".join(CALLERS),


def fastqs(wildcards):
    row = SAMPLES.loc[wildcards.sample]
    return {"fq1": row["fq1"], "fq2": row["fq2"]}


def read_files_command(wildcards):
    """STAR --readFilesCommand chosen from the files' own bytes (gzip, plain, or one of each)."""
    row = SAMPLES.loc[wildcards.sample]
    return star_read_command([row["fq1"], row["fq2"]])


def tool_failed(tool, what, log):
    """Shell tail of a tool's command: on failure, one line on the console naming the sample (or
    step), the tool and the log's own error line; the whole log stays in the file."""
    log = shlex.quote(log)
    return (
        f"|| {{ rc=$?; msg=$(grep -m1 -iE 'error|fatal|exiting because|abort|terminat' {log} "
        f"|| grep -v '^[[:space:]]*$' {log} | tail -n1); echo \"allfuse: error: {what}: {tool} failed (exit $rc): $msg "
        f"(log: {log})\" >&2; exit 1; }}"
    )


# Every caller's rule output and extra inputs come from the caller registry.
CALLER_OUTPUT = {c.name: c.output for c in CALLER_REGISTRY if c.in_pipeline}


def caller_inputs(wildcards):
    """The annotate rule's inputs: each configured caller's output (under its name) and extras."""
    inputs = {caller: caller_by_name(caller).output.format(sample=wildcards.sample) for caller in CALLERS}
    for caller in CALLERS:  # e.g. pizzly's fused sequences, read beside its JSON
        inputs.update(caller_by_name(caller).extra_inputs_of(wildcards.sample))
    return inputs


def caller_options(wildcards, input):
    return " ".join(f"{caller_by_name(caller).option} {shlex.quote(input[caller])}" for caller in CALLERS)


# Survival analysis (workflow/rules/survival.smk): only when config names a clinical table.
SURVIVAL = config["survival"]
SURVIVAL_NAME = f"efs_by_{SURVIVAL['by']}"


def survival_outputs():
    """The survival rule's files, or none when config names no clinical table."""
    if not config.get("clinical"):
        return []
    return [
        f"results/survival/{SURVIVAL_NAME}.tsv",
        "results/survival/logrank.tsv",
        f"results/survival/km_{SURVIVAL_NAME}.svg",
        f"results/survival/km_{SURVIVAL_NAME}.png",
        "results/survival/excluded.tsv",
    ]


def all_outputs():
    out = ["results/cohort.tsv", "results/cohort.html"]
    for sample in SAMPLES.index:
        out += [
            f"results/{sample}/fusions.tsv",
            f"results/{sample}/classification.json",
            f"results/{sample}/report.html",
            f"results/{sample}/star/Aligned.sortedByCoord.out.bam.bai",
        ]
    return out + survival_outputs()  # workflow/rules/survival.smk: only with a clinical table
