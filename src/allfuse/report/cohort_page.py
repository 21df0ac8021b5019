"""``allfuse cohort-report``: results/cohort.html, one row per sample linking to each sample's report.

Rows come from ``results/cohort.tsv`` (one file read, so 1,000 samples take well under a second), with
the status it carries; a sample it lacks (a report made without ``allfuse cohort``) gets the row
``allfuse cohort`` would write for it. A cohort table from before the status gets the conservative
status of :func:`allfuse.status.derive_status`, so a 0-read sample is never counted as a negative.

With ``--survival DIR`` (the survival step's output folder) its event-free-survival tables, log-rank
tests and Kaplan-Meier SVGs are embedded; an absent folder gives no section.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from html import escape
from pathlib import Path

import pandas as pd

from allfuse import __version__
from allfuse.cohort_table import cohort_row
from allfuse.expression import NUTM1_FLAG
from allfuse.io import read_table
from allfuse.report.wording import flag_words
from allfuse.status import DETECTED as FUSION_DETECTED
from allfuse.status import NOT_ASSESSABLE, derive_status
from allfuse.tables import COHORT_COLUMNS, COHORT_PAGE_COLUMNS

#: cohort.tsv columns the sample table shows beside COHORT_PAGE_COLUMNS: the best-supported event's
#: support and tier, and the flags (the NUTM1 expression flag among them).
SUPPORT_COLUMNS = [c for c in COHORT_COLUMNS if c.startswith("best_event")] + ["flags"]
#: cohort.tsv's column saying whether a confirmation assay was designed (shown when the table has it).
ASSAY_COLUMN = "assay_designed"
#: Days or months per year: survival tables give times in the clinical table's unit, the page in years.
PER_YEAR = {"years": 1.0, "months": 12.0, "days": 365.25}
#: Subtypes whose partner genes are counted apart, in this order; any other subtype follows by name.
PARTNER_SUBTYPES = ("KMT2A-r", "NUTM1-r", "PAX5-r")


def _exons(row: dict) -> str:
    """'e9::e4' (i for an intron), '' when there is no driver."""

    def one(side: str) -> str:
        exon, intron = str(row.get(f"exon_{side}", "")), str(row.get(f"intron_{side}", ""))
        return f"e{exon}" if exon not in ("", ".") else (f"i{intron}" if intron not in ("", ".") else "?")

    return f"{one('5p')}::{one('3p')}" if row.get("driver_fusion") else ""


def cohort_rows(results: Path, samples: list[str]) -> list[dict]:
    """One dict per sample (every value a string), in the given order."""
    table = results / "cohort.tsv"
    by_sample: dict[str, dict] = {}
    if table.is_file() and table.stat().st_size:
        df = read_table(table, "cohort table")
        if "sample" in df.columns:
            by_sample = {r["sample"]: r for r in df.to_dict("records")}
    rows = []
    for sample in samples:
        row = by_sample.get(sample)
        if row is None:
            row = {k: "" if v is None else str(v) for k, v in cohort_row(results, sample).items()}
        if row.get("status", "") == "":
            row["status"], row["status_reason"] = derive_status(row, row, {})
        out = {k: str(row.get(k, "") or "") for k in [*COHORT_PAGE_COLUMNS, *SUPPORT_COLUMNS]}
        if ASSAY_COLUMN in row:
            out[ASSAY_COLUMN] = str(row[ASSAY_COLUMN] or "")
        out["driver_exons"] = _exons(out)
        out["flag_list"] = [
            {"code": f, "words": flag_words(f)} for f in (x.strip() for x in out["flags"].split(",")) if f
        ]
        rows.append(out)
    return rows


def counts(rows: list[dict], key: str, only_detected: bool = False) -> list[tuple[str, int]]:
    """Counts of one column, largest first, ties by name (deterministic)."""
    c = Counter(r[key] or "—" for r in rows if not only_detected or r["status"] == FUSION_DETECTED)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


def partners_by_subtype(rows: list[dict]) -> list[dict]:
    """Partner counts of detected samples, one table per subtype (KMT2A partners apart from NUTM1 and
    PAX5 partners: a partner gene means something only beside the gene it is fused to)."""
    detected = [r for r in rows if r["status"] == FUSION_DETECTED and r["partner"]]
    subtypes = {r["subtype"] for r in detected}
    order = [s for s in PARTNER_SUBTYPES if s in subtypes] + sorted(subtypes - set(PARTNER_SUBTYPES))
    out = []
    for subtype in order:
        gene = subtype.removesuffix("-r")
        out.append(
            {
                "subtype": subtype,
                "title": f"{gene} partners ({subtype})",
                "id": f"partners-{gene}",
                "counts": counts([r for r in detected if r["subtype"] == subtype], "partner"),
            }
        )
    return out


def partner_bar_svg(partners: list[tuple[str, int]]) -> str:
    """Horizontal bar chart of KMT2A partners (inline SVG, deterministic)."""
    if not partners:
        return ""
    bar_h, gap, left, width = 18, 6, 110, 520
    top = max(n for _, n in partners)
    height = len(partners) * (bar_h + gap) + 30
    parts = [
        (
            f'<svg class="partner-chart" width="{left + width + 60}" height="{height}" '
            f'viewBox="0 0 {left + width + 60} {height}" role="img" font-family="Helvetica, Arial, sans-serif">'
        ),
        "<title>KMT2A partners in this cohort (samples with KMT2A-r)</title>",
    ]
    for i, (gene, n) in enumerate(partners):
        y = 10 + i * (bar_h + gap)
        w = max(width * n / top, 1)
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" font-size="12" text-anchor="end">{escape(gene)}</text>'
            f'<rect class="bar" data-partner="{escape(gene)}" data-count="{n}" x="{left}" y="{y}" '
            f'width="{w:.1f}" height="{bar_h}" fill="#2c5fa8"/>'
            f'<text x="{left + w + 5:.1f}" y="{y + 13}" font-size="12">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)


def inline_svg(path: Path) -> str:
    """An SVG file ready to inline: no XML prolog/DOCTYPE, no metadata block (it names external URIs)."""
    return _METADATA.sub("", _PROLOG.sub("", path.read_text(encoding="utf-8"), count=1))


def _float(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def _years(value: object, unit: str) -> str:
    """A time in the table's unit as years, one decimal ('' when not given)."""
    x = _float(value)
    return "" if x is None or unit not in PER_YEAR else f"{x / PER_YEAR[unit]:.1f}"


def survival_table(table: pd.DataFrame, endpoint: str) -> tuple[list[str], list[list[str]], str]:
    """An {endpoint}_by_*.tsv as the page shows it: headers in words, times in years, the CI as one
    'lower–upper' cell. Returns (headers, rows, the CI method note)."""
    label = endpoint.upper()
    records = table.to_dict("records")
    first = records[0] if records else {}
    unit = str(first.get("time_unit", "") or "days")
    point = _float(first.get("time_point_years", "")) if first.get("time_point_years", "") != "" else None
    if point is None and unit in PER_YEAR and _float(first.get("time_point", "")) is not None:
        point = float(first["time_point"]) / PER_YEAR[unit]
    methods = sorted({str(r.get("ci_method", "")) for r in records} - {""})
    level = re.search(r"(\d+)%", methods[0]) if methods else None
    headers = [
        "group",
        "patients",
        "events",
        f"{point:g}-year {label} (%)" if point is not None else f"{label} (%)",
        f"{level.group(1) if level else 95}% CI",
        "median follow-up (years)",
        "note",
    ]
    rows = []
    for r in records:
        lower, upper = str(r.get("ci_lower_pct", "")), str(r.get("ci_upper_pct", ""))
        followup = str(r.get("median_followup_years", "") or "")
        followup = f"{float(followup):.1f}" if followup else _years(r.get("median_followup", ""), unit)
        # reverse Kaplan-Meier: no median when most patients had an event before being followed long
        followup = followup or "not estimable"
        rows.append(
            [
                str(r.get("group", "")),
                str(r.get("n", "")),
                str(r.get("events", "")),
                str(r.get(f"{endpoint}_pct", "")),
                f"{lower}\u2013{upper}" if lower and upper else "not defined",
                followup,
                str(r.get("warning", "") or ""),
            ]
        )
    return headers, rows, "; ".join(f"confidence interval: {m}" for m in methods)


#: Headers of logrank.tsv and excluded.tsv in words.
LOGRANK_HEADERS = {"test": "test", "groups": "groups compared", "chi2": "chi-square", "df": "degrees of freedom",
                   "p": "p-value"}  # fmt: skip
EXCLUDED_HEADERS = {"sample": "sample", "reason": "why left out"}


def _block(by: str, columns: list, rows: list, note: str = "", svg: str = "") -> dict:
    """One table of the survival section, as the template draws it."""
    return {"by": by, "columns": columns, "rows": rows, "note": note, "svg": svg}


def survival_section(folder: Path | None) -> list[dict]:
    """One block per endpoint and grouping: its table in years, and the KM plot; then the log-rank
    tests and the samples left out."""
    if folder is None or not folder.is_dir():
        return []
    blocks = []
    for endpoint in ("efs", "os"):
        for path in sorted(folder.glob(f"{endpoint}_by_*.tsv")):
            by = path.stem.removeprefix(f"{endpoint}_by_")
            headers, rows, note = survival_table(read_table(path, f"{endpoint.upper()} table"), endpoint)
            svg = folder / f"km_{endpoint}_by_{by}.svg"
            title = f"{'Event-free' if endpoint == 'efs' else 'Overall'} survival by {by.replace('_', ' ')}"
            blocks.append(_block(title, headers, rows, note, inline_svg(svg) if svg.is_file() else ""))
    logrank_path = folder / "logrank.tsv"
    if logrank_path.is_file() and len(logrank := read_table(logrank_path, "log-rank table")):
        headers = [LOGRANK_HEADERS.get(c, c) for c in logrank.columns]
        blocks.append(_block("Log-rank tests", headers, logrank.values.tolist()))
    excluded = folder / "excluded.tsv"
    if excluded.is_file() and len(table := read_table(excluded, "excluded samples")):
        # Samples left out of the estimates are named, never silently dropped.
        headers = [EXCLUDED_HEADERS.get(c, c) for c in table.columns]
        why = "not assessable samples have no molecular group; the others lack follow-up"
        blocks.append(_block("Samples not in the survival analysis", headers, table.values.tolist(), why))
    return blocks


def cohort_context(
    results: Path, samples: list[str], out: Path, survival: Path | None = None, generated: str | None = None
) -> dict:
    rows = cohort_rows(results, samples)
    base = out.parent.resolve()
    for r in rows:
        link = (results / r["sample"] / "report.html").resolve()
        r["link"] = Path(os.path.relpath(link, base)).as_posix()
    kmt2a = [(g, n) for g, n in counts([r for r in rows if r["group"] == "KMT2A-r"], "partner", True)]
    return {
        "n_samples": len(rows),
        "rows": rows,
        "by_status": counts(rows, "status"),
        "by_group": counts(rows, "group"),
        "by_subtype": counts(rows, "subtype"),
        "partners": partners_by_subtype(rows),
        "by_tier": counts(rows, "driver_tier", only_detected=True),
        "partner_chart": partner_bar_svg(kmt2a),
        "n_not_assessable": sum(r["status"] == NOT_ASSESSABLE for r in rows),
        "nutm1_flagged": [r["sample"] for r in rows if any(f["code"] == NUTM1_FLAG for f in r["flag_list"])],
        "nutm1_flag": NUTM1_FLAG,
        "nutm1_words": flag_words(NUTM1_FLAG),
        "qc_failed_positives": [
            r["sample"]
            for r in rows
            if r["status"] == FUSION_DETECTED and r["status_reason"].startswith("QC")
        ],
        "has_assay": any(ASSAY_COLUMN in r for r in rows),
        "survival": survival_section(survival),
        "allfuse_version": __version__,
        "generated": generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
