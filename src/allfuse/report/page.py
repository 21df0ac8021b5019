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
from allfuse.report.diagram import diagram_side, fusion_svg
from allfuse.report.nomenclature import ManeTables, junction_names, side_from_row
from allfuse.report.sample import SampleData, load_sample
from allfuse.status import DETECTED as FUSION_DETECTED
from allfuse.status import NOT_ASSESSABLE

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


def caveats(data: SampleData) -> list[str]:
    """The caveats that apply to this sample's answer."""
    cls = data.classification
    out = []
    if data.status == NOT_ASSESSABLE:
        out.append(CAVEAT_NOT_ASSESSABLE)
    if data.status != FUSION_DETECTED or _text(cls.get("group")) != "KMT2A-r":
        out.append(CAVEAT_KMT2A)
    if data.status != FUSION_DETECTED or _text(cls.get("subtype")) in ("DUX4-r", "CRLF2-r"):
        out.append(CAVEAT_IGH)
    out.append(CAVEAT_EXONS)
    return out


def _flatten(config: object, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(config, dict):
        out: list[tuple[str, str]] = []
        for k in sorted(config, key=str):
            out += _flatten(config[k], f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(config, list):
        return [(prefix, ", ".join(str(x) for x in config))]
    return [(prefix, " ".join(str(config).split()))]


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
    drawn = fusions[: max(max_diagrams, 0)]
    events = event_rows(data)
    qc = data.qc
    prov = data.provenance
    return {
        "sample": data.sample,
        "status": data.status,
        "status_reason": data.status_reason,
        "status_class": {"fusion detected": "detected", "not assessable": "na"}.get(data.status, "negative"),
        "group": _text(cls.get("group")),
        "subtype": _text(cls.get("subtype")),
        "partner": _text(cls.get("partner")),
        "rule": _text(cls.get("rule")),
        "flags": [_text(x) for x in (cls.get("flags") or [])],
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
        "qc": {
            "input_read_pairs": qc.get("input_read_pairs", ""),
            "uniquely_mapped_pct": qc.get("uniquely_mapped_pct", ""),
            "chimeric_pct": qc.get("chimeric_pct", ""),
            "chimeric_reads": qc.get("chimeric_reads", ""),
        },
        "callers": [
            {"caller": c, "calls": "empty file (0 bytes)" if n is None else str(n)}
            for c, n in data.caller_calls.items()
        ],
        "caveats": caveats(data),
        "allfuse_version": __version__,
        "tools": sorted(data.tool_versions.items()),
        "references": prov.get("references", []),
        "config": _flatten(prov.get("config", {})),
        "run_date": _text(prov.get("date", "")),
        "generated": generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def sample_report(sample_dir: Path, provenance: Path | None = None, max_diagrams: int | None = None) -> str:
    """The HTML page of one sample's results folder."""
    data = load_sample(sample_dir, provenance)
    return render("sample.html.j2", build_context(data, ManeTables.load(), max_diagrams))
