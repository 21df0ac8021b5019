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
from allfuse.io import read_table
from allfuse.status import DETECTED as FUSION_DETECTED
from allfuse.status import NOT_ASSESSABLE, derive_status
from allfuse.tables import COHORT_PAGE_COLUMNS, EFS_PAGE_COLUMNS


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
        out = {k: str(row.get(k, "") or "") for k in COHORT_PAGE_COLUMNS}
        out["driver_exons"] = _exons(out)
        rows.append(out)
    return rows


def counts(rows: list[dict], key: str, only_detected: bool = False) -> list[tuple[str, int]]:
    """Counts of one column, largest first, ties by name (deterministic)."""
    c = Counter(r[key] or "—" for r in rows if not only_detected or r["status"] == FUSION_DETECTED)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


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


def survival_section(folder: Path | None) -> list[dict]:
    """One block per grouping ('by'): its EFS table, the log-rank rows naming it, and the KM plot."""
    if folder is None or not folder.is_dir():
        return []
    logrank = (
        read_table(folder / "logrank.tsv", "log-rank table")
        if (folder / "logrank.tsv").is_file()
        else pd.DataFrame()
    )
    blocks = []
    for efs in sorted(folder.glob("efs_by_*.tsv")):
        by = efs.stem.removeprefix("efs_by_")
        table = read_table(efs, "EFS table")
        svg = folder / f"km_efs_by_{by}.svg"
        shown = [c for c in EFS_PAGE_COLUMNS if c in table.columns] or list(table.columns)
        methods = sorted(set(table["ci_method"])) if "ci_method" in table.columns else []
        blocks.append(
            {
                "by": by,
                "columns": shown,
                "rows": table[shown].values.tolist(),
                "note": "; ".join(f"confidence interval: {m}" for m in methods if m),
                "svg": inline_svg(svg) if svg.is_file() else "",
            }
        )
    if not logrank.empty:
        blocks.append(
            {
                "by": "log-rank tests",
                "columns": list(logrank.columns),
                "rows": logrank.values.tolist(),
                "note": "",
                "svg": "",
            }
        )
    excluded = folder / "excluded.tsv"
    if excluded.is_file() and len(table := read_table(excluded, "excluded samples")):
        # Samples left out of the estimates are named, never silently dropped.
        blocks.append(
            {
                "by": "samples not in the survival analysis",
                "columns": list(table.columns),
                "rows": table.values.tolist(),
                "note": "not assessable samples have no molecular group; the others lack follow-up",
                "svg": "",
            }
        )
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
        "by_partner": counts(rows, "partner", only_detected=True),
        "by_tier": counts(rows, "driver_tier", only_detected=True),
        "partner_chart": partner_bar_svg(kmt2a),
        "n_not_assessable": sum(r["status"] == NOT_ASSESSABLE for r in rows),
        "survival": survival_section(survival),
        "allfuse_version": __version__,
        "generated": generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
