"""``allfuse transcripts``: the transcript FASTA (and the completed GTF) kallisto and pizzly read."""

from __future__ import annotations

import argparse

from allfuse.transcriptome import write_transcriptome


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fasta", required=True, help="genome FASTA")
    parser.add_argument("--gtf", required=True, help="GTF of the same genome")
    parser.add_argument("--out", required=True, help="transcript FASTA to write")
    parser.add_argument(
        "--gtf-out", default=None, help="also write the GTF for pizzly (gene lines completed)"
    )
    parser.add_argument(
        "--fai", default=None, help="the genome's .fai index to read (default: index it for the while)"
    )


def run(args: argparse.Namespace) -> int:
    n, added = write_transcriptome(args.fasta, args.gtf, args.out, args.gtf_out, args.fai)
    print(f"wrote {n} transcripts to {args.out}")
    if args.gtf_out:
        print(f"wrote {args.gtf_out} ({added} missing gene/transcript lines added)")
    return 0
