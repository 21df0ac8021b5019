# What the per-sample evidence steps share (the genome's index) and the cohort's expression matrix.
# Each sample's expression.tsv, evidence.json and primers.tsv are written by its annotate job
# (annotate.smk); the same commands run on results made elsewhere (README, Outputs made elsewhere).


rule genome_fai:
    input:
        GENOME_FASTA,
    output:
        GENOME_FAI,
    params:
        fail=tool_failed("samtools faidx", REF_LABEL, "logs/genome_fai.log"),
    threads: 1
    resources:
        mem_mb=1000,
    log:
        "logs/genome_fai.log",
    conda:
        "../../envs/samtools.yaml"
    shell:
        "samtools faidx {input:q} --fai-idx {output:q} > {log:q} 2>&1 {params.fail}"


rule expression_matrix:
    input:
        expand("results/{sample}/expression.tsv", sample=SAMPLES.index),
    output:
        "results/expression_matrix.tsv",
    params:
        fail=tool_failed("allfuse expression-matrix", "cohort", "logs/expression_matrix.log"),
        allfuse=ALLFUSE,
        results=lambda wc, output: str(Path(output[0]).parent),
        samples=list(SAMPLES.index),
    threads: 1
    resources:
        mem_mb=2000,
    log:
        "logs/expression_matrix.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} expression-matrix --results {params.results:q} --samples {params.samples:q}"
        " --out {output:q} > {log:q} 2>&1 {params.fail}"
