"""Real reads, real aligner: Arriba's BCR::ABL1 test reads through STAR and ``allfuse annotate``.

The 40 read pairs of Arriba's test set (shared/data/arriba/read{1,2}.fastq.gz) are aligned with
Debian's STAR against HAMLET's GRCh38 reference (full-length no-alt analysis set, N-masked outside
its target genes, BCR and ABL1 included) with the pipeline's own STAR options (config/config.yaml
``star.chimeric`` and ``star.extra``, and the output options of workflow/rules/align.smk). Then
``allfuse annotate --star-chimeric`` must find the e14a2 junction: BCR exon 14 -> ABL1 exon 2 on the
MANE transcripts.

The HAMLET GTF is Ensembl-style (release 104): no MANE_Select/Ensembl_canonical tags, unversioned
``transcript_id`` with a separate ``transcript_version``. That is the fallback situation for transcript
choice: the curated canonical table, matched by Ensembl ID without version.

Cost: unpacking the FASTA (3.1 GB) and building the STAR index (3.1 GB on disk, about 2 min and
6-6.5 GB peak RSS with 2 threads); the alignment takes seconds. The index lives in a temporary folder
removed after this module; the FASTA is deleted as soon as the index is built.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import BIN, REPO, read_tsv, shared_path

from allfuse.callers.star_chimeric import read_junctions

# In ../shared/data, reached through shared_path() inside the tests.
REF = "hamlet/reference"
GTF = f"{REF}/hamlet-ref.gtf"
READS = ["arriba/read1.fastq.gz", "arriba/read2.fastq.gz"]
STAR = shutil.which("STAR")
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None
NEED_DISK = 8 * 1024**3  # FASTA 3.1 GB + index 3.1 GB, with headroom
NEED_MEM = 7 * 1024**3  # genomeGenerate peaks at ~6.3 GB RSS

# GRCh38 facts (resources/mane_exons.tsv; BCR ENST00000305877.13 and ABL1 ENST00000318560.6 are MANE Select)
BCR_EXON14_END = 23290413  # last base of BCR exon 14 (+ strand)
ABL1_EXON2_START = 130854064  # first base of ABL1 exon 2 (+ strand)
BCR_TX, ABL1_TX = "ENST00000305877.13", "ENST00000318560.6"


@dataclass
class Step:
    """Wall time and (with GNU time) peak resident memory of one command."""

    name: str
    seconds: float
    max_rss_kb: int | None = None

    def __str__(self) -> str:
        rss = f"{self.max_rss_kb / 1024**2:.2f} GiB peak RSS" if self.max_rss_kb else "peak RSS not measured"
        return f"{self.name}: {self.seconds:.1f} s, {rss}"


@dataclass
class Run:
    index: Path
    junctions: Path
    bam: Path
    log_final: Path
    out: Path
    steps: list[Step] = field(default_factory=list)


def _mem_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def measured(name: str, cmd: list[str], workdir: Path) -> Step:
    """Run ``cmd`` (under GNU time -v when installed); fail with its log on a non-zero exit."""
    report = workdir / f"{name}.time"
    full = [GNU_TIME, "-v", "-o", str(report), *cmd] if GNU_TIME else cmd
    start = time.monotonic()
    proc = subprocess.run(full, cwd=workdir, capture_output=True, text=True, timeout=1800, check=False)
    seconds = time.monotonic() - start
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    rss = None
    if GNU_TIME and report.is_file():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
        rss = int(m.group(1)) if m else None
    return Step(name, seconds, rss)


def star_options() -> list[str]:
    """The pipeline's STAR options, as the star_align rule passes them."""
    star = yaml.safe_load((REPO / "config/config.yaml").read_text())["star"]
    return shlex.split(star.get("extra", "")) + shlex.split(star["chimeric"])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    ref, gtf, reads = shared_path(REF), shared_path(GTF), [shared_path(r) for r in READS]
    # Not skipped otherwise: a machine that cannot run this check fails it, saying why.
    assert STAR is not None, "STAR is not installed (make install puts it there)"
    base = tmp_path_factory.mktemp("star_hamlet")
    free = shutil.disk_usage(base).free
    assert free >= NEED_DISK, (
        f"{free / 1024**3:.1f} GB free under {base}; the STAR index needs ~{NEED_DISK // 1024**3} GB"
    )
    assert _mem_available() >= NEED_MEM, (
        f"{_mem_available() / 1024**3:.1f} GB memory available; STAR genomeGenerate needs ~6.5 GB"
    )
    steps: list[Step] = []
    try:
        fasta, index = base / "hamlet-ref.fa", base / "index"
        index.mkdir()
        start = time.monotonic()
        with fasta.open("wb") as fh:
            subprocess.run(["xz", "-dc", str(ref / "hamlet-ref.fa.xz")], stdout=fh, check=True, timeout=900)
        steps.append(Step("xz -dc hamlet-ref.fa.xz", time.monotonic() - start))
        steps.append(
            measured(
                "STAR genomeGenerate",
                [
                    STAR,
                    "--runMode", "genomeGenerate",
                    "--genomeDir", str(index),
                    "--genomeFastaFiles", str(fasta),
                    "--sjdbGTFfile", str(gtf),
                    "--sjdbOverhang", "149",
                    "--genomeSAindexNbases", "12",
                    "--runThreadN", "2",
                    "--outFileNamePrefix", str(base / "index_"),
                ],
                base,
            )
        )  # fmt: skip
        fasta.unlink()
        aln = base / "aln"
        aln.mkdir()
        steps.append(
            measured(
                "STAR align",
                [
                    STAR,
                    "--runThreadN", "2",
                    "--genomeDir", str(index),
                    "--readFilesIn", *map(str, reads),
                    "--readFilesCommand", "zcat",
                    "--outFileNamePrefix", f"{aln}/",
                    "--outSAMtype", "BAM", "Unsorted",
                    "--outSAMattrRGline", "ID:K", "SM:K",
                    *star_options(),
                ],
                aln,
            )
        )  # fmt: skip
        out = base / "annotate"
        steps.append(
            measured(
                "allfuse annotate",
                [
                    str(BIN / "allfuse"), "annotate",
                    "--sample", "K",
                    "--gtf", str(gtf),
                    "--outdir", str(out),
                    "--star-chimeric", str(aln / "Chimeric.out.junction"),
                ],
                base,
            )
        )  # fmt: skip
        yield Run(
            index, aln / "Chimeric.out.junction", aln / "Aligned.out.bam", aln / "Log.final.out", out, steps
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_measurements(run, capsys):
    """Not a check: shows the cost of the real run (also with -q)."""
    with capsys.disabled():
        print("\n" + "\n".join(f"  [real BCR::ABL1] {s}" for s in run.steps))
    assert [s.name for s in run.steps][1:] == ["STAR genomeGenerate", "STAR align", "allfuse annotate"]


def test_reference_is_the_fallback_situation():
    """Ensembl-style GTF: no MANE tags, unversioned ids with transcript_version beside them."""
    text = shared_path(GTF).read_text()
    assert 'tag "MANE_Select"' not in text and 'tag "Ensembl_canonical"' not in text
    for tid, version in (("ENST00000305877", "13"), ("ENST00000318560", "6")):
        line = next(x for x in text.splitlines() if f'transcript_id "{tid}";' in x and "\ttranscript\t" in x)
        assert f'transcript_version "{version}";' in line
    bcr_ex14 = [x for x in text.splitlines() if '"ENST00000305877"' in x and "\texon\t" in x][13].split("\t")
    assert (bcr_ex14[0], int(bcr_ex14[3]), int(bcr_ex14[4])) == ("chr22", 23290339, BCR_EXON14_END)


def test_star_reports_intron_bases(run):
    """STAR's own records: donor/acceptor are the first/last intronic bases, both read orientations."""
    j = read_junctions(run.junctions)
    split = j[j["junction_type"] >= 0]
    keys = set(
        zip(
            split.chr_donorA,
            split.brkpt_donorA,
            split.strand_donorA,
            split.chr_acceptorB,
            split.brkpt_acceptorB,
        )
    )
    assert keys == {
        ("chr22", BCR_EXON14_END + 1, "+", "chr9", ABL1_EXON2_START - 1),
        ("chr9", ABL1_EXON2_START - 1, "-", "chr22", BCR_EXON14_END + 1),
    }
    assert set(split["junction_type"]) == {1, 2}  # GT/AG read as is and as its reverse complement
    assert "readgrp" in j.columns and set(j["readgrp"]) == {"K"}
    chimeric = re.search(r"Number of chimeric reads \|\s+(\d+)", run.log_final.read_text())
    assert chimeric and int(chimeric.group(1)) == split["read_name"].nunique() >= 5


def test_bam_has_chimeric_alignments(run):
    """WithinBAM: the chimeric reads are in the BAM too, as supplementary alignments (for Arriba)."""
    samtools = shutil.which("samtools")
    assert samtools is not None, "samtools is not installed (make install puts it there)"
    proc = subprocess.run(
        [samtools, "view", "-c", "-f", "2048", str(run.bam)], capture_output=True, text=True, check=True
    )
    assert int(proc.stdout) > 0


def test_bcr_abl1_e14a2_event(run):
    fusions = read_tsv(run.out / "fusions.tsv")
    assert len(fusions) == 1, fusions.to_string()
    ev = fusions.iloc[0]
    reads = read_junctions(run.junctions)
    n_split = reads[reads["junction_type"] >= 0]["read_name"].nunique()
    expected = {
        "sample": "K",
        "fusion": "BCR::ABL1",
        "gene_id_5p": "ENSG00000186716",
        "gene_id_3p": "ENSG00000097007",
        "chrom_5p": "chr22",
        "pos_5p": str(BCR_EXON14_END),
        "strand_5p": "+",
        "chrom_3p": "chr9",
        "pos_3p": str(ABL1_EXON2_START),
        "strand_3p": "+",
        "callers": "star_chimeric",
        "n_callers": "1",
        "junction_reads": str(n_split),
        "read_through": "False",
        "transcript_5p": BCR_TX,
        "transcript_source_5p": "canonical_table",
        "exon_5p": "14",
        "intron_5p": "",
        "exon_boundary_5p": "True",
        "dist_to_exon_5p": "0",
        "transcript_3p": ABL1_TX,
        "transcript_source_3p": "canonical_table",
        "exon_3p": "2",
        "intron_3p": "",
        "exon_boundary_3p": "True",
        "dist_to_exon_3p": "0",
        "reading_frame": "in-frame",
        "category": "BCR::ABL1",
    }
    assert {k: ev[k] for k in expected} == expected
    call = read_tsv(run.out / "calls/star_chimeric.tsv")
    assert len(call) == 1
    assert (call.iloc[0]["pos_5p"], call.iloc[0]["pos_3p"]) == (str(BCR_EXON14_END), str(ABL1_EXON2_START))
    assert (call.iloc[0]["site_5p"], call.iloc[0]["site_3p"]) == ("splice-site", "splice-site")


def test_bcr_abl1_classification(run):
    cls = json.loads((run.out / "classification.json").read_text())
    expected = {
        "sample": "K",
        "group": "KMT2A-wt",
        "subtype": "BCR::ABL1",
        "partner": "",
        "driver_fusion": "BCR::ABL1",
        "transcript_5p": BCR_TX,
        "exon_5p": 14,
        "intron_5p": "",
        "transcript_3p": ABL1_TX,
        "exon_3p": 2,
        "intron_3p": "",
        "reading_frame": "in-frame",
        "callers": "star_chimeric",
        "reciprocal_fusion": "",
        "other_defining_fusions": [],
        "flags": [],
        "rule": "BCR_ABL1",
    }
    assert {k: cls[k] for k in expected} == expected
    reads = read_junctions(run.junctions)
    assert cls["junction_reads"] == reads[reads["junction_type"] >= 0]["read_name"].nunique()


def test_index_is_temporary(run, tmp_path_factory):
    """The index is under pytest's temporary folder (removed after the module), the FASTA already gone."""
    assert run.index.is_relative_to(tmp_path_factory.getbasetemp())
    assert (run.index / "SA").is_file() and not (run.index.parent / "hamlet-ref.fa").exists()
