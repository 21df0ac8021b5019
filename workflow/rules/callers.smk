# Callers on the one STAR alignment per sample (pizzly works from the reads with kallisto).
# star_chimeric needs no rule of its own: allfuse annotate summarises Chimeric.out.junction.


rule kallisto_fusion:
    input:
        unpack(fastqs),
        checked="results/{sample}/reads_check.tsv",
        index=f"{WORK}/kallisto.idx",
    output:
        fusion="results/{sample}/pizzly/kallisto/fusion.txt",
        abundance="results/{sample}/pizzly/kallisto/abundance.tsv",
    params:
        outdir=lambda wc, output: str(Path(output.fusion).parent),
        fail=lambda wc: tool_failed(
            "kallisto quant", f"sample {wc.sample}", f"results/{wc.sample}/logs/kallisto_fusion.log"
        ),
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
        # kallisto exits 1 when no read pseudoaligns (e.g. a 0-read sample); its outputs are then
        # written and empty, and the QC gate decides whether the sample can be assessed.
        "kallisto quant -i {input.index:q} --fusion -t {threads} -o {params.outdir:q}"
        " {input.fq1:q} {input.fq2:q} > {log:q} 2>&1"
        " || grep -q 'zero reads pseudoaligned' {log:q} {params.fail}"


rule pizzly:
    input:
        fusion="results/{sample}/pizzly/kallisto/fusion.txt",
        fasta=f"{WORK}/transcripts.fa",
        # the reference GTF with any missing gene/transcript lines added (pizzly asserts on them)
        gtf=f"{WORK}/pizzly.gtf",
    output:
        json="results/{sample}/pizzly/{sample}.json",
        # the fused sequences: allfuse places each read pair on them to count it for one orientation
        fasta="results/{sample}/pizzly/{sample}.fusions.fasta",
        unfiltered="results/{sample}/pizzly/{sample}.unfiltered.json",
        cache=temp("results/{sample}/pizzly/gtf.cache"),
    params:
        prefix=lambda wc, output: output.json.removesuffix(".json"),
        k=config["pizzly"]["k"],
        align_score=config["pizzly"]["align_score"],
        insert_size=config["pizzly"]["insert_size"],
        fail=lambda wc: tool_failed("pizzly", f"sample {wc.sample}", f"results/{wc.sample}/logs/pizzly.log"),
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
        "pizzly -k {params.k} --gtf {input.gtf:q} --cache {output.cache:q} --align-score {params.align_score}"
        " --insert-size {params.insert_size} --fasta {input.fasta:q} --output {params.prefix:q} {input.fusion:q}"
        " > {log:q} 2>&1 {params.fail}"


rule arriba:
    # Arriba on the shared STAR BAM (chimeric alignments WithinBAM); database files named in config.
    input:
        bam="results/{sample}/star/Aligned.sortedByCoord.out.bam",
        fasta=GENOME_FASTA,
        gtf=GENES_GTF,
        blacklist=config.get("arriba", {}).get("blacklist", []),
        known_fusions=config.get("arriba", {}).get("known_fusions", []),
        protein_domains=config.get("arriba", {}).get("protein_domains", []),
    output:
        fusions="results/{sample}/arriba/fusions.tsv",
        discarded="results/{sample}/arriba/fusions.discarded.tsv",
    params:
        fail=lambda wc: tool_failed("arriba", f"sample {wc.sample}", f"results/{wc.sample}/logs/arriba.log"),
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
        "arriba -x {input.bam:q} -a {input.fasta:q} -g {input.gtf:q} -b {input.blacklist:q}"
        " -k {input.known_fusions:q} -t {input.known_fusions:q} -p {input.protein_domains:q}"
        " -o {output.fusions:q} -O {output.discarded:q} {params.extra} > {log:q} 2>&1 {params.fail}"


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
        fail=lambda wc: tool_failed("STAR-Fusion", f"sample {wc.sample}", f"results/{wc.sample}/logs/starfusion.log"),
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
        "STAR-Fusion --genome_lib_dir {input.genome_lib:q} -J {input.junctions:q} --output_dir {params.outdir:q}"
        " --CPU {threads} {params.extra} > {log:q} 2>&1 {params.fail}"
