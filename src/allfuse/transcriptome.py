"""``allfuse transcripts``: the transcript FASTA that kallisto and pizzly need, from genome + GTF.

Sequence names are the GTF's versioned transcript IDs, which is what pizzly looks transcripts up
by (it joins ``transcript_version`` to ``transcript_id`` when the GTF has one, and so do we).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pyfaidx import Fasta

from allfuse.errors import InputError
from allfuse.gtf import Annotation

COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def write_transcripts(fasta: str | Path, gtf: str | Path, out: str | Path) -> int:
    """Write one record per GTF transcript; return how many were written."""
    ann = Annotation.from_gtf(gtf)
    if not Path(fasta).is_file():
        raise InputError(f"{fasta}: genome FASTA not found")
    genome = Fasta(str(fasta), as_raw=True, sequence_always_upper=True, rebuild=True)
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    n = 0
    with open(tmp, "w") as fh:
        for tid, ex in ann.exons.groupby("transcript_id", sort=False):
            chrom = ex["chrom"].iloc[0]
            if chrom not in genome:
                raise InputError(f"{gtf}: transcript {tid} is on contig {chrom}, which {fasta} does not have")
            strand = ex["strand"].iloc[0]
            ex = ex.sort_values("start", ascending=strand != "-")
            parts = [genome[chrom][int(s) - 1 : int(e)] for s, e in zip(ex["start"], ex["end"], strict=True)]
            seq = "".join(p if strand != "-" else p.translate(COMPLEMENT)[::-1] for p in parts)
            fh.write(f">{tid}\n")
            fh.writelines(seq[i : i + 60] + "\n" for i in range(0, len(seq), 60))
            n += 1
    tmp.replace(out)
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fasta", required=True, help="genome FASTA")
    parser.add_argument("--gtf", required=True, help="GTF of the same genome")
    parser.add_argument("--out", required=True, help="transcript FASTA to write")


def run(args: argparse.Namespace) -> int:
    n = write_transcripts(args.fasta, args.gtf, args.out)
    print(f"wrote {n} transcripts to {args.out}")
    return 0
