rule annotate:
    # One job per sample after its callers: the QC gate and allfuse annotate (the same command users
    # run on caller outputs made elsewhere, e.g. nf-core/rnafusion). QC gates (config qc:): too few
    # read pairs or too little unique mapping -> 'not assessable'. The NUTM1 expression check reads
    # the sample's expression.tsv. On a cluster it runs in the sample's group job with expression,
    # evidence, primers and the report (one SLURM job for them all).
    input:
        **CALLER_INPUTS,
        gtf=GENES_GTF,
        index=rules.annotation_index.output[0],
        star="results/{sample}/star/Log.final.out",
        reads="results/{sample}/reads_check.tsv",
        expression="results/{sample}/expression.tsv",
    output:
        qc="results/{sample}/qc.tsv",
        calls=expand("results/{{sample}}/calls/{caller}.tsv", caller=CALLERS),
        fusions="results/{sample}/fusions.tsv",
        classification="results/{sample}/classification.json",
    params:
        allfuse=ALLFUSE,
        index_dir=ANNOTATION_INDEX_DIR,
        min_pairs=config["qc"]["min_input_pairs"],
        min_unique=config["qc"]["min_uniquely_mapped_pct"],
        min_junction=config["star_chimeric"]["min_junction_reads"],
        min_total=config["star_chimeric"]["min_total_support"],
        distance=config["merge"]["max_distance"],
        nutm1=config["expression"]["nutm1_tpm_threshold"],
    threads: 1
    resources:
        mem_mb=4000,
    group:
        "sample"
    log:
        qc="results/{sample}/logs/star_qc.log",
        annotate="results/{sample}/logs/annotate.log",
    benchmark:
        "benchmarks/{sample}/annotate.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        shell_of(
            "{params.allfuse} qc --log {input.star:q} --reads {input.reads:q} --sample {wildcards.sample}"
            " --min-input-pairs {params.min_pairs} --min-uniquely-mapped-pct {params.min_unique}"
            " --out {output.qc:q} > {log.qc:q} 2>&1",
            shell_failed("allfuse qc", "log.qc"),
            "; grep -h 'warning:' {log.qc:q} >&2 || true;"
            " {params.allfuse} annotate --sample {wildcards.sample} --gtf {input.gtf:q} --index-dir {params.index_dir:q}"
            " --outdir results/{wildcards.sample} ",
            CALLER_OPTIONS,
            " --qc {output.qc:q} --on-empty-caller not-assessable --min-junction-reads {params.min_junction}"
            " --min-total-support {params.min_total} --merge-distance {params.distance}"
            " --expression {input.expression:q} --nutm1-tpm-threshold {params.nutm1} > {log.annotate:q} 2>&1",
            shell_failed("allfuse annotate", "log.annotate"),
        )


rule cohort:
    input:
        qc=expand("results/{sample}/qc.tsv", sample=SAMPLES.index),
        fusions=expand("results/{sample}/fusions.tsv", sample=SAMPLES.index),
        classification=expand("results/{sample}/classification.json", sample=SAMPLES.index),
        primers=expand("results/{sample}/primers.tsv", sample=SAMPLES.index),
    output:
        "results/cohort.tsv",
    params:
        fail=tool_failed("allfuse cohort", "cohort", "logs/cohort.log"),
        allfuse=ALLFUSE,
        results=lambda wc, output: str(Path(output[0]).parent),
        samples=list(SAMPLES.index),
    threads: 1
    resources:
        mem_mb=2000,
    log:
        "logs/cohort.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} cohort --results {params.results:q} --samples {params.samples} --out {output:q}"
        " > {log:q} 2>&1 {params.fail}"
