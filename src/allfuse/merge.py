"""Merge calls of several callers into fusion events at breakpoint level.

Tools that merge by gene-pair name collapse two different breakpoints of one gene pair into one
fusion and split one fusion in two when callers spell a symbol differently. We join calls when
their 5' breakpoints and their 3' breakpoints each agree within ``max_distance`` bases, on the same
contigs (``22`` and ``chr22`` are one contig) and in the same 5'->3' orientation. Calls a caller
could not place on the genome (pizzly's flat table without a GTF) join an event of the same gene
pair, compared case-insensitively. A reciprocal event (B::A beside A::B) is linked, not merged.

Each event keeps the evidence Arriba and STAR-Fusion give of their own (``CALLER_EVIDENCE``) and
gets one confidence ``tier`` from its callers together, by the first matching rule of
``resources/confidence_tiers.tsv`` (:func:`event_tiers`). The tier is shown, never decided on: no
status, group or subtype depends on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allfuse.config import schema_default
from allfuse.errors import InputError
from allfuse.gtf import Annotation, strip_chr
from allfuse.resources import read_resource_table, resources_dir
from allfuse.tables import CALLER_CHOICE_COLUMNS, CALLER_EVIDENCE, EVENT_COLUMNS, TIERS

#: Genes closer than this on one strand, joined 5' upstream to 3' downstream, are a read-through.
READ_THROUGH_DISTANCE = 200_000


@dataclass(frozen=True)
class MergeSettings:
    #: bases; callers differ by a few bases at ambiguous (repeat) junctions (default: the config schema's)
    max_distance: int = field(default_factory=lambda: schema_default("merge", "max_distance"))


def _strands_agree(a: str, b: str) -> bool:
    return a == b or "." in (a, b)


def _contig_key(ann: Annotation | None, chrom: str) -> str:
    return ann.contig(chrom) if ann is not None else strip_chr(chrom)


def merge_calls(
    calls: pd.DataFrame,
    sample: str,
    ann: Annotation | None = None,
    settings: MergeSettings | None = None,
    tiers: list[TierRule] | None = None,
) -> pd.DataFrame:
    """One row per fusion event, in the declared EVENT_COLUMNS (``tiers``: the shipped rules if None)."""
    settings = settings or MergeSettings()
    if calls.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
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
    out["tier"] = event_tiers(out, tiers if tiers is not None else load_tier_rules())
    return out[EVENT_COLUMNS]


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
        **{col: _evidence(best.get(caller), source) for col, (caller, source) in CALLER_EVIDENCE.items()},
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


def _evidence(call: dict | None, column: str) -> str:
    """One caller's own value for the event ('.' when that caller did not call it or left it empty)."""
    value = None if call is None else call.get(column)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "."
    text = str(value).strip()
    return text if text else "."


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


# ---- confidence tier ------------------------------------------------------------------------------
TIER_TABLE = "confidence_tiers.tsv"
TIER_COLUMNS = ["rule_id", "tier", "n_callers", "fragments", "arriba_confidence", "rationale", "source"]
_COUNT = re.compile(r"^(>=|<=|>|<|=)?(\d+)$")
_COMPARE = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "=": lambda a, b: a == b,
}


@dataclass(frozen=True)
class Count:
    """A count condition of a tier rule: '*' (any), 'N', '>=N', '>N', '<=N' or '<N'."""

    op: str | None  # None: any count
    value: int = 0

    @classmethod
    def parse(cls, text: str) -> Count | None:
        text = text.strip()
        if text == "*":
            return cls(None)
        m = _COUNT.match(text.replace(" ", ""))
        return cls(m.group(1) or "=", int(m.group(2))) if m else None

    def holds(self, n: int) -> bool:
        return self.op is None or _COMPARE[self.op](n, self.value)


@dataclass(frozen=True)
class TierRule:
    """One row of confidence_tiers.tsv: the tier of an event that meets every condition."""

    rule_id: str
    tier: str
    n_callers: Count
    fragments: Count  # the event's junction_reads + spanning_frags (its best caller's)
    #: Arriba's own confidence ('.': Arriba did not call the event); None: any.
    arriba_confidence: frozenset[str] | None

    def matches(self, n_callers: int, fragments: int, arriba_confidence: str) -> bool:
        return (
            self.n_callers.holds(n_callers)
            and self.fragments.holds(fragments)
            and (self.arriba_confidence is None or arriba_confidence in self.arriba_confidence)
        )


def load_tier_rules(root: str | Path | None = None) -> list[TierRule]:
    """The tier rules in file order (the first matching rule decides); InputError naming the file,
    the rule and the column for a bad cell, or when the last rule is not a catch-all ('*' everywhere)."""
    path = resources_dir(root) / TIER_TABLE
    table = read_resource_table(path, TIER_COLUMNS)
    rules = []
    for r in table.itertuples(index=False):
        where = f"{path}: rule {r.rule_id!r}"
        if r.tier not in TIERS:
            raise InputError(f"{where}: tier {r.tier!r} is not one of {', '.join(TIERS)}")
        counts = {}
        for column in ("n_callers", "fragments"):
            counts[column] = Count.parse(getattr(r, column))
            if counts[column] is None:
                raise InputError(
                    f"{where}: {column} {getattr(r, column)!r} is not '*', N, >=N, >N, <=N or <N"
                )
        conf = r.arriba_confidence.strip()
        if not conf:
            raise InputError(f"{where}: arriba_confidence is empty (use '*' for any)")
        wanted = None if conf == "*" else frozenset(v.strip().lower() for v in conf.split("|"))
        rules.append(TierRule(r.rule_id, r.tier, counts["n_callers"], counts["fragments"], wanted))
    last = rules[-1] if rules else None
    if last is None or (last.n_callers.op, last.fragments.op, last.arriba_confidence) != (None, None, None):
        raise InputError(f"{path}: the last rule must match every event ('*' in every condition)")
    return rules


def tier_of(n_callers: int, fragments: int, arriba_confidence: str, rules: list[TierRule]) -> str:
    """The tier of the first rule an event meets (the last rule meets every event)."""
    conf = arriba_confidence.strip().lower() if isinstance(arriba_confidence, str) else "."
    return next(r.tier for r in rules if r.matches(n_callers, fragments, conf or "."))


def event_tiers(events: pd.DataFrame, rules: list[TierRule]) -> list[str]:
    """Per event (in order): its tier from n_callers, junction_reads + spanning_frags and
    arriba_confidence ('.' when the table lacks that column)."""
    conf = (
        events["arriba_confidence"] if "arriba_confidence" in events else pd.Series(".", index=events.index)
    )
    return [
        tier_of(int(n), int(j) + int(s), str(c), rules)
        for n, j, s, c in zip(
            events["n_callers"], events["junction_reads"], events["spanning_frags"], conf, strict=True
        )
    ]
