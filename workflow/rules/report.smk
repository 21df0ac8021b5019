# Human-readable reports: results/{sample}/report.html (in `snakemake --report` under "Fusion reports")
# and results/cohort.html. Provenance (tool versions, reference checksums, config) is written once.
import json


rule provenance:
    input:
        fasta=REF["fasta"],
        gtf=REF["gtf"],
    output:
        "results/provenance.json",
    params:
        fail=tool_failed("allfuse provenance", "run", "logs/provenance.log"),
        allfuse=ALLFUSE,
        callers=" ".join(CALLERS),
        config=json.dumps(config, sort_keys=True, default=str),
        notes=" ".join(f"--note {shlex.quote(n)}" for n in RUN_NOTES),
    threads: 1
    resources:
        mem_mb=500,
    log:
        "logs/provenance.log",
    benchmark:
        "benchmarks/provenance.tsv"
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} provenance --fasta {input.fasta:q} --gtf {input.gtf:q} --callers {params.callers}"
        " --config-json {params.config:q} {params.notes} --out {output:q} > {log:q} 2>&1 {params.fail}"


rule cohort_report:
    input:
        cohort="results/cohort.tsv",
        reports=expand("results/{sample}/report.html", sample=SAMPLES.index),
        survival=survival_outputs(),
    output:
        report("results/cohort.html", category="Cohort", labels={"file": "cohort report"}),
    params:
        fail=tool_failed("allfuse cohort-report", "cohort", "logs/cohort_report.log"),
        allfuse=ALLFUSE,
        results=lambda wc, input: str(Path(input.cohort).parent),
        samples=list(SAMPLES.index),
        survival=lambda wc, input: (
            f"--survival {Path(input.survival[0]).parent}" if input.survival else ""
        ),
    threads: 1
    resources:
        mem_mb=2000,
    log:
        "logs/cohort_report.log",
    conda:
        "../../envs/allfuse.yaml"
    shell:
        "{params.allfuse} cohort-report --results {params.results:q} --samples {params.samples:q}"
        " --out {output:q} {params.survival} > {log:q} 2>&1 {params.fail}"
