rule annotate:
    # The same command users run on caller outputs made elsewhere (e.g. nf-core/rnafusion).
    input:
        unpack(caller_inputs),
        gtf=GENES_GTF,
        index=rules.annotation_index.output[0],
        qc="results/{sample}/qc.tsv",
        expression="results/{sample}/expression.tsv",
    output:
        calls=expand("results/{{sample}}/calls/{caller}.tsv", caller=CALLERS),
        fusions="results/{sample}/fusions.tsv",
        classification="results/{sample}/classification.json",
    params:
        fail=lambda wc: tool_failed("allfuse annotate", f"sample {wc.sample}", f"results/{wc.sample}/logs/annotate.log"),
        allfuse=ALLFUSE,
        index_dir=ANNOTATION_INDEX_DIR,
        callers=caller_options,
        outdir=lambda wc, output: str(Path(output.fusions).parent),
        min_junction=config["star_chimeric"]["min_junction_reads"],
        min_total=config["star_chimeric"]["min_total_support"],
        distance=config["merge"]["max_distance"],
        nutm1=config["expression"]["nutm1_tpm_threshold"],
    threads: 1
    resources:
        mem_mb=4000,
    log:
        "results/{sample}/logs/annotate.log",
    benchmark:
        "benchmarks/{sample}/annotate.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} annotate --sample {wildcards.sample} --gtf {input.gtf:q} --index-dir {params.index_dir:q}"
        " --outdir {params.outdir:q}"
        " {params.callers} --qc {input.qc:q} --on-empty-caller not-assessable --min-junction-reads {params.min_junction}"
        " --min-total-support {params.min_total} --merge-distance {params.distance}"
        " --expression {input.expression:q} --nutm1-tpm-threshold {params.nutm1} > {log:q} 2>&1 {params.fail}"


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
