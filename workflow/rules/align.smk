# One alignment job per sample: the reads check, STAR, the sorted and indexed BAM, and beside STAR
# kallisto (pizzly's and expression's input) and then pizzly, when it is a caller. One job where
# there were six: STAR is no longer held back by a reads check that streamed both mates first,
# pizzly (which reads kallisto's output, not STAR's) runs while STAR does, a cluster gets one job for
# it, and a 1,000-sample plan stays small (README "Speed").

rule star_align:
    # The reads are checked in the pass that feeds STAR: allfuse.fastq_stream is STAR's
    # --readFilesCommand (through $D/read_command), so each mate is decompressed once and every
    # record is checked on its way to STAR (FASTQ structure, truncated gzip); after STAR both mates'
    # record counts and read names are compared and reads_check.tsv is written. A problem fails the
    # job with one line, and Snakemake removes every output of a failed job: nothing downstream is
    # made from unchecked reads. Zero reads pass and make the sample 'not assessable' at QC.
    # One STAR alignment serves every caller: a BAM with chimeric alignments (Arriba), sorted by
    # samtools as STAR writes it, and Chimeric.out.junction in format 1 (STAR-Fusion kickstart mode,
    # allfuse's star_chimeric).
    # STAR splits its command line on spaces, so it reads the FASTQs through links with plain names.
    input:
        unpack(fastqs),
        index=f"{WORK}/star_index",
        kallisto_index=f"{WORK}/kallisto.idx",
        **PIZZLY_INPUTS,
    output:
        checked="results/{sample}/reads_check.tsv",
        bam="results/{sample}/star/Aligned.sortedByCoord.out.bam",
        bai="results/{sample}/star/Aligned.sortedByCoord.out.bam.bai",
        junctions="results/{sample}/star/Chimeric.out.junction",
        log_final="results/{sample}/star/Log.final.out",
        sj="results/{sample}/star/SJ.out.tab",
        fusion="results/{sample}/pizzly/kallisto/fusion.txt",
        abundance="results/{sample}/pizzly/kallisto/abundance.tsv",
        **PIZZLY_OUTPUTS,
    params:
        # the feed and the verdict of the reads check (the workflow's own Python and allfuse)
        reads_check=f"{READS_CHECK}",
        chimeric=config["star"]["chimeric"],
        extra=config["star"]["extra"],
        **PIZZLY_PARAMS,
    threads: 8
    resources:
        # STAR with a human index (about 32 GB), samtools sort (its -m per thread) and, beside
        # them, kallisto and then pizzly (one at a time)
        mem_mb=40000,
    group:
        "align"
    log:
        star="results/{sample}/logs/star_align.log",
        check="results/{sample}/logs/check_reads.log",
        sort="results/{sample}/logs/samtools_sort.log",
        kallisto="results/{sample}/logs/kallisto_fusion.log",
        **PIZZLY_LOG,
    benchmark:
        "benchmarks/{sample}/star_align.tsv"
    conda:
        "../../envs/align.yaml"
    shell:
        ALIGN_SHELL
