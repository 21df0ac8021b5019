"""Options that several subcommands take alike: the genome and its annotation.

One definition, so that ``allfuse evidence`` and ``allfuse primers`` (and any later step reading the
genome) spell and explain them the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_genome(parser: argparse.ArgumentParser) -> None:
    """``--fasta``/``--fai`` (the genome the callers ran on) and ``--gtf``/``--index-dir`` (its annotation)."""
    parser.add_argument("--fasta", required=True, type=Path, help="genome FASTA the callers ran on")
    fai_help = "its .fai index, written here if missing (default: beside the FASTA)"
    parser.add_argument("--fai", type=Path, default=None, help=fai_help)
    parser.add_argument("--gtf", required=True, type=Path, help="GTF of that genome")
    parser.add_argument("--index-dir", type=Path, default=None, help="the GTF's cached annotation index")
