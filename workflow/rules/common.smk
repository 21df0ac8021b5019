# Python of the workflow: config and sample sheet validation, and input functions.
import re
import sys
from pathlib import Path

# The workflow uses this checkout's allfuse package even where it is not pip-installed.
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from allfuse.errors import InputError
from allfuse.samplesheet import load_samples, validate_config


def _fail(exc):
    # One line, non-zero exit, before any job starts.
    print(f"allfuse: error: {exc}", file=sys.stderr)
    sys.exit(1)


try:
    validate_config(config, "config", Path(workflow.basedir) / "workflow" / "schemas")
    SAMPLES = load_samples(config["samples"], Path(workflow.basedir) / "workflow" / "schemas")
except InputError as exc:
    _fail(exc)

CALLERS = list(config["callers"])
# allfuse's own steps run this checkout's code, in whichever Python the rule gets (conda env or not).
ALLFUSE = f"PYTHONPATH={Path(workflow.basedir) / 'src'} python -m allfuse"
REF = config["reference"]


wildcard_constraints:
    sample="|".join(re.escape(s) for s in SAMPLES.index),
    caller="|".join(CALLERS),


def fastqs(wildcards):
    row = SAMPLES.loc[wildcards.sample]
    return [row["fq1"], row["fq2"]]


CALLER_OUTPUT = {
    "star_chimeric": "results/{sample}/star/Chimeric.out.junction",
    "pizzly": "results/{sample}/pizzly/{sample}.json",
    "arriba": "results/{sample}/arriba/fusions.tsv",
    "starfusion": "results/{sample}/starfusion/star-fusion.fusion_predictions.abridged.tsv",
}


def caller_inputs(wildcards):
    return {caller: CALLER_OUTPUT[caller].format(sample=wildcards.sample) for caller in CALLERS}


def caller_options(wildcards, input):
    return " ".join(f"--{caller.replace('_', '-')} {input[caller]}" for caller in CALLERS)


def all_outputs():
    out = ["results/cohort.tsv"]
    for sample in SAMPLES.index:
        out += [
            f"results/{sample}/fusions.tsv",
            f"results/{sample}/classification.json",
            f"results/{sample}/star/Aligned.sortedByCoord.out.bam.bai",
        ]
    return out
