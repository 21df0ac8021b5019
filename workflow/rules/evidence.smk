# What backs each result: gene expression from kallisto (and the NUTM1 check annotate reads), the
# evidence behind each defining fusion (evidence.json) and its RT-PCR confirmation assay
# (primers.tsv). The same commands run on results made elsewhere (README, Outputs made elsewhere).
import json

# pyfaidx's index of the genome FASTA, in the run's own work folder (never beside the user's FASTA).
GENOME_FAI = f"{WORK}/.allfuse/genome.fa.fai"


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


rule expression:
    input:
        abundance="results/{sample}/pizzly/kallisto/abundance.tsv",
        gtf=GENES_GTF,
        index=rules.annotation_index.output[0],
    output:
        "results/{sample}/expression.tsv",
    params:
        allfuse=ALLFUSE,
        index_dir=ANNOTATION_INDEX_DIR,
    threads: 1
    resources:
        mem_mb=2000,
    group:
        "sample"
    log:
        "results/{sample}/logs/expression.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        shell_of(
            "{params.allfuse} expression --sample {wildcards.sample} --abundance {input.abundance:q} --gtf {input.gtf:q}"
            " --index-dir {params.index_dir:q} --out {output:q} > {log:q} 2>&1",
            shell_failed("allfuse expression"),
        )


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


rule evidence:
    input:
        classification="results/{sample}/classification.json",
        fusions="results/{sample}/fusions.tsv",
        bam="results/{sample}/star/Aligned.sortedByCoord.out.bam",
        bai="results/{sample}/star/Aligned.sortedByCoord.out.bam.bai",
        fasta=GENOME_FASTA,
        fai=GENOME_FAI,
        gtf=GENES_GTF,
        index=rules.annotation_index.output[0],
    output:
        "results/{sample}/evidence.json",
    params:
        allfuse=ALLFUSE,
        index_dir=ANNOTATION_INDEX_DIR,
        build=REF["build"],
    threads: 1
    resources:
        mem_mb=2000,
    group:
        "sample"
    log:
        "results/{sample}/logs/evidence.log",
    benchmark:
        "benchmarks/{sample}/evidence.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        shell_of(
            "{params.allfuse} evidence --sample-dir results/{wildcards.sample} --bam {input.bam:q} --fasta {input.fasta:q}"
            " --fai {input.fai:q} --gtf {input.gtf:q} --index-dir {params.index_dir:q} --build {params.build:q}"
            " --out {output:q} > {log:q} 2>&1",
            shell_failed("allfuse evidence"),
        )


rule primers:
    input:
        classification="results/{sample}/classification.json",
        fusions="results/{sample}/fusions.tsv",
        fasta=GENOME_FASTA,
        fai=GENOME_FAI,
        gtf=GENES_GTF,
        index=rules.annotation_index.output[0],
    output:
        "results/{sample}/primers.tsv",
    params:
        allfuse=ALLFUSE,
        index_dir=ANNOTATION_INDEX_DIR,
        settings=json.dumps(config["primers"], sort_keys=True),
    threads: 1
    resources:
        mem_mb=2000,
    group:
        "sample"
    log:
        "results/{sample}/logs/primers.log",
    benchmark:
        "benchmarks/{sample}/primers.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        shell_of(
            "{params.allfuse} primers --sample-dir results/{wildcards.sample} --fasta {input.fasta:q} --fai {input.fai:q}"
            " --gtf {input.gtf:q} --index-dir {params.index_dir:q} --settings-json {params.settings:q}"
            " --out {output:q} > {log:q} 2>&1",
            shell_failed("allfuse primers"),
        )
