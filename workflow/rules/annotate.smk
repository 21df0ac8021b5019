# Import for the primer settings passed as JSON.
import json


rule annotate:
    # One job per sample after its callers, one step after another in one Python process (allfuse
    # steps): the QC gate, gene expression from kallisto's abundance.tsv (the NUTM1 check reads it),
    # allfuse annotate (the same command users run on caller outputs made elsewhere, e.g.
    # nf-core/rnafusion), the evidence behind each defining fusion, its RT-PCR confirmation primers
    # and the HTML report. Each step is the subcommand a user would run, with its own log; the
    # libraries are imported once, not six times, and as one job they cost one scheduling, so a
    # 1,000-sample plan stays small (README "Speed"). QC gates (config qc:): too few read pairs or
    # too little unique mapping -> 'not assessable'. The report is in `snakemake --report` under
    # "Fusion reports".
    input:
        **CALLER_INPUTS,
        gtf=GENES_GTF,
        index=rules.annotation_index.output[0],
        star="results/{sample}/star/Log.final.out",
        reads="results/{sample}/reads_check.tsv",
        abundance="results/{sample}/pizzly/kallisto/abundance.tsv",
        bam="results/{sample}/star/Aligned.sortedByCoord.out.bam",
        bai="results/{sample}/star/Aligned.sortedByCoord.out.bam.bai",
        fasta=GENOME_FASTA,
        fai=GENOME_FAI,
        provenance="results/provenance.json",
    output:
        qc="results/{sample}/qc.tsv",
        expression="results/{sample}/expression.tsv",
        calls=expand("results/{{sample}}/calls/{caller}.tsv", caller=CALLERS),
        fusions="results/{sample}/fusions.tsv",
        classification="results/{sample}/classification.json",
        evidence="results/{sample}/evidence.json",
        primers="results/{sample}/primers.tsv",
        report=report(
            "results/{sample}/report.html",
            category="Fusion reports",
            subcategory="{sample}",
            labels={"sample": "{sample}", "file": "fusion report"},
        ),
    params:
        allfuse=ALLFUSE,
        index_dir=ANNOTATION_INDEX_DIR,
        min_pairs=config["qc"]["min_input_pairs"],
        min_unique=config["qc"]["min_uniquely_mapped_pct"],
        min_junction=config["star_chimeric"]["min_junction_reads"],
        min_total=config["star_chimeric"]["min_total_support"],
        distance=config["merge"]["max_distance"],
        nutm1=config["expression"]["nutm1_tpm_threshold"],
        build=REF["build"],
        primer_settings=json.dumps(config["primers"], sort_keys=True),
        max_diagrams=config["report"]["max_diagrams"],
    threads: 1
    resources:
        mem_mb=4000,
    group:
        "sample"
    log:
        qc="results/{sample}/logs/star_qc.log",
        expression="results/{sample}/logs/expression.log",
        annotate="results/{sample}/logs/annotate.log",
        evidence="results/{sample}/logs/evidence.log",
        primers="results/{sample}/logs/primers.log",
        report="results/{sample}/logs/report.log",
    benchmark:
        "benchmarks/{sample}/annotate.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        # One process, one step after another, each with its own log; the first failing step
        # stops the job with one line naming the sample, the step and its log (allfuse steps).
        shell_of(
            "{params.allfuse} steps --sample {wildcards.sample}"
            " @{log.qc:q} qc --log {input.star:q} --reads {input.reads:q} --sample {wildcards.sample}"
            " --min-input-pairs {params.min_pairs} --min-uniquely-mapped-pct {params.min_unique} --out {output.qc:q}"
            " @{log.expression:q} expression --sample {wildcards.sample} --abundance {input.abundance:q}"
            " --gtf {input.gtf:q} --index-dir {params.index_dir:q} --out {output.expression:q}"
            " @{log.annotate:q} annotate --sample {wildcards.sample} --gtf {input.gtf:q} --index-dir {params.index_dir:q}"
            " --outdir results/{wildcards.sample} ",
            CALLER_OPTIONS,
            " --qc {output.qc:q} --on-empty-caller not-assessable --min-junction-reads {params.min_junction}"
            " --min-total-support {params.min_total} --merge-distance {params.distance}"
            " --expression {output.expression:q} --nutm1-tpm-threshold {params.nutm1}"
            " @{log.evidence:q} evidence --sample-dir results/{wildcards.sample} --bam {input.bam:q}"
            " --fasta {input.fasta:q} --fai {input.fai:q} --gtf {input.gtf:q} --index-dir {params.index_dir:q}"
            " --build {params.build:q} --out {output.evidence:q}"
            " @{log.primers:q} primers --sample-dir results/{wildcards.sample} --fasta {input.fasta:q}"
            " --fai {input.fai:q} --gtf {input.gtf:q} --index-dir {params.index_dir:q}"
            " --settings-json {params.primer_settings:q} --out {output.primers:q}"
            " @{log.report:q} report --sample-dir results/{wildcards.sample} --provenance {input.provenance:q}"
            " --max-diagrams {params.max_diagrams} --out {output.report:q}",
        )

