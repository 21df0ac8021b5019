"""The columns of every table allfuse writes, each declared once.

A step writes its table from its block here, and a step that adds columns to another step's table
(annotation adds exons, frame, category and the artefact flag to the merged events) adds only its own
block; the full header of each output is assembled here, so it is written down in one place and the
README and the writers can be checked against it (tests/test_tables.py).

Breakpoint convention everywhere: ``pos_5p`` is the last transcribed base of the 5' partner that is
kept in the fusion, ``pos_3p`` the first base of the 3' partner, both 1-based genome coordinates
(the convention Arriba and STAR-Fusion use for splice-site breakpoints). ``strand_*`` is the strand
the partner is transcribed from ('+', '-' or '.' when unknown).
"""

from __future__ import annotations

#: The two sides of a fusion, in the order their columns appear.
SIDES: tuple[str, str] = ("5p", "3p")

# --- calls/{caller}.tsv and the merged events ---------------------------------------------------

#: The partners and their breakpoints, shared by calls and events.
PARTNER_COLUMNS: list[str] = [
    "gene_5p",
    "gene_3p",
    "gene_id_5p",
    "gene_id_3p",
    "chrom_5p",
    "pos_5p",
    "strand_5p",
    "chrom_3p",
    "pos_3p",
    "strand_3p",
]

#: The caller's own transcript and exon choice, kept beside allfuse's MANE numbering. In events
#: they read ``caller:value`` for each caller that gave one, separated by ';'.
CALLER_CHOICE_COLUMNS: list[str] = [
    "caller_transcript_5p",
    "caller_transcript_3p",
    "caller_exon_5p",
    "caller_exon_3p",
]

#: Each caller's own evidence carried into the event: event column -> (caller, column of that
#: caller's calls table). The value is the one of that caller's best-supported call in the event,
#: '.' when that caller did not call the event (or the cell is empty). Arriba's ``confidence``
#: and ``filters`` are its calls' ``caller_confidence``/``caller_filters``; STAR-Fusion's FFPM is its
#: ``caller_confidence`` and its SpliceType its ``site_5p`` (see allfuse.callers).
CALLER_EVIDENCE: dict[str, tuple[str, str]] = {
    "arriba_confidence": ("arriba", "caller_confidence"),  # low / medium / high (Arriba's own)
    "arriba_reading_frame": ("arriba", "orig_reading_frame"),  # in-frame / out-of-frame / stop-codon / .
    "arriba_filters": ("arriba", "caller_filters"),  # filters that removed some reads, e.g. duplicates(1)
    "starfusion_ffpm": ("starfusion", "caller_confidence"),  # fusion fragments per million
    "starfusion_splice_type": ("starfusion", "site_5p"),  # ONLY_REF_SPLICE / INCL_NON_REF_SPLICE
    "starfusion_annots": ("starfusion", "orig_annots"),  # FusionAnnotator's annotations
}
CALLER_EVIDENCE_COLUMNS: list[str] = list(CALLER_EVIDENCE)

#: An event's confidence tier (column ``tier``), from its callers together; the rule is
#: resources/confidence_tiers.tsv (allfuse.merge.event_tiers). Best first.
TIERS: tuple[str, ...] = ("high", "medium", "low")

#: One row per call of one caller (results/{sample}/calls/{caller}.tsv).
#: The caller's own record follows these columns, every original column prefixed with ``orig_``.
CALL_COLUMNS: list[str] = [
    "sample",
    "caller",
    "fusion",
    *PARTNER_COLUMNS,
    "junction_reads",
    "spanning_frags",
    "site_5p",  # caller's site label: splice-site, exon, intron, ... ('.' if none)
    "site_3p",
    *CALLER_CHOICE_COLUMNS,
    "caller_confidence",
    "caller_filters",
]
CALL_DTYPES: dict[str, str] = {
    "pos_5p": "int64",
    "pos_3p": "int64",
    "junction_reads": "int64",
    "spanning_frags": "int64",
}
ORIG_PREFIX = "orig_"

# --- fusions.tsv: one block per step, then the whole header --------------------------------------

#: allfuse.merge: one row per fusion event merged across callers.
EVENT_COLUMNS: list[str] = [
    "sample",
    "event_id",
    "fusion",
    *PARTNER_COLUMNS,
    "callers",
    "n_callers",
    "junction_reads",
    "spanning_frags",
    "support",  # per-caller best support, e.g. "star_chimeric:12+3;pizzly:9+4"
    "tier",  # high / medium / low: callers' agreement, fragments, Arriba's confidence (TIERS)
    *CALLER_CHOICE_COLUMNS,
    *CALLER_EVIDENCE_COLUMNS,
    "reciprocal_of",  # event_id of the B::A event beside this A::B event ('.' if none)
    "read_through",  # True when the partners are neighbouring same-strand genes
]

#: allfuse.annotate.identify_genes: each partner's HGNC id.
HGNC_COLUMNS: list[str] = [f"hgnc_id_{side}" for side in SIDES]


def exon_columns(side: str) -> list[str]:
    """Columns allfuse.exons.annotate_exons adds for one side (meanings in that module)."""
    return [
        f"transcript_{side}",
        f"transcript_source_{side}",
        f"exon_{side}",
        f"intron_{side}",
        f"exon_boundary_{side}",
        f"dist_to_exon_{side}",
    ]


#: allfuse.exons: the canonical transcript and exon/intron of each side.
EXON_OUTPUT_COLUMNS: list[str] = [c for side in SIDES for c in exon_columns(side)]
#: allfuse.frame: in-frame / out-of-frame, or why the frame cannot be said.
FRAME_COLUMNS: list[str] = ["reading_frame"]
#: allfuse.classify.category_column: the subtype the event's rule gives, a flag, or 'other'.
CATEGORY_COLUMNS: list[str] = ["category"]
#: allfuse.artefacts: mitochondrial chimeras, kept and flagged.
ARTEFACT_COLUMNS: list[str] = ["artefact", "artefact_reason"]

#: results/{sample}/fusions.tsv, in order.
FUSIONS_COLUMNS: list[str] = [
    *EVENT_COLUMNS,
    *HGNC_COLUMNS,
    *EXON_OUTPUT_COLUMNS,
    *FRAME_COLUMNS,
    *CATEGORY_COLUMNS,
    *ARTEFACT_COLUMNS,
]

# --- classification.json and the per-sample tables -----------------------------------------------

#: Fields of classification.json copied from the driver event's row of fusions.tsv.
DRIVER_FIELDS: list[str] = [
    "gene_id_5p",
    "gene_id_3p",
    "transcript_5p",
    "exon_5p",
    "intron_5p",
    "transcript_3p",
    "exon_3p",
    "intron_3p",
    "reading_frame",
    "callers",
]
#: The sample's result as classification.json, cohort.tsv's classification part and the cohort page
#: begin it: its status (allfuse.status), molecular group, subtype, partner and driver fusion.
SAMPLE_RESULT_COLUMNS: list[str] = [
    "sample",
    "status",
    "status_reason",
    "group",
    "subtype",
    "partner",
    "driver_fusion",
]
#: Keys of results/{sample}/classification.json, in order.
CLASSIFICATION_KEYS: list[str] = [
    *SAMPLE_RESULT_COLUMNS,
    *DRIVER_FIELDS,
    "driver_tier",  # the driver event's tier (high / medium / low), '' without a driver
    "junction_reads",
    "spanning_frags",
    "reciprocal_fusion",
    "reciprocal_tier",
    "other_defining_fusions",
    "other_defining_tiers",  # one tier per other_defining_fusions entry, same order
    "flags",
    "caveats",  # sentences a reader must see beside the result (e.g. NUTM1 expressed, no fusion called)
    "nutm1_tpm",  # the sample's NUTM1 TPM (expression.tsv), '' when not measured or not in the GTF
    "rule",
]

#: results/{sample}/qc.tsv (allfuse qc): one row.
QC_COLUMNS: list[str] = [
    "sample",
    "input_read_pairs",
    "uniquely_mapped_pct",
    "chimeric_pct",
    "chimeric_reads",
    "qc_pass",  # True / False
    "qc_reason",  # why the sample is not assessable ('' when it passes)
    "min_input_pairs",
    "min_uniquely_mapped_pct",
]

#: results/{sample}/reads_check.tsv (allfuse check-reads): one row.
READ_CHECK_COLUMNS: list[str] = ["sample", "fq1", "fq2", "compression_fq1", "compression_fq2", "read_pairs"]

# --- expression, evidence and the confirmation assay --------------------------------------------

#: results/{sample}/expression.tsv (allfuse expression): one row per gene with at least one
#: transcript in kallisto's abundance file, by TPM descending.
EXPRESSION_COLUMNS: list[str] = [
    "gene",  # current approved symbol (through resources when given), else the GTF's gene_name
    "gene_id",  # the GTF's gene_id
    "tpm",  # sum of the gene's transcript TPMs
    "est_counts",  # sum of the gene's estimated read counts
    "n_transcripts",  # transcripts of the gene in the abundance file
]
#: results/expression_matrix.tsv: ``gene``, ``gene_id``, then one TPM column per sample.
EXPRESSION_MATRIX_ID_COLUMNS: list[str] = ["gene", "gene_id"]

#: The roles of a defining fusion in evidence.json and primers.tsv.
ROLES: tuple[str, ...] = ("driver", "reciprocal", "other defining")

#: results/{sample}/primers.tsv (allfuse primers): one row per defining fusion, its pair or the reason.
PRIMER_COLUMNS: list[str] = [
    "sample",
    "event_id",
    "fusion",
    "role",  # driver / reciprocal / other defining (ROLES)
    "forward",  # 5'->3', in the 5' partner's exons upstream of the junction
    "reverse",  # 5'->3', its reverse complement in the 3' partner's exons downstream
    "forward_tm",
    "reverse_tm",
    "forward_gc",
    "reverse_gc",
    "product_size",
    "forward_exon",  # e.g. '5p exon 9'
    "reverse_exon",
    "amplicon",  # the fused transcript from the forward primer to the reverse one, junction marked '|'
    "placement",  # which placement rule applied (allfuse.primers)
    "reason",  # why no pair was designed ('' when one was)
]
#: cohort.tsv ``assay_designed`` values.
ASSAY_VALUES: tuple[str, ...] = ("yes", "partial", "no", "none-needed")

# --- cohort.tsv ----------------------------------------------------------------------------------

#: Classification fields copied into the cohort table (lists are joined with commas).
COHORT_CLASSIFICATION_FIELDS: list[str] = [
    k
    for k in CLASSIFICATION_KEYS
    if k not in ("sample", "status", "status_reason", "callers", "junction_reads", "spanning_frags")
]
#: results/cohort.tsv (allfuse cohort): one row per sample, the table the report and survival read.
COHORT_COLUMNS: list[str] = [
    "sample",
    "status",  # fusion detected / no defining fusion detected / not assessable (allfuse.status)
    "status_reason",
    "input_read_pairs",
    "uniquely_mapped_pct",
    "chimeric_pct",
    "n_events",
    "n_artefact_events",
    "best_event",
    "best_event_callers",
    "best_event_junction_reads",
    "best_event_spanning_frags",
    "best_event_tier",
    *COHORT_CLASSIFICATION_FIELDS,  # with driver_tier, reciprocal_tier and other_defining_tiers
    "assay_designed",  # primers.tsv: yes / partial / no / none-needed ('' when primers were not run)
]
#: Cohort columns a survival grouping rule may match on (also the config schema's rule keys).
GROUPING_MATCH_COLUMNS: tuple[str, ...] = ("group", "subtype", "partner", "driver_fusion", "status")
#: Cohort columns the cohort page shows per sample.
COHORT_PAGE_COLUMNS: list[str] = [
    *SAMPLE_RESULT_COLUMNS,
    "driver_tier",
    "exon_5p",
    "intron_5p",
    "exon_3p",
    "intron_3p",
    "reading_frame",
    "input_read_pairs",
    "uniquely_mapped_pct",
    "chimeric_pct",
    "n_events",
    "n_artefact_events",
]

# --- survival/ (allfuse survival) ----------------------------------------------------------------

#: ``{endpoint}_by_{by}.tsv``; ``{endpoint}`` is efs or os. The cohort page reads these names.
SURVIVAL_SUMMARY_COLUMNS: list[str] = [
    "group",
    "n",
    "events",
    "{endpoint}_pct",
    "ci_lower_pct",
    "ci_upper_pct",
    "time_point",
    "time_unit",
    "ci_method",
    "median_followup",
    "warning",
    "time_point_years",
    "at_risk",
    "surv",
    "surv_lower",
    "surv_upper",
    "se_log_surv",
    "median_time",
    "median_followup_years",
]
#: logrank.tsv.
LOGRANK_COLUMNS: list[str] = ["test", "groups", "chi2", "df", "p"]
#: The analysis frame: one row per analysed patient.
ANALYSIS_COLUMNS: list[str] = ["sample", "group", "time", "event"]
#: excluded.tsv: every cohort sample left out of the analysis, with the reason.
EXCLUDED_COLUMNS: list[str] = ["sample", "reason"]

# --- allfuse evaluate ----------------------------------------------------------------------------

#: One row per planted fusion of a simulated cohort, found or not.
EVAL_COLUMNS: list[str] = [
    "sample",
    "fusion",
    "exon_5p",
    "exon_3p",
    "fragments",
    "found",
    "callers",
    "junction_reads",
    "spanning_frags",
    "called_exon_5p",
    "called_exon_3p",
    "group",
    "subtype",
]
