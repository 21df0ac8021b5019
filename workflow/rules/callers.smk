# Callers on the one STAR alignment per sample. pizzly works from the reads with kallisto, not from
# STAR's output: both run beside STAR in rule star_align. star_chimeric needs no rule of its own:
# allfuse annotate summarises Chimeric.out.junction. On a cluster each sample's Arriba and
# STAR-Fusion and its annotate step are one job (group "sample": one connected group per sample,
# README "Speed").


rule arriba_known_fusions:
    # allfuse's subtype-defining gene pairs (resources/), after the user's own file if config names
    # one: a defining fusion with few reads is rescued by Arriba rather than filtered.
    input:
        ARRIBA.get("known_fusions", []),
    output:
        f"{WORK}/arriba/known_fusions.tsv",
    params:
        allfuse=ALLFUSE,
        add=lambda wc, input: " ".join(f"--add {shlex.quote(f)}" for f in input),
        fail=tool_failed("allfuse known-fusions", "arriba known fusions", "logs/arriba_known_fusions.log"),
    threads: 1
    resources:
        mem_mb=1000,
    log:
        "logs/arriba_known_fusions.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} known-fusions --out {output:q} {params.add} > {log:q} 2>&1 {params.fail}"


rule arriba:
    # Arriba on the shared STAR BAM (chimeric alignments WithinBAM). Blacklist and protein domains
    # are optional in config; without a blacklist Arriba's blacklist filter is off (-f blacklist),
    # which provenance records. A BAM with no chimeric read at all makes Arriba exit 1 with
    # 'no split reads or discordant mates found': a negative result, written as the header alone.
    input:
        bam="results/{sample}/star/Aligned.sortedByCoord.out.bam",
        fasta=GENOME_FASTA,
        gtf=GENES_GTF,
        known_fusions=f"{WORK}/arriba/known_fusions.tsv",
        blacklist=ARRIBA.get("blacklist", []),
        protein_domains=ARRIBA.get("protein_domains", []),
    output:
        fusions="results/{sample}/arriba/fusions.tsv",
        discarded="results/{sample}/arriba/fusions.discarded.tsv",
    params:
        blacklist=f"-b {shlex.quote(ARRIBA['blacklist'])}" if ARRIBA.get("blacklist") else "-f blacklist",
        domains=f"-p {shlex.quote(ARRIBA['protein_domains'])}" if ARRIBA.get("protein_domains") else "",
        header=shlex.quote(ARRIBA_HEADER),
        negative=ARRIBA_NO_CHIMERIC_READS,
        extra=ARRIBA["extra"],
    threads: 1
    resources:
        mem_mb=16000,
    group:
        "sample"
    log:
        "results/{sample}/logs/arriba.log",
    benchmark:
        "benchmarks/{sample}/arriba.tsv"
    conda:
        "../../envs/arriba.yaml"
    shell:
        shell_of(
            "arriba -x {input.bam:q} -a {input.fasta:q} -g {input.gtf:q} {params.blacklist}"
        " -k {input.known_fusions:q} -t {input.known_fusions:q} {params.domains}"
        " -o {output.fusions:q} -O {output.discarded:q} {params.extra} > {log:q} 2>&1"
        " || {{ grep -q '{params.negative}' {log:q}"
            " && printf '%s\\n' {params.header} | tee {output.fusions:q} > {output.discarded:q}; }}",
            shell_failed("arriba"),
        )


rule ctat_genome_lib:
    # STAR-Fusion's CTAT genome library built from the config's own FASTA + GTF, so STAR-Fusion's
    # annotation and the STAR index always come from one genome (used when config names no
    # starfusion.genome_lib_dir). Without the STAR index (--skip_star): kickstart mode needs none.
    # The builder writes intermediates into its working folder, so it runs in a scratch folder; the
    # minimap2 splice BED step (paftools.ctat.js needs k8, which STAR-Fusion never reads) is skipped
    # through its checkpoint.
    input:
        fasta=GENOME_FASTA,
        gtf=GENES_GTF,
        dfam=STARFUSION.get("dfam_db", []),
        pfam=STARFUSION.get("pfam_db", []),
    output:
        directory(f"{WORK}/ctat_genome_lib"),
    params:
        abs=lambda wc, input, output: {k: shlex.quote(str(Path(v).resolve())) for k, v in
                                       [("fasta", input.fasta), ("gtf", input.gtf), ("dfam", input.dfam),
                                        ("pfam", input.pfam), ("out", output[0]), ("log", f"logs/ctat_genome_lib.log")]},
        scratch=f"{WORK}/ctat_genome_lib.build",
        read_length=REF["read_length"],
        fail=tool_failed("prep_genome_lib.pl", REF_LABEL, "logs/ctat_genome_lib.log"),
    threads: 2
    resources:
        mem_mb=8000,
    log:
        "logs/ctat_genome_lib.log",
    benchmark:
        "benchmarks/ctat_genome_lib.tsv"
    conda:
        "../../envs/star-fusion.yaml"
    shell:
        "rm -rf {params.scratch:q} && mkdir -p {params.scratch:q} {output:q}/__chkpts"
        " && touch {output:q}/__chkpts/mm2.splice_bed.ok"
        " && {{ ( cd {params.scratch:q} && prep_genome_lib.pl --genome_fa {params.abs[fasta]}"
        " --gtf {params.abs[gtf]} --dfam_db {params.abs[dfam]} --pfam_db {params.abs[pfam]}"
        " --max_readlength {params.read_length} --CPU {threads} --output_dir {params.abs[out]} --skip_star"
        " > {params.abs[log]} 2>&1 ) {params.fail}; }} && rm -rf {params.scratch:q}"


rule starfusion:
    # STAR-Fusion in kickstart mode on the shared Chimeric.out.junction (format 1 carries the read
    # count, so FFPM is computed without the reads). Its CTAT library is the one config names, or
    # the one rule ctat_genome_lib builds from the pipeline's own FASTA + GTF.
    input:
        junctions="results/{sample}/star/Chimeric.out.junction",
        genome_lib=STARFUSION.get("genome_lib_dir") or f"{WORK}/ctat_genome_lib",
    output:
        abridged="results/{sample}/starfusion/star-fusion.fusion_predictions.abridged.tsv",
        full="results/{sample}/starfusion/star-fusion.fusion_predictions.tsv",
    params:
        extra=STARFUSION["extra"],
    threads: 2
    resources:
        mem_mb=8000,
    group:
        "sample"
    log:
        "results/{sample}/logs/starfusion.log",
    benchmark:
        "benchmarks/{sample}/starfusion.tsv"
    conda:
        "../../envs/star-fusion.yaml"
    shell:
        shell_of(
            "STAR-Fusion --genome_lib_dir {input.genome_lib:q} -J {input.junctions:q}"
            " --output_dir results/{wildcards.sample}/starfusion --CPU {threads} {params.extra} > {log:q} 2>&1",
            shell_failed("STAR-Fusion"),
        )
