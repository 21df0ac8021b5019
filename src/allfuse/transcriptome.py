"""``allfuse transcripts``: the transcript FASTA and GTF that kallisto and pizzly need.

Sequence names are the GTF's versioned transcript IDs, which is what pizzly looks transcripts up
by (it joins ``transcript_version`` to ``transcript_id`` when the GTF has one, and so do we).
pizzly aborts with an assertion when a transcript's ``gene_id`` has no ``gene`` line (GTFs cut
to a region often lose some), so the GTF written for it gets a gene line synthesised from the
gene's exons wherever one is missing; every other line is copied unchanged. The genome's FASTA
index is written to the output folder, never beside the input.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pyfaidx import Fasta, FastaIndexingError, UnsupportedCompressionFormat

from allfuse.errors import InputError
from allfuse.gtf import Annotation, attribute, is_feature_line, read_features, with_ids
from allfuse.io import atomic_write, open_text

COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def revcomp(seq: str) -> str:
    """Reverse complement (minus-strand exons are read this way)."""
    return seq.translate(COMPLEMENT)[::-1]


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


def write_transcriptome(
    fasta: str | Path,
    gtf: str | Path,
    out: str | Path,
    gtf_out: str | Path | None = None,
    fai: str | Path | None = None,
) -> tuple[int, int]:
    """The transcript FASTA (and, given ``gtf_out``, pizzly's GTF) from one reading of the GTF.
    ``fai``: the genome's index made already (the pipeline's ``samtools faidx``), read, not rebuilt.

    Returns the transcripts written and the parent lines added to pizzly's GTF (0 without ``gtf_out``).
    """
    features = with_ids(read_features(gtf))
    n = write_transcripts(fasta, Annotation.from_frame(features, str(gtf)), out, fai)
    added = write_pizzly_gtf(gtf, features, gtf_out) if gtf_out else 0
    return n, added


def write_transcripts(
    fasta: str | Path, ann: Annotation, out: str | Path, fai: str | Path | None = None
) -> int:
    """Write one record per GTF transcript; return how many were written. Without ``fai`` the
    genome is indexed beside ``out`` for the while (inputs are never written to)."""
    gtf = ann.path
    if not Path(fasta).is_file():
        raise InputError(f"{fasta}: genome FASTA not found")
    out = Path(out)
    index = Path(fai) if fai is not None else out.with_name(out.name + ".genome.fai")
    try:
        genome = Fasta(
            str(fasta),
            indexname=str(index),
            as_raw=True,
            sequence_always_upper=True,
            rebuild=fai is None,  # a given index is the run's own output: never rewritten
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
    if fai is None:
        index.unlink(missing_ok=True)
    if n == 0:
        raise InputError(f"{gtf}: no transcript lies on a contig of {fasta} ({skipped} on other contigs)")
    if skipped:
        print(f"allfuse: warning: {gtf}: {skipped} transcript(s) on contigs {fasta} lacks were left out")
    return n


def _missing_parents(features: pd.DataFrame) -> dict[int, list[str]]:
    """Feature row -> the synthesised parent lines to write before it (genes before transcripts).

    A parent is written before the first line naming it; it spans every line naming it and keeps the
    attributes of that first line.
    """
    before: dict[int, list[str]] = {}
    for feature, key, keep in _PARENTS:
        named = features[features[key].notna()]
        present = set(named.loc[named["feature"] == feature, key])
        span = named.groupby(key, sort=False).agg(start=("start", "min"), end=("end", "max"))
        first = named.drop_duplicates(key)
        first = first[~first[key].isin(present)]
        kept = {k: attribute(first["attributes"], k) for k in keep}
        for row, ident in zip(first.index, first[key], strict=True):
            values = {k: kept[k][row] for k in keep if not pd.isna(kept[k][row])}
            text = " ".join(f'{k} "{v}";' for k, v in values.items())
            p = first.loc[row]
            cols = [p["chrom"], "allfuse", feature, str(span.at[ident, "start"]), str(span.at[ident, "end"])]
            line = "\t".join([*cols, ".", p["strand"], ".", text]) + "\n"
            before.setdefault(int(row), []).append(line)
    return before


def write_pizzly_gtf(gtf: str | Path, features: pd.DataFrame, out: str | Path) -> int:
    """Copy the GTF, adding the gene and transcript lines its features lack; return how many were added.

    GTFs cut to a region (or trimmed of out-of-range features) keep exons whose parent lines are
    gone; pizzly asserts on those. A synthesised parent spans its features and carries their ids and
    versions (pizzly joins ``gene_version``/``transcript_version`` to the ids). ``features`` are the
    GTF's rows as :func:`allfuse.gtf.with_ids` gives them; the file is only copied, not parsed again.
    """
    before = _missing_parents(features)
    n_added = sum(len(lines) for lines in before.values())
    row = 0
    with open_text(gtf, "GTF") as src, atomic_write(Path(out)) as dst:
        for line in src:
            if is_feature_line(line):
                dst.writelines(before.get(row, ()))
                row += 1
            dst.write(line)
        if row != len(features):
            raise InputError(
                f"{gtf}: changed while it was read ({row} feature lines, {len(features)} before)"
            )
    return n_added
