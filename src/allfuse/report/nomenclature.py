"""Junction names a clinical report needs: VICC exon syntax and the HGVS adjoined-transcript form.

Both are computed from the MANE Select tables in ``resources/`` and never from the run's GTF, because
the report names the MANE transcripts (RefSeq NM_ and Ensembl ENST), and a number is only meaningful on
the transcript it names:

* ``mane_exons.tsv`` -- every exon of each MANE transcript, 5'->3', with its length;
* ``mane_cds.tsv`` -- the transcript position of the A of the ATG (``cds_start_tx``) and of the last base
  of the stop codon (``cds_end_tx``), from which r. numbering follows: A of ATG = r.1, the base before
  it r.-1 (no r.0), the base after the stop codon r.*1.

VICC (Fusion Guidelines, Mertens/VICC 2021-) exon form: ``ENST00000534358.8(KMT2A):e.9::ENST...(AFF1):e.4``;
a breakpoint inside an intron carries the offset from the nearest exon boundary (``e.9+120``).
HGVS adjoined transcripts (HGVS r. ``::``): ``NM_...:r.?_N::NM_...:r.M_?`` where N is the last base of
the 5' partner kept and M the first base of the 3' partner, intronic offsets as ``r.N+d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from allfuse.datafiles import resource_path
from allfuse.io import read_table


@dataclass(frozen=True)
class ManeTranscript:
    """One MANE Select transcript: exon lengths in transcript order and its CDS in transcript positions."""

    gene: str
    refseq: str
    ensembl: str
    strand: str
    exon_lengths: tuple[int, ...]
    cds_start_tx: int | None  # 1-based transcript position of the A of ATG
    cds_end_tx: int | None  # 1-based transcript position of the last base of the stop codon

    @property
    def exon_count(self) -> int:
        return len(self.exon_lengths)

    def exon_start_tx(self, exon: int) -> int:
        """1-based transcript position of the first base of ``exon`` (1-based exon number)."""
        return sum(self.exon_lengths[: exon - 1]) + 1

    def exon_end_tx(self, exon: int) -> int:
        return sum(self.exon_lengths[:exon])

    def r_position(self, tx_pos: int) -> str:
        """HGVS r. position of a transcript position: r.1 = A of ATG, r.-1 the base before, r.*1 after stop."""
        if self.cds_start_tx is None or self.cds_end_tx is None:
            raise ValueError(f"{self.refseq} has no CDS in resources/mane_cds.tsv")
        if tx_pos < self.cds_start_tx:
            return str(tx_pos - self.cds_start_tx)
        if tx_pos > self.cds_end_tx:
            return f"*{tx_pos - self.cds_end_tx}"
        return str(tx_pos - self.cds_start_tx + 1)


class ManeTables:
    """The MANE exon and CDS tables, indexed by gene symbol and by Ensembl ID without version."""

    def __init__(self, exons: pd.DataFrame, cds: pd.DataFrame) -> None:
        cds_by_gene = {r.gene: r for r in cds.itertuples(index=False)}
        self._by_gene: dict[str, ManeTranscript] = {}
        for gene, grp in exons.groupby("gene", sort=False):
            grp = grp.assign(_n=grp["exon"].astype(int)).sort_values("_n")
            c = cds_by_gene.get(gene)
            self._by_gene[str(gene)] = ManeTranscript(
                gene=str(gene),
                refseq=str(grp["refseq"].iloc[0]),
                ensembl=str(grp["ensembl"].iloc[0]),
                strand=str(grp["strand"].iloc[0]),
                exon_lengths=tuple(int(x) for x in grp["length"]),
                cds_start_tx=int(c.cds_start_tx) if c is not None else None,
                cds_end_tx=int(c.cds_end_tx) if c is not None else None,
            )
        self._by_ensembl = {t.ensembl.split(".")[0]: t for t in self._by_gene.values()}

    @classmethod
    def load(cls) -> ManeTables:
        read = lambda name: read_table(resource_path(name), "resource table")
        return cls(read("mane_exons.tsv"), read("mane_cds.tsv"))

    def find(self, gene: str, transcript: str = "") -> ManeTranscript | None:
        """The MANE transcript of ``transcript`` (by Ensembl ID, version ignored), else of ``gene``."""
        if transcript:
            hit = self._by_ensembl.get(transcript.split(".")[0])
            if hit is not None:
                return hit
            return None
        return self._by_gene.get(gene)


@dataclass(frozen=True)
class Side:
    """One partner of a junction as fusions.tsv describes it."""

    gene: str
    transcript: str  # the run's transcript ID ('' when none)
    exon: int | None
    intron: int | None
    dist: int | None  # signed distance to the nearest exon boundary (0 on an exon), see allfuse.exons
    boundary: bool | None  # on the exon boundary the splice junction uses


@dataclass(frozen=True)
class JunctionNames:
    vicc: str
    hgvs: str
    note: str  # why a part could not be given ('' when both are complete)


def _vicc_part(side: Side, t: ManeTranscript | None, is_5p: bool) -> tuple[str, str]:
    tx = t.ensembl if t else (side.transcript or "?")
    head = f"{tx}({side.gene})"
    if side.exon is not None:
        if side.boundary is False:
            where = "3' end" if is_5p else "5' start"
            return (
                f"{head}:e.{side.exon}",
                f"{side.gene} breakpoint inside exon {side.exon}, not at its {where}",
            )
        return f"{head}:e.{side.exon}", ""
    if side.intron is not None and side.dist is not None:
        # Intron k lies between exons k and k+1; a positive distance is downstream of exon k's 3' end.
        if side.dist > 0:
            return f"{head}:e.{side.intron}+{side.dist}", ""
        return f"{head}:e.{side.intron + 1}{side.dist}", ""
    return f"{head}:e.?", f"{side.gene} breakpoint not on an exon or intron of {tx}"


def _hgvs_part(side: Side, t: ManeTranscript | None, is_5p: bool) -> tuple[str, str]:
    if t is None:
        return "?", f"{side.gene}: transcript {side.transcript or '?'} is not in allfuse's MANE tables"
    if t.cds_start_tx is None:
        return "?", f"{side.gene}: no CDS for {t.refseq} in resources/mane_cds.tsv"
    if side.exon is not None and side.exon <= t.exon_count:
        if side.boundary is False:
            return (
                "?",
                f"{side.gene}: breakpoint inside exon {side.exon}, position on {t.refseq} not computed",
            )
        pos = t.exon_end_tx(side.exon) if is_5p else t.exon_start_tx(side.exon)
        return t.r_position(pos), ""
    if side.intron is not None and side.dist is not None and side.intron < t.exon_count:
        if side.dist > 0:
            return f"{t.r_position(t.exon_end_tx(side.intron))}+{side.dist}", ""
        return f"{t.r_position(t.exon_start_tx(side.intron + 1))}{side.dist}", ""
    return "?", f"{side.gene}: breakpoint outside the exons of {t.refseq}"


def junction_names(five: Side, three: Side, tables: ManeTables) -> JunctionNames:
    """VICC exon syntax and HGVS adjoined-transcript form of one junction."""
    t5, t3 = tables.find(five.gene, five.transcript), tables.find(three.gene, three.transcript)
    v5, n1 = _vicc_part(five, t5, True)
    v3, n2 = _vicc_part(three, t3, False)
    h5, n3 = _hgvs_part(five, t5, True)
    h3, n4 = _hgvs_part(three, t3, False)
    ac5 = t5.refseq if t5 else (five.transcript or "?")
    ac3 = t3.refseq if t3 else (three.transcript or "?")
    notes = "; ".join(dict.fromkeys(n for n in (n1, n2, n3, n4) if n))
    return JunctionNames(f"{v5}::{v3}", f"{ac5}:r.?_{h5}::{ac3}:r.{h3}_?", notes)


def _opt_int(value: object) -> int | None:
    text = str(value).strip()
    if text in ("", ".", "nan", "NA", "<NA>", "None"):
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def _opt_bool(value: object) -> bool | None:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def side_from_row(row: dict, side: str) -> Side:
    """One partner of a fusions.tsv row (every cell as text)."""
    return Side(
        gene=str(row.get(f"gene_{side}", "")),
        transcript=str(row.get(f"transcript_{side}", "") or ""),
        exon=_opt_int(row.get(f"exon_{side}", "")),
        intron=_opt_int(row.get(f"intron_{side}", "")),
        dist=_opt_int(row.get(f"dist_to_exon_{side}", "")),
        boundary=_opt_bool(row.get(f"exon_boundary_{side}", "")),
    )
