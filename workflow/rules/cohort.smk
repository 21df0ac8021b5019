# The run's one job after every sample: the cohort table (results/cohort.tsv, what survival analysis
# reads), every sample's expression as one genes x samples TPM table, the survival analysis by
# molecular group (only when config names a clinical table) and the cohort page
# (results/cohort.html, in `snakemake --report` under "Cohort"). One step after another in one
# Python process (allfuse steps, as rule annotate): each step is the subcommand a user would run
# and keeps its own log; the libraries are imported once, and a cluster schedules one job where it
# scheduled a chain of three or four (README "Speed"). SURVIVAL_* are in common.smk.


rule cohort:
    input:
        qc=expand("results/{sample}/qc.tsv", sample=SAMPLES.index),
        fusions=expand("results/{sample}/fusions.tsv", sample=SAMPLES.index),
        classification=expand("results/{sample}/classification.json", sample=SAMPLES.index),
        primers=expand("results/{sample}/primers.tsv", sample=SAMPLES.index),
        expression=expand("results/{sample}/expression.tsv", sample=SAMPLES.index),
        reports=expand("results/{sample}/report.html", sample=SAMPLES.index),
        **SURVIVAL_INPUTS,
    output:
        cohort="results/cohort.tsv",
        matrix="results/expression_matrix.tsv",
        **SURVIVAL_OUTPUTS,
        report=report("results/cohort.html", category="Cohort", labels={"file": "cohort report"}),
    params:
        allfuse=ALLFUSE,
        results=lambda wc, output: str(Path(output.cohort).parent),
        samples=list(SAMPLES.index),
        **SURVIVAL_PARAMS,
    threads: 1
    resources:
        mem_mb=2000,
    log:
        cohort="logs/cohort.log",
        matrix="logs/expression_matrix.log",
        **SURVIVAL_LOG,
        report="logs/cohort_report.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        COHORT_SHELL
