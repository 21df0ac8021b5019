"""Cytogenetic bands of GRCh38 positions and the ISCN form of a rearrangement between two partners.

A laboratory matches a fusion against the karyotype or FISH by its cytogenetic form, e.g.
t(4;11)(q21.3;q23.3) for KMT2A::AFF1, not by base coordinates. The bands come from
``resources/cytobands_grch38.tsv`` (Arriba's hg38 band file, itself UCSC's cytoBand table, with its
source on each row; 1-based inclusive coordinates). Band coordinates belong to one assembly, so any
build other than GRCh38 gets no band and no ISCN form, with the reason.

The ISCN form (ISCN 2020 conventions) follows from the two breakpoints and the partners' strands:

* partners on different chromosomes: ``t(A;B)(bandA;bandB)``, a sex chromosome before the
  autosomes, autosomes lowest number first, bands in the same order as the chromosomes;
* the same chromosome, partners transcribed from opposite strands: an inversion,
  ``inv(A)(band1band2)``; the same strand with the 3' partner downstream of the 5' partner: an
  interstitial deletion, ``del(A)(band1band2)``; upstream: a tandem duplication, ``dup(A)(band1band2)``;
  bands in order from pter to qter (GRCh38 coordinates grow in that direction).

A fusion seen in RNA does not prove the genomic event (a balanced translocation can also give an
insertion), so the form is what the breakpoints imply, for matching, not a karyotype.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allfuse.gtf import strip_chr
from allfuse.resources import read_resource_table, resources_dir

CYTOBAND_COLUMNS = ["chrom", "start", "end", "band", "source"]
CYTOBAND_FILE = "cytobands_grch38.tsv"
#: Spellings of the one build the band table belongs to.
GRCH38_NAMES = ("grch38", "hg38")


def is_grch38(build: str | None) -> bool:
    """``GRCh38``, ``GRCh38.p14``, ``hg38`` (any case) name the build of the band table."""
    b = (build or "").strip().lower()
    return any(b == n or b.startswith(n + ".") for n in GRCH38_NAMES)


@dataclass(frozen=True)
class Cytogenetics:
    """The bands of both breakpoints and the ISCN form, or ``None`` with the reason."""

    iscn: str | None
    band_5p: str | None  # e.g. '11q23.3'
    band_3p: str | None
    reason: str = ""


class Cytobands:
    """Band lookup on GRCh38: per chromosome, sorted band starts for a binary search."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self._by_chrom: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for chrom, df in table.groupby("chrom", sort=False):
            df = df.assign(start=df["start"].astype(int), end=df["end"].astype(int)).sort_values("start")
            self._by_chrom[strip_chr(str(chrom))] = (
                df["start"].to_numpy(np.int64),
                df["end"].to_numpy(np.int64),
                df["band"].to_numpy(str),
            )

    @classmethod
    def from_resources(cls, root: str | Path | None = None) -> Cytobands:
        return cls(read_resource_table(resources_dir(root) / CYTOBAND_FILE, CYTOBAND_COLUMNS))

    def band(self, chrom: str, pos: int) -> str | None:
        """The band (``q23.3``) holding a 1-based GRCh38 position, ``None`` off the table."""
        arrays = self._by_chrom.get(strip_chr(str(chrom)))
        if arrays is None:
            return None
        starts, ends, names = arrays
        i = int(np.searchsorted(starts, pos, side="right")) - 1
        if i < 0 or pos > ends[i]:
            return None
        return str(names[i])

    def locus(self, chrom: str, pos: int) -> str | None:
        """Chromosome and band (``11q23.3``)."""
        b = self.band(chrom, pos)
        return None if b is None else strip_chr(str(chrom)) + b


def _chrom_rank(chrom: str) -> tuple[int, int | str]:
    """ISCN order: sex chromosomes (X, then Y) before autosomes, autosomes in ascending number."""
    c = strip_chr(chrom)
    if c in ("X", "Y"):
        return (0, c)
    return (1, int(c)) if c.isdigit() else (2, c)


def rearrangement(event: Mapping) -> tuple[str | None, str]:
    """``t``, ``inv``, ``del`` or ``dup`` implied by the breakpoints and strands, or the reason."""
    c5, c3 = strip_chr(str(event["chrom_5p"])), strip_chr(str(event["chrom_3p"]))
    if c5 != c3:
        return "t", ""
    s5, s3 = str(event.get("strand_5p", ".")), str(event.get("strand_3p", "."))
    if s5 not in "+-" or s3 not in "+-" or not s5 or not s3:
        return None, "partner strand unknown: inversion, deletion or duplication cannot be told apart"
    if s5 != s3:
        return "inv", ""
    p5, p3 = int(event["pos_5p"]), int(event["pos_3p"])
    downstream = p3 > p5 if s5 == "+" else p3 < p5
    return ("del" if downstream else "dup"), ""


def cytogenetics(event: Mapping, bands: Cytobands, build: str | None) -> Cytogenetics:
    """Bands and ISCN form of one event (a row of fusions.tsv) on ``build``."""
    if not is_grch38(build):
        said = f"the genome build is {build}" if build else "the genome build is not stated"
        return Cytogenetics(None, None, None, f"bands are known for GRCh38 only; {said}")
    c5, c3 = str(event["chrom_5p"]), str(event["chrom_3p"])
    p5, p3 = int(event["pos_5p"]), int(event["pos_3p"])
    b5, b3 = bands.band(c5, p5), bands.band(c3, p3)
    l5 = None if b5 is None else strip_chr(c5) + b5
    l3 = None if b3 is None else strip_chr(c3) + b3
    if b5 is None or b3 is None:
        off = f"{c5}:{p5}" if b5 is None else f"{c3}:{p3}"
        return Cytogenetics(None, l5, l3, f"{off} lies on no GRCh38 band of {CYTOBAND_FILE}")
    kind, why = rearrangement(event)
    if kind is None:
        return Cytogenetics(None, l5, l3, why)
    if kind == "t":
        pair = sorted([(strip_chr(c5), b5), (strip_chr(c3), b3)], key=lambda x: _chrom_rank(x[0]))
        form = f"t({pair[0][0]};{pair[1][0]})({pair[0][1]};{pair[1][1]})"
    else:
        first, second = sorted([(p5, b5), (p3, b3)])
        form = f"{kind}({strip_chr(c5)})({first[1]}{second[1]})"
    return Cytogenetics(form, l5, l3, "")
