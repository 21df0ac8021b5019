"""Events that are chimeras of the library or the aligner, not of the leukaemia.

Mitochondrial transcripts are the most abundant RNA in a cell; their template-switching chimeras
(with each other and with nuclear genes) fill fusion call lists (real K562 reads give 51 MT events
beside one BCR::ABL1). They are kept in the tables, flagged, and never counted as the sample's
events shown first or taken as its best event.
"""

from __future__ import annotations

import pandas as pd

from allfuse.gtf import strip_chr

MITOCHONDRIAL = "mitochondrial"


def _mitochondrial(chrom: object, gene: object) -> bool:
    c = strip_chr(str(chrom)) if isinstance(chrom, str) and chrom not in ("", ".") else ""
    return c == "MT" or str(gene).upper().startswith("MT-")


def flag_artefacts(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` with ``artefact`` (bool) and ``artefact_reason`` ('.' when none) set."""
    reasons = []
    for r in events.itertuples(index=False):
        mito = _mitochondrial(r.chrom_5p, r.gene_5p) or _mitochondrial(r.chrom_3p, r.gene_3p)
        reasons.append(MITOCHONDRIAL if mito else ".")
    out = events.copy()
    out["artefact"] = [reason != "." for reason in reasons]
    out["artefact_reason"] = reasons
    return out


def is_artefact(value: object) -> bool:
    """An ``artefact`` cell as written in fusions.tsv ('True'/'False') or as a bool."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value) if not pd.isna(value) else False
