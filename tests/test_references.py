"""Files as users really have them: references as GENCODE distributes them (gzip, BGZF), spreadsheet
sample sheets, contig names that do not match, compressions allfuse does not read, and failing
reference steps. Every run is the real workflow; every failure is one ``allfuse...: error:`` line.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import pysam
import pytest
from conftest import BIN, REPO, one_line_error, read_tsv, run_snakemake, write_config

TABLES = ["fusions.tsv", "classification.json", "qc.tsv", "calls/star_chimeric.tsv", "calls/pizzly.tsv"]
#: Two exon lines on a contig the simulated genome lacks (a GTF with scaffolds the FASTA has not).
FOREIGN = (
    'chrUn_sim\tSIM\texon\t100\t200\t.\t+\t.\tgene_id "ENSGSIM1"; transcript_id "ENSTSIM1.1"; gene_name "SIMUN1";\n'
    'chrUn_sim\tSIM\texon\t300\t400\t.\t+\t.\tgene_id "ENSGSIM1"; transcript_id "ENSTSIM1.1"; gene_name "SIMUN1";\n'
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def absolute_sheet(sim: Path, samples: list[str] | None = None) -> list[tuple[str, str, str]]:
    rows = read_tsv(sim / "samples.tsv")
    return [
        (r.sample, str(sim / r.fq1), str(sim / r.fq2))
        for r in rows.itertuples()
        if samples is None or r.sample in samples
    ]


def write_sheet(
    path: Path, rows, *, bom: bytes = codecs.BOM_UTF8, newline: str = "\r\n", encoding="utf-8", sep="\t"
):
    """A sheet as a spreadsheet saves it: byte-order mark and CRLF line ends by default."""
    text = newline.join(sep.join(r) for r in [("sample", "fq1", "fq2"), *rows]) + newline
    path.write_bytes(bom + text.encode(encoding))
    return path


def dry_run(tmp_path: Path, cfg: Path) -> subprocess.CompletedProcess:
    return run_snakemake(tmp_path / "run", cfg, "-n", "-q")


# ---- a GENCODE-style download: BGZF FASTA, gzipped GTF with extra contigs, spreadsheet sheet -------
@pytest.fixture(scope="module")
def gz_run(sim_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    sim = sim_run / "sim"
    ref = tmp_path_factory.mktemp("gzref")
    fasta = ref / "GRCh38.primary_assembly.genome.fa.gz"
    pysam.tabix_compress(str(sim / "genome.fa"), str(fasta))  # BGZF, as GENCODE ships it
    gtf = ref / "gencode.v44.annotation.gtf.gz"
    with gzip.open(gtf, "wt") as fh:  # plain gzip
        fh.write((sim / "genes.gtf").read_text() + FOREIGN)
    sheet = write_sheet(ref / "samples.tsv", absolute_sheet(sim))
    before = {p.name: sha256(p) for p in (fasta, gtf, sheet)}
    listing = sorted(p.name for p in ref.iterdir())
    run = tmp_path_factory.mktemp("gzrun")
    cfg = write_config(run / "config.yaml", sheet, fasta, gtf)
    proc = run_snakemake(run, cfg)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {
        "run": run,
        "proc": proc,
        "ref": ref,
        "before": before,
        "listing": listing,
        "fasta": fasta,
        "gtf": gtf,
    }


def test_gzipped_reference_gives_the_plain_reference_results(gz_run: dict, sim_run: Path) -> None:
    run = gz_run["run"]
    for sample in ("T01", "T02", "T03", "T04", "T05"):
        for table in TABLES:
            ours = (run / "results" / sample / table).read_bytes()
            assert ours == (sim_run / "results" / sample / table).read_bytes(), f"{sample}/{table}"
    fusions = read_tsv(run / "results" / "T01" / "fusions.tsv")
    driver = fusions[fusions["fusion"] == "KMT2A::AFF1"].iloc[0]
    assert (driver["exon_5p"], driver["exon_3p"]) == ("9", "4")
    cohort = read_tsv(run / "results" / "cohort.tsv").set_index("sample")
    assert cohort.loc["T02", "subtype"] == "NUTM1-r" and cohort.loc["T03", "subtype"] == "PAX5-r"
    # decompressed once into work_dir; STAR and pizzly read that copy
    assert (run / "work" / "reference" / "genome.fa").read_bytes() == (
        sim_run / "sim" / "genome.fa"
    ).read_bytes()


def test_gzipped_inputs_are_never_modified(gz_run: dict) -> None:
    ref = gz_run["ref"]
    assert {p.name: sha256(p) for p in ref.iterdir() if p.name in gz_run["before"]} == gz_run["before"]
    assert sorted(p.name for p in ref.iterdir()) == gz_run["listing"]  # no .fai/.gzi left beside them


def test_gtf_contigs_missing_from_the_fasta_are_one_warning_with_the_line_count(gz_run: dict) -> None:
    warnings = [ln for ln in gz_run["proc"].stderr.splitlines() if "chrUn_sim" in ln]
    assert len(warnings) == 1, gz_run["proc"].stderr
    assert warnings[0].startswith("allfuse: warning: ")
    assert "2 line(s) on 1 contig(s)" in warnings[0] and str(gz_run["fasta"]) in warnings[0]


# ---- checks before any job -------------------------------------------------------------------
def test_fasta_without_chr_and_gtf_with_it_stop_before_any_job(sim_run: Path, tmp_path: Path) -> None:
    sim = sim_run / "sim"
    fasta = tmp_path / "Homo_sapiens.GRCh38.dna.primary_assembly.fa"
    fasta.write_text((sim / "genome.fa").read_text().replace(">chr", ">"))
    cfg = write_config(tmp_path / "c.yaml", sim / "samples.tsv", fasta, sim / "genes.gtf")
    proc = run_snakemake(tmp_path / "run", cfg)
    line = one_line_error(proc, "allfuse: error:", str(fasta), str(sim / "genes.gtf"), "share no contig name")
    assert "FASTA: 1, 4," in line and "GTF: chr1, chr4," in line
    assert "adding 'chr' to the FASTA's names would match" in line
    assert (
        not (tmp_path / "run" / "results").exists()
        and not (tmp_path / "run" / "work" / "star_index").exists()
    )

    # and the other way round: chr in the FASTA, none in the GTF
    gtf = tmp_path / "Homo_sapiens.GRCh38.110.gtf"
    gtf.write_text("".join(ln.removeprefix("chr") for ln in (sim / "genes.gtf").open()))
    cfg = write_config(tmp_path / "d.yaml", sim / "samples.tsv", sim / "genome.fa", gtf)
    line = one_line_error(dry_run(tmp_path, cfg), str(gtf), "share no contig name")
    assert "dropping 'chr' from the FASTA's names would match" in line


@pytest.mark.parametrize(
    "name, content, needle",
    [
        ("genes_as_fasta.fa", None, "not a FASTA file (it starts with '##description"),
        ("twice.fa", "twice", "appear more than once"),
        ("absent.fa", "absent", "reference.fasta: file not found"),
    ],
)
def test_bad_fasta_is_one_line_before_any_job(
    sim_run: Path, tmp_path: Path, name: str, content, needle
) -> None:
    sim = sim_run / "sim"
    fasta = tmp_path / name
    if content is None:
        shutil.copy(sim / "genes.gtf", fasta)
    elif content == "twice":
        fasta.write_text((sim / "genome.fa").read_text() * 2)
    cfg = write_config(tmp_path / "c.yaml", sim / "samples.tsv", fasta, sim / "genes.gtf")
    one_line_error(dry_run(tmp_path, cfg), "allfuse: error:", str(fasta), needle)


@pytest.mark.parametrize(
    "kind, needle",
    [
        ("gff3", "this is GFF3"),
        ("no_exons", "GTF has no exon lines"),
        ("no_transcript_id", "exon without gene_id or transcript_id"),
        ("truncated_gz", "damaged or truncated gzip file"),
    ],
)
def test_bad_gtf_is_one_line_before_any_job(sim_run: Path, tmp_path: Path, kind: str, needle: str) -> None:
    sim = sim_run / "sim"
    text = (sim / "genes.gtf").read_text()
    gtf = tmp_path / f"{kind}.gtf"
    if kind == "gff3":
        gtf.write_text("##gff-version 3\nchr1\tSIM\tgene\t1\t100\t.\t+\t.\tID=gene1;Name=X\n" * 3)
    elif kind == "no_exons":
        gtf.write_text("".join(ln for ln in text.splitlines(True) if "\texon\t" not in ln))
    elif kind == "no_transcript_id":
        gtf.write_text(text.replace('transcript_id "', 'transcript_name_x "'))
    else:
        gtf = tmp_path / "gencode.gtf.gz"
        gtf.write_bytes(gzip.compress(text.encode())[:5000])
    cfg = write_config(tmp_path / "c.yaml", sim / "samples.tsv", sim / "genome.fa", gtf)
    one_line_error(dry_run(tmp_path, cfg), "allfuse: error:", str(gtf), needle)


@pytest.mark.parametrize("tool, kind", [("bzip2", "bzip2"), ("zstd", "zstd"), ("xz", "xz")])
def test_fastq_in_another_compression_is_one_line_naming_it(
    sim_run: Path, tmp_path: Path, tool, kind
) -> None:
    sim = sim_run / "sim"
    (sample, fq1, fq2), *_ = absolute_sheet(sim, ["T01"])
    packed = tmp_path / f"T01_R1.fastq.{tool}"
    packed.write_bytes(
        subprocess.run(
            [tool, "-c"], input=gzip.decompress(Path(fq1).read_bytes()), capture_output=True, check=True
        ).stdout
    )
    sheet = write_sheet(tmp_path / "s.tsv", [(sample, str(packed), fq2)], bom=b"", newline="\n")
    cfg = write_config(tmp_path / "c.yaml", sheet, sim / "genome.fa", sim / "genes.gtf")
    line = one_line_error(
        dry_run(tmp_path, cfg), "allfuse: error: sample T01", str(packed), f"is {kind}-compressed"
    )
    assert "plain or gzip" in line and "\\x" not in line  # says what is accepted; no binary bytes quoted


@pytest.mark.parametrize(
    "variant",
    ["bom_crlf", "utf16", "csv"],
)
def test_sheets_saved_by_a_spreadsheet_read_as_intended(sim_run: Path, tmp_path: Path, variant: str) -> None:
    rows = absolute_sheet(sim_run / "sim")
    if variant == "bom_crlf":
        sheet = write_sheet(tmp_path / "s.tsv", rows)
    elif variant == "utf16":  # Excel's "Unicode text"
        sheet = write_sheet(tmp_path / "s.txt", rows, bom=codecs.BOM_UTF16_LE, encoding="utf-16-le")
    else:  # saved as CSV, as nf-core pipelines take it
        sheet = write_sheet(tmp_path / "s.csv", rows, sep=",")
    proc = subprocess.run(
        [str(BIN / "allfuse"), "check-samples", "--samples", str(sheet)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{sheet}: 6 samples OK"


# ---- a reference step that fails: one line naming the files, the tool and the log ------------------
def test_failing_reference_step_is_one_line_and_no_traceback(sim_run: Path, tmp_path: Path) -> None:
    sim = sim_run / "sim"
    lines = (sim / "genome.fa").read_text().split("\n")
    lines[2:4] = [lines[2] + lines[3]]  # one long line inside chr1: STAR reads it, pyfaidx cannot index it
    fasta = tmp_path / "ragged.fa"
    fasta.write_text("\n".join(lines))
    before = sha256(fasta)
    cfg = write_config(tmp_path / "c.yaml", sim / "samples.tsv", fasta, sim / "genes.gtf")
    proc = run_snakemake(tmp_path / "run", cfg)
    assert proc.returncode != 0
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("allfuse")]
    # The genome's index (samtools faidx) is the first step to read the FASTA's lines: every other
    # step that reads them (allfuse transcripts, evidence, primers) reads that index.
    assert len(errors) == 1, proc.stderr
    head = f"allfuse: error: reference {fasta} + {sim / 'genes.gtf'}: samtools faidx failed (exit 1): "
    assert errors[0].startswith(head) and errors[0].endswith(" (log: logs/genome_fai.log)"), errors[0]
    assert "Could not build fai index" in errors[0]
    logs = [p for p in (tmp_path / "run").rglob("*.log") if p.is_file()]
    assert logs and not [p for p in logs if "Traceback" in p.read_text(errors="replace")]
    assert sha256(fasta) == before and not (tmp_path / "run" / "results" / "cohort.tsv").exists()


def test_an_unexpected_failure_of_an_allfuse_step_is_one_line(tmp_path: Path) -> None:
    # A folder where a file is expected: not an InputError the step foresaw, still no traceback.
    proc = subprocess.run(
        [
            str(BIN / "allfuse"),
            "qc",
            "--log",
            str(tmp_path),
            "--reads",
            str(tmp_path),
            "--sample",
            "S1",
            "--min-input-pairs",
            "1000",
            "--min-uniquely-mapped-pct",
            "30",
            "--out",
            str(tmp_path / "qc.tsv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    line = one_line_error(proc, "allfuse qc: error:")
    assert "Traceback" not in proc.stderr and not (tmp_path / "qc.tsv").exists()
    assert str(tmp_path) in line


# ---- make lint on a fresh clone, before make demo ----------------------------------------------
def test_lint_passes_on_a_fresh_clone_before_the_demo_exists(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    # the working tree as it is now (tests run on uncommitted changes too)
    for rel in ("Snakefile", "workflow", "config", "src"):
        src = REPO / rel
        if src.is_dir():
            shutil.copytree(
                src, clone / rel, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(src, clone / rel)
    assert not (clone / "demo").exists()
    proc = subprocess.run(
        [str(BIN / "snakemake"), "--lint", "--configfile", "config/config.yaml"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Lints for" not in proc.stdout + proc.stderr
