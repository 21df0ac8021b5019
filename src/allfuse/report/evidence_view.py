"""The evidence and confirmation-assay sections of a sample page, from evidence.json and primers.tsv.

Both files are written by other steps (allfuse.evidence, allfuse.cytoband, allfuse.primers); the page
only lays them out. Each defining fusion gets its entry by ``event_id`` (by fusion name and role when
the ID does not match), and where a file or an entry is missing the section says so with the reason,
never an empty box that could read as "no evidence".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from allfuse.evidence import CHIMERIC_RESIDUE, JUNCTION_MARK

#: Split-read alignment lines shown per fusion (the reads are all named in the list below them).
MAX_ALIGNMENT_READS = 20
#: The page's role names -> the role evidence.json and primers.tsv write.
ROLE_IN_FILES = {
    "driver": "driver",
    "reciprocal product": "reciprocal",
    "other defining fusion": "other defining",
}
SPECIFICITY_NOTE = (
    "Genome-wide specificity of these primers is not checked here (no BLAST or in-silico PCR): the "
    "laboratory's own primer check still applies."
)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


@dataclass(frozen=True)
class Marked:
    """A sequence split at its junction mark, for the template to colour the two partners."""

    left: str
    mark: str
    right: str

    @property
    def plain(self) -> str:
        return self.left + self.mark + self.right


def split_at_mark(seq: str) -> Marked:
    """'ACG|TTA' -> (ACG, |, TTA); 'MKV[L]SP' -> (MKV, [L], SP); no mark -> everything left."""
    if JUNCTION_MARK in seq:
        left, _, right = seq.partition(JUNCTION_MARK)
        return Marked(left, JUNCTION_MARK, right)
    m = re.search(re.escape(CHIMERIC_RESIDUE[0]) + r"(.)" + re.escape(CHIMERIC_RESIDUE[1]), seq)
    if m:
        return Marked(seq[: m.start()], m.group(0), seq[m.end() :])
    return Marked(seq, "", "")


#: reference.build values that name no build (the config schema's default is 'unspecified').
UNSTATED_BUILDS = ("", "unspecified")


def build_stated(build: str) -> bool:
    return build not in UNSTATED_BUILDS


def genomic_position(breakpoint: str, build: str) -> str:
    """'chr11:118482495' on GRCh38 -> 'GRCh38 chr11:118,482,495' (the build said, or that it is not)."""
    chrom, _, pos = breakpoint.rpartition(":")
    shown = f"{chrom}:{int(pos):,}" if chrom and pos.isdigit() else breakpoint
    return f"{build} {shown}" if build_stated(build) else f"{shown} (genome build not stated)"


def find_entry(entries: list[dict], event_id: str, fusion: str, role: str) -> dict | None:
    """The evidence.json entry of one defining fusion: by event ID, else by fusion and role."""
    for e in entries:
        if event_id and _text(e.get("event_id")) == event_id:
            return e
    want = ROLE_IN_FILES.get(role, role)
    for e in entries:
        if _text(e.get("fusion")) == fusion and _text(e.get("role")) in (want, ""):
            return e
    return None


def _peptide(ev: dict) -> dict:
    pep = ev.get("peptide")
    if not pep:
        return {"available": False, "reason": _text(ev.get("peptide_reason")) or "not given"}
    codons, nt = pep.get("stop_after_junction_codons"), pep.get("stop_after_junction_nt")
    stop = ""
    if codons is not None:
        stop = (
            f"the first stop codon after the junction is {codons} codon{'s' if codons != 1 else ''} "
            f"into the 3\u2032 partner ({nt} nt after the junction)"
        )
    elif _text(pep.get("frame")) != "in-frame":
        stop = "no stop codon before the end of the fused transcript"
    return {
        "available": True,
        "frame": _text(pep.get("frame")),
        "window": split_at_mark(_text(pep.get("window"))),
        "junction_residue": _text(pep.get("junction_residue")),
        "chimeric_codon": bool(pep.get("chimeric_codon")),
        "length": len(_text(pep.get("protein")).rstrip("*")),
        "stop": stop,
    }


def _reads(ev: dict) -> dict:
    reads = ev.get("reads")
    if reads is None:
        return {"available": False, "reason": _text(ev.get("reads_reason")) or "not given"}
    split = sorted({_text(r.get("name")) for r in reads.get("split", [])} | set(reads.get("split_names", [])))
    spanning = sorted(set(reads.get("spanning", [])) - set(split))
    lines = list(ev.get("alignment") or [])
    return {
        "available": True,
        "split": split,
        "spanning": spanning,
        "alignment": lines[: MAX_ALIGNMENT_READS + 1],
        "alignment_more": max(len(lines) - 1 - MAX_ALIGNMENT_READS, 0),
    }


#: Callers' own evidence as evidence.json carries it: caller -> label, (key, label) pairs.
CALLER_OWN = {
    "arriba": (
        "Arriba",
        (("confidence", "confidence"), ("filters", "filters"), ("fusion_transcript", "fused transcript")),
    ),
    "starfusion": ("STAR-Fusion", (("ffpm", "FFPM"),)),
}


def _callers(entry: dict) -> list[dict]:
    out = []
    for caller, values in (entry.get("callers") or {}).items():
        label, keys = CALLER_OWN.get(caller, (caller, tuple((k, k.replace("_", " ")) for k in values)))
        out.append(
            {
                "caller": caller,
                "label": label,
                "values": [
                    {"key": k, "name": name, "value": _text(values.get(k)) or "not given"}
                    for k, name in keys
                    if k in values
                ],
            }
        )
    return out


def evidence_view(evidence: dict | None, why_absent: str, fusion: dict) -> dict:
    """What the Evidence section shows for one defining fusion (``fusion``: the page's summary)."""
    if evidence is None:
        return {"available": False, "reason": why_absent}
    entry = find_entry(evidence.get("fusions") or [], fusion["event_id"], fusion["fusion"], fusion["role"])
    if entry is None:
        return {"available": False, "reason": f"evidence.json has no entry for {fusion['fusion']}"}
    build = _text(entry.get("build") or evidence.get("build"))
    cyto = entry.get("cytogenetics") or {}
    ev = entry.get("evidence") or {}
    fused = ev.get("fused")
    return {
        "available": True,
        "build": build,
        "breakpoint_5p": genomic_position(_text(entry.get("breakpoint_5p")), build),
        "breakpoint_3p": genomic_position(_text(entry.get("breakpoint_3p")), build),
        "iscn": _text(cyto.get("iscn")),
        "bands": " / ".join(b for b in (_text(cyto.get("band_5p")), _text(cyto.get("band_3p"))) if b),
        "cyto_reason": _text(cyto.get("reason")),
        "window": split_at_mark(_text(fused.get("window"))) if fused else None,
        "flank": fused.get("flank", 30) if fused else 0,
        "fused_reason": _text(ev.get("fused_reason")) or "not given",
        "transcripts": f"{fused['transcript_5p']} :: {fused['transcript_3p']}" if fused else "",
        "peptide": _peptide(ev),
        "reads": _reads(ev),
        "callers": _callers(entry),
    }


def _num(value: object, digits: int = 1) -> str:
    text = _text(value)
    try:
        return f"{float(text):.{digits}f}"
    except ValueError:
        return text


def primer_view(primers: pd.DataFrame | None, why_absent: str, fusion: dict) -> dict:
    """What the Confirmation assay section shows for one defining fusion."""
    if primers is None:
        return {"available": False, "reason": why_absent}
    rows = (
        primers[primers["event_id"].astype(str) == fusion["event_id"]] if fusion["event_id"] else primers[:0]
    )
    if rows.empty:
        role = ROLE_IN_FILES.get(fusion["role"], fusion["role"])
        rows = primers[(primers["fusion"] == fusion["fusion"]) & (primers["role"] == role)]
    if rows.empty:
        return {"available": False, "reason": f"primers.tsv has no row for {fusion['fusion']}"}
    r = {k: _text(v) for k, v in rows.iloc[0].items()}
    if not r.get("forward"):
        return {"available": True, "designed": False, "reason": r.get("reason") or "no reason given"}
    size = _text(r.get("product_size"))
    return {
        "available": True,
        "designed": True,
        "forward": r["forward"],
        "reverse": r["reverse"],
        "forward_tm": _num(r["forward_tm"]),
        "reverse_tm": _num(r["reverse_tm"]),
        "forward_gc": _num(r["forward_gc"]),
        "reverse_gc": _num(r["reverse_gc"]),
        "product_size": str(int(float(size))) if size else "",
        "forward_exon": _exon_words(r["forward_exon"], fusion),
        "reverse_exon": _exon_words(r["reverse_exon"], fusion),
        "amplicon": split_at_mark(r["amplicon"]),
        "placement": r["placement"],
        "reason": r.get("reason", ""),
    }


def _exon_words(where: str, fusion: dict) -> str:
    """primers.py's '5p exon 9' -> 'KMT2A exon 9' (the partner named, as everywhere on the page)."""
    side, _, rest = where.partition(" ")
    gene = {"5p": fusion["five"].gene, "3p": fusion["three"].gene}.get(side)
    return f"{gene} {rest}" if gene and rest else where
