"""The ``allfuse`` command: one subcommand per step, each in its own module.

Each subcommand in ``SUBCOMMANDS`` is a module of :mod:`allfuse.commands` (the only other place
argparse is used) that provides ``add_arguments(parser)`` and ``run(args) -> int``.
Bad input raises :class:`allfuse.errors.InputError`, printed here as one line with a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn

from allfuse import __version__
from allfuse.errors import InputError

#: subcommand -> its help line (its code: allfuse.commands.<the name, "-" read as "_">).
SUBCOMMANDS: dict[str, str] = {
    "simulate": "simulate a reference and an infant-ALL cohort with planted fusions",
    "check-samples": "validate a sample sheet (and config) before a run",
    "check-reads": "stream a sample's paired FASTQ files: structure, names, counts",
    "check-reference": "check that genome FASTA and GTF name the same contigs",
    "star-chimeric": "summarise STAR Chimeric.out.junction into calls",
    "transcripts": "write the transcript FASTA for kallisto/pizzly from genome + GTF",
    "pizzly": "normalise pizzly output into calls",
    "known-fusions": "write Arriba's known-fusions file from allfuse's defining gene pairs",
    "annotate": "normalise caller outputs, merge them into events, annotate and classify",
    "annotation-index": "parse the GTF once into the cached index every sample's annotate reads",
    "expression": "gene-level TPM of one sample from kallisto's abundance.tsv",
    "expression-matrix": "every sample's expression.tsv as one genes x samples TPM matrix",
    "evidence": "fused sequence, peptide, supporting reads and cytogenetics of each defining fusion",
    "primers": "RT-PCR confirmation primers (Primer3) for each defining fusion",
    "qc": "read STAR Log.final.out into a QC table",
    "cohort": "gather per-sample results into the cohort table",
    "evaluate": "compare results with the planted truth of a simulated cohort",
    "report": "one self-contained HTML fusion report for one sample",
    "steps": "several steps of one sample in one process, each with its own log (the pipeline's job)",
    "cohort-report": "cohort.html: one row per sample, counts, links to reports",
    "provenance": "tool versions, reference checksums and config of a run",
    "survival": "Kaplan-Meier survival by molecular group: S(t) with 95%% CI, log-rank, KM figure",
}


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage block), like every other allfuse error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``only``, just that subcommand's module is imported (a step of the
    pipeline should not pay for importing lifelines or matplotlib it does not use)."""
    parser = OneLineParser(prog="allfuse", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"allfuse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in SUBCOMMANDS.items():
        module = f"allfuse.commands.{name.replace('-', '_')}"
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        if only is None or name == only:
            importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    if command in SUBCOMMANDS:
        only: str | None = command
    else:  # the full help lists every subcommand's options; --version or an error needs none
        only = None if {"-h", "--help"} & set(argv) else ""
    args = build_parser(only).parse_args(argv)
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except InputError as exc:
        print(f"allfuse {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a pipeline log shows one line, never a traceback
        if os.environ.get("ALLFUSE_DEBUG"):
            raise
        what = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"allfuse {args.command}: error: {type(exc).__name__}: {what} "
            "(an allfuse bug or unreadable input; ALLFUSE_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
