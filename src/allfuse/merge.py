"""Merge calls of several callers into fusion events at breakpoint level.

Tools that merge by gene-pair name collapse two different breakpoints of one gene pair into one
fusion and split one fusion in two when callers spell a symbol differently. We join calls when
their 5' breakpoints and their 3' breakpoints each agree within ``max_distance`` bases, on the same
contigs (``22`` and ``chr22`` are one contig) and in the same 5'->3' orientation. Calls a caller
could not place on the genome (pizzly's flat table without a GTF) join an event of the same gene
pair, compared case-insensitively. A reciprocal event (B::A beside A::B) is linked, not merged.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from allfuse.gtf import Annotation, strip_chr
from allfuse.schema import FUSION_COLUMNS

#: Genes closer than this on one strand, joined 5' upstream to 3' downstream, are a read-through.
READ_THROUGH_DISTANCE = 200_000


@dataclass(frozen=True)
class MergeSettings:
    max_distance: int = 10  # bases; callers differ by a few bases at ambiguous (repeat) junctions


def _strands_agree(a: str, b: str) -> bool:
    return a == b or "." in (a, b)


def _contig_key(ann: Annotation | None, chrom: str) -> str:
    return ann.contig(chrom) if ann is not None else strip_chr(chrom)


def merge_calls(
    calls: pd.DataFrame, sample: str, ann: Annotation | None = None, settings: MergeSettings | None = None
) -> pd.DataFrame:
    """One row per fusion event, in the declared FUSION_COLUMNS."""
    settings = settings or MergeSettings()
    if calls.empty:
        return pd.DataFrame(columns=FUSION_COLUMNS)
    calls = calls.copy()
    calls["_c5"] = [_contig_key(ann, c) if c != "." else "." for c in calls["chrom_5p"]]
    calls["_c3"] = [_contig_key(ann, c) if c != "." else "." for c in calls["chrom_3p"]]
    calls["_pair"] = calls["gene_5p"].str.upper() + "::" + calls["gene_3p"].str.upper()
    calls["_support"] = calls["junction_reads"] + calls["spanning_frags"]
    placed = calls["pos_5p"] > 0
    order = calls.assign(_placed=placed).sort_values(["_placed", "_support"], ascending=False)

    events: list[list[int]] = []
    reps: list[pd.Series] = []
    for idx, call in order.iterrows():
        target = None
        for n, rep in enumerate(reps):
            if call["pos_5p"] > 0:
                if (
                    rep["pos_5p"] > 0
                    and call["_c5"] == rep["_c5"]
                    and call["_c3"] == rep["_c3"]
                    and _strands_agree(call["strand_5p"], rep["strand_5p"])
                    and _strands_agree(call["strand_3p"], rep["strand_3p"])
                    and abs(call["pos_5p"] - rep["pos_5p"]) <= settings.max_distance
                    and abs(call["pos_3p"] - rep["pos_3p"]) <= settings.max_distance
                ):
                    target = n
                    break
            elif call["_pair"] == rep["_pair"]:
                target = n
                break
        if target is None:
            events.append([idx])
            reps.append(call)
        else:
            events[target].append(idx)

    rows = [_event_row(calls.loc[members], rep, sample) for members, rep in zip(events, reps, strict=True)]
    out = pd.DataFrame(rows)
    out = out.sort_values(["n_callers", "_support"], ascending=False).reset_index(drop=True)
    out["event_id"] = [f"{sample}.E{i + 1}" for i in range(len(out))]
    out["reciprocal_of"] = _reciprocals(out)
    out["read_through"] = [_is_read_through(r, ann) for r in out.itertuples(index=False)]
    return out[FUSION_COLUMNS]


def _event_row(members: pd.DataFrame, rep: pd.Series, sample: str) -> dict:
    """Breakpoints from the best-supported placed call; support is the best of each caller."""
    best = members.sort_values("_support", ascending=False).groupby("caller", sort=False).head(1)
    support = ";".join(
        f"{r.caller}:{r.junction_reads}+{r.spanning_frags}" for r in best.itertuples(index=False)
    )
    top = best.iloc[0]
    callers = sorted(members["caller"].unique())
    gene_id = {
        k: next((v for v in members[k] if v not in (".", "")), ".") for k in ("gene_id_5p", "gene_id_3p")
    }
    return {
        "sample": sample,
        "event_id": "",
        "fusion": f"{rep['gene_5p']}::{rep['gene_3p']}",
        "gene_5p": rep["gene_5p"],
        "gene_3p": rep["gene_3p"],
        "gene_id_5p": gene_id["gene_id_5p"],
        "gene_id_3p": gene_id["gene_id_3p"],
        "chrom_5p": rep["chrom_5p"],
        "pos_5p": int(rep["pos_5p"]),
        "strand_5p": rep["strand_5p"],
        "chrom_3p": rep["chrom_3p"],
        "pos_3p": int(rep["pos_3p"]),
        "strand_3p": rep["strand_3p"],
        "callers": ",".join(callers),
        "n_callers": len(callers),
        "junction_reads": int(top["junction_reads"]),
        "spanning_frags": int(top["spanning_frags"]),
        "support": support,
        "reciprocal_of": ".",
        "read_through": False,
        "_support": int(top["_support"]),
    }


def _reciprocals(events: pd.DataFrame) -> list[str]:
    """For each A::B event, the id of the best-supported B::A event of the same sample, if any."""
    by_pair: dict[str, str] = {}
    for r in events.itertuples(index=False):
        by_pair.setdefault(f"{r.gene_5p.upper()}::{r.gene_3p.upper()}", r.event_id)
    out = []
    for r in events.itertuples(index=False):
        rev = f"{r.gene_3p.upper()}::{r.gene_5p.upper()}"
        out.append(by_pair.get(rev, ".") if r.gene_5p.upper() != r.gene_3p.upper() else ".")
    return out


def _is_read_through(ev, ann: Annotation | None) -> bool:
    """Neighbouring genes on one strand, joined in transcription order: transcription read-through."""
    if ev.gene_5p.upper() == ev.gene_3p.upper() or ev.pos_5p <= 0:
        return False
    if (
        strip_chr(ev.chrom_5p) != strip_chr(ev.chrom_3p)
        or ev.strand_5p != ev.strand_3p
        or ev.strand_5p == "."
    ):
        return False
    downstream = ev.pos_3p > ev.pos_5p if ev.strand_5p == "+" else ev.pos_3p < ev.pos_5p
    if not downstream or abs(ev.pos_3p - ev.pos_5p) > READ_THROUGH_DISTANCE:
        return False
    if ann is None:
        return True
    # Only a read-through if no other gene on that strand lies wholly between the two.
    lo, hi = sorted((ev.pos_5p, ev.pos_3p))
    g = ann.genes
    between = g[
        (g["chrom"] == ann.contig(ev.chrom_5p))
        & (g["strand"] == ev.strand_5p)
        & (g["start"] > lo)
        & (g["end"] < hi)
        & ~g["gene_name"].str.upper().isin([ev.gene_5p.upper(), ev.gene_3p.upper()])
    ]
    return between.empty
