"""The clinical table, checked row by row, and its join with the cohort table.

A survival estimate silently computed on fewer patients than the cohort is the error to avoid: every
bad row stops the analysis with one line naming it, and every cohort sample left out of the analysis
(no clinical data, not assessable, in no group) is written down with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pandas as pd
import yaml

from allfuse.datafiles import schema_path
from allfuse.errors import InputError
from allfuse.io import read_table, read_user_table
from allfuse.status import NOT_ASSESSABLE, derive_status
from allfuse.tables import ANALYSIS_COLUMNS, EXCLUDED_COLUMNS

ENDPOINTS = ("efs", "os")
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class ClinicalRow:
    sample: str
    line: int
    values: dict[str, float]  # efs_time, efs_event and, if given, os_time, os_event


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _problem(error: jsonschema.ValidationError) -> str:
    """One phrase for one schema violation, naming the column and the value."""
    column = ".".join(str(p) for p in error.absolute_path)
    value = error.instance
    shown = f"{value:g}" if isinstance(value, float) else repr(value)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"{missing} is empty"
    if error.validator == "minimum":
        return f"{column} {shown} is negative"
    if error.validator == "enum":
        return f"{column} {shown} is not 0 or 1 (1 = event, 0 = censored)"
    if error.validator == "type":
        return f"{column} {shown} is not a number"
    if error.validator == "pattern":
        return f"unsafe sample ID {value!r}: use letters, digits, '_', '-' or '.', at most 64"
    return f"{column}: {error.message}"


def read_clinical(path: str | Path, cohort_samples: list[str]) -> dict[str, ClinicalRow]:
    """The clinical rows by sample; InputError listing every bad row, one line each."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: clinical table not found")
    with open(path, newline="") as fh:
        table = read_user_table(
            path,
            fh,
            "clinical table",
            ["sample", "efs_time", "efs_event"],
            "need sample, efs_time, efs_event; optional os_time, os_event",
            yaml.safe_load(schema_path("clinical.schema.yaml").read_text()),
        )
    known = set(cohort_samples)
    problems: list[str] = []
    out: dict[str, ClinicalRow] = {}
    for lineno, fields in table.rows:
        cells = dict(zip(table.header, fields, strict=False))
        name = cells.get("sample", "")
        label = f"{path}: line {lineno} (sample {name or '?'})"
        record: dict[str, object] = {"sample": name} if name else {}
        for col in ("efs_time", "efs_event", "os_time", "os_event"):
            if cells.get(col, ""):
                record[col] = _number(cells[col])
        errors = sorted(
            table.validator.iter_errors(record), key=lambda e: (list(e.absolute_path), e.validator)
        )
        if errors:
            problems.append(f"{label}: {_problem(errors[0])}")
            continue
        if ("os_time" in record) != ("os_event" in record):
            problems.append(f"{label}: os_time and os_event must be given together")
            continue
        if name in out:
            problems.append(f"{label}: duplicate sample (first on line {out[name].line})")
            continue
        if name not in known:
            problems.append(f"{label}: unknown sample (not in the cohort table)")
            continue
        out[name] = ClinicalRow(name, lineno, {k: float(v) for k, v in record.items() if k != "sample"})
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"{path}: ... and {len(problems) - len(shown)} more bad row(s)")
        raise InputError("\n".join(shown))
    return out


def sample_status(cohort: pd.DataFrame) -> pd.Series:
    """The cohort's ``status``; an older table without it gets allfuse.status's derivation per row."""
    if "status" in cohort.columns:
        return cohort["status"]
    return pd.Series(
        [derive_status(row, row, {})[0] for row in cohort.to_dict("records")],
        index=cohort.index,
        dtype=object,
    )


def read_cohort(path: str | Path) -> pd.DataFrame:
    """The cohort table (results/cohort.tsv), every cell as text, with a ``status`` column."""
    cohort = read_table(path, "cohort table")
    if "sample" not in cohort.columns:
        raise InputError(f"{path}: cohort table has no 'sample' column")
    dup = cohort["sample"][cohort["sample"].duplicated()]
    if len(dup):
        raise InputError(f"{path}: sample {dup.iloc[0]} appears twice in the cohort table")
    cohort = cohort.copy()
    cohort["status"] = sample_status(cohort)
    if "status_reason" not in cohort.columns:
        cohort["status_reason"] = ""
    return cohort


def analysis_table(
    cohort: pd.DataFrame,
    clinical: dict[str, ClinicalRow],
    groups: pd.Series,
    endpoint: str = "efs",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(patients analysed: sample, group, time, event; samples left out: sample, reason).

    ``groups`` maps each cohort sample to its group label, or to None with the reason in
    ``groups.attrs['reasons']`` when the grouping puts it in no group.
    """
    if endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}")
    reasons: dict[str, str] = groups.attrs.get("reasons", {})
    kept, excluded = [], []
    for _, row in cohort.iterrows():
        sample = row["sample"]
        if row["status"] == NOT_ASSESSABLE:
            why = row.get("status_reason", "")
            excluded.append({"sample": sample, "reason": f"not assessable: {why}" if why else NOT_ASSESSABLE})
        elif sample not in clinical:
            excluded.append({"sample": sample, "reason": "no clinical data"})
        elif f"{endpoint}_time" not in clinical[sample].values:
            excluded.append(
                {"sample": sample, "reason": f"no {endpoint.upper()} data ({endpoint}_time empty)"}
            )
        elif groups.get(sample) is None:
            excluded.append({"sample": sample, "reason": reasons.get(sample, "in no group")})
        else:
            values = clinical[sample].values
            kept.append(
                {
                    "sample": sample,
                    "group": groups[sample],
                    "time": values[f"{endpoint}_time"],
                    "event": int(values[f"{endpoint}_event"]),
                }
            )
    return (
        pd.DataFrame(kept, columns=ANALYSIS_COLUMNS).astype({"time": float, "event": int}),
        pd.DataFrame(excluded, columns=EXCLUDED_COLUMNS),
    )
