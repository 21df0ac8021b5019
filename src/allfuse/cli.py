"""The ``allfuse`` command: one subcommand per step, each in its own module.

Each module named in ``SUBCOMMANDS`` (all in :mod:`allfuse.commands`, the only other place argparse
is used) provides ``add_arguments(parser)`` and ``run(args) -> int``.
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

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "simulate": (
        "allfuse.commands.simulate",
        "simulate a reference and an infant-ALL cohort with planted fusions",
    ),
    "check-samples": ("allfuse.commands.check_samples", "validate a sample sheet (and config) before a run"),
    "check-reads": ("allfuse.commands.check_reads", "stream a sample's paired FASTQ files: structure, names, counts"),
    "check-reference": ("allfuse.commands.check_reference", "check that genome FASTA and GTF name the same contigs"),
    "star-chimeric": ("allfuse.commands.star_chimeric", "summarise STAR Chimeric.out.junction into calls"),
    "transcripts": (
        "allfuse.commands.transcripts",
        "write the transcript FASTA for kallisto/pizzly from genome + GTF",
    ),
    "pizzly": ("allfuse.commands.pizzly", "normalise pizzly output into calls"),
    "known-fusions": (
        "allfuse.commands.known_fusions",
        "write Arriba's known-fusions file from allfuse's defining gene pairs",
    ),
    "annotate": (
        "allfuse.commands.annotate",
        "normalise caller outputs, merge them into events, annotate and classify",
    ),
    "annotation-index": (
        "allfuse.commands.annotation_index",
        "parse the GTF once into the cached index every sample's annotate reads",
    ),
    "expression": ("allfuse.commands.expression", "gene-level TPM of one sample from kallisto's abundance.tsv"),
    "expression-matrix": (
        "allfuse.commands.expression_matrix",
        "every sample's expression.tsv as one genes x samples TPM matrix",
    ),
    "evidence": (
        "allfuse.commands.evidence",
        "fused sequence, peptide, supporting reads and cytogenetics of each defining fusion",
    ),
    "primers": ("allfuse.commands.primers", "RT-PCR confirmation primers (Primer3) for each defining fusion"),
    "qc": ("allfuse.commands.qc", "read STAR Log.final.out into a QC table"),
    "cohort": ("allfuse.commands.cohort", "gather per-sample results into the cohort table"),
    "evaluate": ("allfuse.commands.evaluate", "compare results with the planted truth of a simulated cohort"),
    "report": ("allfuse.commands.report", "one self-contained HTML fusion report for one sample"),
    "cohort-report": ("allfuse.commands.cohort_report", "cohort.html: one row per sample, counts, links to reports"),
    "provenance": ("allfuse.commands.provenance", "tool versions, reference checksums and config of a run"),
    "survival": (
        "allfuse.commands.survival",
        "Kaplan-Meier survival by molecular group: S(t) with 95%% CI, log-rank, KM figure",
    ),
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
    for name, (module, help_text) in SUBCOMMANDS.items():
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
