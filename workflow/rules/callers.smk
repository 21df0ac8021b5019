# Callers on the one STAR alignment per sample (pizzly works from the reads with kallisto).
# star_chimeric needs no rule of its own: allfuse annotate summarises Chimeric.out.junction.


rule kallisto_fusion:
    input:
        fq=fastqs,
        index="resources/kallisto.idx",
    output:
        fusion="results/{sample}/pizzly/kallisto/fusion.txt",
        abundance="results/{sample}/pizzly/kallisto/abundance.tsv",
    params:
        outdir=lambda wc, output: str(Path(output.fusion).parent),
    threads: 2
    resources:
        mem_mb=8000,
    log:
        "results/{sample}/logs/kallisto_fusion.log",
    benchmark:
        "benchmarks/{sample}/kallisto_fusion.tsv"
    conda:
        "../../envs/kallisto.yaml"
    shell:
        "kallisto quant -i {input.index} --fusion -t {threads} -o {params.outdir} {input.fq} > {log} 2>&1"


rule pizzly:
    input:
        fusion="results/{sample}/pizzly/kallisto/fusion.txt",
        fasta="resources/transcripts.fa",
        # the reference GTF with any missing gene/transcript lines added (pizzly asserts on them)
        gtf="resources/pizzly.gtf",
    output:
        json="results/{sample}/pizzly/{sample}.json",
        unfiltered="results/{sample}/pizzly/{sample}.unfiltered.json",
        cache=temp("results/{sample}/pizzly/gtf.cache"),
    params:
        prefix=lambda wc, output: output.json.removesuffix(".json"),
        k=config.get("pizzly", {}).get("k", 31),
        align_score=config.get("pizzly", {}).get("align_score", 2),
        insert_size=config.get("pizzly", {}).get("insert_size", 400),
    threads: 1
    resources:
        mem_mb=8000,
    log:
        "results/{sample}/logs/pizzly.log",
    benchmark:
        "benchmarks/{sample}/pizzly.tsv"
    conda:
        "../../envs/kallisto.yaml"
    shell:
        "pizzly -k {params.k} --gtf {input.gtf} --cache {output.cache} --align-score {params.align_score}"
        " --insert-size {params.insert_size} --fasta {input.fasta} --output {params.prefix} {input.fusion}"
        " > {log} 2>&1"


rule arriba:
    # Arriba on the shared STAR BAM (chimeric alignments WithinBAM); database files named in config.
    input:
        bam="results/{sample}/star/Aligned.sortedByCoord.out.bam",
        fasta=REF["fasta"],
        gtf=REF["gtf"],
        blacklist=config.get("arriba", {}).get("blacklist", []),
        known_fusions=config.get("arriba", {}).get("known_fusions", []),
        protein_domains=config.get("arriba", {}).get("protein_domains", []),
    output:
        fusions="results/{sample}/arriba/fusions.tsv",
        discarded="results/{sample}/arriba/fusions.discarded.tsv",
    params:
        extra=config.get("arriba", {}).get("extra", ""),
    threads: 1
    resources:
        mem_mb=16000,
    log:
        "results/{sample}/logs/arriba.log",
    benchmark:
        "benchmarks/{sample}/arriba.tsv"
    conda:
        "../../envs/arriba.yaml"
    shell:
        "arriba -x {input.bam} -a {input.fasta} -g {input.gtf} -b {input.blacklist}"
        " -k {input.known_fusions} -t {input.known_fusions} -p {input.protein_domains}"
        " -o {output.fusions} -O {output.discarded} {params.extra} > {log} 2>&1"


rule starfusion:
    # STAR-Fusion in kickstart mode on the shared Chimeric.out.junction (format 1 carries the read
    # count, so FFPM is computed without the reads). The STAR index must be built from the CTAT
    # library's own genome and GTF (ref_genome.fa, ref_annot.gtf).
    input:
        junctions="results/{sample}/star/Chimeric.out.junction",
        genome_lib=config.get("starfusion", {}).get("genome_lib_dir", []),
    output:
        abridged="results/{sample}/starfusion/star-fusion.fusion_predictions.abridged.tsv",
        full="results/{sample}/starfusion/star-fusion.fusion_predictions.tsv",
    params:
        outdir=lambda wc, output: str(Path(output.abridged).parent),
        extra=config.get("starfusion", {}).get("extra", ""),
    threads: 4
    resources:
        mem_mb=16000,
    log:
        "results/{sample}/logs/starfusion.log",
    benchmark:
        "benchmarks/{sample}/starfusion.tsv"
    conda:
        "../../envs/star-fusion.yaml"
    shell:
        "STAR-Fusion --genome_lib_dir {input.genome_lib} -J {input.junctions} --output_dir {params.outdir}"
        " --CPU {threads} {params.extra} > {log} 2>&1"
