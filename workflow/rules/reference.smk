rule star_index:
    input:
        fasta=REF["fasta"],
        gtf=REF["gtf"],
    output:
        directory(f"{WORK}/star_index"),
    params:
        sa=REF["star_sa_index_nbases"],
        overhang=REF["read_length"] - 1,
        fail=tool_failed("STAR genomeGenerate", "reference", "logs/star_index.log"),
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
        "mkdir -p {output:q} && STAR --runMode genomeGenerate --runThreadN {threads} --genomeDir {output:q}"
        " --genomeFastaFiles {input.fasta:q} --sjdbGTFfile {input.gtf:q} --sjdbOverhang {params.overhang}"
        " --genomeSAindexNbases {params.sa} --outFileNamePrefix {output:q}/ > {log:q} 2>&1 {params.fail}"


rule transcripts_fasta:
    input:
        fasta=REF["fasta"],
        gtf=REF["gtf"],
    output:
        fasta=f"{WORK}/transcripts.fa",
        gtf=f"{WORK}/pizzly.gtf",
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
        "{params.allfuse} transcripts --fasta {input.fasta:q} --gtf {input.gtf:q} --out {output.fasta:q}"
        " --gtf-out {output.gtf:q} > {log:q} 2>&1"


rule kallisto_index:
    input:
        f"{WORK}/transcripts.fa",
    output:
        f"{WORK}/kallisto.idx",
    params:
        k=config["pizzly"]["k"],
        fail=tool_failed("kallisto index", "reference", "logs/kallisto_index.log"),
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
        "kallisto index -k {params.k} -i {output:q} {input:q} > {log:q} 2>&1 {params.fail}"
