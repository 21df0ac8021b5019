rule star_index:
    input:
        fasta=REF["fasta"],
        gtf=REF["gtf"],
    output:
        directory("resources/star_index"),
    params:
        sa=REF.get("star_sa_index_nbases", 14),
        overhang=REF.get("read_length", 101) - 1,
    threads: 8
    resources:
        mem_mb=36000,
    log:
        # No benchmark: Snakemake refuses one on a rule eligible for between-workflow caching.
        "logs/star_index.log",
    conda:
        "../../envs/star.yaml"
    cache: True
    shell:
        "mkdir -p {output} && STAR --runMode genomeGenerate --runThreadN {threads} --genomeDir {output}"
        " --genomeFastaFiles {input.fasta} --sjdbGTFfile {input.gtf} --sjdbOverhang {params.overhang}"
        " --genomeSAindexNbases {params.sa} --outFileNamePrefix {output}/ > {log} 2>&1"


rule transcripts_fasta:
    input:
        fasta=REF["fasta"],
        gtf=REF["gtf"],
    output:
        fasta="resources/transcripts.fa",
        gtf="resources/pizzly.gtf",
    params:
        allfuse=ALLFUSE,
    threads: 1
    resources:
        mem_mb=4000,
    log:
        "logs/transcripts_fasta.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} transcripts --fasta {input.fasta} --gtf {input.gtf} --out {output.fasta}"
        " --gtf-out {output.gtf} > {log} 2>&1"


rule kallisto_index:
    input:
        "resources/transcripts.fa",
    output:
        "resources/kallisto.idx",
    params:
        k=config.get("pizzly", {}).get("k", 31),
    threads: 1
    resources:
        mem_mb=16000,
    log:
        "logs/kallisto_index.log",
    benchmark:
        "benchmarks/kallisto_index.tsv"
    conda:
        "../../envs/kallisto.yaml"
    shell:
        "kallisto index -k {params.k} -i {output} {input} > {log} 2>&1"
