"""Exon/intron numbers of each fusion breakpoint on the partner gene's canonical transcript.

Exon numbers are only meaningful with the transcript they were counted on, so every side of every event
is mapped onto one documented transcript: the curated canonical (MANE Select) transcript of
``resources/canonical_transcripts.tsv`` matched by its Ensembl ID without version; when the GTF does not
have it, the GTF's ``MANE_Select`` tag, then its ``Ensembl_canonical`` tag. The longest transcript is
never used, because its numbering differs from the one clinical reports use.

Output columns (for ``5p`` and likewise ``3p``):

* ``transcript_5p`` -- the GTF's transcript ID (with version), '' when none was found;
* ``transcript_source_5p`` -- canonical_table | MANE_Select_tag | Ensembl_canonical | none;
* ``exon_5p`` / ``intron_5p`` -- pandas nullable ``Int64``: the exon the breakpoint lies on (boundary
  included), else the intron it lies in (intron k between exon k and k+1), NA when not applicable;
  both are numbered 5'->3' in transcript order (on the minus strand exon 1 has the highest coordinates);
* ``exon_boundary_5p`` -- nullable boolean: True when the breakpoint is exactly the exon end a splice
  junction uses (5' side: the exon's 3' end; 3' side: the exon's 5' start, in transcript direction);
* ``dist_to_exon_5p`` -- ``Int64``: 0 on an exon; otherwise the signed distance to the nearest exon
  boundary in transcript direction, HGVS-like: positive = downstream of an exon's 3' end (c.N+d),
  negative = upstream of an exon's 5' start (c.N-d). Also set before the first / after the last exon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allfuse.gtf import Annotation, strip_version
from allfuse.resources import Resources
from allfuse.tables import SIDES

SOURCE_TABLE = "canonical_table"
SOURCE_MANE = "MANE_Select_tag"
SOURCE_CANONICAL = "Ensembl_canonical"
SOURCE_NONE = "none"


@dataclass(frozen=True)
class Choice:
    """The transcript picked for one gene and why."""

    transcript_id: str
    source: str


@dataclass(frozen=True)
class Model:
    """Exons of one transcript in transcript order (5'->3')."""

    chrom: str
    strand: str
    starts: np.ndarray
    ends: np.ndarray


@dataclass(frozen=True)
class Location:
    """Where a breakpoint lies on a transcript."""

    exon: int | None
    intron: int | None
    boundary: bool | None
    dist: int | None


NO_LOCATION = Location(None, None, None, None)


# ---- transcript choice ---------------------------------------------------------------------------
def _gene_key(gene: object, gene_id: object, chrom: object, ann: Annotation) -> tuple[str, str, str]:
    """Key that identifies one gene lookup: symbol, version-less gene id, GTF contig name."""
    gid = strip_version(str(gene_id)) if isinstance(gene_id, str) and gene_id not in ("", ".") else ""
    return (str(gene), gid, ann.contig(str(chrom)))


@dataclass
class Candidates:
    """The GTF transcripts that can matter, indexed three ways for per-gene lookups."""

    by_base: dict[str, str]  # transcript_base -> transcript_id
    by_gene_id: dict[str, pd.DataFrame]  # version-less gene_id -> its transcripts
    by_name: dict[str, pd.DataFrame]  # gene_name -> its transcripts


def _candidates(keys: set[tuple[str, str, str]], ann: Annotation, res: Resources) -> Candidates:
    """Only the genes the events name: a real GTF has ~250k transcripts, the events a few genes."""
    bases = {strip_version(t) for g, _, _ in keys if (t := res.canonical_transcript(g))}
    names = {n for g, _, _ in keys for n in [g, *res.names_of(g)]}
    gids = {gid for _, gid, _ in keys if gid}
    tx = ann.transcripts
    hit = tx["transcript_base"].isin(bases) | tx["gene_name"].isin(names)
    if gids:
        hit |= tx["gene_id"].map(strip_version).isin(gids)
    cand = tx[hit]
    gid_base = cand["gene_id"].map(strip_version)
    return Candidates(
        by_base=dict(zip(cand["transcript_base"], cand["transcript_id"])),
        by_gene_id={str(k): g for k, g in cand.groupby(gid_base, sort=False)},
        by_name={str(k): g for k, g in cand.groupby("gene_name", sort=False)},
    )


def _gene_transcripts(key: tuple[str, str, str], cand: Candidates, res: Resources) -> pd.DataFrame | None:
    """Transcripts of the gene a caller named: by gene id when given, else by the first name found.

    The caller's own spelling is tried before the current symbol, because the caller took it from the
    same GTF; further names only help with GTFs older than the symbol.
    """
    gene, gid, contig = key
    if gid and gid in cand.by_gene_id:
        return cand.by_gene_id[gid]
    for name in [gene, *res.names_of(gene)]:
        by_name = cand.by_name.get(name)
        if by_name is not None:
            on_contig = by_name[by_name["chrom"] == contig]
            return on_contig if len(on_contig) else by_name
    return None


def choose_transcript(key: tuple[str, str, str], cand: Candidates, res: Resources) -> Choice:
    """Curated canonical ID first, then the GTF's MANE_Select tag, then Ensembl_canonical; never longest."""
    canonical = res.canonical_transcript(key[0])
    if canonical and strip_version(canonical) in cand.by_base:
        return Choice(cand.by_base[strip_version(canonical)], SOURCE_TABLE)
    tx = _gene_transcripts(key, cand, res)
    if tx is None:
        return Choice("", SOURCE_NONE)
    for column, source in (("mane_select", SOURCE_MANE), ("ensembl_canonical", SOURCE_CANONICAL)):
        tagged = tx[tx[column].astype(bool)]
        if len(tagged):
            return Choice(str(tagged["transcript_id"].iloc[0]), source)
    return Choice("", SOURCE_NONE)


def choose_transcripts(events: pd.DataFrame, ann: Annotation, res: Resources) -> dict[str, list[Choice]]:
    """Per side, the transcript choice for every event row (in row order)."""
    keys = {
        side: [
            _gene_key(g, i, c, ann)
            for g, i, c in zip(
                events[f"gene_{side}"],
                events.get(f"gene_id_{side}", pd.Series([""] * len(events), index=events.index)),
                events[f"chrom_{side}"],
            )
        ]
        for side in SIDES
    }
    unique = set(keys["5p"]) | set(keys["3p"])
    cand = _candidates(unique, ann, res)
    chosen = {key: choose_transcript(key, cand, res) for key in unique}
    return {side: [chosen[k] for k in keys[side]] for side in SIDES}


# ---- exon models ---------------------------------------------------------------------------------
def exon_models(ann: Annotation, transcript_ids: set[str]) -> dict[str, Model]:
    """Exons of the chosen transcripts, ordered 5'->3' (descending coordinates on the minus strand).

    Numbering comes from this order, not from the GTF's exon_number attribute, so GTFs that number
    exons by coordinate or omit the attribute still give transcript-order numbers.
    """
    ex = ann.exons[ann.exons["transcript_id"].isin(transcript_ids)]
    models: dict[str, Model] = {}
    for tid, grp in ex.groupby("transcript_id", sort=False):
        strand = str(grp["strand"].iloc[0])
        grp = grp.sort_values("start", ascending=(strand != "-"))
        models[str(tid)] = Model(
            str(grp["chrom"].iloc[0]),
            strand,
            grp["start"].to_numpy(dtype=np.int64),
            grp["end"].to_numpy(dtype=np.int64),
        )
    return models


def _transcript_space(model: Model) -> tuple[np.ndarray, np.ndarray, int]:
    """Exon starts/ends in a coordinate that grows 5'->3' (negated on the minus strand)."""
    if model.strand == "-":
        return -model.ends, -model.starts, -1
    return model.starts, model.ends, 1


def locate(pos: int, model: Model, side: str) -> Location:
    """Exon (boundary included) or intron of a 1-based position, with the splice-boundary flag."""
    starts, ends, sign = _transcript_space(model)
    t = sign * int(pos)
    on = np.flatnonzero((starts <= t) & (t <= ends))
    if len(on):
        k = int(on[0])
        # 5' partner keeps exons up to the junction (its 3' end); 3' partner starts at an exon's 5' start
        boundary = t == ends[k] if side == "5p" else t == starts[k]
        return Location(k + 1, None, bool(boundary), 0)
    if t < starts[0]:
        return Location(None, None, False, int(t - starts[0]))
    if t > ends[-1]:
        return Location(None, None, False, int(t - ends[-1]))
    k = int(np.flatnonzero(ends < t)[-1])  # exon k+1 (1-based) is the last exon upstream
    after_upstream = int(t - ends[k])
    before_downstream = int(starts[k + 1] - t)
    dist = after_upstream if after_upstream <= before_downstream else -before_downstream
    return Location(None, k + 1, False, dist)


def _locate_side(
    events: pd.DataFrame, side: str, choices: list[Choice], models: dict[str, Model], ann: Annotation
) -> list[Location]:
    out: list[Location] = []
    for choice, chrom, pos in zip(choices, events[f"chrom_{side}"], events[f"pos_{side}"]):
        model = models.get(choice.transcript_id)
        if model is None or pd.isna(pos) or ann.contig(str(chrom)) != model.chrom:
            out.append(NO_LOCATION)
        else:
            out.append(locate(int(pos), model, side))
    return out


def annotate_exons(events: pd.DataFrame, ann: Annotation, res: Resources) -> pd.DataFrame:
    """A copy of ``events`` with :data:`EXON_OUTPUT_COLUMNS` added (see the module docstring)."""
    out = events.copy()
    if out.empty:
        for side in SIDES:
            out[f"transcript_{side}"] = pd.Series(dtype=object)
            out[f"transcript_source_{side}"] = pd.Series(dtype=object)
            for col in ("exon", "intron", "dist_to_exon"):
                out[f"{col}_{side}"] = pd.Series(dtype="Int64")
            out[f"exon_boundary_{side}"] = pd.Series(dtype="boolean")
        return out
    choices = choose_transcripts(out, ann, res)
    wanted = {c.transcript_id for side in SIDES for c in choices[side] if c.transcript_id}
    models = exon_models(ann, wanted)
    for side in SIDES:
        locs = _locate_side(out, side, choices[side], models, ann)
        out[f"transcript_{side}"] = [c.transcript_id for c in choices[side]]
        out[f"transcript_source_{side}"] = [c.source for c in choices[side]]
        out[f"exon_{side}"] = pd.array([loc.exon for loc in locs], dtype="Int64")
        out[f"intron_{side}"] = pd.array([loc.intron for loc in locs], dtype="Int64")
        out[f"exon_boundary_{side}"] = pd.array([loc.boundary for loc in locs], dtype="boolean")
        out[f"dist_to_exon_{side}"] = pd.array([loc.dist for loc in locs], dtype="Int64")
    return out
