"""``allfuse evaluate``: compare pipeline results with a simulated cohort's planted truth.

The demo is only convincing if it says how much of the truth it recovered: each planted fusion
found or not (genes, order, exact breakpoints), which callers found it, the exons and group the
sample was given, and whether any decoy slipped through.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allfuse.io import read_json, read_table
from allfuse.tables import EVAL_COLUMNS


def evaluate(truth_path: Path, results: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per planted fusion (found or not) and one per decoy (reported or not)."""
    rows = []
    for t in read_table(truth_path, "truth table").itertuples(index=False):
        ev = read_table(results / t.sample / "fusions.tsv", "fusion table")
        hit = ev[
            (ev.gene_5p == t.gene_5p)
            & (ev.gene_3p == t.gene_3p)
            & (ev.chrom_5p == t.chrom_5p)
            & (ev.pos_5p == t.pos_5p)
            & (ev.chrom_3p == t.chrom_3p)
            & (ev.pos_3p == t.pos_3p)
        ]
        cls = read_json(results / t.sample / "classification.json", "classification")
        h = hit.iloc[0] if len(hit) else None
        rows.append(
            {
                "sample": t.sample,
                "fusion": t.fusion,
                "exon_5p": t.exon_5p,
                "exon_3p": t.exon_3p,
                "fragments": t.fragments,
                "found": h is not None,
                "callers": h["callers"] if h is not None else "",
                "junction_reads": h["junction_reads"] if h is not None else "",
                "spanning_frags": h["spanning_frags"] if h is not None else "",
                "called_exon_5p": h.get("exon_5p", "") if h is not None else "",
                "called_exon_3p": h.get("exon_3p", "") if h is not None else "",
                "group": cls.get("group", ""),
                "subtype": cls.get("subtype", ""),
            }
        )
    decoys = []
    decoy_path = truth_path.with_name("decoys.tsv")
    if decoy_path.is_file():
        for d in read_table(decoy_path, "decoy table").itertuples(index=False):
            ev = read_table(results / d.sample / "fusions.tsv", "fusion table")
            reported = bool(((ev.gene_5p == d.gene_5p) & (ev.gene_3p == d.gene_3p)).any())
            decoys.append(
                {"sample": d.sample, "fusion": d.fusion, "fragments": d.fragments, "reported": reported}
            )
    return pd.DataFrame(rows, columns=EVAL_COLUMNS), pd.DataFrame(decoys)


CHECKED = ["group", "subtype", "partner", "driver_fusion", "exon_5p", "exon_3p", "reading_frame"]


def check_classification(expected_path: Path, results: Path) -> pd.DataFrame:
    """Per sample: each expected classification field against classification.json, and whether all match."""
    rows = []
    for exp in read_table(expected_path, "expected classifications").to_dict("records"):
        cls = read_json(results / exp["sample"] / "classification.json", "classification")
        got = {k: "" if cls.get(k) is None else str(cls.get(k, "")) for k in CHECKED}
        wrong = [f"{k}={got[k] or '-'} (want {exp[k] or '-'})" for k in CHECKED if got[k] != exp[k]]
        if "expected_flags" in exp:  # flags the sample must carry, and no others
            want = sorted(f for f in exp["expected_flags"].split(",") if f)
            flags = cls.get("flags") or []
            have = sorted(str(f) for f in (flags if isinstance(flags, list) else str(flags).split(",")) if f)
            if have != want:
                wrong.append(f"flags={','.join(have) or '-'} (want {','.join(want) or '-'})")
        rows.append(
            {
                "sample": exp["sample"],
                "subtype": got["subtype"],
                "driver_fusion": got["driver_fusion"],
                "fragments": exp["fragments"],
                "matches": not wrong,
                "differences": "; ".join(wrong),
            }
        )
    return pd.DataFrame(rows)
