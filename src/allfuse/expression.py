"""Gene-level expression from kallisto, and the marker genes that back or question a negative.

kallisto already quantifies every transcript for pizzly (``results/{sample}/pizzly/kallisto/
abundance.tsv``); summed per gene it tells what the fusion callers cannot: a gene that should be
silent is on. NUTM1 is the case that matters here: it is testis-restricted and not expressed in blood,
bone marrow or leukaemic lymphoblasts, while NUTM1-rearranged ALL expresses almost its whole open
reading frame from the partner's promoter. A sample with NUTM1 expressed and no NUTM1 fusion called
keeps its status but is flagged (``NUTM1_FLAG``): a rearrangement is possible and was not detected.

Tables (declared columns):

* ``EXPRESSION_COLUMNS`` (allfuse.tables): ``results/{sample}/expression.tsv``, one row per gene with at least one
  transcript in the abundance file; ``tpm`` and ``est_counts`` are kallisto's transcript values summed
  (TPM is additive over a gene's transcripts, so the gene's share of the library is kept exactly);
* ``matrix``: genes x samples TPM (``gene``, ``gene_id``, then one column per sample);
* ``MARKER_COLUMNS``: ``resources/expression_markers.tsv``, each marker with its reason and source.

kallisto writes ``-nan`` TPM when no read pseudoaligned (a 0-read sample); that is 0 expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allfuse.errors import InputError
from allfuse.gtf import Annotation, strip_version
from allfuse.io import write_tsv
from allfuse.resources import Resources, read_resource_table, resources_dir
from allfuse.tables import EXPRESSION_COLUMNS

ABUNDANCE_COLUMNS = ["target_id", "length", "eff_length", "est_counts", "tpm"]
MARKER_COLUMNS = ["gene", "indicates", "reason", "source"]
MARKER_FILE = "expression_markers.tsv"
#: Flag of a sample that expresses NUTM1 with no NUTM1 fusion called.
NUTM1_FLAG = "nutm1_expressed_without_fusion"
NUTM1 = "NUTM1"


def read_abundance(path: str | Path) -> pd.DataFrame:
    """kallisto's ``abundance.tsv`` with its declared columns (``-nan`` TPM read as 0)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: kallisto abundance file not found")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty kallisto abundance file (kallisto wrote no header)")
    try:
        df = pd.read_csv(path, sep="\t", dtype={"target_id": str}, na_values=["-nan", "nan", "NaN"])
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: not a kallisto abundance table: {exc}") from None
    missing = [c for c in ABUNDANCE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (kallisto abundance.tsv expected)")
    for col in ("est_counts", "tpm"):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            line = int(np.flatnonzero(bad)[0]) + 2
            raise InputError(f"{path}: line {line}: {col} is not a number ({df[col][bad].iloc[0]!r})")
        df[col] = values.fillna(0.0)
    return df[ABUNDANCE_COLUMNS]


def gene_expression(abundance: pd.DataFrame, ann: Annotation, res: Resources | None = None) -> pd.DataFrame:
    """Transcript abundances summed per gene of the GTF (``EXPRESSION_COLUMNS``), by TPM descending.

    Targets are matched to GTF transcripts by versioned id (what allfuse's transcript FASTA names
    them), else without version; a target the GTF does not know means the index and the GTF differ,
    which would silently drop expression, so it is an error.
    """
    tx = ann.transcripts[["transcript_id", "transcript_base", "gene_id"]]
    by_id = dict(zip(tx["transcript_id"], tx["gene_id"], strict=True))
    by_base = dict(zip(tx["transcript_base"], tx["gene_id"], strict=True))
    gene_of = abundance["target_id"].map(lambda t: by_id.get(t) or by_base.get(strip_version(t)))
    if gene_of.isna().any():
        first = abundance["target_id"][gene_of.isna()].iloc[0]
        raise InputError(
            f"{ann.path}: {int(gene_of.isna().sum())} kallisto target(s) not in the GTF (first: {first}); "
            "the kallisto index was built from another annotation"
        )
    summed = (
        abundance.assign(gene_id=gene_of)
        .groupby("gene_id", sort=False)
        .agg(tpm=("tpm", "sum"), est_counts=("est_counts", "sum"), n_transcripts=("target_id", "size"))
        .reset_index()
    )
    genes = ann.genes.drop_duplicates("gene_id").set_index("gene_id")
    names = ann.transcripts.drop_duplicates("gene_id").set_index("gene_id")["gene_name"]
    name = summed["gene_id"].map(genes["gene_name"]).fillna(summed["gene_id"].map(names))
    if res is not None:
        hgnc = summed["gene_id"].map(genes["hgnc_id"]).fillna("")
        name = pd.Series(
            [res.identify(g, n, h) for g, n, h in zip(summed["gene_id"], name, hgnc, strict=True)],
            index=summed.index,
        )
    out = summed.assign(gene=name.fillna(summed["gene_id"]))[EXPRESSION_COLUMNS]
    return out.sort_values(["tpm", "gene"], ascending=[False, True], kind="stable").reset_index(drop=True)


def write_expression(expression: pd.DataFrame, path: str | Path) -> None:
    """Write ``results/{sample}/expression.tsv`` (atomically, declared columns only)."""
    write_tsv(expression[EXPRESSION_COLUMNS], path)


def read_expression(path: str | Path) -> pd.DataFrame:
    """Read an ``expression.tsv`` back, numbers as numbers."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: expression table not found")
    df = pd.read_csv(path, sep="\t", dtype={"gene": str, "gene_id": str}, keep_default_na=False)
    missing = [c for c in EXPRESSION_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    for col in ("tpm", "est_counts"):
        df[col] = pd.to_numeric(df[col], errors="raise")
    df["n_transcripts"] = pd.to_numeric(df["n_transcripts"], errors="raise").astype(int)
    return df


def cohort_matrix(expressions: Mapping[str, pd.DataFrame], value: str = "tpm") -> pd.DataFrame:
    """Genes x samples of ``value`` (``gene``, ``gene_id``, one column per sample in the given order);
    a gene missing from a sample's table is 0 there."""
    if not expressions:
        return pd.DataFrame(columns=["gene", "gene_id"])
    long = pd.concat(
        [df[["gene", "gene_id", value]].assign(sample=s) for s, df in expressions.items()], ignore_index=True
    )
    wide = long.pivot_table(index=["gene", "gene_id"], columns="sample", values=value, aggfunc="sum")
    wide = wide.reindex(columns=list(expressions)).fillna(0.0)
    wide.columns.name = None
    return wide.reset_index().sort_values(["gene", "gene_id"], kind="stable").reset_index(drop=True)


def read_markers(root: str | Path | None = None) -> pd.DataFrame:
    """The marker panel (``MARKER_COLUMNS``) from ``resources/expression_markers.tsv``."""
    return read_resource_table(resources_dir(root) / MARKER_FILE, MARKER_COLUMNS)


def marker_levels(expression: pd.DataFrame, markers: pd.DataFrame) -> pd.DataFrame:
    """Each marker's TPM in one sample; ``in_reference`` False (TPM empty) where the GTF lacks the gene."""
    tpm = expression.groupby("gene")["tpm"].sum()
    out = markers[["gene", "indicates", "reason", "source"]].copy()
    out["in_reference"] = out["gene"].isin(tpm.index)
    out["tpm"] = out["gene"].map(tpm)
    return out


@dataclass(frozen=True)
class Nutm1Check:
    """Whether NUTM1 is expressed with no NUTM1 fusion called, with the figures behind it."""

    flag: bool
    tpm: float | None  # None when the GTF has no NUTM1
    threshold_tpm: float
    nutm1_fusion_called: bool
    caveat: str  # the sentence shown where flagged, else ''


def nutm1_check(expression: pd.DataFrame, events: pd.DataFrame, threshold_tpm: float) -> Nutm1Check:
    """Flag NUTM1 at or above ``threshold_tpm`` TPM when no event of ``events`` (fusions.tsv) has
    NUTM1 as a partner. Artefact events do not count as a call; any other NUTM1 event does, whatever
    its tier, since it is listed on the page beside the flag's place."""
    rows = expression[expression["gene"] == NUTM1]
    tpm = float(rows["tpm"].sum()) if not rows.empty else None
    called = False
    if not events.empty:
        real = events
        if "artefact" in events.columns:
            real = events[~events["artefact"].astype(str).str.lower().isin(["true", "1"])]
        called = bool(((real["gene_5p"] == NUTM1) | (real["gene_3p"] == NUTM1)).any())
    flag = tpm is not None and tpm >= threshold_tpm and not called
    caveat = ""
    if flag:
        caveat = (
            f"NUTM1 is expressed ({tpm:.1f} TPM, threshold {threshold_tpm:g} TPM) but no NUTM1 fusion was "
            "called: NUTM1 is silent in blood and bone marrow, so a NUTM1 rearrangement is possible and "
            "was not detected."
        )
    return Nutm1Check(flag, tpm, threshold_tpm, called, caveat)
