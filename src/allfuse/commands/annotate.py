"""``allfuse annotate``: caller outputs made anywhere -> allfuse's per-sample results.

Thresholds come from the command line, over the config's (``--config``), over the config schema's
defaults: one order for the pipeline and for outputs of nf-core/rnafusion or a cluster run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from allfuse.annotate import AnnotateSettings, annotate_sample, write_outputs
from allfuse.callers import registry
from allfuse.callers.star_chimeric import Thresholds
from allfuse.config import load_config, validate_config
from allfuse.merge import MergeSettings
from allfuse.status import NOT_ASSESSABLE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, help="sample ID written into every table")
    parser.add_argument(
        "--gtf", required=True, help="GTF of the genome the callers ran on (GENCODE/Ensembl style)"
    )
    parser.add_argument(
        "--outdir", required=True, type=Path, help="writes calls/{caller}.tsv, fusions.tsv, ..."
    )
    for caller in registry.CALLERS:  # in the registry's order: the order of the per-caller tables
        parser.add_argument(
            caller.option, dest=caller.name, type=Path, default=None, help=f"{caller.name} output file"
        )
    parser.add_argument(
        "--config", type=Path, default=None, help="allfuse config: thresholds (star_chimeric, merge)"
    )
    parser.add_argument("--min-junction-reads", type=non_negative, default=None)
    parser.add_argument("--min-total-support", type=non_negative, default=None)
    parser.add_argument("--merge-distance", type=non_negative, default=None)
    parser.add_argument(
        "--qc", type=Path, default=None, help="qc.tsv (allfuse qc): a failed gate -> not assessable"
    )
    parser.add_argument(
        "--on-empty-caller",
        choices=("error", "not-assessable"),
        default="error",
        help="a 0-byte/blank caller file is an error (default), or makes the sample not assessable",
    )
    parser.add_argument(
        "--expression",
        type=Path,
        default=None,
        help="the sample's expression.tsv (allfuse expression): NUTM1 expressed without a NUTM1 call is flagged",
    )
    parser.add_argument(
        "--nutm1-tpm-threshold",
        type=positive_number,
        default=None,
        help="NUTM1 TPM at or above which the flag is set (default: config expression.nutm1_tpm_threshold)",
    )
    parser.add_argument("--resources", type=Path, default=None, help="fact tables (default: the project's)")
    index_help = "read the GTF's cached annotation index here (built if missing) instead of parsing the GTF"
    parser.add_argument("--index-dir", type=Path, default=None, help=index_help)


def non_negative(text: str) -> int:
    """argparse type: a whole number >= 0 (a negative threshold would silently accept everything)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; thresholds are >= 0")
    return value


def positive_number(text: str) -> float:
    """argparse type: a number > 0 (at 0 every sample, NUTM1 silent or not, would be flagged)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a number > 0")
    return value


def settings_from(args: argparse.Namespace) -> AnnotateSettings:
    """Command-line values over the config's (``--config``) over the schema defaults."""
    if args.config:
        config = load_config(args.config, partial=True)
    else:  # an empty config, every default filled in from the schema
        config = {}
        validate_config(config, partial=True)

    def pick(cli: int | None, section: str, key: str) -> int:
        return cli if cli is not None else int(config[section][key])

    thresholds = Thresholds(
        pick(args.min_junction_reads, "star_chimeric", "min_junction_reads"),
        pick(args.min_total_support, "star_chimeric", "min_total_support"),
    )
    distance = pick(args.merge_distance, "merge", "max_distance")
    nutm1 = args.nutm1_tpm_threshold
    if nutm1 is None:
        nutm1 = float(config["expression"]["nutm1_tpm_threshold"])
    return AnnotateSettings(thresholds, MergeSettings(distance), args.resources, args.on_empty_caller, nutm1)


def run(args: argparse.Namespace) -> int:
    given = {c.name: getattr(args, c.name) for c in registry.CALLERS}
    inputs = {name: path for name, path in given.items() if path is not None}
    settings = settings_from(args)
    calls, events, classification = annotate_sample(
        args.sample, inputs, Path(args.gtf), settings, args.qc, args.index_dir, args.expression
    )
    write_outputs(args.outdir, calls, events, classification, list(inputs))
    shown = int((~events["artefact"].astype(bool)).sum()) if "artefact" in events else len(events)
    status = classification.get("status", "?")
    if status == NOT_ASSESSABLE:
        print(f"{args.sample}: not assessable: {classification['status_reason']}")
    else:
        print(f"{args.sample}: {shown} fusion events; {status}; group {classification.get('group', '?')}")
        if classification.get("status_reason"):
            print(f"{args.sample}: {classification['status_reason']}")
    return 0
