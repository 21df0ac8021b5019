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
from allfuse.schema import CALLER_CHOICE_COLUMNS, FUSION_COLUMNS

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
    calls["_placed"] = calls["pos_5p"] > 0
    # Plain records: a caller can report thousands of calls and pandas row access is slow.
    order = calls.sort_values(["_placed", "_support"], ascending=False, kind="stable").to_dict("records")

    events: list[list[dict]] = []
    by_contigs: dict[tuple[str, str], list[int]] = {}  # placed events by contig pair
    by_pair: dict[str, int] = {}  # first event of each gene pair, for calls without breakpoints
    for call in order:
        target = None
        if call["_placed"]:
            for n in by_contigs.get((call["_c5"], call["_c3"]), []):
                if _same_breakpoints(call, events[n][0], settings.max_distance):
                    target = n
                    break
        else:
            target = by_pair.get(call["_pair"])
        if target is None:
            events.append([call])
            target = len(events) - 1
            if call["_placed"]:
                by_contigs.setdefault((call["_c5"], call["_c3"]), []).append(target)
        else:
            events[target].append(call)
        by_pair.setdefault(call["_pair"], target)

    spelling = {} if ann is None else {n.upper(): n for n in ann.genes["gene_name"]}
    rows = [_event_row(members, sample, spelling) for members in events]
    out = pd.DataFrame(rows)
    out = out.sort_values(["n_callers", "_support"], ascending=False).reset_index(drop=True)
    out["event_id"] = [f"{sample}.E{i + 1}" for i in range(len(out))]
    out["reciprocal_of"] = _reciprocals(out)
    out["read_through"] = [_is_read_through(r, ann) for r in out.itertuples(index=False)]
    return out[FUSION_COLUMNS]


def _same_breakpoints(call: dict, rep: dict, max_distance: int) -> bool:
    return (
        _strands_agree(call["strand_5p"], rep["strand_5p"])
        and _strands_agree(call["strand_3p"], rep["strand_3p"])
        and abs(call["pos_5p"] - rep["pos_5p"]) <= max_distance
        and abs(call["pos_3p"] - rep["pos_3p"]) <= max_distance
    )


def _event_row(members: list[dict], sample: str, spelling: dict[str, str]) -> dict:
    """Breakpoints from the event's first (best-supported placed) call; support summed per caller.

    A caller may report one junction as two calls a few bases apart (a junction slid along
    microhomology, reads split between two alignments); the event gets the reads of both, so each
    caller's counts are summed over its distinct breakpoint pairs in the event. A breakpoint pair a
    caller lists twice (overlapping genes named two ways, the same reads) counts once, with its best
    row. The event's ``junction_reads``/``spanning_frags`` are the best caller's sums. Gene symbols
    are spelled as the GTF spells them, whichever caller's spelling came first.
    """
    rep = members[0]
    gene_5p = spelling.get(rep["gene_5p"].upper(), rep["gene_5p"])
    gene_3p = spelling.get(rep["gene_3p"].upper(), rep["gene_3p"])
    distinct: dict[str, dict[tuple, dict]] = {}
    for m in sorted(members, key=lambda m: -m["_support"]):
        key = (m["_c5"], m["pos_5p"], m["strand_5p"], m["_c3"], m["pos_3p"], m["strand_3p"])
        distinct.setdefault(m["caller"], {}).setdefault(key, m)
    summed = {
        c: (
            sum(int(m["junction_reads"]) for m in calls.values()),
            sum(int(m["spanning_frags"]) for m in calls.values()),
        )
        for c, calls in distinct.items()
    }
    order = sorted(summed, key=lambda c: -sum(summed[c]))  # stable: ties keep the best single call first
    best = {c: next(iter(distinct[c].values())) for c in order}
    support = ";".join(f"{c}:{summed[c][0]}+{summed[c][1]}" for c in order)
    top = summed[order[0]]
    callers = sorted(best)
    gene_id = {
        k: next((m[k] for m in members if m[k] not in (".", "")), ".") for k in ("gene_id_5p", "gene_id_3p")
    }
    # Each caller's own transcript/exon choice stays beside the canonical numbering added later.
    own = {
        col: ";".join(
            f"{c}:{m[col]}" for c, m in best.items() if str(m.get(col, ".")) not in (".", "", "nan")
        )
        or "."
        for col in CALLER_CHOICE_COLUMNS
    }
    return {
        **own,
        "sample": sample,
        "event_id": "",
        "fusion": f"{gene_5p}::{gene_3p}",
        "gene_5p": gene_5p,
        "gene_3p": gene_3p,
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
        "junction_reads": top[0],
        "spanning_frags": top[1],
        "support": support,
        "reciprocal_of": ".",
        "read_through": False,
        "_support": sum(top),
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
