"""Gene models from a GENCODE/Ensembl-style GTF, as pandas frames with declared columns.

Every step that names genes, maps exons or checks the frame reads the same GTF through this module,
so contig naming (``22`` vs ``chr22``) and transcript versions are reconciled in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from allfuse.errors import InputError
from allfuse.io import open_text

GTF_COLUMNS = ["chrom", "source", "feature", "start", "end", "score", "strand", "frame", "attributes"]
GENE_COLUMNS = ["gene_id", "gene_name", "chrom", "start", "end", "strand", "gene_type", "hgnc_id"]
TRANSCRIPT_COLUMNS = [
    "transcript_id",
    "transcript_base",  # transcript_id without its version, for matching across releases
    "gene_id",
    "gene_name",
    "chrom",
    "start",
    "end",
    "strand",
    "transcript_type",
    "mane_select",
    "ensembl_canonical",
]
EXON_COLUMNS = ["transcript_id", "chrom", "start", "end", "strand", "exon_number"]
CDS_COLUMNS = ["transcript_id", "chrom", "start", "end", "strand", "phase"]


def strip_chr(chrom: str) -> str:
    """Contig name without a ``chr`` prefix; ``chrM`` and ``MT`` are the same contig."""
    c = chrom[3:] if chrom.lower().startswith("chr") else chrom
    return "MT" if c == "M" else c


def strip_version(identifier: str) -> str:
    """``ENST00000534358.8`` -> ``ENST00000534358`` (``_PAR_Y`` suffixes kept)."""
    head, _, tail = identifier.partition(".")
    if "_" in tail:
        return head + tail[tail.index("_") :]
    return head


def attribute(attrs: pd.Series, key: str) -> pd.Series:
    """One attribute's value on every line (NaN where absent): the only GTF attribute parser.

    ``key`` may be a regular expression (``gene_(?:bio)?type``). GENCODE writes some values unquoted
    (``exon_number 1;``), Ensembl quotes them all; the first occurrence of a key counts. The key is
    looked for at the start and after each ``;``; the pattern is anchored and skips whole ``...;``
    fields: several times faster on a GENCODE-sized GTF than trying every character for ``^`` or ``;``.
    """
    return attrs.str.extract(rf'^(?:[^;]*;)*?\s*{key} "?([^";]*)"?', expand=False)


#: The ids every feature line carries, as written (a transcript's version not yet joined).
ID_COLUMNS = ["gene_id", "transcript_id"]


def with_ids(features: pd.DataFrame) -> pd.DataFrame:
    """:func:`read_features`' rows with :data:`ID_COLUMNS` parsed once, for every step that needs them."""
    return features.assign(**{key: attribute(features["attributes"], key) for key in ID_COLUMNS})


def is_feature_line(line: str) -> bool:
    """Whether :func:`read_features` reads ``line`` as a feature (not a comment, not blank)."""
    return not line.startswith("#") and bool(line.strip())


def read_features(path: str | Path) -> pd.DataFrame:
    """Every feature line of a GTF, one row each in file order: the only GTF line reader.

    Columns are :data:`GTF_COLUMNS` without ``source`` and ``score``; row ``i`` is the ``i``-th line
    for which :func:`is_feature_line` holds, which lets a writer copy the file and still know each
    line's parsed values.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: GTF file not found")
    try:
        with open_text(path, "GTF") as fh:
            raw = pd.read_csv(
                fh,
                sep="\t",
                comment="#",
                header=None,
                names=GTF_COLUMNS,
                dtype={"chrom": str, "start": "Int64", "end": "Int64", "attributes": str},
                usecols=[0, 2, 3, 4, 6, 7, 8],
            )
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: not a GTF file (9 tab-separated columns expected): {exc}") from exc
    if raw.empty:
        raise InputError(f"{path}: GTF has no features")
    if raw["attributes"].isna().any() or raw["start"].isna().any():
        bad = int(np.flatnonzero(raw["attributes"].isna() | raw["start"].isna())[0])
        raise InputError(f"{path}: feature {bad + 1} is not a GTF line (9 tab-separated columns expected)")
    return raw


@dataclass
class Annotation:
    """Genes, transcripts, exons and CDS segments of one GTF."""

    genes: pd.DataFrame
    transcripts: pd.DataFrame
    exons: pd.DataFrame
    cds: pd.DataFrame
    path: str = ""

    @classmethod
    def from_gtf(cls, path: str | Path) -> Annotation:
        return cls.from_frame(read_features(path), str(path))

    @classmethod
    def from_frame(cls, raw: pd.DataFrame, path: str = "") -> Annotation:
        """Gene models of :func:`read_features`' rows (their ids taken from :func:`with_ids` if given)."""
        raw = raw if set(ID_COLUMNS) <= set(raw.columns) else with_ids(raw)
        attrs = raw["attributes"]
        raw = raw.assign(
            gene_name=attribute(attrs, "gene_name"),
            hgnc_id=attribute(attrs, "hgnc_id").fillna(""),  # GENCODE carries it; identity beyond spelling
        )
        # Ensembl GTFs keep the version apart; GENCODE puts it in the id.
        tver = attribute(attrs, "transcript_version")
        needs = (
            tver.notna()
            & raw["transcript_id"].notna()
            & ~raw["transcript_id"].str.contains(".", regex=False, na=False)
        )
        raw.loc[needs, "transcript_id"] = raw.loc[needs, "transcript_id"] + "." + tver[needs]
        raw["gene_name"] = raw["gene_name"].fillna(raw["gene_id"])

        e = raw[raw["feature"].isin(["transcript", "exon"])]
        lacking = e["transcript_id"].isna() | e["gene_id"].isna()
        if lacking.any():
            raise InputError(
                f"{path}: {int(lacking.sum())} transcript/exon line(s) without gene_id or transcript_id (first: "
                f"{e.loc[lacking, 'chrom'].iloc[0]}:{e.loc[lacking, 'start'].iloc[0]}); a GTF names both on each"
            )
        g = raw[raw["feature"] == "gene"]
        genes = g.assign(gene_type=attribute(g["attributes"], "gene_(?:bio)?type").fillna("."))[GENE_COLUMNS]
        t = raw[raw["feature"] == "transcript"]
        transcripts = t.assign(
            transcript_base=t["transcript_id"].map(strip_version),
            transcript_type=attribute(t["attributes"], "transcript_(?:bio)?type").fillna("."),
            mane_select=t["attributes"].str.contains('tag "MANE_Select"', regex=False),
            ensembl_canonical=t["attributes"].str.contains('tag "Ensembl_canonical"', regex=False),
        )[TRANSCRIPT_COLUMNS]
        e = raw[raw["feature"] == "exon"]
        exons = e.assign(
            exon_number=pd.to_numeric(attribute(e["attributes"], "exon_number"), errors="coerce")
        )[EXON_COLUMNS]
        c = raw[raw["feature"] == "CDS"]
        cds = c.assign(phase=pd.to_numeric(c["frame"], errors="coerce"))[CDS_COLUMNS]
        if genes.empty and not exons.empty:
            genes = _genes_from_exons(raw[raw["feature"] == "exon"])
        if transcripts.empty and not exons.empty:
            transcripts = _transcripts_from_exons(raw[raw["feature"] == "exon"])
        return cls(
            genes.reset_index(drop=True),
            transcripts.reset_index(drop=True),
            exons.reset_index(drop=True),
            cds.reset_index(drop=True),
            path,
        )

    # ---- contigs -------------------------------------------------------------------------------
    @cached_property
    def contigs(self) -> dict[str, str]:
        """Any spelling of a contig (``22``, ``chr22``) -> the spelling this GTF uses."""
        names = pd.unique(pd.concat([self.genes["chrom"], self.exons["chrom"]]))
        out: dict[str, str] = {}
        for name in names:
            out[strip_chr(name)] = name
        for name in names:
            out[name] = name
        return out

    def contig(self, chrom: str) -> str:
        """The GTF's name for ``chrom`` (unchanged if the GTF does not know it)."""
        return self.contigs.get(chrom, self.contigs.get(strip_chr(chrom), chrom))

    # ---- lookups -------------------------------------------------------------------------------
    @cached_property
    def _gene_arrays(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Per contig: starts, ends, strands and row labels of its genes, shortest gene first.

        Callers ask for the genes at tens of thousands of chimeric-read positions; numpy masks over
        one contig's genes answer in microseconds where a pandas filter takes milliseconds.
        """
        out = {}
        for chrom, df in self.genes.groupby("chrom"):
            df = df.assign(_len=df["end"] - df["start"]).sort_values("_len", kind="stable")
            out[chrom] = (
                df["start"].to_numpy(np.int64),
                df["end"].to_numpy(np.int64),
                df["strand"].to_numpy(str),
                df.index.to_numpy(),
            )
        return out

    def gene_rows(self, chrom: str, pos: int, strand: str | None = None) -> np.ndarray:
        """Row labels (in ``genes``) of the genes overlapping a position, shortest first."""
        arrays = self._gene_arrays.get(self.contig(chrom))
        if arrays is None:
            return np.empty(0, dtype=np.int64)
        starts, ends, strands, rows = arrays
        mask = (starts <= pos) & (ends >= pos)
        if strand in ("+", "-"):
            mask &= strands == strand
        return rows[mask]

    @cached_property
    def hgnc_by_gene_id(self) -> dict[str, str]:
        """Version-less gene id -> HGNC id, where the GTF gives one."""
        g = self.genes[self.genes["hgnc_id"] != ""]
        return dict(zip(g["gene_id"].map(strip_version), g["hgnc_id"], strict=True))

    @cached_property
    def _exon_positions(self) -> dict[str, np.ndarray]:
        """Transcript id -> positions of its rows in ``exons``, in file order.

        Built once: a sample asks for a few dozen transcripts, and comparing every one of GENCODE's
        1.6 M exon rows per question cost about 70 ms each.
        """
        return self.exons.groupby("transcript_id", sort=False).indices

    @cached_property
    def gene_of_transcript(self) -> dict[str, str]:
        """Transcript id (as in the GTF) -> its gene id (the first line's, should an id repeat)."""
        t = self.transcripts.drop_duplicates("transcript_id")
        return dict(zip(t["transcript_id"], t["gene_id"], strict=True))

    def transcript_exons(self, transcript_id: str) -> pd.DataFrame:
        """Exons of one transcript in transcript order (5'->3'), numbered 1..n by that order."""
        ex = self.exons.iloc[self._exon_positions.get(transcript_id, [])]
        if ex.empty:
            return ex
        strand = ex["strand"].iloc[0]
        ex = ex.sort_values("start", ascending=(strand != "-")).reset_index(drop=True)
        return ex.assign(exon_number=np.arange(1, len(ex) + 1))


def _span_of(exons: pd.DataFrame, key: str, firsts: list[str]) -> pd.DataFrame:
    """One row per ``key`` from its exons: the span (min start, max end) and the first value of each
    of ``firsts`` (the same on every exon of a gene or transcript)."""
    spec = {c: (c, "first") for c in firsts} | {"start": ("start", "min"), "end": ("end", "max")}
    return exons.groupby(key).agg(**spec).reset_index()


def _genes_from_exons(exons: pd.DataFrame) -> pd.DataFrame:
    agg = _span_of(exons, "gene_id", ["gene_name", "chrom", "strand", "hgnc_id"])
    return agg.assign(gene_type=".")[GENE_COLUMNS]


def _transcripts_from_exons(exons: pd.DataFrame) -> pd.DataFrame:
    agg = _span_of(exons, "transcript_id", ["gene_id", "gene_name", "chrom", "strand", "attributes"])
    return agg.assign(
        transcript_base=agg["transcript_id"].map(strip_version),
        transcript_type=".",
        mane_select=agg["attributes"].str.contains('tag "MANE_Select"', regex=False),
        ensembl_canonical=agg["attributes"].str.contains('tag "Ensembl_canonical"', regex=False),
    )[TRANSCRIPT_COLUMNS]
