# allfuse: RNA-seq gene fusions for BCP-ALL, exon-level on MANE Select, one molecular group per sample.
from snakemake.utils import min_version

min_version("9.0")


# The demo config only when the user names none: a user's --configfile is never merged over the
# demo's values (a key missing there is a schema default or an error, not a demo value).
if not workflow.config_settings.configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/align.smk"
include: "workflow/rules/callers.smk"
include: "workflow/rules/annotate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/cohort.smk"


# Once every job has finished: the process exits without waiting up to a second for Snakemake's
# idle re-scheduling timers (allfuse.snakemake_exit; README "Speed").
onsuccess:
    cancel_rescheduling_timers()


rule all:
    input:
        all_outputs(),
        "results/expression_matrix.tsv",
    default_target: True
