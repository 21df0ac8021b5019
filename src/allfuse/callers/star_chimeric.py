"""allfuse's own caller: a summary of STAR's ``Chimeric.out.junction``.

STAR writes one line per chimeric read; a fusion call is a breakpoint pair with its supporting
fragments. We group junction reads (junction_type >= 0) by breakpoint pair, attach spanning
fragments (junction_type -1, the junction lies between the mates) to the event of the same gene pair
whose breakpoints they are nearest to, name genes from the GTF and apply support thresholds.

Conventions of the file (checked on STAR 2.7.10b output): the donor column is the first intronic base
after the 5' segment, the acceptor column the last intronic base before the 3' segment, each on
the strand the read aligned to. In an unstranded library the read may be the reverse of the
transcript; the splice motif (type 1 = GT/AG, 2 = CT/AC) says which, and otherwise the strands of
the annotated genes do. We report breakpoints as exon boundaries: last base of the 5' partner,
first base of the 3' partner.

Every layout STAR writes is read: legacy 14 columns (``--chimMultimapNmax 0``), the multimapping
layout with 20/21 columns with or without a header line, with trailing ``#`` comment lines
(``--chimOutJunctionFormat 1``) or without, and gzipped files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from allfuse.calls import empty_calls, finish_calls
from allfuse.config import schema_default
from allfuse.errors import InputError
from allfuse.gtf import Annotation
from allfuse.io import open_text
from allfuse.tables import ORIG_PREFIX

#: STAR's documented column names; files before 2.7.2 have only the first 14 (or 16) of them.
JUNCTION_COLUMNS = [
    "chr_donorA",
    "brkpt_donorA",
    "strand_donorA",
    "chr_acceptorB",
    "brkpt_acceptorB",
    "strand_acceptorB",
    "junction_type",
    "repeat_left_lenA",
    "repeat_right_lenB",
    "read_name",
    "start_alnA",
    "cigar_alnA",
    "start_alnB",
    "cigar_alnB",
    "num_chim_aln",
    "max_poss_aln_score",
    "non_chim_aln_score",
    "this_chim_aln_score",
    "bestall_chim_aln_score",
    "PEmerged_bool",
    "readgrp",
]
FLIP = {"+": "-", "-": "+"}


@dataclass(frozen=True)
class Thresholds:
    """Minimum support for a call; a single chimeric fragment is noise, not a fusion. The defaults
    are the config schema's (``star_chimeric:``)."""

    min_junction_reads: int = field(
        default_factory=lambda: schema_default("star_chimeric", "min_junction_reads")
    )
    min_total_support: int = field(  # junction reads + spanning fragments
        default_factory=lambda: schema_default("star_chimeric", "min_total_support")
    )


def read_junctions(path: str | Path) -> pd.DataFrame:
    """Every chimeric record of a Chimeric.out.junction file, with STAR's column names.

    Comment lines and the header line are skipped; an empty file gives an empty frame.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    rows: list[list[str]] = []
    ncol = 0
    with open_text(path, "STAR Chimeric.out.junction") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.startswith(("#", "chr_donorA")) or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 14:
                raise InputError(
                    f"{path}: line {lineno} has {len(fields)} columns, a STAR Chimeric.out.junction has 14 or more"
                )
            if not (fields[1].isdigit() and fields[4].isdigit() and fields[2] in "+-" and fields[5] in "+-"):
                raise InputError(f"{path}: line {lineno} is not a STAR chimeric junction record")
            ncol = max(ncol, len(fields))
            rows.append(fields)
    ncol = min(max(ncol, 14), len(JUNCTION_COLUMNS))
    df = pd.DataFrame([r[:ncol] + [""] * (ncol - len(r)) for r in rows], columns=JUNCTION_COLUMNS[:ncol])
    for col in ("brkpt_donorA", "brkpt_acceptorB", "junction_type"):
        df[col] = pd.to_numeric(df[col]).astype("int64") if len(df) else pd.Series(dtype="int64")
    return df


class GeneNamer:
    """Names the gene at a position, preferring genes on the given strand; remembers answers.

    Chimeric reads pile up on a few positions, so a cache turns tens of thousands of lookups into
    a few hundred.
    """

    def __init__(self, ann: Annotation | None) -> None:
        self.ann = ann
        self.cache: dict[tuple[str, int, str], tuple[str, str, bool]] = {}

    def __call__(self, chrom: str, pos: int, strand: str) -> tuple[str, str, bool]:
        """(gene name, gene id, found on this strand)."""
        key = (chrom, int(pos), strand)
        if key not in self.cache:
            self.cache[key] = self._lookup(*key)
        return self.cache[key]

    def _lookup(self, chrom: str, pos: int, strand: str) -> tuple[str, str, bool]:
        if self.ann is None:
            return ".", ".", False
        genes = self.ann.genes
        for rows, same_strand in (
            (self.ann.gene_rows(chrom, pos, strand), True),
            (self.ann.gene_rows(chrom, pos), False),
        ):
            if len(rows):
                return str(genes.at[rows[0], "gene_name"]), str(genes.at[rows[0], "gene_id"]), same_strand
        return "intergenic", ".", False


def _sense(row, gene: GeneNamer) -> tuple[str, int, str, str, int, str]:
    """The record in transcript direction: (chrom5, donor, strand5, chrom3, acceptor, strand3)."""
    as_is = (
        row.chr_donorA,
        row.brkpt_donorA,
        row.strand_donorA,
        row.chr_acceptorB,
        row.brkpt_acceptorB,
        row.strand_acceptorB,
    )
    flipped = (
        row.chr_acceptorB,
        row.brkpt_acceptorB,
        FLIP[row.strand_acceptorB],
        row.chr_donorA,
        row.brkpt_donorA,
        FLIP[row.strand_donorA],
    )
    if row.junction_type == 1:
        return as_is
    if row.junction_type == 2:
        return flipped

    def score(view: tuple) -> int:
        return int(gene(view[0], view[1], view[2])[2]) + int(gene(view[3], view[4], view[5])[2])

    return flipped if score(flipped) > score(as_is) else as_is


def summarise(
    junctions: pd.DataFrame, ann: Annotation | None, sample: str, thresholds: Thresholds
) -> pd.DataFrame:
    """Group chimeric reads into breakpoint-pair calls in the declared calls schema."""
    if junctions.empty:
        return _with_orig(empty_calls())
    gene = GeneNamer(ann)
    sense = pd.DataFrame(
        [_sense(r, gene) for r in junctions.itertuples(index=False)],
        columns=["chrom_5p", "donor", "strand_5p", "chrom_3p", "acceptor", "strand_3p"],
    )
    reads = pd.concat([junctions.reset_index(drop=True), sense], axis=1)
    reads["pos_5p"] = reads["donor"] + reads["strand_5p"].map({"+": -1, "-": 1})
    reads["pos_3p"] = reads["acceptor"] + reads["strand_3p"].map({"+": 1, "-": -1})
    split = reads[reads["junction_type"] >= 0]
    spanning = reads[reads["junction_type"] < 0]
    key = ["chrom_5p", "pos_5p", "strand_5p", "chrom_3p", "pos_3p", "strand_3p"]
    if split.empty:
        return _with_orig(empty_calls())
    calls = (
        split.groupby(key, sort=False)
        .agg(
            junction_reads=("read_name", "nunique"),
            orig_junction_type=("junction_type", "first"),
            orig_repeat_left_lenA=("repeat_left_lenA", "first"),
            orig_repeat_right_lenB=("repeat_right_lenB", "first"),
            orig_junction_read_names=("read_name", lambda s: ",".join(sorted(set(s)))),
        )
        .reset_index()
    )
    genes5 = [gene(c, p, s) for c, p, s in zip(calls.chrom_5p, calls.pos_5p, calls.strand_5p, strict=True)]
    genes3 = [gene(c, p, s) for c, p, s in zip(calls.chrom_3p, calls.pos_3p, calls.strand_3p, strict=True)]
    calls["gene_5p"], calls["gene_id_5p"] = [g[0] for g in genes5], [g[1] for g in genes5]
    calls["gene_3p"], calls["gene_id_3p"] = [g[0] for g in genes3], [g[1] for g in genes3]
    calls["spanning_frags"] = 0
    calls["orig_spanning_read_names"] = ""
    _attach_spanning(calls, spanning, gene)
    calls["site_5p"] = calls["site_3p"] = "splice-site"
    calls.loc[calls["orig_junction_type"] == 0, ["site_5p", "site_3p"]] = "non-canonical"
    keep = (calls["junction_reads"] >= thresholds.min_junction_reads) & (
        calls["junction_reads"] + calls["spanning_frags"] >= thresholds.min_total_support
    )
    calls = calls[keep].sort_values(["junction_reads", "spanning_frags"], ascending=False)
    return finish_calls(calls, sample, "star_chimeric")


def _attach_spanning(calls: pd.DataFrame, spanning: pd.DataFrame, gene: GeneNamer) -> None:
    """Give each spanning fragment to the nearest split-read event of the same genes and strands."""
    side = ["chrom_5p", "strand_5p", "gene_5p", "chrom_3p", "strand_3p", "gene_3p"]
    groups = {
        key: (df.index.to_numpy(), df["pos_5p"].to_numpy(), df["pos_3p"].to_numpy())
        for key, df in calls.groupby(side, sort=False)
    }
    names: dict[int, set[str]] = {}
    for r in spanning.itertuples(index=False):
        key = (
            r.chrom_5p,
            r.strand_5p,
            gene(r.chrom_5p, r.donor, r.strand_5p)[0],
            r.chrom_3p,
            r.strand_3p,
            gene(r.chrom_3p, r.acceptor, r.strand_3p)[0],
        )
        same = groups.get(key)
        if same is None:
            continue
        rows, pos5, pos3 = same
        nearest = rows[np.argmin(np.abs(pos5 - r.donor) + np.abs(pos3 - r.acceptor))]
        names.setdefault(int(nearest), set()).add(r.read_name)
    for idx, reads in names.items():
        calls.loc[idx, "spanning_frags"] = len(reads)
        calls.loc[idx, "orig_spanning_read_names"] = ",".join(sorted(reads))


def _with_orig(df: pd.DataFrame) -> pd.DataFrame:
    for col in (
        "junction_type",
        "repeat_left_lenA",
        "repeat_right_lenB",
        "junction_read_names",
        "spanning_read_names",
    ):
        df[ORIG_PREFIX + col] = pd.Series(dtype="object")
    return df


def parse(path: str | Path, sample: str, gtf: Annotation | None = None, thresholds: Thresholds | None = None):
    """Calls from one Chimeric.out.junction file (the common parser signature, plus the GTF)."""
    return summarise(read_junctions(path), gtf, sample, thresholds or Thresholds())
