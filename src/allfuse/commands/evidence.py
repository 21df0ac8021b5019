"""``allfuse evidence``: what a reviewer can check behind each defining fusion -> evidence.json.

For the driver, its reciprocal and every other defining fusion of one sample (classification.json +
fusions.tsv, the pipeline's or ``allfuse annotate``'s made elsewhere): both breakpoints with the
genome build, the cytogenetic bands and ISCN form (GRCh38 only, else the reason), allfuse's own
evidence (fused sequence, peptide, supporting reads of the STAR BAM: allfuse.evidence) and each
caller's own evidence where that caller ran (Arriba's fused transcript, confidence and filters;
STAR-Fusion's FFPM).

The genome's pyfaidx index is read from (or written to) ``--fai``, a path in the run's own work
folder: the user's FASTA folder is never written to.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from allfuse.annotation_index import load_annotation
from allfuse.commands.options import add_genome
from allfuse.cytoband import Cytobands, cytogenetics
from allfuse.defining import read_defining
from allfuse.evidence import fusion_evidence, open_genome
from allfuse.io import read_table, write_json

#: Breakpoints of an event and an Arriba call are the same when both lie within this many bases
#: (config merge.max_distance's default: the distance allfuse merged the calls at).
SAME_BREAKPOINT = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sample-dir", required=True, type=Path, help="classification.json, fusions.tsv, calls/"
    )
    parser.add_argument(
        "--bam", type=Path, default=None, help="the sample's STAR BAM (coordinate-sorted, indexed)"
    )
    add_genome(parser)
    parser.add_argument("--build", required=True, help="genome build (config reference.build), e.g. GRCh38")
    parser.add_argument("--resources", type=Path, default=None, help="fact tables (default: the project's)")
    parser.add_argument("--out", required=True, type=Path, help="evidence.json to write")


def _text(value: object) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return "" if text == "." else text


def arriba_transcript(calls: pd.DataFrame | None, event: Mapping) -> str:
    """Arriba's ``fusion_transcript`` of its best-supported call at the event's breakpoints ('' if none)."""
    if calls is None or calls.empty or "orig_fusion_transcript" not in calls.columns:
        return ""
    same = pd.Series(True, index=calls.index)
    for side in ("5p", "3p"):
        same &= calls[f"chrom_{side}"].astype(str) == str(event[f"chrom_{side}"])
        same &= (pd.to_numeric(calls[f"pos_{side}"]) - int(event[f"pos_{side}"])).abs() <= SAME_BREAKPOINT
    hits = calls[same]
    if hits.empty:
        return ""
    support = pd.to_numeric(hits["junction_reads"]) + pd.to_numeric(hits["spanning_frags"])
    return _text(hits.loc[support.idxmax(), "orig_fusion_transcript"])


def caller_evidence(event: Mapping, ran: set[str], arriba_calls: pd.DataFrame | None) -> dict:
    """Each caller's own evidence, for the callers that ran ('' where that caller did not call it)."""
    out: dict = {}
    if "arriba" in ran:
        out["arriba"] = {
            "fusion_transcript": arriba_transcript(arriba_calls, event),
            "confidence": _text(event.get("arriba_confidence")),
            "filters": _text(event.get("arriba_filters")),
        }
    if "starfusion" in ran:
        out["starfusion"] = {"ffpm": _text(event.get("starfusion_ffpm"))}
    return out


def run(args: argparse.Namespace) -> int:
    classification, _, defining = read_defining(args.sample_dir)
    sample = str(classification.get("sample", args.sample_dir.name))
    calls_dir = args.sample_dir / "calls"
    ran = {p.stem for p in calls_dir.glob("*.tsv")} if calls_dir.is_dir() else set()
    arriba_calls = read_table(calls_dir / "arriba.tsv", "Arriba calls") if "arriba" in ran else None
    fusions = []
    if defining:
        ann = load_annotation(args.gtf, args.index_dir)
        genome = open_genome(args.fasta, args.fai)
        bands = Cytobands.from_resources(args.resources)
    for d in defining:
        entry: dict = {"event_id": "", "fusion": d.fusion, "role": d.role, "tier": ""}
        if d.event is None:
            why = f"no event named {d.fusion} in fusions.tsv"
            entry |= {
                "breakpoint_5p": "",
                "breakpoint_3p": "",
                "cytogenetics": {"iscn": None, "band_5p": None, "band_3p": None, "reason": why},
                "evidence": None,
                "callers": {},
            }
            fusions.append(entry)
            continue
        ev = d.event.to_dict()
        entry |= {
            "event_id": str(ev["event_id"]),
            "tier": _text(ev.get("tier")),
            "breakpoint_5p": f"{ev['chrom_5p']}:{ev['pos_5p']}",
            "breakpoint_3p": f"{ev['chrom_3p']}:{ev['pos_3p']}",
            "cytogenetics": asdict(cytogenetics(ev, bands, args.build)),
            "evidence": fusion_evidence(ev, ann, genome, args.bam).to_dict(),
            "callers": caller_evidence(ev, ran, arriba_calls),
        }
        fusions.append(entry)
    write_json(args.out, {"sample": sample, "build": args.build, "fusions": fusions}, indent=2, default=str)
    print(f"{sample}: evidence for {len(fusions)} defining fusion(s)")
    return 0
