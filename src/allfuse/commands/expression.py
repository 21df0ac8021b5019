"""``allfuse expression``: gene-level TPM of one sample from kallisto's abundance.tsv.

The pipeline runs it on the abundances kallisto writes for pizzly; for results made elsewhere, give
the abundance.tsv of a kallisto run on a transcript FASTA of the same GTF.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from allfuse.annotation_index import load_annotation
from allfuse.expression import NUTM1, gene_expression, read_abundance, write_expression
from allfuse.resources import load_resources


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, help="sample ID (for messages)")
    parser.add_argument("--abundance", required=True, type=Path, help="kallisto abundance.tsv")
    parser.add_argument("--gtf", required=True, type=Path, help="GTF the kallisto index was built from")
    parser.add_argument(
        "--index-dir", type=Path, default=None, help="read the GTF's cached annotation index here"
    )
    parser.add_argument("--resources", type=Path, default=None, help="fact tables (default: the project's)")
    parser.add_argument("--out", required=True, type=Path, help="expression.tsv to write")


def run(args: argparse.Namespace) -> int:
    abundance = read_abundance(args.abundance)
    ann = load_annotation(args.gtf, args.index_dir)
    expression = gene_expression(abundance, ann, load_resources(args.resources))
    write_expression(expression, args.out)
    nutm1 = expression.loc[expression["gene"] == NUTM1, "tpm"]
    said = f"NUTM1 {float(nutm1.sum()):.1f} TPM" if len(nutm1) else "no NUTM1 in the GTF"
    print(f"{args.sample}: {len(expression)} genes; {said}")
    return 0
