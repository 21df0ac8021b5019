"""Simulated clinical follow-up: for the demo cohort, and a paper-sized 175-infant cohort table.

Survival analysis needs a cohort large enough to give a paper's table. The 175-infant cohort has the
group sizes of Ilyasova et al. 2025 (KMT2A-r 142, KMT2A-wt 33 of which NUTM1-r 9 and PAX5-r 10),
KMT2A partners in the proportions of COG P9407 (``kmt2a_partners.tsv``), and event times drawn so
that each group's 2-year EFS is about the published one (``infant_cohort_efs.tsv``). In each group
round(n * (1 - EFS)) patients have an event, in the first two years; everyone else is censored
between 1 and 8 years. Times are in days. Everything is deterministic for a seed.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from allfuse.classify import NO_SUBTYPE
from allfuse.datafiles import resource_path
from allfuse.io import read_table, write_tsv
from allfuse.simulate.planted import SampleSpec
from allfuse.status import DETECTED, NOT_DETECTED

CLINICAL_COLUMNS = ["sample", "efs_time", "efs_event"]
#: The cohort-table columns the survival analysis reads (results/cohort.tsv has them too).
COHORT175_COLUMNS = ["sample", "status", "status_reason", "group", "subtype", "partner", "driver_fusion"]
DAYS_PER_YEAR = 365.25
#: Partners of the simulated reference used for the rearrangements with no published frequencies.
NUTM1_PARTNERS = ("BRD9", "ACIN1", "CUX1")
PAX5_PARTNERS = ("ETV6", "NOL4L", "AUTS2")
#: The samples of the demo cohort given no clinical data, to show they are listed, not dropped.
DEMO_WITHOUT_CLINICAL = ("INF12",)


def efs_targets() -> dict[str, float]:
    """2-year EFS (fraction) per target group, from ``resources/infant_cohort_efs.tsv``."""
    table = read_table(resource_path("infant_cohort_efs.tsv"), "infant cohort EFS table")
    return {r["group"]: float(r["efs_2y_pct"]) / 100 for _, r in table.iterrows() if r["efs_2y_pct"]}


def group_sizes() -> dict[str, int]:
    table = read_table(resource_path("infant_cohort_efs.tsv"), "infant cohort EFS table")
    return {r["group"]: int(r["n"]) for _, r in table.iterrows() if r["n"]}


def target_group(subtype: str, partner: str) -> str:
    """The row of ``infant_cohort_efs.tsv`` whose EFS a patient is drawn from."""
    if subtype == "KMT2A-r":
        return "KMT2A::AFF1" if partner == "AFF1" else "KMT2A-r other partners"
    if subtype in ("NUTM1-r", "PAX5-r"):
        return subtype
    return "KMT2A-wt other"


def partner_counts(n_kmt2a: int) -> dict[str, int]:
    """KMT2A partners for ``n_kmt2a`` patients in COG P9407 proportions (largest remainder);
    the patients with unquantified partners come back under the key ''."""
    table = read_table(resource_path("kmt2a_partners.tsv"), "KMT2A partner table")
    counts: dict[str, int] = {}
    total = 0
    for _, row in table.iterrows():
        m = re.match(r"(\d+)/(\d+)", row["frequency"])
        if m:
            counts[row["symbol"]] = int(m.group(1))
            total = int(m.group(2))
    counts[""] = total - sum(counts.values())
    shares = {k: v * n_kmt2a / total for k, v in counts.items()}
    out = {k: int(v) for k, v in shares.items()}
    for k in sorted(shares, key=lambda k: (-(shares[k] - out[k]), k))[: n_kmt2a - sum(out.values())]:
        out[k] += 1
    return out


def other_partners() -> list[str]:
    """Unquantified partners among the most frequent ones (Meyer 2009 top 9), for the remainder."""
    table = read_table(resource_path("kmt2a_partners.tsv"), "KMT2A partner table")
    return [
        r["symbol"]
        for _, r in table.iterrows()
        if "Meyer2009_top9" in r["source"] and not re.match(r"\d+/\d+", r["frequency"])
    ]


def draw_follow_up(groups: list[str], rng: np.random.Generator) -> list[tuple[int, int]]:
    """(efs_time in days, efs_event) per patient, given each patient's target group."""
    targets = efs_targets()
    out: list[tuple[int, int] | None] = [None] * len(groups)
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        n_events = round(len(members) * (1 - targets[group]))
        with_event = set(rng.choice(members, size=n_events, replace=False).tolist()) if n_events else set()
        for i in members:
            years = rng.uniform(0.1, 1.9) if i in with_event else rng.uniform(1.0, 8.0)
            out[i] = (max(1, round(years * DAYS_PER_YEAR)), int(i in with_event))
    return [o for o in out if o is not None]


def cohort175(seed: int) -> pd.DataFrame:
    """The 175-infant cohort table (sample, status, status_reason, group, subtype, partner, driver)."""
    rng = np.random.default_rng([seed, 175])
    sizes = group_sizes()
    n_wt = sizes["KMT2A-wt"]
    rows: list[dict] = []
    others = other_partners()
    for partner, count in partner_counts(sizes["all"] - n_wt).items():
        for _ in range(count):
            p = partner or str(rng.choice(others))
            rows.append(_row("KMT2A-r", "KMT2A-r", p, f"KMT2A::{p}"))
    for _ in range(sizes["NUTM1-r"]):
        p = str(rng.choice(NUTM1_PARTNERS))
        rows.append(_row("KMT2A-wt", "NUTM1-r", p, f"{p}::NUTM1"))
    for _ in range(sizes["PAX5-r"]):
        p = str(rng.choice(PAX5_PARTNERS))
        rows.append(_row("KMT2A-wt", "PAX5-r", p, f"PAX5::{p}"))
    for _ in range(n_wt - sizes["NUTM1-r"] - sizes["PAX5-r"]):
        rows.append(_row("KMT2A-wt", "none", "", ""))
    rows = [rows[i] for i in rng.permutation(len(rows))]
    for no, row in enumerate(rows, start=1):
        row["sample"] = f"SIM{no:03d}"
    return pd.DataFrame(rows, columns=COHORT175_COLUMNS)


def _row(group: str, subtype: str, partner: str, driver: str) -> dict:
    status = DETECTED if subtype != NO_SUBTYPE else NOT_DETECTED
    return {
        "status": status,
        "status_reason": "",
        "group": group,
        "subtype": subtype,
        "partner": partner,
        "driver_fusion": driver,
    }


def clinical_for(cohort: pd.DataFrame, seed: int, salt: int) -> pd.DataFrame:
    """EFS follow-up for every patient of a cohort table (subtype and partner columns)."""
    rng = np.random.default_rng([seed, salt])
    groups = [target_group(s, p) for s, p in zip(cohort["subtype"], cohort["partner"], strict=True)]
    drawn = draw_follow_up(groups, rng)
    return pd.DataFrame(
        {"sample": cohort["sample"], "efs_time": [t for t, _ in drawn], "efs_event": [e for _, e in drawn]},
        columns=CLINICAL_COLUMNS,
    )


def write_clinical_tables(outdir: Path, specs: list[SampleSpec], seed: int) -> None:
    """``clinical.tsv`` for the simulated sequencing cohort (its planted subtypes, minus
    ``DEMO_WITHOUT_CLINICAL``) and ``cohort175/{cohort,clinical}.tsv``."""
    planted = pd.DataFrame(
        [{"sample": s.sample, "subtype": s.expect[1], "partner": s.expect[2]} for s in specs],
        columns=["sample", "subtype", "partner"],
    )
    planted = planted[~planted["sample"].isin(DEMO_WITHOUT_CLINICAL)]
    write_tsv(clinical_for(planted, seed, 12), outdir / "clinical.tsv")
    big = cohort175(seed)
    write_tsv(big, outdir / "cohort175" / "cohort.tsv")
    write_tsv(clinical_for(big, seed, 1750), outdir / "cohort175" / "clinical.tsv")
