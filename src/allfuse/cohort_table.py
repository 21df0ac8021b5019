"""``allfuse cohort``: one row per sample, the table the survival analysis starts from."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from allfuse.artefacts import is_artefact
from allfuse.classify import CLASSIFICATION_KEYS
from allfuse.schema import read_table

#: Classification fields copied into the cohort table (lists are joined with commas).
CLASSIFICATION_FIELDS = [
    k
    for k in CLASSIFICATION_KEYS
    if k not in ("sample", "status", "status_reason", "callers", "junction_reads", "spanning_frags")
]
COHORT_COLUMNS = [
    "sample",
    "status",  # fusion detected / no defining fusion detected / not assessable
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
    *CLASSIFICATION_FIELDS,  # with driver_tier, reciprocal_tier and other_defining_tiers
]


def cohort_row(results: Path, sample: str) -> dict:
    """QC, fusion events and classification of one sample, flattened to one row."""
    qc = read_table(results / sample / "qc.tsv", "QC table").iloc[0]
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
        cls = json.loads(cls_path.read_text())
        for k in ["status", "status_reason", *CLASSIFICATION_FIELDS]:
            value = cls.get(k, "")
            row[k] = ",".join(value) if isinstance(value, list) else value
    return {c: ("" if row.get(c) is None else row.get(c, "")) for c in COHORT_COLUMNS}


def build_cohort(results: Path, samples: list[str]) -> pd.DataFrame:
    return pd.DataFrame([cohort_row(results, s) for s in samples], columns=COHORT_COLUMNS)
