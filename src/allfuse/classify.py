"""Molecular group and subtype of a sample from its fusion events, driven by ``subtype_rules.tsv``.

The rules are data so that a new subtype or partner is a reviewed table row, not a code branch. Each
rule names a 5' and a 3' gene pattern ('*', a symbol, symbols joined by '|', or a set such as
KMT2A_PARTNERS); gene names from callers are resolved to current symbols first (MLL -> KMT2A).

Decisions:

* each event takes its highest-priority matching rule; events flagged ``read_through`` never match;
* a rule with subtype 'none' only adds its flag (KMT2A::KMT2A = KMT2A-PTD, which is not KMT2A-r);
* the driver is the subtype-defining event with the highest rule priority, then the most support
  (junction_reads + spanning_frags); KMT2A rules have the highest priorities, so KMT2A-r wins the group;
* every other subtype-defining fusion is listed in ``other_defining_fusions`` (never dropped silently),
  except the reciprocal product of the driver, which supports it and is named in ``reciprocal_fusion``
  (further events of the driver's own fusion are not listed either);
* ``flags`` collects the also_flag of every matched event's rule;
* each defining fusion's confidence ``tier`` (fusions.tsv) is reported beside it (``driver_tier``,
  ``reciprocal_tier``, ``other_defining_tiers`` in the order of ``other_defining_fusions``), from the
  event that names it (the best-supported one of that name); a tier never changes the status, group,
  subtype or driver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allfuse.artefacts import is_artefact
from allfuse.resources import Resources
from allfuse.status import DETECTED, NOT_ASSESSABLE, NOT_DETECTED
from allfuse.tables import CLASSIFICATION_KEYS, DRIVER_FIELDS

GROUP_KMT2A = "KMT2A-r"
GROUP_WT = "KMT2A-wt"
NO_SUBTYPE = "none"
OTHER = "other"


@dataclass(frozen=True)
class Rule:
    """One row of subtype_rules.tsv with its gene patterns expanded (None = any gene)."""

    rule_id: str
    subtype: str
    group_effect: str
    genes_5p: frozenset[str] | None
    genes_3p: frozenset[str] | None
    partner_side: str
    priority: int
    also_flag: str

    def matches(self, gene_5p: str, gene_3p: str) -> bool:
        return (self.genes_5p is None or gene_5p in self.genes_5p) and (
            self.genes_3p is None or gene_3p in self.genes_3p
        )


@dataclass(frozen=True)
class Match:
    """An event with the rule that decided it."""

    row: pd.Series
    rule: Rule
    gene_5p: str
    gene_3p: str

    @property
    def support(self) -> int:
        return _int(self.row.get("junction_reads")) + _int(self.row.get("spanning_frags"))

    @property
    def fusion(self) -> str:
        return f"{self.gene_5p}::{self.gene_3p}"

    @property
    def partner(self) -> str:
        return {"5p": self.gene_5p, "3p": self.gene_3p}.get(self.rule.partner_side, "")


def _int(value: object) -> int:
    try:
        return 0 if pd.isna(value) else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def load_rules(res: Resources) -> list[Rule]:
    """Rules in decreasing priority (file order breaks ties, so the table is the tie-breaker)."""
    rules = [
        Rule(
            r.rule_id,
            r.subtype,
            r.group_effect,
            res.rule_genes(r.gene_5p),
            res.rule_genes(r.gene_3p),
            r.partner_side,
            int(r.priority),
            r.also_flag,
        )
        for r in res.subtype_rules.itertuples(index=False)
    ]
    return sorted(rules, key=lambda r: -r.priority)


def _is_read_through(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) if not pd.isna(value) else False


def best_rule(gene_5p: str, gene_3p: str, rules: list[Rule]) -> Rule | None:
    """The highest-priority rule matching a resolved gene pair."""
    return next((r for r in rules if r.matches(gene_5p, gene_3p)), None)


def match_events(events: pd.DataFrame, res: Resources, rules: list[Rule] | None = None) -> list[Match | None]:
    """For each event row (in order), its deciding rule, or None (no rule, or a read-through)."""
    rules = rules if rules is not None else load_rules(res)
    out: list[Match | None] = []
    for _, row in events.iterrows():
        if _is_read_through(row.get("read_through", False)) or is_artefact(row.get("artefact", False)):
            out.append(None)
            continue
        g5, g3 = (
            res.identify(row.get(f"gene_id_{s}", ""), row[f"gene_{s}"], row.get(f"hgnc_id_{s}", ""))
            for s in ("5p", "3p")
        )
        rule = best_rule(g5, g3, rules)
        out.append(Match(row, rule, g5, g3) if rule else None)
    return out


def category_column(events: pd.DataFrame, res: Resources) -> pd.Series:
    """Per event: the subtype its rule gives, the flag of a flag-only rule (KMT2A-PTD), else 'other'."""
    labels = []
    for m in match_events(events, res):
        if m is None:
            labels.append(OTHER)
        elif m.rule.subtype != NO_SUBTYPE:
            labels.append(m.rule.subtype)
        else:
            labels.append(m.rule.also_flag or OTHER)
    return pd.Series(labels, index=events.index, name="category", dtype=object)


def _field(row: pd.Series, name: str) -> object:
    """A driver field for the report: '' when the events table lacks it or it is NA."""
    value = row.get(name, "")
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value


def _empty_result(sample: str, flags: list[str]) -> dict:
    result: dict = {key: "" for key in CLASSIFICATION_KEYS}
    result.update(
        sample=sample,
        status=NOT_DETECTED,
        group=GROUP_WT,
        subtype=NO_SUBTYPE,
        junction_reads=0,
        spanning_frags=0,
        other_defining_fusions=[],
        other_defining_tiers=[],
        flags=flags,
        caveats=[],
    )
    return result


def not_assessable(sample: str, reason: str) -> dict:
    """The classification of a sample whose result means nothing (QC failed, a caller left nothing):
    no group, never a negative."""
    result = _empty_result(sample, [])
    result.update(status=NOT_ASSESSABLE, status_reason=reason, group=NOT_ASSESSABLE, subtype=NOT_ASSESSABLE)
    return result


def classify_sample(sample: str, events: pd.DataFrame, res: Resources) -> dict:
    """Group, subtype, driver fusion and its exon/frame details for one sample (keys: CLASSIFICATION_KEYS).

    Genes are matched by identity (HGNC id, Ensembl gene id of the canonical table), then by name.
    """
    rows = events[events["sample"] == sample] if "sample" in events.columns else events
    matches = [m for m in match_events(rows, res) if m is not None]
    flags = list(dict.fromkeys(m.rule.also_flag for m in matches if m.rule.also_flag))
    defining = [m for m in matches if m.rule.subtype != NO_SUBTYPE]
    if not defining:
        return _empty_result(sample, flags)
    defining.sort(key=lambda m: (-m.rule.priority, -m.support, str(m.row.get("event_id", ""))))
    driver = defining[0]
    # The reciprocal product (AFF1::KMT2A beside KMT2A::AFF1) supports the driver's rearrangement.
    swapped = "::".join(reversed(driver.fusion.split("::")))
    reciprocal = swapped if any(m.fusion == swapped for m in defining) and swapped != driver.fusion else ""
    others = list(
        dict.fromkeys(m.fusion for m in defining[1:] if m.fusion not in (driver.fusion, reciprocal))
    )
    # Each name's tier is its best event's: defining is sorted by priority, then support.
    tier_by_fusion: dict[str, str] = {}
    for m in defining:
        tier_by_fusion.setdefault(m.fusion, str(_field(m.row, "tier")))
    result = _empty_result(sample, flags)
    result.update({name: _field(driver.row, name) for name in DRIVER_FIELDS})
    result.update(
        status=DETECTED,
        group=GROUP_KMT2A if any(m.rule.group_effect == GROUP_KMT2A for m in defining) else GROUP_WT,
        subtype=driver.rule.subtype,
        partner=driver.partner,
        driver_fusion=driver.fusion,
        junction_reads=_int(driver.row.get("junction_reads")),
        spanning_frags=_int(driver.row.get("spanning_frags")),
        driver_tier=str(_field(driver.row, "tier")),
        reciprocal_fusion=reciprocal,
        reciprocal_tier=tier_by_fusion.get(reciprocal, "") if reciprocal else "",
        other_defining_fusions=others,
        other_defining_tiers=[tier_by_fusion.get(f, "") for f in others],
        rule=driver.rule.rule_id,
    )
    return result
