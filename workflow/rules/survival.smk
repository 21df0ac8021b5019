# Survival analysis by molecular group (allfuse survival): only when config names a clinical table.
# SURVIVAL, SURVIVAL_NAME and survival_outputs() are in common.smk.
import json


if config.get("clinical"):

    rule survival:
        input:
            cohort="results/cohort.tsv",
            clinical=config["clinical"],
        output:
            table=f"results/survival/{SURVIVAL_NAME}.tsv",
            logrank="results/survival/logrank.tsv",
            svg=f"results/survival/km_{SURVIVAL_NAME}.svg",
            png=f"results/survival/km_{SURVIVAL_NAME}.png",
            excluded="results/survival/excluded.tsv",
        params:
            fail=tool_failed("allfuse survival", "survival", "logs/survival.log"),
            allfuse=ALLFUSE,
            outdir=lambda wc, output: str(Path(output.table).parent),
            by=SURVIVAL["by"],
            time_point=SURVIVAL["time_point"],
            time_unit=SURVIVAL["time_unit"],
            ci=SURVIVAL["ci"],
            pairwise="--pairwise" if SURVIVAL["pairwise"] else "",
            groupings=json.dumps(SURVIVAL["groupings"], sort_keys=True),
        threads: 1
        resources:
            mem_mb=2000,
        log:
            "logs/survival.log",
        conda:
            "../../envs/allfuse.yaml"
        shell:
            "{params.allfuse} survival --cohort {input.cohort:q} --clinical {input.clinical:q}"
            " --by {params.by:q} --out {params.outdir:q} --time-point {params.time_point}"
            " --time-unit {params.time_unit} --ci {params.ci} --groupings-json {params.groupings:q}"
            " {params.pairwise} > {log:q} 2>&1 {params.fail}"
