rule check_reads:
    # Both mates streamed to the end before STAR sees them: FASTQ structure, truncated gzip, R1/R2
    # names and counts. Zero reads pass here and make the sample 'not assessable' at QC.
    input:
        unpack(fastqs),
    output:
        "results/{sample}/reads_check.tsv",
    params:
        allfuse=ALLFUSE,
        fail=lambda wc: tool_failed("read check", f"sample {wc.sample}", f"results/{wc.sample}/logs/check_reads.log"),
    threads: 1
    resources:
        mem_mb=1000,
    log:
        "results/{sample}/logs/check_reads.log",
    benchmark:
        "benchmarks/{sample}/check_reads.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} check-reads --sample {wildcards.sample} --fq1 {input.fq1:q} --fq2 {input.fq2:q}"
        " --out {output:q} > {log:q} 2>&1 {params.fail}; grep -h 'warning:' {log:q} >&2 || true"


rule star_align:
    # One alignment per sample serves every caller: a BAM with chimeric alignments (Arriba) and
    # Chimeric.out.junction in format 1 (STAR-Fusion kickstart mode, allfuse's star_chimeric).
    # STAR splits its command line on spaces, so it reads the FASTQs through links with plain names.
    input:
        unpack(fastqs),
        checked="results/{sample}/reads_check.tsv",
        index=f"{WORK}/star_index",
    output:
        bam=temp("results/{sample}/star/Aligned.out.bam"),
        junctions="results/{sample}/star/Chimeric.out.junction",
        log_final="results/{sample}/star/Log.final.out",
        sj="results/{sample}/star/SJ.out.tab",
    params:
        prefix=lambda wc, output: str(Path(output.junctions).parent) + "/",
        r1=lambda wc, output: str(Path(output.junctions).parent / "input_R1"),
        r2=lambda wc, output: str(Path(output.junctions).parent / "input_R2"),
        read_command=read_files_command,
        chimeric=config["star"]["chimeric"],
        extra=config["star"]["extra"],
        fail=lambda wc: tool_failed("STAR", f"sample {wc.sample}", f"results/{wc.sample}/logs/star_align.log"),
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
        "ln -sfn {input.fq1:q} {params.r1:q} && ln -sfn {input.fq2:q} {params.r2:q} &&"
        " {{ STAR --runThreadN {threads} --genomeDir {input.index:q} --readFilesIn {params.r1:q} {params.r2:q}"
        " --readFilesCommand {params.read_command} --outFileNamePrefix {params.prefix:q} --outSAMtype BAM Unsorted"
        " --outSAMattrRGline ID:{wildcards.sample} SM:{wildcards.sample}"
        " {params.extra} {params.chimeric} > {log:q} 2>&1 {params.fail}; }}"
        " && rm -f {params.r1:q} {params.r2:q}"


rule samtools_sort:
    input:
        "results/{sample}/star/Aligned.out.bam",
    output:
        "results/{sample}/star/Aligned.sortedByCoord.out.bam",
    params:
        fail=lambda wc: tool_failed("samtools sort", f"sample {wc.sample}", f"results/{wc.sample}/logs/samtools_sort.log"),
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
        "samtools sort -@ {threads} -m 1500M -o {output:q} -T {output:q}.tmp {input:q} > {log:q} 2>&1 {params.fail}"


rule samtools_index:
    input:
        "results/{sample}/star/Aligned.sortedByCoord.out.bam",
    output:
        "results/{sample}/star/Aligned.sortedByCoord.out.bam.bai",
    params:
        fail=lambda wc: tool_failed("samtools index", f"sample {wc.sample}", f"results/{wc.sample}/logs/samtools_index.log"),
    threads: 1
    resources:
        mem_mb=1000,
    log:
        "results/{sample}/logs/samtools_index.log",
    conda:
        "../../envs/samtools.yaml"
    shell:
        "samtools index {input:q} > {log:q} 2>&1 {params.fail}"


rule star_qc:
    # QC gates (config qc:): too few read pairs or too little unique mapping -> 'not assessable'.
    input:
        star="results/{sample}/star/Log.final.out",
        reads="results/{sample}/reads_check.tsv",
    output:
        "results/{sample}/qc.tsv",
    params:
        fail=lambda wc: tool_failed("allfuse qc", f"sample {wc.sample}", f"results/{wc.sample}/logs/star_qc.log"),
        allfuse=ALLFUSE,
        min_pairs=config["qc"]["min_input_pairs"],
        min_unique=config["qc"]["min_uniquely_mapped_pct"],
    threads: 1
    resources:
        mem_mb=500,
    log:
        "results/{sample}/logs/star_qc.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} qc --log {input.star:q} --reads {input.reads:q} --sample {wildcards.sample}"
        " --min-input-pairs {params.min_pairs} --min-uniquely-mapped-pct {params.min_unique}"
        " --out {output:q} > {log:q} 2>&1 {params.fail}; grep -h 'warning:' {log:q} >&2 || true"
