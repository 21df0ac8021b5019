"""The simulated infant-ALL cohorts: which fusion is planted in which sample, at which exons.

Two cohorts share one reference: ``demo`` (every case the design names) and ``test`` (a smaller
one for the test suite). Each writes ``genome.fa``, ``genes.gtf``, ``reads/``, ``samples.tsv``,
``truth.tsv`` (planted fusions), ``decoys.tsv`` (planted events that must not be called as
defining fusions), ``subthreshold.tsv`` (fusion transcripts expressed with too little junction
evidence for any caller) and ``expected.tsv`` (each sample's answer), all deterministic for a seed.

The background expresses every gene of the reference except ``SILENT_GENES``: NUTM1 is silent in
blood and bone marrow, so its exons are read only where a NUTM1 fusion transcript was planted. One
sample per cohort carries such a transcript below every caller's minimum support (one spanning
fragment, no read across the junction) but with many fragments from the rest of the fused
transcript: the callers give it no fusion, and its NUTM1 expression is what should flag it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from allfuse.expression import NUTM1_FLAG
from allfuse.simulate.genome import build_reference, write_fasta, write_gtf
from allfuse.simulate.reads import (
    FusionSpec,
    ReadSettings,
    ReadWriter,
    fusion_frame,
    fusion_sequence,
    write_background,
    write_fusion,
    write_spanning,
    write_transcript,
)

TRUTH_COLUMNS = [
    "sample",
    "fusion",
    "gene_5p",
    "gene_3p",
    "exon_5p",
    "exon_3p",
    "chrom_5p",
    "pos_5p",
    "chrom_3p",
    "pos_3p",
    "fragments",
    "kind",
]
#: subthreshold.tsv: the truth columns, then how the fusion transcript was planted (FusionSpec).
SUBTHRESHOLD_COLUMNS = [*TRUTH_COLUMNS, "mates_only", "transcript_fragments"]
#: Genes with no background expression: NUTM1 is testis-restricted, silent in blood and marrow.
SILENT_GENES = ("NUTM1",)


@dataclass(frozen=True)
class SampleSpec:
    """A sample: its planted fusions (the first is the driver), decoys, fusion transcripts below
    every caller's minimum support (``subthreshold``), and the expected answer.

    ``expect`` is (group, subtype, partner) and ``flags`` the flags the sample should carry, written
    down from the biology, not computed by the classifier, so the classifier is checked against them.
    """

    sample: str
    fusions: list[FusionSpec] = field(default_factory=list)
    decoys: list[FusionSpec] = field(default_factory=list)
    expect: tuple[str, str, str] = ("KMT2A-wt", "none", "")
    subthreshold: list[FusionSpec] = field(default_factory=list)
    flags: tuple[str, ...] = ()


F = FusionSpec
KMT2A_R, NUTM1_R, PAX5_R = ("KMT2A-r", "KMT2A-r"), ("KMT2A-wt", "NUTM1-r"), ("KMT2A-wt", "PAX5-r")
DEMO: list[SampleSpec] = [
    SampleSpec(
        "INF01", [F("KMT2A", 9, "AFF1", 4, 60), F("AFF1", 3, "KMT2A", 10, 20)], expect=(*KMT2A_R, "AFF1")
    ),
    SampleSpec("INF02", [F("KMT2A", 11, "MLLT3", 6, 30)], expect=(*KMT2A_R, "MLLT3")),
    SampleSpec("INF03", [F("KMT2A", 10, "MLLT1", 2, 6)], expect=(*KMT2A_R, "MLLT1")),
    SampleSpec("INF04", [F("BRD9", 3, "NUTM1", 3, 40)], expect=(*NUTM1_R, "BRD9")),
    SampleSpec("INF05", [F("BRD9", 8, "NUTM1", 3, 15)], expect=(*NUTM1_R, "BRD9")),
    SampleSpec("INF06", [F("BRD9", 14, "NUTM1", 3, 10)], expect=(*NUTM1_R, "BRD9")),
    SampleSpec("INF07", [F("ACIN1", 4, "NUTM1", 3, 25)], expect=(*NUTM1_R, "ACIN1")),
    SampleSpec("INF08", [F("PAX5", 4, "ETV6", 3, 30)], expect=(*PAX5_R, "ETV6")),
    SampleSpec("INF09", [F("PAX5", 6, "NOL4L", 2, 8)], expect=(*PAX5_R, "NOL4L")),
    # below 5 fragments: not required to be found
    SampleSpec("INF10", [F("KMT2A", 9, "MLLT10", 6, 3)], expect=(*KMT2A_R, "MLLT10")),
    SampleSpec("INF11"),  # no fusion
    SampleSpec("INF12", decoys=[F("SIMG01", 3, "SIMG02", 2, 12), F("ETV6", 5, "RUNX1", 3, 1)]),
    # NUTM1 expressed from BRD9::NUTM1 with one spanning fragment: no caller calls it, its expression
    # alone should flag it
    SampleSpec(
        "INF13",
        subthreshold=[F("BRD9", 3, "NUTM1", 3, 1, mates_only=True, transcript_fragments=200)],
        flags=(NUTM1_FLAG,),
    ),
]
TEST: list[SampleSpec] = [
    SampleSpec(
        "T01", [F("KMT2A", 9, "AFF1", 4, 25), F("AFF1", 3, "KMT2A", 10, 10)], expect=(*KMT2A_R, "AFF1")
    ),
    SampleSpec("T02", [F("BRD9", 8, "NUTM1", 3, 15)], expect=(*NUTM1_R, "BRD9")),
    SampleSpec("T03", [F("PAX5", 4, "ETV6", 3, 12)], expect=(*PAX5_R, "ETV6")),
    SampleSpec("T04"),
    SampleSpec("T05", decoys=[F("SIMG01", 3, "SIMG02", 2, 10), F("ETV6", 5, "RUNX1", 3, 1)]),
    SampleSpec(
        "T06",
        subthreshold=[F("ACIN1", 4, "NUTM1", 3, 1, mates_only=True, transcript_fragments=60)],
        flags=(NUTM1_FLAG,),
    ),
]
EXPECTED_COLUMNS = [
    "sample",
    "group",
    "subtype",
    "partner",
    "driver_fusion",
    "exon_5p",
    "exon_3p",
    "reading_frame",
    "fragments",
    "expected_flags",  # flags the sample should carry, comma-separated ('' for none)
]
COHORTS = {"demo": (DEMO, 20000), "test": (TEST, 6000)}


def simulate(outdir: Path, seed: int = 1, cohort: str = "demo", pairs: int | None = None) -> None:
    """Write the reference, reads, sample sheet and truth of a cohort into ``outdir``."""
    specs, default_pairs = COHORTS[cohort]
    n_pairs = pairs or default_pairs
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "reads").mkdir(exist_ok=True)
    ref = build_reference(seed)
    write_fasta(ref.genome, outdir / "genome.fa")
    write_gtf(ref, outdir / "genes.gtf")
    settings = ReadSettings()
    truth: list[dict] = []
    sheet: list[dict] = []
    for no, spec in enumerate(specs, start=1):
        rng = np.random.default_rng([seed, no])
        expression = {}
        for g in ref.genes:
            level = float(rng.lognormal(0.0, 0.8))  # drawn for silent genes too: others keep their level
            if g.gene_name in SILENT_GENES:
                level = 0.0
            for t in g.transcripts:
                expression[t.transcript_id] = level * (1.0 if t.mane else 0.3)
        r1, r2 = (
            outdir / "reads" / f"{spec.sample}_R1.fastq.gz",
            outdir / "reads" / f"{spec.sample}_R2.fastq.gz",
        )
        planted = [
            (kind, f, *fusion_sequence(ref, f))
            for kind, fs in (
                ("fusion", spec.fusions),
                ("decoy", spec.decoys),
                ("subthreshold", spec.subthreshold),
            )
            for f in fs
        ]
        with ReadWriter(r1, r2, rng, settings, no) as w:
            write_background(w, ref, n_pairs, expression)
            for _, f, seq, junction, _, _ in planted:
                (write_spanning if f.mates_only else write_fusion)(w, seq, junction, f.fragments)
                write_transcript(w, seq, junction, f.transcript_fragments)
        for kind, f, _, _, pos5, pos3 in planted:
            truth.append(
                {
                    "sample": spec.sample,
                    "fusion": f.name,
                    "gene_5p": f.gene_5p,
                    "gene_3p": f.gene_3p,
                    "exon_5p": f.exon_5p,
                    "exon_3p": f.exon_3p,
                    "chrom_5p": ref.gene(f.gene_5p).chrom,
                    "pos_5p": pos5,
                    "chrom_3p": ref.gene(f.gene_3p).chrom,
                    "pos_3p": pos3,
                    "fragments": f.fragments,
                    "kind": kind,
                    "mates_only": str(f.mates_only).lower(),
                    "transcript_fragments": f.transcript_fragments,
                }
            )
        sheet.append({"sample": spec.sample, "fq1": f"reads/{r1.name}", "fq2": f"reads/{r2.name}"})
    _write(outdir / "samples.tsv", ["sample", "fq1", "fq2"], sheet)
    _write(outdir / "expected.tsv", EXPECTED_COLUMNS, [_expected(ref, spec) for spec in specs])
    _write(outdir / "truth.tsv", TRUTH_COLUMNS, [t for t in truth if t["kind"] == "fusion"])
    _write(outdir / "decoys.tsv", TRUTH_COLUMNS, [t for t in truth if t["kind"] == "decoy"])
    _write(
        outdir / "subthreshold.tsv", SUBTHRESHOLD_COLUMNS, [t for t in truth if t["kind"] == "subthreshold"]
    )


def _expected(ref, spec: SampleSpec) -> dict:
    """The answer a sample should get: group, subtype, partner, and the driver's exons and frame."""
    row = dict(zip(("group", "subtype", "partner"), spec.expect, strict=True))
    row["sample"] = spec.sample
    row["expected_flags"] = ",".join(spec.flags)
    if spec.fusions:
        d = spec.fusions[0]
        row |= {
            "driver_fusion": d.name,
            "exon_5p": d.exon_5p,
            "exon_3p": d.exon_3p,
            "reading_frame": fusion_frame(ref, d),
            "fragments": d.fragments,
        }
    return row


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
