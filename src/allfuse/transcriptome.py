"""``allfuse transcripts``: the transcript FASTA and GTF that kallisto and pizzly need.

Sequence names are the GTF's versioned transcript IDs, which is what pizzly looks transcripts up
by (it joins ``transcript_version`` to ``transcript_id`` when the GTF has one, and so do we).
pizzly aborts with an assertion when a transcript's ``gene_id`` has no ``gene`` line (GTFs cut
to a region often lose some), so the GTF written for it gets a gene line synthesised from the
gene's exons wherever one is missing; every other line is copied unchanged. The genome's FASTA
index is written to the output folder, never beside the input.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pyfaidx import Fasta, FastaIndexingError, UnsupportedCompressionFormat

from allfuse.compression import open_text
from allfuse.errors import InputError
from allfuse.gtf import Annotation
from allfuse.schema import atomic_write

COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def revcomp(seq: str) -> str:
    """Reverse complement (minus-strand exons are read this way)."""
    return seq.translate(COMPLEMENT)[::-1]


_ATTR = re.compile(r'(\w+) "?([^";]*)"?;')
#: Parent features pizzly needs, the id attribute naming them, and the attributes a synthesised one keeps.
_PARENTS = [
    ("gene", "gene_id", ["gene_id", "gene_version", "gene_name", "gene_biotype", "gene_type"]),
    (
        "transcript",
        "transcript_id",
        [
            "gene_id",
            "gene_version",
            "transcript_id",
            "transcript_version",
            "gene_name",
            "transcript_biotype",
            "transcript_type",
        ],
    ),
]


def write_transcripts(fasta: str | Path, gtf: str | Path, out: str | Path) -> int:
    """Write one record per GTF transcript; return how many were written."""
    ann = Annotation.from_gtf(gtf)
    if not Path(fasta).is_file():
        raise InputError(f"{fasta}: genome FASTA not found")
    out = Path(out)
    index = out.with_name(out.name + ".genome.fai")
    try:
        genome = Fasta(
            str(fasta), indexname=str(index), as_raw=True, sequence_always_upper=True, rebuild=True
        )
    except (FastaIndexingError, UnsupportedCompressionFormat) as exc:
        # pyfaidx needs equal line lengths within a record (STAR does not): say so, naming the file.
        raise InputError(f"{fasta}: cannot be indexed: {exc}") from None
    n = skipped = 0
    with atomic_write(out) as fh:
        for tid, ex in ann.exons.groupby("transcript_id", sort=False):
            chrom = ex["chrom"].iloc[0]
            if chrom not in genome:  # the check before the run warned about these contigs
                skipped += 1
                continue
            strand = ex["strand"].iloc[0]
            ex = ex.sort_values("start", ascending=strand != "-")
            parts = [genome[chrom][int(s) - 1 : int(e)] for s, e in zip(ex["start"], ex["end"], strict=True)]
            seq = "".join(p if strand != "-" else revcomp(p) for p in parts)
            fh.write(f">{tid}\n")
            fh.writelines(seq[i : i + 60] + "\n" for i in range(0, len(seq), 60))
            n += 1
    index.unlink(missing_ok=True)
    if n == 0:
        raise InputError(f"{gtf}: no transcript lies on a contig of {fasta} ({skipped} on other contigs)")
    if skipped:
        print(f"allfuse: warning: {gtf}: {skipped} transcript(s) on contigs {fasta} lacks were left out")
    return n


def write_pizzly_gtf(gtf: str | Path, out: str | Path) -> int:
    """Copy the GTF, adding the gene and transcript lines its features lack; return how many were added.

    GTFs cut to a region (or trimmed of out-of-range features) keep exons whose parent lines are
    gone; pizzly asserts on those. A synthesised parent spans its features and carries their ids and
    versions (pizzly joins ``gene_version``/``transcript_version`` to the ids).
    """
    with open_text(gtf, "GTF") as fh:
        lines = fh.readlines()
    present: set[tuple[str, str]] = set()  # (feature, id) of existing gene/transcript lines
    parents: dict[tuple[str, str], dict] = {}  # (feature, id) -> span and attributes
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        if line.startswith("#") or len(fields) < 9:
            continue
        attrs = {k: v for k, v in _ATTR.findall(fields[8])}
        for feature, key, keep in _PARENTS:
            if key not in attrs:
                continue
            ident = (feature, attrs[key])
            if fields[2] == feature:
                present.add(ident)
            p = parents.setdefault(
                ident,
                {
                    "chrom": fields[0],
                    "start": int(fields[3]),
                    "end": int(fields[4]),
                    "strand": fields[6],
                    "attrs": {k: attrs[k] for k in keep if k in attrs},
                },
            )
            p["start"], p["end"] = min(p["start"], int(fields[3])), max(p["end"], int(fields[4]))
    missing = {ident: p for ident, p in parents.items() if ident not in present}
    n_added = len(missing)
    out = Path(out)
    with atomic_write(out) as dst:
        for line in lines:
            attrs = dict(_ATTR.findall(line.split("\t")[8])) if line.count("\t") >= 8 else {}
            for feature, key, _ in _PARENTS:
                p = missing.pop((feature, attrs.get(key, "")), None)
                if p:
                    text = " ".join(f'{k} "{v}";' for k, v in p["attrs"].items())
                    cols = [
                        p["chrom"],
                        "allfuse",
                        feature,
                        str(p["start"]),
                        str(p["end"]),
                        ".",
                        p["strand"],
                        ".",
                        text,
                    ]
                    dst.write("\t".join(cols) + "\n")
            dst.write(line)
    return n_added


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fasta", required=True, help="genome FASTA")
    parser.add_argument("--gtf", required=True, help="GTF of the same genome")
    parser.add_argument("--out", required=True, help="transcript FASTA to write")
    parser.add_argument(
        "--gtf-out", default=None, help="also write the GTF for pizzly (gene lines completed)"
    )


def run(args: argparse.Namespace) -> int:
    n = write_transcripts(args.fasta, args.gtf, args.out)
    print(f"wrote {n} transcripts to {args.out}")
    if args.gtf_out:
        added = write_pizzly_gtf(args.gtf, args.gtf_out)
        print(f"wrote {args.gtf_out} ({added} missing gene/transcript lines added)")
    return 0
