"""The per-sample report page: the values a molecular haematologist signs off, laid out answer first.

:func:`build_context` turns a :class:`SampleData` into plain values (strings, lists, dicts) and
:func:`render` fills the jinja2 template with them. Keeping every decision here (which caveat applies,
which event is the driver, which fusions get a diagram) leaves the template free of logic and lets tests
check the values without parsing HTML.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from allfuse import __version__
from allfuse.config import schema_default
from allfuse.expression import NUTM1, NUTM1_FLAG, marker_levels, read_markers
from allfuse.report.diagram import diagram_side, fusion_svg
from allfuse.report.evidence_view import SPECIFICITY_NOTE, build_stated, evidence_view, primer_view
from allfuse.report.nomenclature import ManeTables, junction_names, side_from_row
from allfuse.report.sample import SampleData, load_sample
from allfuse.report.wording import flag_words, flatten, qc_gates, rule_words, shaping
from allfuse.status import DETECTED as FUSION_DETECTED
from allfuse.status import NOT_ASSESSABLE
from allfuse.status import NOT_DETECTED as NO_FUSION

CAVEAT_EXONS = (
    "Exon and intron numbers refer to the named MANE Select transcript only; other transcripts of the "
    "same gene number their exons differently."
)
CAVEAT_KMT2A = (
    "RNA-seq can miss KMT2A fusions that are expressed at a low level; a negative result does not "
    "exclude a KMT2A rearrangement (confirm by FISH or RT-PCR where it is suspected)."
)
CAVEAT_IGH = (
    "DUX4::IGH and CRLF2::IGH rearrangements (IGH enhancer juxtaposition, often without a fusion "
    "transcript) are often missed by fusion callers; DUX4-r and CRLF2-r need expression-based or "
    "cytogenetic testing."
)
CAVEAT_NOT_ASSESSABLE = (
    "No result: the sample failed quality control, so the absence of a fusion cannot be concluded. "
    "Repeat the test or use another method."
)
CAVEAT_QC_FAILED_POSITIVE = (
    "The sample failed quality control ({reason}); the fusion above is reported because its evidence "
    "is of the highest confidence tier, but the absence of any other fusion cannot be concluded."
)
CAVEAT_NUTM1 = (
    "NUTM1 is expressed ({tpm} TPM, threshold {threshold}) but no NUTM1 fusion was called: a NUTM1 "
    "rearrangement is possible and was not detected (NUTM1 is silent in blood and bone marrow; confirm "
    "by FISH or RT-PCR)."
)


def environment() -> jinja2.Environment:
    """Templates shipped inside the package; every value is HTML-escaped unless marked safe."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("allfuse.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, context: dict) -> str:
    return environment().get_template(template).render(**context)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    return str(value)


def _int(value: object) -> int:
    try:
        return int(float(str(value)))
    except ValueError:
        return 0


def support_by_caller(support: str) -> list[dict[str, str]]:
    """'pizzly:19+11;star_chimeric:18+6' -> one row per caller with junction reads and spanning fragments."""
    out = []
    for part in filter(None, _text(support).split(";")):
        caller, _, counts = part.partition(":")
        junction, _, spanning = counts.partition("+")
        out.append({"caller": caller, "junction_reads": junction, "spanning_frags": spanning})
    return out


#: Arriba's and STAR-Fusion's own evidence shown per defining fusion: caller (as its calls file is
#: named), label, then (fusions.tsv column, label) pairs (columns: schema.CALLER_EVIDENCE).
EVIDENCE_SHOWN = (
    (
        "arriba",
        "Arriba",
        (
            ("arriba_confidence", "confidence"),
            ("arriba_reading_frame", "reading frame"),
            ("arriba_filters", "filters"),
        ),
    ),
    (
        "starfusion",
        "STAR-Fusion",
        (
            ("starfusion_ffpm", "FFPM"),
            ("starfusion_splice_type", "splice type"),
            ("starfusion_annots", "annotations"),
        ),
    ),
)


#: What a caller's '.' (or empty cell) means in each evidence column of an event it called.
EVIDENCE_EMPTY = {
    "arriba_confidence": "not given",
    "arriba_reading_frame": "not predicted",  # Arriba: no peptide sequence could be predicted
    "arriba_filters": "none",  # no filter removed any supporting read
    "starfusion_ffpm": "not computed",
    "starfusion_splice_type": "not given",
    "starfusion_annots": "none",
}


def _evidence_value(column: str, value: str) -> str:
    """A called event's value as shown: what '.' means there; STAR-Fusion's JSON annotation list joined."""
    if value in ("", "."):
        return EVIDENCE_EMPTY.get(column, "—")
    if column == "starfusion_annots" and value.startswith("["):
        try:
            items = json.loads(value)
        except json.JSONDecodeError:
            return value
        if isinstance(items, list):
            return ", ".join(str(x) for x in items) or EVIDENCE_EMPTY[column]
    return value


def caller_evidence(row: dict, ran: list[str]) -> list[dict]:
    """For each of Arriba and STAR-Fusion that ran on the sample (``ran``): whether it called this event
    and its own values (confidence, reading frame, filters; FFPM, splice type, annotations)."""
    out = []
    for caller, label, columns in EVIDENCE_SHOWN:
        if caller not in ran:
            continue
        called = caller in _text(row.get("callers")).split(",")
        values = [
            {
                "name": name,
                "column": col,
                "value": _evidence_value(col, _text(row.get(col))) if called else "—",
            }
            for col, name in columns
        ]
        out.append({"caller": caller, "label": label, "called": called, "values": values})
    return out


def tier_text(row: dict) -> str:
    """'medium (4 callers, 3 fragments)': the tier and the two facts it rests on most; '' without a tier."""
    tier = _text(row.get("tier"))
    if tier in ("", "."):
        return ""
    n = _int(row.get("n_callers"))
    fragments = _int(row.get("junction_reads")) + _int(row.get("spanning_frags"))
    return f"{tier} ({n} caller{'s' if n != 1 else ''}, {fragments} fragment{'s' if fragments != 1 else ''})"


def exon_text(row: dict, side: str) -> str:
    """'exon 9' or 'intron 9' (with the distance to the nearest exon when known), '' when neither."""
    exon, intron = _text(row.get(f"exon_{side}")), _text(row.get(f"intron_{side}"))
    if exon not in ("", "."):
        return f"exon {exon}"
    if intron not in ("", "."):
        dist = _text(row.get(f"dist_to_exon_{side}"))
        return f"intron {intron}" + (f" ({dist} nt from exon)" if dist not in ("", ".", "0") else "")
    return ""


def _norm(fusion: str) -> str:
    return fusion.strip().upper()


def find_event(events: pd.DataFrame, fusion: str, exon_5p: object = "", exon_3p: object = "") -> dict | None:
    """The best-supported event row named ``fusion`` (matching the classification's exons when given)."""
    if not fusion or events.empty:
        return None
    hits = events[events["fusion"].map(lambda f: _norm(str(f)) == _norm(fusion))]
    if hits.empty:
        return None
    for col, want in (("exon_5p", exon_5p), ("exon_3p", exon_3p)):
        if _text(want) and col in hits.columns:
            same = hits[hits[col].astype(str) == _text(want)]
            hits = same if not same.empty else hits
    support = hits["junction_reads"].map(_int) + hits["spanning_frags"].map(_int)
    return {k: _text(v) for k, v in hits.loc[support.idxmax()].items()}


def _driver_row(data: SampleData) -> dict | None:
    cls = data.classification
    row = find_event(data.events, _text(cls.get("driver_fusion")), cls.get("exon_5p"), cls.get("exon_3p"))
    if row is not None or not cls.get("driver_fusion"):
        return row
    # No matching event (e.g. hand-edited results): fall back on the classification's own fields.
    g5, _, g3 = _text(cls["driver_fusion"]).partition("::")
    return {
        "fusion": cls["driver_fusion"],
        "gene_5p": g5,
        "gene_3p": g3,
        **{k: _text(cls.get(k)) for k in ("transcript_5p", "exon_5p", "intron_5p")},
        **{k: _text(cls.get(k)) for k in ("transcript_3p", "exon_3p", "intron_3p", "reading_frame")},
        "tier": _text(cls.get("driver_tier")),
    }


@dataclass(frozen=True)
class Partner:
    gene: str
    location: str  # "exon 9" / "intron 9"
    refseq: str
    ensembl: str


def _partner(row: dict, side: str, tables: ManeTables) -> Partner:
    gene, tx = _text(row.get(f"gene_{side}")), _text(row.get(f"transcript_{side}"))
    mane = tables.find(gene, tx)
    return Partner(
        gene=gene,
        location=exon_text(row, side),
        refseq=mane.refseq if mane else "",
        ensembl=mane.ensembl if mane else tx,
    )


def fusion_summary(row: dict, tables: ManeTables, ran: list[str] | None = None) -> dict:
    """Names, exons, frame, support, tier, caller evidence and diagram of one event (driver or other
    defining fusion); ``ran``: the callers that ran on the sample."""
    five, three = side_from_row(row, "5p"), side_from_row(row, "3p")
    names = junction_names(five, three, tables)
    return {
        "fusion": _text(row.get("fusion")),
        "event_id": _text(row.get("event_id")),
        "five": _partner(row, "5p", tables),
        "three": _partner(row, "3p", tables),
        "frame": _text(row.get("reading_frame")),
        "vicc": names.vicc,
        "hgvs": names.hgvs,
        "naming_note": names.note,
        "support": support_by_caller(_text(row.get("support"))),
        "tier": _text(row.get("tier")),
        "tier_text": tier_text(row),
        "evidence": caller_evidence(row, ran or []),
        "junction_reads": _text(row.get("junction_reads")),
        "spanning_frags": _text(row.get("spanning_frags")),
        "callers": _text(row.get("callers")).replace(",", ", "),
        "breakpoint_5p": f"{_text(row.get('chrom_5p'))}:{_text(row.get('pos_5p'))}",
        "breakpoint_3p": f"{_text(row.get('chrom_3p'))}:{_text(row.get('pos_3p'))}",
        "svg": fusion_svg(
            diagram_side(row, "5p", five, tables),
            diagram_side(row, "3p", three, tables),
            _text(row.get("reading_frame")),
        ),
    }


#: Config keys (expression:) of the NUTM1 check, as the config schema names them.
NUTM1_THRESHOLD_KEY = ("expression", "nutm1_tpm_threshold")
NUTM1_SOURCE_KEY = ("expression", "nutm1_threshold_source")


def _setting(config: dict, key: tuple[str, ...]) -> str:
    """One setting of the run's config ('' when the run did not record it)."""
    value: object = config
    for part in key:
        value = value.get(part) if isinstance(value, dict) else None
    return " ".join(_text(value).split())


def _nutm1_figures(data: SampleData) -> tuple[str, str, str]:
    """NUTM1's TPM (expression.tsv, else classification.json's nutm1_tpm), the configured threshold
    and its source, as the caveat states them."""
    tpm = "TPM not available"
    if data.expression is not None:
        rows = data.expression[data.expression["gene"] == NUTM1]
        tpm = f"{float(rows['tpm'].astype(float).sum()):.1f}" if not rows.empty else "not in the reference"
    elif _text(data.classification.get("nutm1_tpm")):
        tpm = f"{float(data.classification['nutm1_tpm']):.1f}"
    config = data.provenance.get("config", {})
    threshold, source = _setting(config, NUTM1_THRESHOLD_KEY), _setting(config, NUTM1_SOURCE_KEY)
    return tpm, (f"{threshold} TPM" if threshold else "not recorded in the run's config"), source


def breakpoints_text(bp5: str, bp3: str, build: str) -> str:
    """'GRCh38 chr11:118,482,495 :: chr4:87,046,519': the build once, positions with thousands marks."""

    def pos(bp: str) -> str:
        chrom, _, at = bp.rpartition(":")
        return f"{chrom}:{int(at):,}" if chrom and at.isdigit() else bp

    text = f"{pos(bp5)} :: {pos(bp3)}"
    return f"{build} {text}" if build_stated(build) else f"{text} (genome build not stated)"


def qc_failed(data: SampleData) -> bool:
    """The sample failed a QC gate (qc.tsv), or its status says so (a positive reported despite it)."""
    return _text(data.qc.get("qc_pass")).lower() == "false" or data.status_reason.startswith("QC")


def caveats(data: SampleData) -> list[str]:
    """The caveats that apply to this sample's answer, and only those.

    A negative carries what RNA-seq can miss (KMT2A at low expression, IGH juxtapositions); a positive
    carries none of that (a NUTM1-r page is not about KMT2A) except the IGH caveat where the subtype is
    itself DUX4-r or CRLF2-r; a not-assessable sample carries the QC caveat; the NUTM1 expression
    caveat goes wherever classification flagged it.
    """
    cls = data.classification
    out = []
    if data.status == NOT_ASSESSABLE:
        out.append(CAVEAT_NOT_ASSESSABLE)
    if data.status == FUSION_DETECTED and qc_failed(data):
        out.append(CAVEAT_QC_FAILED_POSITIVE.format(reason=_text(data.qc.get("qc_reason")) or "see QC"))
    nutm1 = NUTM1_FLAG in [_text(x) for x in (cls.get("flags") or [])]
    if nutm1:
        tpm, threshold, source = _nutm1_figures(data)
        text = CAVEAT_NUTM1.format(tpm=tpm, threshold=threshold)
        out.append(text + (f" Threshold source: {source.rstrip('.')}." if source else ""))
    own = cls.get("caveats") or []
    for text in (_text(c) for c in ([own] if isinstance(own, str) else own)):
        # classification.json's own caveats, verbatim; its NUTM1 one is the sentence above.
        if text and text not in out and not (nutm1 and NUTM1 in text):
            out.append(text)
    if data.status == NO_FUSION:
        out.append(CAVEAT_KMT2A)
    if data.status == NO_FUSION or _text(cls.get("subtype")) in ("DUX4-r", "CRLF2-r"):
        out.append(CAVEAT_IGH)
    if data.status != NOT_ASSESSABLE and len(data.real_events):
        out.append(CAVEAT_EXONS)
    return out


def _absent(data: SampleData, name: str, step: str) -> str:
    """Why a file the page would show is not there."""
    return f"not available: {data.sample}/{name} was not written ({step} did not run for these results)"


def marker_rows(data: SampleData) -> list[dict]:
    """The marker panel's TPM in this sample, with why each gene is on the panel."""
    if data.expression is None:
        return []
    levels = marker_levels(data.expression.assign(tpm=data.expression["tpm"].astype(float)), read_markers())
    return [
        {
            "gene": r.gene,
            "tpm": f"{r.tpm:.1f}" if r.in_reference else "not in the reference",
            "indicates": r.indicates,
            "reason": r.reason,
        }
        for r in levels.itertuples(index=False)
    ]


def event_rows(data: SampleData) -> list[dict]:
    rows = []
    for _, r in data.events.iterrows():
        row = {k: _text(v) for k, v in r.items()}
        rows.append(
            {
                "event_id": row.get("event_id", ""),
                "fusion": row.get("fusion", ""),
                "callers": row.get("callers", "").replace(",", ", "),
                "support": support_by_caller(row.get("support", "")),
                "tier": row.get("tier", ""),
                "exon_5p": exon_text(row, "5p"),
                "exon_3p": exon_text(row, "3p"),
                "frame": row.get("reading_frame", ""),
                "category": row.get("category", ""),
                "reciprocal_of": "" if row.get("reciprocal_of", ".") == "." else row.get("reciprocal_of"),
                "read_through": row.get("read_through", "").lower() == "true",
                "artefact": bool(r["is_artefact"]),
                "artefact_reason": "" if row.get("artefact_reason", ".") == "." else row["artefact_reason"],
            }
        )
    # Real events first, best supported first; artefacts after them, in file order within each.
    return sorted(rows, key=lambda e: e["artefact"])


def build_context(
    data: SampleData,
    tables: ManeTables,
    max_diagrams: int | None = None,
    generated: str | None = None,
) -> dict:
    """Every value the sample page shows (``max_diagrams``: the config schema's report.max_diagrams
    unless given)."""
    if max_diagrams is None:
        max_diagrams = schema_default("report", "max_diagrams")
    cls = data.classification
    qc = data.qc
    prov = data.provenance
    config = flatten(prov.get("config", {}))
    rule_text, rule_source = rule_words(_text(cls.get("rule")))
    driver = _driver_row(data) if data.status == FUSION_DETECTED else None
    ran = list(data.caller_calls)
    fusions: list[dict] = []
    if driver is not None:
        fusions.append({**fusion_summary(driver, tables, ran), "role": "driver"})
    others = [_text(x) for x in (cls.get("other_defining_fusions") or []) if _text(x)]
    reciprocal = _text(cls.get("reciprocal_fusion"))
    if data.status == FUSION_DETECTED:
        wanted = [("reciprocal product", reciprocal)] if reciprocal else []
        wanted += [("other defining fusion", name) for name in others]
        for role, name in wanted:
            row = find_event(data.events, name)
            if row is not None:
                fusions.append({**fusion_summary(row, tables, ran), "role": role})
    build = _text((data.evidence or {}).get("build")) or _text(
        (prov.get("config", {}).get("reference") or {}).get("build")
    )
    for f in fusions:
        f["breakpoints"] = breakpoints_text(f["breakpoint_5p"], f["breakpoint_3p"], build)
    why_evidence = _absent(data, "evidence.json", "the evidence step")
    why_primers = _absent(data, "primers.tsv", "primer design")
    for f in fusions:
        f["proof"] = evidence_view(data.evidence, why_evidence, f)
        f["assay"] = primer_view(data.primers, why_primers, f)
    drawn = fusions[: max(max_diagrams, 0)]
    events = event_rows(data)
    return {
        "sample": data.sample,
        "status": data.status,
        "status_reason": data.status_reason,
        "status_class": {"fusion detected": "detected", "not assessable": "na"}.get(data.status, "negative"),
        "group": _text(cls.get("group")),
        "subtype": _text(cls.get("subtype")),
        "partner": _text(cls.get("partner")),
        "rule": _text(cls.get("rule")),
        "rule_words": rule_text,
        "rule_source": rule_source,
        "flags": [{"code": _text(x), "words": flag_words(_text(x))} for x in (cls.get("flags") or [])],
        "reciprocal": reciprocal,
        "others": others,
        "driver": fusions[0] if driver is not None else None,
        "defining": fusions,
        "evidence_callers": [label for caller, label, _ in EVIDENCE_SHOWN if caller in ran],
        "diagrams": drawn,
        "not_drawn": len(fusions) - len(drawn),
        "max_diagrams": max_diagrams,
        "n_events": int((~data.events["is_artefact"]).sum()),
        "n_artefacts": int(data.events["is_artefact"].sum()),
        "real_events": [e for e in events if not e["artefact"]],
        "artefact_events": [e for e in events if e["artefact"]],
        "qc_gates": qc_gates(qc),
        "qc_recorded": bool(qc),
        "qc_pass": _text(qc.get("qc_pass")).lower() != "false",
        "qc_failed": qc_failed(data),
        "qc_reason": _text(qc.get("qc_reason")),
        "evidence_absent": why_evidence if data.evidence is None else "",
        "primers_absent": why_primers if data.primers is None else "",
        "specificity_note": SPECIFICITY_NOTE,
        "markers": marker_rows(data),
        "expression_absent": _absent(data, "expression.tsv", "expression") if data.expression is None else "",
        "cohort_link": "../cohort.html",
        "callers": [
            {"caller": c, "calls": "empty file (0 bytes)" if n is None else str(n)}
            for c, n in data.caller_calls.items()
        ],
        "caveats": caveats(data),
        "allfuse_version": __version__,
        "tools": sorted(data.tool_versions.items()),
        "references": prov.get("references", []),
        "config": config,
        "config_shaping": shaping(config),
        "run_date": _text(prov.get("date", "")),
        "generated": generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def sample_report(sample_dir: Path, provenance: Path | None = None, max_diagrams: int | None = None) -> str:
    """The HTML page of one sample's results folder."""
    data = load_sample(sample_dir, provenance)
    return render("sample.html.j2", build_context(data, ManeTables.load(), max_diagrams))
