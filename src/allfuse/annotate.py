"""``allfuse annotate``: from caller outputs made anywhere to allfuse's per-sample results.

The Snakemake workflow calls this same command, so outputs of nf-core/rnafusion or of a cluster
run get exactly the post-processing the pipeline gives its own calls: per-caller tables in one
schema, events merged at breakpoint level, exons on the canonical transcripts, reading frame, and
the sample's molecular group. Everything is computed before anything is written, so a bad input
leaves no partial results behind.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allfuse.callers import arriba, fusioncatcher, pizzly, star_chimeric, starfusion
from allfuse.errors import InputError
from allfuse.gtf import Annotation
from allfuse.merge import MergeSettings, merge_calls
from allfuse.schema import write_tsv

#: Callers whose output ``annotate`` reads, each from the option ``--<caller>`` (``_`` as ``-``);
#: the order is the order of the per-caller tables.
CALLERS = ("star_chimeric", "pizzly", "arriba", "starfusion", "fusioncatcher", "fusioninspector")


@dataclass(frozen=True)
class AnnotateSettings:
    thresholds: star_chimeric.Thresholds = field(default_factory=star_chimeric.Thresholds)
    merge: MergeSettings = field(default_factory=MergeSettings)
    resources: Path | None = None


def parse_caller(
    caller: str, path: Path, sample: str, ann: Annotation, settings: AnnotateSettings
) -> pd.DataFrame:
    """One caller's file in the declared calls schema."""
    if not path.exists():
        raise InputError(f"{path}: {caller} output not found")
    if caller == "star_chimeric":
        return star_chimeric.parse(path, sample, ann, settings.thresholds)
    if caller == "pizzly":
        return pizzly.parse(path, sample, ann)
    if caller == "fusioninspector":  # STAR-Fusion's family layout, its own caller name
        return starfusion.parse(path, sample, caller="fusioninspector")
    module = {"arriba": arriba, "starfusion": starfusion, "fusioncatcher": fusioncatcher}[caller]
    return module.parse(path, sample)


def annotate_sample(
    sample: str, inputs: dict[str, Path], gtf: Path, settings: AnnotateSettings
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, Any]]:
    """Per-caller calls, merged and annotated events, and the sample's classification."""
    if not inputs:
        raise InputError(
            f"sample {sample}: no caller output given (use --star-chimeric, --pizzly, --arriba, ...)"
        )
    ann = Annotation.from_gtf(gtf)
    calls = {caller: parse_caller(caller, Path(p), sample, ann, settings) for caller, p in inputs.items()}
    nonempty = [c for c in calls.values() if not c.empty]
    merged_input = pd.concat(nonempty, ignore_index=True) if nonempty else next(iter(calls.values()))
    events = merge_calls(merged_input, sample, ann, settings.merge)
    events, classification = _annotate_and_classify(sample, events, ann, settings)
    return calls, events, classification


def _annotate_and_classify(
    sample: str, events: pd.DataFrame, ann: Annotation, settings: AnnotateSettings
) -> tuple[pd.DataFrame, dict[str, Any]]:
    from allfuse import classify, exons, frame
    from allfuse.resources import load_resources

    res = load_resources(settings.resources)
    events = exons.annotate_exons(events, ann, res)
    events = frame.reading_frame(events, ann, res)
    events["category"] = classify.category_column(events, res)
    return events, classify.classify_sample(sample, events, res)


def write_outputs(
    outdir: Path, calls: dict[str, pd.DataFrame], events: pd.DataFrame, classification: dict
) -> None:
    for caller, df in calls.items():
        write_tsv(df, outdir / "calls" / f"{caller}.tsv")
    write_tsv(events, outdir / "fusions.tsv")
    tmp = outdir / "classification.json.tmp"
    tmp.write_text(json.dumps(classification, indent=2, default=str) + "\n")
    tmp.replace(outdir / "classification.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, help="sample ID written into every table")
    parser.add_argument(
        "--gtf", required=True, help="GTF of the genome the callers ran on (GENCODE/Ensembl style)"
    )
    parser.add_argument(
        "--outdir", required=True, type=Path, help="writes calls/{caller}.tsv, fusions.tsv, ..."
    )
    for caller in CALLERS:
        opt = "--" + caller.replace("_", "-")
        parser.add_argument(opt, type=Path, default=None, help=f"{caller} output file")
    parser.add_argument("--min-junction-reads", type=int, default=star_chimeric.Thresholds.min_junction_reads)
    parser.add_argument("--min-total-support", type=int, default=star_chimeric.Thresholds.min_total_support)
    parser.add_argument("--merge-distance", type=int, default=MergeSettings.max_distance)
    parser.add_argument("--resources", type=Path, default=None, help="fact tables (default: the project's)")


def run(args: argparse.Namespace) -> int:
    inputs = {c: getattr(args, c) for c in CALLERS if getattr(args, c) is not None}
    settings = AnnotateSettings(
        star_chimeric.Thresholds(args.min_junction_reads, args.min_total_support),
        MergeSettings(args.merge_distance),
        args.resources,
    )
    calls, events, classification = annotate_sample(args.sample, inputs, Path(args.gtf), settings)
    write_outputs(args.outdir, calls, events, classification)
    print(f"{args.sample}: {len(events)} fusion events; group {classification.get('group', '?')}")
    return 0
