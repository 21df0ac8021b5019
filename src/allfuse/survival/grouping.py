"""Which group each patient is analysed in: a cohort column, or a grouping the user writes down.

A user grouping is an ordered list of rules (first match wins), so that comparisons published
papers make, e.g. KMT2A::AFF1 against every other KMT2A partner, are one config entry:

    groupings:
      paper:
        - {label: "KMT2A::AFF1", subtype: KMT2A-r, partner: AFF1}
        - {label: "KMT2A-r, other partners", subtype: KMT2A-r}
        - {label: NUTM1-r, subtype: NUTM1-r}
        - {label: PAX5-r, subtype: PAX5-r}
        - {label: "KMT2A-wt, other"}          # no condition: every sample left

A condition names a cohort column and one value or a list of values. A sample no rule matches is
listed among the excluded samples, never silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from allfuse.errors import InputError
from allfuse.tables import GROUPING_MATCH_COLUMNS as MATCH_COLUMNS

BUILTIN = ("group", "subtype", "partner")
#: Shown for an empty cell of a built-in column (e.g. no partner in a KMT2A-wt sample).
EMPTY_LABEL = "(none)"


def load_groupings(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """Groupings from a YAML file: either the mapping itself or a config with ``survival.groupings``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: groupings file not found")
    data = yaml.safe_load(path.read_text()) or {}
    if isinstance(data, dict) and isinstance(data.get("survival"), dict):
        data = data["survival"].get("groupings", {})
    return check_groupings(data, str(path))


def check_groupings(data: Any, source: str) -> dict[str, list[dict[str, Any]]]:
    """InputError naming the grouping and rule that is malformed."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: groupings must map a name to a list of rules")
    for name, rules in data.items():
        if name in BUILTIN:
            raise InputError(f"{source}: grouping {name!r}: the name is a built-in grouping; choose another")
        if not isinstance(rules, list) or not rules:
            raise InputError(f"{source}: grouping {name!r}: needs a non-empty list of rules")
        for i, rule in enumerate(rules, start=1):
            where = f"{source}: grouping {name!r} rule {i}"
            if not isinstance(rule, dict) or not isinstance(rule.get("label"), str) or not rule["label"]:
                raise InputError(f"{where}: needs a 'label'")
            for key, value in rule.items():
                if key == "label":
                    continue
                if key not in MATCH_COLUMNS:
                    raise InputError(f"{where}: unknown column {key!r} (known: {', '.join(MATCH_COLUMNS)})")
                values = value if isinstance(value, list) else [value]
                if not values or not all(isinstance(v, str) for v in values):
                    raise InputError(f"{where}: {key} must be a value or a list of values")
    return data


def assign_groups(cohort: pd.DataFrame, by: str, groupings: dict[str, list[dict[str, Any]]]) -> pd.Series:
    """Group label per sample (index: sample); None where no rule matches, reason in attrs."""
    if by in BUILTIN:
        if by not in cohort.columns:
            raise InputError(f"cohort table has no {by!r} column to group by")
        labels = cohort[by].where(cohort[by] != "", EMPTY_LABEL)
        return pd.Series(labels.to_numpy(), index=cohort["sample"].to_numpy(), dtype=object)
    if by not in groupings:
        known = ", ".join([*BUILTIN, *groupings]) or ", ".join(BUILTIN)
        raise InputError(f"unknown grouping {by!r} (known: {known})")
    rules = groupings[by]
    for rule in rules:
        for key in rule:
            if key != "label" and key not in cohort.columns:
                raise InputError(f"grouping {by!r}: cohort table has no {key!r} column")
    labels: dict[str, str | None] = {}
    for _, row in cohort.iterrows():
        labels[row["sample"]] = next((r["label"] for r in rules if _matches(row, r)), None)
    series = pd.Series(labels, dtype=object)
    series.attrs["reasons"] = {s: f"in no group of grouping {by!r}" for s, g in labels.items() if g is None}
    return series


def _matches(row: pd.Series, rule: dict[str, Any]) -> bool:
    for key, value in rule.items():
        if key == "label":
            continue
        if row[key] not in (value if isinstance(value, list) else [value]):
            return False
    return True


def group_order(by: str, groupings: dict[str, list[dict[str, Any]]], sizes: dict[str, int]) -> list[str]:
    """Rule order for a user grouping; otherwise the largest group first, ties by name."""
    if by in groupings:
        order = list(dict.fromkeys(r["label"] for r in groupings[by]))
        return [g for g in order if g in sizes]
    return sorted(sizes, key=lambda g: (-sizes[g], g))
