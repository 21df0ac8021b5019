"""Everything one sample's report shows, gathered from the files the pipeline wrote for it.

The report reads only finished outputs (classification.json, fusions.tsv, calls/*.tsv, qc.tsv, the
tools' own logs, and the run's provenance.json) so it can be rebuilt without rerunning anything, and it
never invents an answer: a missing ``status`` (results from before QC gates existed) is derived
conservatively, and a sample with no reads or an empty caller file is shown as not assessable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allfuse.artefacts import is_artefact
from allfuse.classify import DETECTED as FUSION_DETECTED
from allfuse.classify import NOT_ASSESSABLE
from allfuse.classify import NOT_DETECTED as NO_FUSION
from allfuse.errors import InputError
from allfuse.schema import read_table

STATUSES = (FUSION_DETECTED, NO_FUSION, NOT_ASSESSABLE)


@dataclass
class SampleData:
    """One sample's results, as read from its folder."""

    sample: str
    sample_dir: Path
    classification: dict
    status: str
    status_reason: str
    events: pd.DataFrame  # fusions.tsv, every cell as written, plus boolean column 'is_artefact'
    qc: dict[str, str]
    caller_calls: dict[str, int | None]  # caller -> number of calls (None: the file is empty, 0 bytes)
    tool_versions: dict[str, str]
    provenance: dict = field(default_factory=dict)

    @property
    def real_events(self) -> pd.DataFrame:
        """Events that are not flagged as artefacts: the count shown first."""
        return self.events[~self.events["is_artefact"]]


def read_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: {what} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} is not a JSON object")
    return data


def derive_status(cls: dict, qc: dict[str, str], caller_calls: dict[str, int | None]) -> tuple[str, str]:
    """The sample's status: classification.json's own when present, else derived, never a silent negative.

    Derivation (results written before classification carried a status): no input read pairs or an
    empty (0-byte) caller output -> not assessable; a subtype other than 'none' -> fusion detected.
    """
    status = str(cls.get("status", "") or "")
    if status in STATUSES:
        return status, str(cls.get("status_reason", "") or "")
    pairs = qc.get("input_read_pairs", "")
    if pairs != "" and float(pairs) == 0:
        return NOT_ASSESSABLE, "0 input read pairs"
    empty = sorted(c for c, n in caller_calls.items() if n is None)
    if empty:
        return NOT_ASSESSABLE, "empty (0-byte) caller output: " + ", ".join(empty)
    subtype = str(cls.get("subtype", "") or "")
    if subtype and subtype not in ("none", NOT_ASSESSABLE):
        return FUSION_DETECTED, ""
    return NO_FUSION, ""


def _caller_counts(calls_dir: Path) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    if not calls_dir.is_dir():
        return out
    for f in sorted(calls_dir.glob("*.tsv")):
        if f.stat().st_size == 0:
            out[f.stem] = None
        else:
            with f.open() as fh:
                out[f.stem] = max(sum(1 for _ in fh) - 1, 0)
    return out


def tool_versions_from_logs(sample_dir: Path) -> dict[str, str]:
    """Versions the tools wrote themselves for this sample (the version that actually ran)."""
    out: dict[str, str] = {}
    star_log = sample_dir / "star" / "Log.out"
    if star_log.is_file():
        with star_log.open() as fh:
            for _, line in zip(range(50), fh, strict=False):
                m = re.search(r"STAR version=(\S+)", line)
                if m:
                    out["STAR"] = m.group(1)
                    break
    for info in sorted(sample_dir.glob("*/kallisto/run_info.json")):
        try:
            out["kallisto"] = str(json.loads(info.read_text())["kallisto_version"])
        except (json.JSONDecodeError, KeyError):
            pass
    return out


def load_sample(sample_dir: Path, provenance: Path | None = None) -> SampleData:
    """Read one sample's results folder; InputError naming the file when a required one is missing."""
    sample_dir = Path(sample_dir)
    cls = read_json(sample_dir / "classification.json", "classification")
    sample = str(cls.get("sample") or sample_dir.name)
    fus_path = sample_dir / "fusions.tsv"
    if not fus_path.is_file():
        raise InputError(f"{fus_path}: fusion table not found")
    events = (
        read_table(fus_path, "fusion table") if fus_path.stat().st_size else pd.DataFrame(columns=["fusion"])
    )
    if "artefact" not in events.columns:
        events["artefact"] = "False"
    if "artefact_reason" not in events.columns:
        events["artefact_reason"] = "."
    events["is_artefact"] = events["artefact"].map(is_artefact).astype(bool)
    qc_path = sample_dir / "qc.tsv"
    qc: dict[str, str] = {}
    if qc_path.is_file() and qc_path.stat().st_size:
        qc_df = read_table(qc_path, "QC table")
        if len(qc_df):
            qc = {k: str(v) for k, v in qc_df.iloc[0].items()}
    calls = _caller_counts(sample_dir / "calls")
    status, reason = derive_status(cls, qc, calls)
    prov: dict = {}
    if provenance is None and (sample_dir.parent / "provenance.json").is_file():
        provenance = sample_dir.parent / "provenance.json"
    if provenance is not None:
        prov = read_json(Path(provenance), "provenance")
    versions = {**prov.get("tools", {}), **tool_versions_from_logs(sample_dir)}
    return SampleData(sample, sample_dir, cls, status, reason, events, qc, calls, versions, prov)
