"""Everything one sample's report shows, gathered from the files the pipeline wrote for it.

The report reads only finished outputs (classification.json, fusions.tsv, calls/*.tsv, qc.tsv, the
tools' own logs, the run's provenance.json, and where later steps wrote them evidence.json,
primers.tsv and expression.tsv) so it can be rebuilt without rerunning anything, and it
never invents an answer: a missing ``status`` (results from before QC gates existed) is derived
conservatively (allfuse.status), and a sample with no reads or an empty caller file is shown as not
assessable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allfuse.artefacts import is_artefact
from allfuse.errors import InputError
from allfuse.io import read_json, read_table
from allfuse.qc import read_qc
from allfuse.status import caller_counts, derive_status
from allfuse.tables import PRIMER_COLUMNS


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
    evidence: dict | None = None  # evidence.json (None: not written for these results)
    primers: pd.DataFrame | None = None  # primers.tsv, every cell as written (None: not written)
    expression: pd.DataFrame | None = None  # expression.tsv, every cell as written (None: not written)

    @property
    def real_events(self) -> pd.DataFrame:
        """Events that are not flagged as artefacts: the count shown first."""
        return self.events[~self.events["is_artefact"]]


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
    has_qc = qc_path.is_file() and qc_path.stat().st_size
    qc: dict[str, str] = {k: str(v) for k, v in read_qc(qc_path).items()} if has_qc else {}
    calls = caller_counts(sample_dir / "calls")
    status, reason = derive_status(cls, qc, calls)
    prov: dict = {}
    if provenance is None and (sample_dir.parent / "provenance.json").is_file():
        provenance = sample_dir.parent / "provenance.json"
    if provenance is not None:
        prov = read_json(Path(provenance), "provenance")
    versions = {**prov.get("tools", {}), **tool_versions_from_logs(sample_dir)}
    return SampleData(
        sample,
        sample_dir,
        cls,
        status,
        reason,
        events,
        qc,
        calls,
        versions,
        prov,
        evidence=_optional_json(sample_dir / "evidence.json", "evidence", "fusions"),
        primers=_optional_table(sample_dir / "primers.tsv", "primer table", PRIMER_COLUMNS),
        expression=_optional_table(sample_dir / "expression.tsv", "expression table", ["gene", "tpm"]),
    )


def _optional_json(path: Path, what: str, key: str) -> dict | None:
    """A file later steps write (evidence.json): None when absent, InputError when it is malformed."""
    if not path.is_file():
        return None
    data = read_json(path, what)
    if not isinstance(data.get(key), list):
        raise InputError(f"{path}: {what} has no '{key}' list")
    return data


def _optional_table(path: Path, what: str, columns: list[str]) -> pd.DataFrame | None:
    """A table later steps write (primers.tsv, expression.tsv): None when absent; its columns checked."""
    if not path.is_file():
        return None
    df = read_table(path, what)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{path}: {what} lacks column(s) {', '.join(missing)}")
    return df
