# Python of the workflow: config and sample sheet validation, and input functions.
import json
import shlex
import sys
from pathlib import Path

# The workflow uses this checkout's allfuse package even where it is not pip-installed.
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from allfuse.callers.arriba import HEADER as ARRIBA_HEADER
from allfuse.callers.arriba import NO_CHIMERIC_READS as ARRIBA_NO_CHIMERIC_READS
from allfuse.callers.pizzly import KALLISTO_FUSION_HEADER
from allfuse.callers.registry import CALLERS as CALLER_REGISTRY
from allfuse.callers.registry import caller as caller_by_name
from allfuse.compression import sniff
from allfuse.errors import LOG_ERROR_PATTERN, InputError, step_failed_line
from allfuse.reference import check_reference
from allfuse.samplesheet import load_samples, sample_id_pattern, validate_config
from allfuse.snakemake_exit import cancel_rescheduling_timers, freeze_objects_at_exit


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
# Snakemake's process ends without walking its jobs' objects again (allfuse.snakemake_exit).
freeze_objects_at_exit()

try:
    _source = ", ".join(map(str, workflow.config_settings.configfiles)) or "config/config.yaml"
    validate_config(config, _source, Path(workflow.basedir) / "workflow" / "schemas")
    WORK = config["work_dir"].rstrip("/")
    SAMPLES = load_samples(
        config["samples"],
        Path(workflow.basedir) / "workflow" / "schemas",
        check_files=not LINTING,
        check_reads=CHECK_FILES,
        cache_dir=f"{WORK}/.allfuse",  # each FASTQ's head check, by path, size and mtime
    )
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
# The reads check inside the alignment job (allfuse.commands.read_stream: STAR's read command, then the
# verdict): run by the Python that runs Snakemake, which has allfuse's dependencies (this file
# imports them) on every node a job runs on, whatever conda environment the job has.
READS_CHECK = (
    f"env PYTHONPATH={shlex.quote(str(Path(workflow.basedir) / 'src'))} {shlex.quote(sys.executable)}"
    " -m allfuse.commands.read_stream"
)


# A sample ID's own pattern (the sheet's schema), not an alternation of every ID: Snakemake matches
# each planned file against it, and a 1,000-way alternation made planning 1,000 samples seconds
# slower. A path of an ID not in the sheet still plans nothing: fastqs() knows no reads for it.
SAMPLE_ID = sample_id_pattern(Path(workflow.basedir) / "workflow" / "schemas")


wildcard_constraints:
    sample=SAMPLE_ID,
    caller="|".join(CALLERS),


def fastqs(wildcards):
    row = SAMPLES.loc[wildcards.sample]
    return {"fq1": row["fq1"], "fq2": row["fq2"]}


def tool_failed(tool, what, log):
    """Shell tail of a tool's command: on failure, one line on the console naming the sample (or
    step), the tool and the log's own error line; the whole log stays in the file."""
    log = shlex.quote(log)
    return (
        f"|| {{ rc=$?; msg=$(grep -m1 -iE '{LOG_ERROR_PATTERN}' {log} "
        f"|| grep -v '^[[:space:]]*$' {log} | tail -n1); echo \"{step_failed_line(what, tool, '$rc', '$msg', log)}\" >&2;"
        " exit 1; }"
    )


def shell_failed(tool, log="log", rc="$?"):
    """``tool_failed`` as text for a rule's ``shell:`` (braces doubled, the sample and the log
    filled in by Snakemake when the job runs): no function is called per job while planning,
    which counts for a 1,000-sample plan. ``log`` names the log (e.g. ``log.star``), ``rc`` the exit
    status to report."""
    text = tool_failed(tool, "sample @SAMPLE@", "@LOG@").replace("{", "{{").replace("}", "}}")
    text = text.replace("rc=$?", f"rc={rc}")
    text = text.replace("@SAMPLE@", "{wildcards.sample}").replace("@LOG@", f"{{{log}:q}}")
    return f" {text}"


def shell_of(*parts):
    """A rule's shell command from its parts (text and ``shell_failed`` tails), joined."""
    return "".join(parts)


# pyfaidx's index of the genome FASTA, in the run's own work folder (never beside the user's FASTA).
GENOME_FAI = f"{WORK}/.allfuse/genome.fa.fai"


# Every caller's rule output and extra inputs come from the caller registry.
CALLER_OUTPUT = {c.name: c.output for c in CALLER_REGISTRY if c.in_pipeline}


def _caller_inputs():
    """The annotate rule's inputs: each configured caller's output (under its name) and extras, as
    wildcard patterns (no function is called per job while planning)."""
    inputs = {caller: caller_by_name(caller).output for caller in CALLERS}
    for caller in CALLERS:  # e.g. pizzly's fused sequences, read beside its JSON
        inputs.update(caller_by_name(caller).extra_inputs_of("{sample}"))
    return inputs


CALLER_INPUTS = _caller_inputs()
# allfuse annotate's option for each caller's file, e.g. --pizzly {input.pizzly:q}
CALLER_OPTIONS = " ".join(f"{caller_by_name(caller).option} {{input.{caller}:q}}" for caller in CALLERS)


# Survival analysis, a step of the cohort job (workflow/rules/cohort.smk): only when config names a
# clinical table; then its inputs, outputs, settings, log, step and the cohort page's option.
SURVIVAL = config["survival"]
SURVIVAL_NAME = f"efs_by_{SURVIVAL['by']}"
SURVIVAL_INPUTS, SURVIVAL_OUTPUTS, SURVIVAL_PARAMS, SURVIVAL_LOG = {}, {}, {}, {}
SURVIVAL_STEP, SURVIVAL_REPORT_OPTION = "", ""
if config.get("clinical"):
    SURVIVAL_INPUTS = {"clinical": config["clinical"]}
    SURVIVAL_OUTPUTS = {
        "efs": f"results/survival/{SURVIVAL_NAME}.tsv",
        "logrank": "results/survival/logrank.tsv",
        "km_svg": f"results/survival/km_{SURVIVAL_NAME}.svg",
        "km_png": f"results/survival/km_{SURVIVAL_NAME}.png",
        "excluded": "results/survival/excluded.tsv",
    }
    SURVIVAL_PARAMS = {
        "survival_dir": lambda wc, output: str(Path(output.efs).parent),
        "by": SURVIVAL["by"],
        "time_point": SURVIVAL["time_point"],
        "time_unit": SURVIVAL["time_unit"],
        "ci": SURVIVAL["ci"],
        "pairwise": "--pairwise" if SURVIVAL["pairwise"] else "",
        "groupings": json.dumps(SURVIVAL["groupings"], sort_keys=True),
    }
    SURVIVAL_LOG = {"survival": "logs/survival.log"}
    SURVIVAL_STEP = (
        " @{log.survival:q} survival --cohort {output.cohort:q} --clinical {input.clinical:q}"
        " --by {params.by:q} --out {params.survival_dir:q} --time-point {params.time_point}"
        " --time-unit {params.time_unit} --ci {params.ci} --groupings-json {params.groupings:q}"
        " {params.pairwise}"
    )
    SURVIVAL_REPORT_OPTION = "--survival {params.survival_dir:q}"


# The cohort job's command (workflow/rules/cohort.smk): its steps in one process (allfuse steps); the
# first failing step stops the job with one line naming the cohort, the step and its log.
COHORT_SHELL = "".join(
    [
        "{params.allfuse} steps --what cohort",
        " @{log.cohort:q} cohort --results {params.results:q} --samples {params.samples:q} --out {output.cohort:q}",
        " @{log.matrix:q} expression-matrix --results {params.results:q} --samples {params.samples:q}",
        " --out {output.matrix:q}",
        SURVIVAL_STEP,
        " @{log.report:q} cohort-report --results {params.results:q} --samples {params.samples:q}",
        " --out {output.report:q} ",
        SURVIVAL_REPORT_OPTION,
    ]
)


def survival_outputs():
    """The survival step's files, or none when config names no clinical table."""
    return list(SURVIVAL_OUTPUTS.values())


def all_outputs():
    """The run's targets: the cohort table and page, which need every sample's results (fusions,
    classification, report; the alignment job that makes them also makes the indexed BAM). Listing
    each sample's files here too made Snakemake resolve 4,000 more targets when planning 1,000."""
    out = ["results/cohort.tsv", "results/cohort.html"]
    return out + survival_outputs()  # the cohort job's survival step: only with a clinical table


# The alignment job's shell command (align.smk). kallisto reads the FASTQs, not STAR's output: it
# runs beside STAR, for every sample (pizzly reads its fusion.txt; expression.tsv and the NUTM1 check
# read its abundance.tsv, whatever the callers), and pizzly, when it is a caller, right after it,
# still beside STAR.
def _align_command(with_pizzly):
    """The alignment job's shell command (static text: nothing is evaluated per job when planning).

    Order of the verdicts: the reads check first (a failing check is the sample's one line, whatever
    STAR did after its read command stopped), then STAR (with samtools sort), kallisto and pizzly. The
    side chain (kallisto, then pizzly) is stopped whenever the job fails, so neither can write after
    Snakemake has removed the outputs.
    """
    # kallisto exits 1 when no read pseudoaligns (e.g. a 0-read sample); its outputs are then
    # written and empty, and the QC gate decides whether the sample can be assessed. The side chain
    # exits 3 when kallisto failed, 4 when pizzly did; on TERM it stops the tool it is waiting for.
    pizzly = (
        " pizzly -k {params.pizzly_k} --cache {input.pizzly_cache:q}"
        " --align-score {params.pizzly_align_score} --insert-size {params.pizzly_insert_size}"
        " --fasta {input.transcripts:q} --output results/{wildcards.sample}/pizzly/{wildcards.sample}"
        " {output.fusion:q} > {log.pizzly:q} 2>&1 & tool=$!; wait $tool || exit 4;"
    )
    side_start = "".join(
        [
            " side() {{ trap 'kill $tool 2>/dev/null; exit 143' TERM;",
            " kallisto quant -i {input.kallisto_index:q} --fusion -t $(( {threads} > 3 ? {threads} / 4 : 1 ))"
            " -o results/{wildcards.sample}/pizzly/kallisto {input.fq1:q} {input.fq2:q} > {log.kallisto:q} 2>&1 &"
            " tool=$!; wait $tool || grep -q 'zero reads pseudoaligned' {log.kallisto:q} || exit 3;",
            pizzly if with_pizzly else "",
            " }}; side & side=$!; trap 'kill $side 2>/dev/null || true' EXIT;",
        ]
    )
    # the side chain's last tool, named when it failed otherwise (e.g. stopped)
    last, last_log = ("pizzly", "log.pizzly") if with_pizzly else ("kallisto quant", "log.kallisto")
    side_wait = "".join(
        [
            " side_rc=0; wait $side || side_rc=$?; [ $side_rc != 3 ]",
            shell_failed("kallisto quant", "log.kallisto", rc="$side_rc"),
            "; [ $side_rc = 0 ]",
            shell_failed(last, last_log, rc="$side_rc"),
            ";",
        ]
    )
    # STAR's unsorted BAM (uncompressed) is sorted as it comes: compressed once, and sorted in
    # bounded memory (samtools spills to disk), unlike STAR's own sort (--limitBAMsortRAM); with fast
    # compression (-l 1), since the sort shares the job's cores with STAR; and indexed as it is
    # written (--write-index: the same .bai as samtools index, without reading the BAM again)
    return "".join(
        [
        "D=results/{wildcards.sample}/star; rm -f $D/fq1 $D/fq2 $D/fq1.check.json $D/fq2.check.json;"
        " ln -s {input.fq1:q} $D/fq1 && ln -s {input.fq2:q} $D/fq2"
        " && printf '#!/bin/sh\\nexec %s feed %s \"$1\"\\n' {params.reads_check:q} {wildcards.sample} > $D/read_command"
        " && chmod +x $D/read_command;",
        side_start,
        " status=(0 0); STAR --runThreadN {threads} --genomeDir {input.index:q} --readFilesIn $D/fq1 $D/fq2"
        " --readFilesCommand $D/read_command --outFileNamePrefix $D/ --outSAMtype BAM Unsorted --outStd BAM_Unsorted"
        " --outBAMcompression 0 --outSAMattrRGline ID:{wildcards.sample} SM:{wildcards.sample}"
        " {params.extra} {params.chimeric} 2> {log.star:q}"
        " | samtools sort -@ {threads} -l 1 -m 1500M --write-index -o {output.bam:q}'##idx##'{output.bai:q}"
        " -T $D/sort.tmp - 2> {log.sort:q}"
        " || status=(\"${{PIPESTATUS[@]}}\"); star=${{status[0]}}; sort=${{status[1]}};"
        " check=0; {params.reads_check} verify {wildcards.sample} {input.fq1:q} {input.fq2:q} $D {output.checked:q}"
        " > {log.check:q} 2>&1 || check=$?;"
        " rm -f $D/read_command $D/fq1 $D/fq2 $D/fq1.check.json $D/fq2.check.json;"
        " if [ $check = 1 ]; then false",
        shell_failed("read check", "log.check"),
        "; fi; [ $star = 0 ]",
        shell_failed("STAR", "log.star", rc="$star"),
        "; [ $check = 0 ]",
        shell_failed("read check", "log.check", rc="$check"),
        "; [ $sort = 0 ]",
        shell_failed("samtools sort", "log.sort", rc="$sort"),
        "; grep -h 'warning:' {log.check:q} >&2 || true;",
        side_wait,
        ]
    )


# pizzly, when it is a caller, runs in the alignment job right after kallisto: its reference inputs,
# outputs, settings and log are the job's only then.
PIZZLY = "pizzly" in CALLERS
ALIGN_SHELL = _align_command(PIZZLY)
PIZZLY_INPUTS, PIZZLY_OUTPUTS, PIZZLY_PARAMS, PIZZLY_LOG = {}, {}, {}, {}
if PIZZLY:
    # pizzly reads its GTF from the run's cache (rule pizzly_cache), never parsing it per sample
    PIZZLY_INPUTS = {"transcripts": f"{WORK}/transcripts.fa", "pizzly_cache": f"{WORK}/pizzly.gtf.cache"}
    PIZZLY_OUTPUTS = {
        "pizzly_json": "results/{sample}/pizzly/{sample}.json",
        # the fused sequences: allfuse places each read pair on them to count it for one orientation
        "pizzly_fasta": "results/{sample}/pizzly/{sample}.fusions.fasta",
        "pizzly_unfiltered": "results/{sample}/pizzly/{sample}.unfiltered.json",
    }
    PIZZLY_PARAMS = {f"pizzly_{key}": value for key, value in config["pizzly"].items()}
    PIZZLY_LOG = {"pizzly": "results/{sample}/logs/pizzly.log"}
