"""``allfuse steps``: several allfuse steps of one sample (or of the run), one after another in one
process.

The pipeline's per-sample job (rule ``annotate``) runs the QC gate, expression, annotate,
evidence, primers and the report. As six ``allfuse`` processes each paid about 0.8 s of
interpreter and library start-up (pandas, pysam, Biopython, primer3, matplotlib) for about a
second of work; in one process the libraries are imported once (README "Speed"). The run's job
after every sample (rule ``cohort``: cohort table, expression matrix, survival, cohort report) is
run the same way, its failure line naming ``--what`` (``cohort``) instead of a sample.

Each step is exactly the subcommand a user would run (``allfuse.cli.main`` with its arguments),
its stdout and stderr in its own log at the file-descriptor level, as ``> log 2>&1`` does, so
messages of C libraries (htslib, Primer3) land there too. The first step that fails stops the
job with the same one line the shell wrapper gave: sample, step, exit status, the log's error line
and the log's path. Lines with ``warning:`` are repeated on the console.

Usage (each step: ``@LOG`` and then the subcommand with its arguments)::

    allfuse steps --sample S @logs/qc.log qc --log ... --out ... @logs/annotate.log annotate ...
    allfuse steps --what cohort @logs/cohort.log cohort ... @logs/cohort_report.log cohort-report ...
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from allfuse.errors import LOG_ERROR_PATTERN, InputError, step_failed_line

#: The log line quoted in the one-line failure (the shell wrapper greps the same pattern).
ERROR_LINE = re.compile(LOG_ERROR_PATTERN, re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    log: Path
    argv: list[str]

    @property
    def name(self) -> str:
        return self.argv[0]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    named = parser.add_mutually_exclusive_group(required=True)
    named.add_argument("--sample", help="sample named in a failure's one line (a sample's steps)")
    named.add_argument("--what", help="what a failure's one line names instead, e.g. cohort (a run's steps)")
    parser.add_argument(
        "steps",
        nargs=argparse.REMAINDER,
        metavar="@LOG STEP ARGS",
        help="each step: @ and its log file, then an allfuse subcommand and its arguments",
    )


def parse_steps(tokens: list[str]) -> list[Step]:
    """``@LOG STEP ARGS... @LOG STEP ARGS...`` into steps; InputError on a malformed list."""
    steps: list[Step] = []
    for token in tokens:
        if token.startswith("@") and len(token) > 1:
            steps.append(Step(Path(token[1:]), []))
        elif not steps:
            raise InputError(f"steps: expected @LOG before {token!r}")
        else:
            steps[-1].argv.append(token)
    if not steps:
        raise InputError("steps: no step given (expected @LOG STEP ARGS ...)")
    for step in steps:
        if not step.argv or step.argv[0] in ("steps", "-h", "--help"):
            raise InputError(f"steps: no allfuse subcommand after @{step.log}")
    return steps


def run_logged(step: Step) -> int:
    """One subcommand with fds 1 and 2 on its log (truncated, as ``>``); its exit status."""
    from allfuse.cli import main  # the command line itself: cli imports this module by name

    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open(step.log, "wb") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            try:
                status = main(step.argv)
            except SystemExit as exc:  # argparse's usage errors and --help
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                status = exc.code if isinstance(exc.code, int) else 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
    return status


def failure_line(what: str, step: Step, status: int) -> str:
    """The shell wrapper's one line: the log's first error-like line, else its last line."""
    lines = step.log.read_text(errors="replace").splitlines() if step.log.exists() else []
    found = next((line for line in lines if ERROR_LINE.search(line)), None)
    if found is None:
        found = next((line for line in reversed(lines) if line.strip()), "")
    return step_failed_line(what, f"allfuse {step.name}", status, found, step.log)


def run(args: argparse.Namespace) -> int:
    steps = parse_steps(args.steps)
    for step in steps:
        status = run_logged(step)
        if status:
            what = f"sample {args.sample}" if args.sample is not None else args.what
            print(failure_line(what, step, status), file=sys.stderr)
            return 1
        for line in step.log.read_text(errors="replace").splitlines():
            if "warning:" in line:
                print(line, file=sys.stderr)
    return 0
