"""The simulated reference mirrors MANE Select, and the planted truth points at real exon boundaries."""

from __future__ import annotations

import gzip
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import BIN, REPO, read_tsv
from pyfaidx import Fasta

from allfuse.expression import NUTM1_FLAG
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
    subthreshold = read_tsv(sim / "subthreshold.tsv")
    assert subthreshold[["sample", "fusion", "exon_5p", "exon_3p"]].values.tolist() == [
        ["INF13", "BRD9::NUTM1", "3", "3"]
    ]
    for t in pd.concat([truth, subthreshold]).itertuples():
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
        "subthreshold.tsv",
        "reads/INF01_R1.fastq.gz",
        "reads/INF13_R2.fastq.gz",
    ):
        assert (tmp_path / rel).read_bytes() == (sim / rel).read_bytes(), rel


# --- NUTM1: silent in the background; one planted fusion transcript below every caller's minimum ---

K = 25  # k-mer length for assigning simulated reads to sequences (exact; a read error kills few k-mers)
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture(scope="module")
def test_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test cohort exactly as ``sim_run`` simulates it (seed 7, full size)."""
    out = tmp_path_factory.mktemp("sim_test")
    cmd = [str(BIN / "allfuse"), "simulate", "--outdir", str(out), "--cohort", "test", "--seed", "7"]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def _revcomp(seq: str) -> str:
    return seq.translate(REVCOMP)[::-1]


def _kmers(seq: str) -> set[str]:
    """Every k-mer of a sequence and of its reverse complement (the library is unstranded)."""
    out = set()
    for s in (seq, _revcomp(seq)):
        out.update(s[i : i + K] for i in range(len(s) - K + 1))
    return out


def _exon_seqs(folder: Path, ann: Annotation, transcript_id: str) -> list[str]:
    """A transcript's exon sequences in transcript order, read from the written FASTA and GTF."""
    genome = Fasta(str(folder / "genome.fa"), as_raw=True)
    seqs = []
    for ex in ann.transcript_exons(transcript_id).itertuples():
        s = genome[ex.chrom][ex.start - 1 : ex.end]
        seqs.append(s if ex.strand == "+" else _revcomp(s))
    return seqs


def _transcripts(ann: Annotation, gene: str, mane_only: bool = False) -> list[str]:
    tx = ann.transcripts[ann.transcripts.gene_name == gene]
    return list(tx[tx.mane_select].transcript_id if mane_only else tx.transcript_id)


def _gene_kmers(folder: Path, ann: Annotation, gene: str) -> set[str]:
    """k-mers of every exon of every transcript of a gene (within exons: splice-independent)."""
    genome = Fasta(str(folder / "genome.fa"), as_raw=True)
    ex = ann.exons[ann.exons.transcript_id.isin(_transcripts(ann, gene))]
    return set().union(*(_kmers(genome[e.chrom][e.start - 1 : e.end]) for e in ex.itertuples()))


def _spliced_kmers(folder: Path, ann: Annotation, gene: str) -> set[str]:
    """k-mers of every spliced transcript of a gene: what its own reads may carry across exons."""
    return set().union(*(_kmers("".join(_exon_seqs(folder, ann, t))) for t in _transcripts(ann, gene)))


def _pairs(folder: Path, sample: str):
    with gzip.open(folder / "reads" / f"{sample}_R1.fastq.gz", "rt") as r1, gzip.open(
        folder / "reads" / f"{sample}_R2.fastq.gz", "rt"
    ) as r2:  # fmt: skip
        for i, (a, b) in enumerate(zip(r1, r2, strict=True)):
            if i % 4 == 1:
                yield a.strip(), b.strip()


def _hits(read: str, kmers: set[str]) -> bool:
    return any(read[i : i + K] in kmers for i in range(len(read) - K + 1))


def _nutm1_pairs(folder: Path, ann: Annotation, sample: str) -> int:
    nutm1 = _gene_kmers(folder, ann, "NUTM1")
    return sum(_hits(a, nutm1) or _hits(b, nutm1) for a, b in _pairs(folder, sample))


def _fusion_evidence(folder: Path, ann: Annotation, row) -> dict[str, int]:
    """From the FASTQ: pairs with a read across the fusion junction (split), pairs whose mates fall
    one on each side of it (spanning), and pairs with a read in the 3' partner's exons from exon_3p
    on, and before it."""
    five = _exon_seqs(folder, ann, _transcripts(ann, row.gene_5p, mane_only=True)[0])[: int(row.exon_5p)]
    three = _exon_seqs(folder, ann, _transcripts(ann, row.gene_3p, mane_only=True)[0])
    head, tail = "".join(five), "".join(three[int(row.exon_3p) - 1 :])
    fused, j = head + tail, len(head)
    # k-mers across the junction that no unfused transcript of either partner has
    across = set()
    for i in range(j - K + 1, j):
        across |= {fused[i : i + K], _revcomp(fused[i : i + K])}
    across -= _spliced_kmers(folder, ann, row.gene_5p) | _spliced_kmers(folder, ann, row.gene_3p)
    k5, k3 = _kmers(head), _kmers(tail)
    k3_before = set().union(*(_kmers(s) for s in three[: int(row.exon_3p) - 1]))
    out = {"split": 0, "spanning": 0, "exons_from_3p": 0, "exons_before_3p": 0}
    for a, b in _pairs(folder, row.sample):
        split = _hits(a, across) or _hits(b, across)
        out["split"] += split
        out["spanning"] += not split and ((_hits(a, k5) and _hits(b, k3)) or (_hits(a, k3) and _hits(b, k5)))
        out["exons_from_3p"] += _hits(a, k3) or _hits(b, k3)
        out["exons_before_3p"] += _hits(a, k3_before) or _hits(b, k3_before)
    return out


def _min_total_support() -> int:
    """star_chimeric's minimum support (junction reads + spanning fragments), the schema default the
    test runs use; the lowest of the callers' minimums (Arriba's known-fusion rescue and pizzly drop a
    single spanning fragment too: see README, the demo cohort)."""
    schema = yaml.safe_load(SCHEMA.read_text())
    return int(schema["properties"]["star_chimeric"]["properties"]["min_total_support"]["default"])


@pytest.fixture(scope="module", params=["test", "demo"])
def cohort(request: pytest.FixtureRequest) -> tuple[Path, Annotation]:
    folder = request.getfixturevalue("test_cohort" if request.param == "test" else "sim")
    return folder, Annotation.from_gtf(folder / "genes.gtf")


def test_the_nutm1_case_is_planted_below_calling_and_expected_flagged(cohort) -> None:
    folder, _ = cohort
    sub = read_tsv(folder / "subthreshold.tsv")
    assert len(sub) == 1
    row = sub.iloc[0]
    assert row.gene_3p == "NUTM1" and row.exon_3p == "3" and row.mates_only == "true"
    assert int(row.fragments) < _min_total_support() and int(row.transcript_fragments) >= 60
    assert row["sample"] not in set(read_tsv(folder / "truth.tsv")["sample"])
    expected = read_tsv(folder / "expected.tsv").set_index("sample")
    assert expected.index[expected.expected_flags != ""].tolist() == [row["sample"]]
    want = {"group": "KMT2A-wt", "subtype": "none", "partner": "", "driver_fusion": "", "fragments": ""}
    assert expected.loc[row["sample"], list(want)].to_dict() == want
    assert expected.loc[row["sample"], "expected_flags"] == NUTM1_FLAG


def test_nutm1_case_reads_express_nutm1_3p_exons_with_too_few_junction_fragments(cohort) -> None:
    folder, ann = cohort
    row = next(read_tsv(folder / "subthreshold.tsv").itertuples(index=False))
    got = _fusion_evidence(folder, ann, row)
    # no read crosses the junction; the one planted fragment has its mates on either side of it
    assert (got["split"], got["spanning"]) == (0, int(row.fragments)) == (0, 1)
    assert got["split"] + got["spanning"] < _min_total_support()
    # the fused transcript's NUTM1 part is read (about half of 60 / 200 fragments), exons 1-2 never
    assert got["exons_from_3p"] >= int(row.transcript_fragments) // 3
    assert got["exons_before_3p"] == 0


def test_the_junction_counter_sees_every_fragment_of_a_called_nutm1_fusion(cohort) -> None:
    """The same counting on a planted NUTM1 fusion the callers call: every fragment crosses."""
    folder, ann = cohort
    truth = read_tsv(folder / "truth.tsv")
    row = next(truth[truth.gene_3p == "NUTM1"].itertuples(index=False))
    got = _fusion_evidence(folder, ann, row)
    assert got["split"] > 0 and got["split"] + got["spanning"] == int(row.fragments)
    assert got["exons_before_3p"] == 0


def test_nutm1_is_silent_in_every_background(cohort) -> None:
    """No read of NUTM1 where no NUTM1 fusion was planted; where one was, its only reads are the
    planted fusion fragments."""
    folder, ann = cohort
    planted = pd.concat([read_tsv(folder / "truth.tsv"), read_tsv(folder / "subthreshold.tsv")])
    nutm1 = planted[planted.gene_3p == "NUTM1"]
    from_fusion = {
        r.sample: int(r.fragments) + (0 if pd.isna(r.transcript_fragments) else int(r.transcript_fragments))
        for r in nutm1.itertuples(index=False)
    }
    samples = read_tsv(folder / "samples.tsv")["sample"].tolist()
    counts = {s: _nutm1_pairs(folder, ann, s) for s in samples}
    assert {s for s, n in counts.items() if n} == set(from_fusion), counts
    for sample, n in from_fusion.items():
        assert 0 < counts[sample] <= n, (sample, counts[sample], n)
