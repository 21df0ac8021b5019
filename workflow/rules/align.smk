rule star_align:
    # One alignment per sample serves every caller: a BAM with chimeric alignments (Arriba) and
    # Chimeric.out.junction in format 1 (STAR-Fusion kickstart mode, allfuse's star_chimeric).
    input:
        fq=fastqs,
        index="resources/star_index",
    output:
        bam=temp("results/{sample}/star/Aligned.out.bam"),
        junctions="results/{sample}/star/Chimeric.out.junction",
        log_final="results/{sample}/star/Log.final.out",
        sj="results/{sample}/star/SJ.out.tab",
    params:
        prefix=lambda wc, output: str(Path(output.junctions).parent) + "/",
        chimeric=config["star"]["chimeric"],
        extra=config["star"].get("extra", ""),
    threads: 8
    resources:
        mem_mb=36000,
    log:
        "results/{sample}/logs/star_align.log",
    benchmark:
        "benchmarks/{sample}/star_align.tsv"
    conda:
        "../../envs/star.yaml"
    shell:
        "STAR --runThreadN {threads} --genomeDir {input.index} --readFilesIn {input.fq}"
        " --readFilesCommand zcat --outFileNamePrefix {params.prefix} --outSAMtype BAM Unsorted"
        " --outSAMattrRGline ID:{wildcards.sample} SM:{wildcards.sample}"
        " {params.extra} {params.chimeric} > {log} 2>&1"


rule samtools_sort:
    input:
        "results/{sample}/star/Aligned.out.bam",
    output:
        "results/{sample}/star/Aligned.sortedByCoord.out.bam",
    threads: 2
    resources:
        mem_mb=4000,
    log:
        "results/{sample}/logs/samtools_sort.log",
    benchmark:
        "benchmarks/{sample}/samtools_sort.tsv"
    conda:
        "../../envs/samtools.yaml"
    shell:
        "samtools sort -@ {threads} -m 1500M -o {output} -T {output}.tmp {input} > {log} 2>&1"


rule samtools_index:
    input:
        "results/{sample}/star/Aligned.sortedByCoord.out.bam",
    output:
        "results/{sample}/star/Aligned.sortedByCoord.out.bam.bai",
    threads: 1
    resources:
        mem_mb=1000,
    log:
        "results/{sample}/logs/samtools_index.log",
    conda:
        "../../envs/samtools.yaml"
    shell:
        "samtools index {input} > {log} 2>&1"


rule star_qc:
    input:
        "results/{sample}/star/Log.final.out",
    output:
        "results/{sample}/qc.tsv",
    params:
        allfuse=ALLFUSE,
    threads: 1
    resources:
        mem_mb=500,
    log:
        "results/{sample}/logs/star_qc.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} qc --log {input} --sample {wildcards.sample} --out {output} > {log} 2>&1"
