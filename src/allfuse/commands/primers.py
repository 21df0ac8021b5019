"""``allfuse primers``: an RT-PCR confirmation assay for each defining fusion -> primers.tsv.

One row per defining fusion (driver, reciprocal, other defining) of one sample's results
(classification.json + fusions.tsv, the pipeline's or ``allfuse annotate``'s made elsewhere): the
Primer3 pair across its junction on the fused MANE transcript (allfuse.primers), or the one-line
reason none was designed. A partner whose transcript is not its MANE Select one (chosen from the
canonical table or the GTF's MANE_Select tag) gets a reason, never a guess: an assay designed on
another isoform may amplify nothing from the patient's cDNA.

Settings: config ``primers:`` (``--config``), else the schema's defaults.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from allfuse.annotation_index import load_annotation
from allfuse.commands.options import add_genome
from allfuse.config import load_config, validate_config
from allfuse.defining import read_defining
from allfuse.errors import InputError
from allfuse.evidence import fused_transcript, open_genome
from allfuse.io import write_tsv
from allfuse.primers import PrimerPair, PrimerSettings, design_pair
from allfuse.tables import PRIMER_COLUMNS

#: transcript_source values (allfuse.exons) that name the MANE Select transcript.
MANE_SOURCES = ("canonical_table", "MANE_Select_tag")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample-dir", required=True, type=Path, help="classification.json and fusions.tsv")
    add_genome(parser)
    parser.add_argument("--config", type=Path, default=None, help="allfuse config: its primers: settings")
    parser.add_argument(
        "--settings-json",
        default=None,
        help="the primers: section as JSON (the pipeline passes its validated config this way)",
    )
    parser.add_argument("--out", required=True, type=Path, help="primers.tsv to write")


def settings_from(config_path: Path | None, settings_json: str | None = None) -> PrimerSettings:
    """``--settings-json``, else config ``primers:``, over the schema's defaults (validated either way)."""
    if config_path is not None:
        config = load_config(config_path, partial=True)
    else:
        config = {}
        if settings_json is not None:
            try:
                config["primers"] = json.loads(settings_json)
            except json.JSONDecodeError as exc:
                raise InputError(f"--settings-json: not JSON ({exc.msg})") from None
        validate_config(config, "--settings-json" if settings_json else "config", partial=True)
    return PrimerSettings.from_config(config["primers"])


def not_mane(event: pd.Series) -> str:
    """Why the event's partners do not both have their MANE Select transcript ('' when they do)."""
    for side, said in (("5p", "5'"), ("3p", "3'")):
        source = str(event.get(f"transcript_source_{side}", ""))
        if source not in MANE_SOURCES:
            gene = event.get(f"gene_{side}", "")
            return f"no MANE Select transcript for the {said} partner {gene} (transcript source: {source or 'none'})"
    return ""


def row_of(sample: str, event_id: str, fusion: str, role: str, pair: PrimerPair) -> dict:
    values = {c: getattr(pair, c, "") for c in PRIMER_COLUMNS}
    values.update(sample=sample, event_id=event_id, fusion=fusion, role=role)
    return {c: "" if values[c] is None else values[c] for c in PRIMER_COLUMNS}


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args.config, args.settings_json)
    classification, _, defining = read_defining(args.sample_dir)
    sample = str(classification.get("sample", args.sample_dir.name))
    rows = []
    if defining:
        ann = load_annotation(args.gtf, args.index_dir)
        genome = open_genome(args.fasta, args.fai)
    for d in defining:
        if d.event is None:
            rows.append(
                row_of(
                    sample,
                    "",
                    d.fusion,
                    d.role,
                    PrimerPair(reason=f"no event named {d.fusion} in fusions.tsv"),
                )
            )
            continue
        event = d.event
        why = not_mane(event)
        if not why:
            fused, why = fused_transcript(event.to_dict(), ann, genome)
            if fused is not None:
                pair = design_pair(fused, settings)
            else:
                why = "no fused transcript: " + why
        pair = PrimerPair(reason=why) if why else pair
        rows.append(row_of(sample, str(event["event_id"]), d.fusion, d.role, pair))
    write_tsv(pd.DataFrame(rows, columns=PRIMER_COLUMNS), args.out)
    designed = sum(1 for r in rows if r["forward"])
    print(f"{sample}: primers for {designed} of {len(rows)} defining fusion(s)")
    return 0
