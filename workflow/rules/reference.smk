rule unpack_reference:
    # A gzipped or BGZF FASTA/GTF as distributed (GENCODE's .fa.gz, .gtf.gz), decompressed once for
    # every tool (STAR, pyfaidx, pizzly, Arriba need plain files); the user's file is only read.
    input:
        lambda wc: REF["fasta" if wc.name == "genome.fa" else "gtf"],
    output:
        f"{WORK}/reference/{{name}}",
    params:
        fail=lambda wc, input: tool_failed("gzip -d", f"reference {input[0]}", f"logs/unpack_reference_{wc.name}.log"),
    wildcard_constraints:
        name="genome\\.fa|genes\\.gtf",
    threads: 1
    resources:
        mem_mb=500,
    log:
        "logs/unpack_reference_{name}.log",
    benchmark:
        "benchmarks/unpack_reference_{name}.tsv"
    conda:
        "../../envs/gzip.yaml"
    shell:
        "{{ gzip -cd {input:q} > {output:q}.tmp 2> {log:q} && mv {output:q}.tmp {output:q}; }} {params.fail}"


rule star_index:
    input:
        fasta=GENOME_FASTA,
        gtf=GENES_GTF,
    output:
        directory(f"{WORK}/star_index"),
    params:
        sa=REF["star_sa_index_nbases"],
        overhang=REF["read_length"] - 1,
        fail=tool_failed("STAR genomeGenerate", REF_LABEL, "logs/star_index.log"),
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
    # Reads the genome through the run's own index (rule genome_fai): a FASTA that cannot be indexed
    # (uneven line lengths) stops the run at samtools faidx, always the same one line.
    input:
        fasta=GENOME_FASTA,
        gtf=GENES_GTF,
        fai=GENOME_FAI,
    output:
        fasta=f"{WORK}/transcripts.fa",
        gtf=f"{WORK}/pizzly.gtf",
    params:
        allfuse=ALLFUSE,
        fail=tool_failed("allfuse transcripts", REF_LABEL, "logs/transcripts_fasta.log"),
    threads: 1
    resources:
        mem_mb=4000,
    log:
        "logs/transcripts_fasta.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} transcripts --fasta {input.fasta:q} --fai {input.fai:q} --gtf {input.gtf:q}"
        " --out {output.fasta:q} --gtf-out {output.gtf:q} > {log:q} 2>&1 {params.fail}; grep -h 'warning:' {log:q} >&2 || true"


# The genome FASTA's index for transcripts, evidence and primers (pyfaidx reads it), in work_dir
# (GENOME_FAI).
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


# Every annotate job reads the GTF's index here, keyed by the GTF's sha256 (allfuse.annotation_index).
ANNOTATION_INDEX_DIR = f"{WORK}/.allfuse/annotation"


rule annotation_index:
    # The GTF parsed once per run, not once per sample: GENCODE's 1.6M exon lines cost a sample's
    # annotate about a minute and 2.5 GB; reading the index costs seconds.
    input:
        gtf=GENES_GTF,
    output:
        f"{WORK}/annotation_index.json",
    params:
        allfuse=ALLFUSE,
        index_dir=ANNOTATION_INDEX_DIR,
        fail=tool_failed("allfuse annotation-index", REF_LABEL, "logs/annotation_index.log"),
    threads: 1
    resources:
        mem_mb=8000,
    log:
        "logs/annotation_index.log",
    benchmark:
        "benchmarks/annotation_index.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} annotation-index --gtf {input.gtf:q} --index-dir {params.index_dir:q} --out {output:q}"
        " > {log:q} 2>&1 {params.fail}"


# pizzly's own parse of its GTF (its --cache file), made once per run: every sample's pizzly reads it
# instead of parsing the GTF again (GENCODE-sized GTF: 13.9 s per sample parsed, 1.3 s from the
# cache). pizzly writes the cache when it finds none, so it runs here once on a fusion list with no
# records (the cache holds the GTF's genes and transcripts only; -k and the other settings do not
# enter it); its outputs for that empty list are not kept. Made in a folder beside it and moved into
# place, so a cache that exists is whole.
rule pizzly_cache:
    input:
        gtf=f"{WORK}/pizzly.gtf",
        transcripts=f"{WORK}/transcripts.fa",
    output:
        f"{WORK}/pizzly.gtf.cache",
    params:
        k=config["pizzly"]["k"],
        no_fusions=KALLISTO_FUSION_HEADER,
        fail=tool_failed("pizzly", REF_LABEL, "logs/pizzly_cache.log"),
    threads: 1
    resources:
        mem_mb=4000,
    log:
        "logs/pizzly_cache.log",
    benchmark:
        "benchmarks/pizzly_cache.tsv"
    conda:
        "../../envs/pizzly.yaml"
    shell:
        "tmp=$(mktemp -d {output:q}.tmp.XXXXXX) && trap 'rm -rf \"$tmp\"' EXIT"
        " && printf '%s\\n' {params.no_fusions:q} > $tmp/fusion.txt"
        " && pizzly -k {params.k} --gtf {input.gtf:q} --cache $tmp/cache --fasta {input.transcripts:q}"
        " --output $tmp/empty $tmp/fusion.txt > {log:q} 2>&1 && mv $tmp/cache {output:q} {params.fail}"


rule kallisto_index:
    input:
        f"{WORK}/transcripts.fa",
    output:
        f"{WORK}/kallisto.idx",
    params:
        k=config["pizzly"]["k"],
        fail=tool_failed("kallisto index", REF_LABEL, "logs/kallisto_index.log"),
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
