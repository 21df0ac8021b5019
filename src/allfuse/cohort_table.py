"""``allfuse cohort``: one row per sample, the table the cohort report and the survival analysis read.

Its ``status`` is each sample's classification.json status (allfuse.status derives it for results
written before classification carried one), so nothing downstream decides a status again.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allfuse.artefacts import is_artefact
from allfuse.io import read_json, read_table
from allfuse.qc import read_qc
from allfuse.status import caller_counts, derive_status
from allfuse.tables import COHORT_CLASSIFICATION_FIELDS, COHORT_COLUMNS


def cohort_row(results: Path, sample: str) -> dict:
    """QC, fusion events and classification of one sample, flattened to one row."""
    qc = read_qc(results / sample / "qc.tsv")
    events = read_table(results / sample / "fusions.tsv", "fusion table")
    row = {
        "sample": sample,
        **{k: qc[k] for k in ("input_read_pairs", "uniquely_mapped_pct", "chimeric_pct")},
    }
    # Artefacts (mitochondrial chimeras) are counted apart and never the best event.
    artefact = events["artefact"].map(is_artefact) if "artefact" in events else pd.Series(False, events.index)
    real = events[~artefact]
    row["n_events"] = len(real)
    row["n_artefact_events"] = int(artefact.sum())
    if len(real):
        support = real["junction_reads"].astype(int) + real["spanning_frags"].astype(int)
        best = real.loc[support.idxmax()]
        row |= {
            "best_event": best["fusion"],
            "best_event_callers": best["callers"],
            "best_event_junction_reads": best["junction_reads"],
            "best_event_spanning_frags": best["spanning_frags"],
            "best_event_tier": best.get("tier", ""),
        }
    cls_path = results / sample / "classification.json"
    if cls_path.is_file():
        cls = read_json(cls_path, f"classification of sample {sample}")
        for k in COHORT_CLASSIFICATION_FIELDS:
            value = cls.get(k, "")
            # caveats are sentences (with commas of their own): one space between them
            row[k] = (
                (" " if k == "caveats" else ",").join(map(str, value)) if isinstance(value, list) else value
            )
        row["status"], row["status_reason"] = derive_status(
            cls, qc, caller_counts(results / sample / "calls")
        )
    row["assay_designed"] = assay_designed(results / sample / "primers.tsv")
    return {c: ("" if row.get(c) is None else row.get(c, "")) for c in COHORT_COLUMNS}


def assay_designed(path: Path) -> str:
    """Whether a confirmation assay was designed for the sample's defining fusions (primers.tsv):
    yes (for every one), partial, no (for none; primers.tsv says why), none-needed (no defining
    fusion), '' when primers.tsv was not made."""
    if not path.is_file():
        return ""
    primers = read_table(path, "primer table")
    if primers.empty:
        return "none-needed"
    designed = primers["forward"].astype(str).str.len() > 0
    return "yes" if designed.all() else ("partial" if designed.any() else "no")


def build_cohort(results: Path, samples: list[str]) -> pd.DataFrame:
    return pd.DataFrame([cohort_row(results, s) for s in samples], columns=COHORT_COLUMNS)
