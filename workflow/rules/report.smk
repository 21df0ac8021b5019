# Provenance (tool versions, reference checksums, config), written once per run; each sample's
# report.html (rule annotate) shows it.
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

