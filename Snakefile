# allfuse: RNA-seq gene fusions for BCP-ALL, exon-level on MANE Select, one molecular group per sample.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/align.smk"
include: "workflow/rules/callers.smk"
include: "workflow/rules/annotate.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
