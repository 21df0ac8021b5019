"""``allfuse survival``: the cohort table plus clinical follow-up -> the paper's table and KM figure.

Writes into ``--out``: ``{endpoint}_by_{by}.tsv`` (group, n, events, S(t) % with 95% CI, median
follow-up), ``logrank.tsv``, ``km_{endpoint}_by_{by}.svg``/``.png`` and ``excluded.tsv`` (every cohort
sample not analysed, with the reason), and prints the table as a paper gives it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from allfuse.config import schema_default
from allfuse.errors import InputError
from allfuse.io import write_tsv
from allfuse.survival.analysis import TIME_UNITS, Settings, logrank_table, paper_lines, summarise
from allfuse.survival.clinical import ENDPOINTS, analysis_table, read_clinical, read_cohort
from allfuse.survival.grouping import BUILTIN, assign_groups, check_groupings, group_order, load_groupings
from allfuse.survival.km import CI_METHODS
from allfuse.survival.plot import km_figure

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ENDPOINT_NAMES = {"efs": "Event-free survival", "os": "Overall survival"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cohort", required=True, type=Path, help="cohort table (results/cohort.tsv)")
    parser.add_argument(
        "--clinical",
        required=True,
        type=Path,
        help="clinical table: sample, efs_time, efs_event [, os_time, os_event]",
    )
    parser.add_argument(
        "--by",
        default=schema_default("survival", "by"),
        help=f"grouping: {', '.join(BUILTIN)}, or a grouping named in --groupings",
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument(
        "--groupings",
        type=Path,
        help="YAML with user groupings (a mapping, or a config with survival.groupings)",
    )
    parser.add_argument("--groupings-json", help="the same groupings as JSON text (used by the workflow)")
    time_point = float(schema_default("survival", "time_point"))
    parser.add_argument(
        "--time-point", type=float, default=time_point, help=f"years at which S(t) is given ({time_point:g})"
    )
    time_unit = schema_default("survival", "time_unit")
    parser.add_argument(
        "--time-unit",
        choices=sorted(TIME_UNITS),
        default=time_unit,
        help=f"unit of the clinical table's times ({time_unit})",
    )
    parser.add_argument(
        "--ci",
        choices=CI_METHODS,
        default=schema_default("survival", "ci"),
        help="confidence interval: log (R survfit default) or log-log",
    )
    parser.add_argument("--endpoint", choices=ENDPOINTS, default="efs", help="efs (default) or os")
    parser.add_argument("--pairwise", action="store_true", help="also log-rank every pair of groups")


def run(args: argparse.Namespace) -> int:
    if not _SAFE_NAME.match(args.by):
        raise InputError(
            f"--by {args.by!r}: use letters, digits, '_', '-' or '.' (it names the output files)"
        )
    if args.time_point <= 0:
        raise InputError(f"--time-point {args.time_point:g}: must be positive (years)")
    groupings = {}
    if args.groupings:
        groupings |= load_groupings(args.groupings)
    if args.groupings_json:
        groupings |= check_groupings(json.loads(args.groupings_json), "--groupings-json")
    settings = Settings(args.time_point, args.time_unit, args.ci, endpoint=args.endpoint)

    cohort = read_cohort(args.cohort)
    groups = assign_groups(cohort, args.by, groupings)
    clinical = read_clinical(args.clinical, list(cohort["sample"]))
    data, excluded = analysis_table(cohort, clinical, groups, args.endpoint)
    if data.empty:
        raise InputError(f"{args.clinical}: no cohort sample has both a group and clinical data")
    order = group_order(args.by, groupings, data["group"].value_counts().to_dict())
    summary = summarise(data, order, settings)
    logrank = logrank_table(data, order, args.pairwise)

    for _, row in summary[summary["n"] < 10].iterrows():
        print(
            f"warning: group {row['group']!r} has {row['n']} patients (fewer than 10): imprecise estimate",
            file=sys.stderr,
        )
    if len(excluded):
        print(
            f"note: {len(excluded)} cohort sample(s) not analysed, listed in {args.out / 'excluded.tsv'}",
            file=sys.stderr,
        )

    name = f"{args.endpoint}_by_{args.by}"
    p = (logrank["p"].iloc[0] if len(logrank) else "") or "n/a"
    km_figure(
        data,
        order,
        settings.per_year,
        title=f"{ENDPOINT_NAMES[args.endpoint]} by {args.by}",
        ylabel=f"{ENDPOINT_NAMES[args.endpoint]} probability",
        note=f"log-rank p = {p}",
        svg=args.out / f"km_{name}.svg",
        png=args.out / f"km_{name}.png",
    )
    write_tsv(logrank, args.out / "logrank.tsv")
    write_tsv(excluded, args.out / "excluded.tsv")
    # The summary last: its presence means the whole analysis finished.
    write_tsv(summary, args.out / f"{name}.tsv")
    print("\n".join(paper_lines(summary, logrank, settings)))
    return 0
