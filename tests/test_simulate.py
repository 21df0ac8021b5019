"""The simulated reference mirrors MANE Select, and the planted truth points at real exon boundaries."""

from __future__ import annotations

import gzip
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import BIN, REPO, read_tsv
from pyfaidx import Fasta

from allfuse.gtf import Annotation
from allfuse.simulate.genome import MANE_GENES

MINUS = {"BRD9", "PAX5", "MLLT1", "MLLT3", "ACIN1", "RUNX1", "NOL4L", "ELL", "EPS15"}
REVCOMP = str.maketrans("ACGT", "TGCA")


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    cmd = [str(BIN / "allfuse"), "simulate", "--outdir", str(out), "--cohort", "demo", "--pairs", "300"]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def ann(sim: Path) -> Annotation:
    return Annotation.from_gtf(sim / "genes.gtf")


def test_genes_mirror_mane_exon_structures(ann: Annotation) -> None:
    mane = pd.read_csv(REPO / "resources" / "mane_exons.tsv", sep="\t", dtype=str, keep_default_na=False)
    for gene in MANE_GENES:
        facts = mane[mane.gene == gene].assign(exon=lambda d: d.exon.astype(int)).sort_values("exon")
        tx = ann.transcripts[(ann.transcripts.gene_name == gene) & ann.transcripts.mane_select]
        assert list(tx.transcript_id) == [facts.ensembl.iloc[0]], gene
        exons = ann.transcript_exons(tx.transcript_id.iloc[0])
        assert len(exons) == len(facts), gene
        assert list(exons.end - exons.start + 1) == list(facts.length.astype(int)), gene
        assert exons.strand.iloc[0] == facts.strand.iloc[0], gene
        if gene in MINUS:
            assert exons.strand.iloc[0] == "-"


def test_cds_phases_match_mane(ann: Annotation) -> None:
    """Phase at the end of each coding exon equals MANE's (coding bases so far mod 3)."""
    mane = pd.read_csv(REPO / "resources" / "mane_exons.tsv", sep="\t", dtype=str, keep_default_na=False)
    for gene in ("BRD9", "NUTM1", "KMT2A", "PAX5", "ETV6", "AFF1"):
        facts = mane[mane.gene == gene].assign(exon=lambda d: d.exon.astype(int)).sort_values("exon")
        tid = facts.ensembl.iloc[0]
        exons = ann.transcript_exons(tid)
        cds = ann.cds[ann.cds.transcript_id == tid]
        coding = 0
        for ex, fact in zip(exons.itertuples(), facts.itertuples(), strict=True):
            seg = cds[(cds.start >= ex.start) & (cds.end <= ex.end)]
            if seg.empty:
                assert fact.cds_end_phase == "", (gene, ex.exon_number)
                continue
            coding += int((seg.end - seg.start + 1).sum())
            assert coding % 3 == int(fact.cds_end_phase), (gene, ex.exon_number)


def test_introns_are_gt_ag_on_the_transcribed_strand(sim: Path, ann: Annotation) -> None:
    genome = Fasta(str(sim / "genome.fa"), as_raw=True)
    for gene in ("KMT2A", "BRD9", "PAX5"):
        tid = ann.transcripts[
            (ann.transcripts.gene_name == gene) & ann.transcripts.mane_select
        ].transcript_id.iloc[0]
        exons = ann.transcript_exons(tid)
        for a, b in zip(exons.itertuples(), exons.iloc[1:].itertuples(), strict=False):
            if a.strand == "+":
                intron = genome[a.chrom][a.end : b.start - 1]
            else:
                intron = genome[a.chrom][b.end : a.start - 1].translate(REVCOMP)[::-1]
            assert intron[:2] == "GT" and intron[-2:] == "AG", (gene, a.exon_number)


def test_non_canonical_isoform_is_listed_first(sim: Path) -> None:
    lines = [ln.split("\t") for ln in (sim / "genes.gtf").read_text().splitlines() if "\ttranscript\t" in ln]
    kmt2a = [ln[8] for ln in lines if 'gene_name "KMT2A"' in ln[8]]
    assert len(kmt2a) == 2
    assert "MANE_Select" not in kmt2a[0] and 'transcript_id "ENST00000534358.8"' in kmt2a[1]


def test_truth_points_at_exon_boundaries(sim: Path, ann: Annotation) -> None:
    truth = read_tsv(sim / "truth.tsv")
    assert {"KMT2A::AFF1", "AFF1::KMT2A", "KMT2A::MLLT3", "KMT2A::MLLT1", "BRD9::NUTM1", "ACIN1::NUTM1",
            "PAX5::ETV6", "PAX5::NOL4L"} <= set(truth.fusion)  # fmt: skip
    assert sorted(truth[truth.fusion == "BRD9::NUTM1"].exon_5p.astype(int)) == [3, 8, 14]
    for t in truth.itertuples():
        for gene, exon, pos, side in (
            (t.gene_5p, t.exon_5p, t.pos_5p, "5p"),
            (t.gene_3p, t.exon_3p, t.pos_3p, "3p"),
        ):
            tid = ann.transcripts[
                (ann.transcripts.gene_name == gene) & ann.transcripts.mane_select
            ].transcript_id
            ex = ann.transcript_exons(tid.iloc[0]).iloc[int(exon) - 1]
            plus = ex.strand == "+"
            want = (ex.end if plus else ex.start) if side == "5p" else (ex.start if plus else ex.end)
            assert int(pos) == want, (t.sample, t.fusion, side)
    decoys = read_tsv(sim / "decoys.tsv")
    assert set(decoys.fragments) == {"1", "12"}


def test_reads_look_like_illumina(sim: Path) -> None:
    name = re.compile(r"^@ALLSIM:\d+:HSIMFCXX:1:\d{4}:\d+:\d+ [12]:N:0:ACGTACGT$")
    with gzip.open(sim / "reads" / "INF01_R1.fastq.gz", "rt") as r1, gzip.open(sim / "reads" / "INF01_R2.fastq.gz",
                                                                                "rt") as r2:  # fmt: skip
        a, b = r1.read().splitlines(), r2.read().splitlines()
    assert len(a) == len(b) == 4 * (300 + 60 + 20)
    for i in range(0, len(a), 4):
        assert name.match(a[i]) and name.match(b[i])
        assert a[i].split()[0] == b[i].split()[0]
        assert len(a[i + 1]) == len(a[i + 3]) == 100
        assert set(a[i + 1]) <= set("ACGTN")


def test_same_seed_same_files(sim: Path, tmp_path: Path) -> None:
    cmd = [str(BIN / "allfuse"), "simulate", "--outdir", str(tmp_path), "--cohort", "demo", "--pairs", "300"]
    subprocess.run(cmd, check=True, capture_output=True)
    for rel in (
        "genes.gtf",
        "genome.fa",
        "truth.tsv",
        "samples.tsv",
        "expected.tsv",
        "reads/INF01_R1.fastq.gz",
    ):
        assert (tmp_path / rel).read_bytes() == (sim / rel).read_bytes(), rel
