"""The defining fusions of one sample, each as its row of fusions.tsv with its role.

Evidence (evidence.json) and the confirmation assay (primers.tsv) are given for every fusion the
classification names: the driver, its reciprocal product and every other defining fusion. The
classification names them by fusion (``KMT2A::AFF1``); the row of each is the event classification
took for that name: not an artefact, not a read-through, the most supported (junction reads +
spanning fragments), then the lowest event_id -- the same order allfuse.classify sorts by within
one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from allfuse.artefacts import is_artefact
from allfuse.io import read_json, read_table
from allfuse.tables import ROLES


@dataclass(frozen=True)
class DefiningFusion:
    role: str  # one of allfuse.tables.ROLES
    fusion: str
    event: pd.Series | None  # its row of fusions.tsv; None when no row carries the name


def _names(value: object) -> list[str]:
    """A classification field that lists fusions: a JSON list, or a comma-joined cohort cell."""
    if isinstance(value, list):
        return [str(v) for v in value if str(v)]
    return [v for v in str(value or "").split(",") if v]


def _support(events: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(events["junction_reads"], errors="coerce").fillna(0) + pd.to_numeric(
        events["spanning_frags"], errors="coerce"
    ).fillna(0)


def defining_fusions(classification: Mapping, events: pd.DataFrame) -> list[DefiningFusion]:
    """The sample's defining fusions in role order (driver, reciprocal, other defining), each once."""
    named = [
        (ROLES[0], _names([classification.get("driver_fusion", "")])),
        (ROLES[1], _names([classification.get("reciprocal_fusion", "")])),
        (ROLES[2], _names(classification.get("other_defining_fusions", []))),
    ]
    if events.empty:
        events = pd.DataFrame(columns=["fusion", "event_id", "junction_reads", "spanning_frags"])
    usable = events[
        ~events.get("artefact", pd.Series(False, index=events.index)).map(is_artefact)
        & ~events.get("read_through", pd.Series(False, index=events.index))
        .astype(str)
        .str.lower()
        .isin(["true", "1", "yes"])
    ]
    usable = usable.assign(_support=_support(usable)).sort_values(
        ["_support", "event_id"], ascending=[False, True], kind="stable"
    )
    out: list[DefiningFusion] = []
    seen: set[str] = set()
    for role, names in named:
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            rows = usable[usable["fusion"] == name]
            # a name without a row (gene names the GTF spells otherwise): listed, with no guess
            event = rows.iloc[0].drop(labels="_support") if not rows.empty else None
            out.append(DefiningFusion(role, name, event))
    return out


def read_defining(sample_dir: Path) -> tuple[dict, pd.DataFrame, list[DefiningFusion]]:
    """classification.json, fusions.tsv and the defining fusions of one sample's results folder
    (the pipeline's or ``allfuse annotate``'s output made elsewhere)."""
    classification = read_json(sample_dir / "classification.json", "classification")
    events = read_table(sample_dir / "fusions.tsv", "fusion table")
    return classification, events, defining_fusions(classification, events)
