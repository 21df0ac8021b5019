"""Declared columns of every table allfuse writes.

Breakpoint convention everywhere: ``pos_5p`` is the last transcribed base of the 5' partner that is
kept in the fusion, ``pos_3p`` the first base of the 3' partner, both 1-based genome coordinates
(the convention Arriba and STAR-Fusion use for splice-site breakpoints). ``strand_*`` is the strand
the partner is transcribed from ('+', '-' or '.' when unknown).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pandas as pd

from allfuse.errors import InputError

#: The partners and their breakpoints, shared by calls and events.
PARTNER_COLUMNS: list[str] = [
    "gene_5p",
    "gene_3p",
    "gene_id_5p",
    "gene_id_3p",
    "chrom_5p",
    "pos_5p",
    "strand_5p",
    "chrom_3p",
    "pos_3p",
    "strand_3p",
]

#: The caller's own transcript and exon choice, kept beside allfuse's MANE numbering. In events
#: they read ``caller:value`` for each caller that gave one, separated by ';'.
CALLER_CHOICE_COLUMNS: list[str] = [
    "caller_transcript_5p",
    "caller_transcript_3p",
    "caller_exon_5p",
    "caller_exon_3p",
]

#: Each caller's own evidence carried into the event: event column -> (caller, column of that
#: caller's calls table). The value is the one of that caller's best-supported call in the event,
#: '.' when that caller did not call the event (or the cell is empty). Arriba's ``confidence``
#: and ``filters`` are its calls' ``caller_confidence``/``caller_filters``; STAR-Fusion's FFPM is its
#: ``caller_confidence`` and its SpliceType its ``site_5p`` (see allfuse.callers).
CALLER_EVIDENCE: dict[str, tuple[str, str]] = {
    "arriba_confidence": ("arriba", "caller_confidence"),  # low / medium / high (Arriba's own)
    "arriba_reading_frame": ("arriba", "orig_reading_frame"),  # in-frame / out-of-frame / stop-codon / .
    "arriba_filters": ("arriba", "caller_filters"),  # filters that removed some reads, e.g. duplicates(1)
    "starfusion_ffpm": ("starfusion", "caller_confidence"),  # fusion fragments per million
    "starfusion_splice_type": ("starfusion", "site_5p"),  # ONLY_REF_SPLICE / INCL_NON_REF_SPLICE
    "starfusion_annots": ("starfusion", "orig_annots"),  # FusionAnnotator's annotations
}
CALLER_EVIDENCE_COLUMNS: list[str] = list(CALLER_EVIDENCE)

#: An event's confidence tier (column ``tier``), from its callers together; the rule is
#: resources/confidence_tiers.tsv (allfuse.merge.event_tiers). Best first.
TIERS: tuple[str, ...] = ("high", "medium", "low")

#: One row per call of one caller (results/{sample}/calls/{caller}.tsv).
#: The caller's own record follows these columns, every original column prefixed with ``orig_``.
CALL_COLUMNS: list[str] = [
    "sample",
    "caller",
    "fusion",
    *PARTNER_COLUMNS,
    "junction_reads",
    "spanning_frags",
    "site_5p",  # caller's site label: splice-site, exon, intron, ... ('.' if none)
    "site_3p",
    *CALLER_CHOICE_COLUMNS,
    "caller_confidence",
    "caller_filters",
]

CALL_DTYPES: dict[str, str] = {
    "pos_5p": "int64",
    "pos_3p": "int64",
    "junction_reads": "int64",
    "spanning_frags": "int64",
}

#: One row per fusion event merged across callers (results/{sample}/fusions.tsv).
FUSION_COLUMNS: list[str] = [
    "sample",
    "event_id",
    "fusion",
    *PARTNER_COLUMNS,
    "callers",
    "n_callers",
    "junction_reads",
    "spanning_frags",
    "support",  # per-caller best support, e.g. "star_chimeric:12+3;pizzly:9+4"
    "tier",  # high / medium / low: callers' agreement, fragments, Arriba's confidence (TIERS)
    *CALLER_CHOICE_COLUMNS,
    *CALLER_EVIDENCE_COLUMNS,
    "reciprocal_of",  # event_id of the B::A event beside this A::B event ('.' if none)
    "read_through",  # True when the partners are neighbouring same-strand genes
]

ORIG_PREFIX = "orig_"


def empty_calls() -> pd.DataFrame:
    """A calls table with no rows but every declared column, so empty inputs give valid outputs."""
    return pd.DataFrame({c: pd.Series(dtype=CALL_DTYPES.get(c, "object")) for c in CALL_COLUMNS})


def finish_calls(df: pd.DataFrame, sample: str, caller: str) -> pd.DataFrame:
    """Fill defaults, order the declared columns first and the ``orig_`` columns after them."""
    df = df.copy()
    df["sample"] = sample
    df["caller"] = caller
    for col in CALL_COLUMNS:
        if col not in df.columns:
            df[col] = 0 if col in ("junction_reads", "spanning_frags") else "."
    for col, dtype in CALL_DTYPES.items():
        df[col] = pd.to_numeric(df[col]).fillna(0).astype(dtype) if len(df) else df[col].astype(dtype)
    df["fusion"] = df["gene_5p"].astype(str) + "::" + df["gene_3p"].astype(str)
    extra = [c for c in df.columns if c not in CALL_COLUMNS]
    return df[CALL_COLUMNS + extra]


@contextmanager
def atomic_write(path: str | Path, binary: bool = False) -> Iterator[IO]:
    """A file (UTF-8 text, or bytes) written under a temporary name and renamed when complete;
    the temporary file is removed on failure, so nothing half-written looks finished."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8") as fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_tsv(df: pd.DataFrame, path: str | Path) -> None:
    """Write atomically: a half-written table must never look finished."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        df.to_csv(tmp, sep="\t", index=False)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # no .tmp left behind after a failure


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """A table allfuse wrote (or a simulation's truth), every cell as written; InputError if absent."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
