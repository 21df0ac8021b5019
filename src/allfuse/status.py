"""The sample's status, and the one place it is derived when the results do not carry it.

A sample is decided once, upstream: QC (``allfuse qc``) and the caller files (``allfuse annotate``)
decide whether it can be assessed, classification whether a defining fusion was found; the status is
written into classification.json and from there into cohort.tsv, which the cohort report and the
survival analysis read. Results written before classification carried a status get it from
:func:`derive_status`, conservatively: a sample with no reads or a crashed caller is never read as
fusion-negative.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

DETECTED = "fusion detected"
NOT_DETECTED = "no defining fusion detected"
NOT_ASSESSABLE = "not assessable"
#: Every status, in the order reports list them.
STATUSES: tuple[str, ...] = (DETECTED, NOT_DETECTED, NOT_ASSESSABLE)


def derive_status(
    cls: Mapping[str, object], qc: Mapping[str, object], caller_calls: Mapping[str, int | None]
) -> tuple[str, str]:
    """(status, reason): the results' own when present, else derived, never a silent negative.

    ``cls`` is classification.json (or a cohort row), ``qc`` the qc.tsv row (a cohort row has its
    columns too), ``caller_calls`` the calls per caller table (None: the file is 0 bytes). Derivation:
    no input read pairs, an empty (0-byte) caller output or a 'not assessable' subtype -> not
    assessable; a subtype other than 'none' -> fusion detected; else no defining fusion detected.
    """
    status = str(cls.get("status", "") or "")
    if status in STATUSES:
        return status, str(cls.get("status_reason", "") or "")
    pairs = str(qc.get("input_read_pairs", "") or "")
    if pairs != "" and float(pairs) == 0:
        return NOT_ASSESSABLE, "0 input read pairs"
    empty = sorted(c for c, n in caller_calls.items() if n is None)
    if empty:
        return NOT_ASSESSABLE, "empty (0-byte) caller output: " + ", ".join(empty)
    subtype = str(cls.get("subtype", "") or "")
    if subtype == NOT_ASSESSABLE:
        return NOT_ASSESSABLE, str(cls.get("status_reason", "") or "")
    if subtype and subtype != "none":
        return DETECTED, ""
    return NOT_DETECTED, ""


#: The confidence tier (allfuse.tables.TIERS, resources/confidence_tiers.tsv) a driver needs to be
#: reported in a sample that failed a QC gate.
QC_OVERRIDE_TIER = "high"


def qc_failed_status(driver_tier: str, qc_reason: str) -> tuple[str, str]:
    """(status, reason) of a sample that failed a QC gate (``qc_reason``, e.g. 'input read pairs
    601 < 1000') but whose callers all ran.

    The QC gates exist so that a *negative* is never trusted on too few reads; a fusion that stands
    clear in the reads is not made less real by a small library. So a driver of the highest
    confidence tier (two callers agreeing on >= 5 fragments, or Arriba's own high confidence with
    >= 5 fragments) is reported -- fusion detected, with its group -- and the QC failure is stated
    beside it. A driver of a lower tier, or none, leaves the sample not assessable. A sample with no
    reads or a crashed caller never gets here (it has no driver, or is decided by the empty file).
    """
    if driver_tier == QC_OVERRIDE_TIER:
        return DETECTED, (
            f"QC failed ({qc_reason}), but the driver fusion is of the {QC_OVERRIDE_TIER} confidence tier: "
            "a positive result is reported; a negative would not have been"
        )
    return NOT_ASSESSABLE, f"QC: {qc_reason}"


def caller_counts(calls_dir: Path) -> dict[str, int | None]:
    """Calls per results/{sample}/calls/{caller}.tsv (None: the file is empty, 0 bytes)."""
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
