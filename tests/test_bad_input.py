"""Bad input stops the run before any job starts, with one line naming the sample or file.

Each case runs the real Snakefile (dry-run: the check happens while the workflow is parsed) or
the real ``allfuse`` command, and checks the exit code, the one-line message and that nothing
that looks like a finished result was written.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, REPO, one_line_error, run_snakemake, shared_path, write_config


@pytest.fixture(scope="module")
def fastqs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two real (tiny) FASTQ files: Arriba's BCR::ABL1 test reads."""
    return shared_path("arriba/read1.fastq.gz"), shared_path("arriba/read2.fastq.gz")


def _sheet(path: Path, rows: list[str]) -> Path:
    path.write_text("sample\tfq1\tfq2\n" + "".join(r + "\n" for r in rows))
    return path


def _dry_run(tmp_path: Path, sheet: Path, **overrides) -> subprocess.CompletedProcess:
    fasta, gtf = tmp_path / "genome.fa", tmp_path / "genes.gtf"
    fasta.write_text(">chr1\nACGT\n")
    gtf.write_text('chr1\tt\texon\t1\t4\t.\t+\t.\tgene_id "G1"; transcript_id "T1"; gene_name "G1";\n')
    cfg = write_config(tmp_path / "config.yaml", sheet, fasta, gtf, **overrides)
    return run_snakemake(tmp_path, cfg, "-n")


def test_missing_fastq(tmp_path: Path, fastqs) -> None:
    sheet = _sheet(tmp_path / "s.tsv", [f"P1\t{fastqs[0]}\t{tmp_path / 'missing_R2.fastq.gz'}"])
    one_line_error(_dry_run(tmp_path, sheet), "s.tsv: line 2 (sample P1)", "fq2 file not found", "missing_R2")
    assert not (tmp_path / "results").exists()


def test_duplicate_sample(tmp_path: Path, fastqs) -> None:
    row = f"P1\t{fastqs[0]}\t{fastqs[1]}"
    sheet = _sheet(tmp_path / "s.tsv", [row, row])
    one_line_error(_dry_run(tmp_path, sheet), "line 3 (sample P1)", "duplicate sample ID (first on line 2)")


@pytest.mark.parametrize("bad_id", ["P 1", "../P1", "P1;rm", "-P1"])
def test_unsafe_sample_id(tmp_path: Path, fastqs, bad_id: str) -> None:
    sheet = _sheet(tmp_path / "s.tsv", [f"{bad_id}\t{fastqs[0]}\t{fastqs[1]}"])
    one_line_error(_dry_run(tmp_path, sheet), f"(sample {bad_id})", "unsafe sample ID")


def test_r1_without_r2(tmp_path: Path, fastqs) -> None:
    sheet = _sheet(tmp_path / "s.tsv", [f"P1\t{fastqs[0]}\t"])
    one_line_error(_dry_run(tmp_path, sheet), "line 2 (sample P1)", "R1 given without R2")


def test_unknown_caller(tmp_path: Path, fastqs) -> None:
    sheet = _sheet(tmp_path / "s.tsv", [f"P1\t{fastqs[0]}\t{fastqs[1]}"])
    proc = _dry_run(tmp_path, sheet, callers=["star_chimeric", "fusioncatcherz"])
    one_line_error(proc, "callers", "unknown caller 'fusioncatcherz'", "star_chimeric")


def test_missing_sheet_column(tmp_path: Path, fastqs) -> None:
    sheet = tmp_path / "s.tsv"
    sheet.write_text(f"sample\tfq1\nP1\t{fastqs[0]}\n")
    one_line_error(_dry_run(tmp_path, sheet), "s.tsv: line 1", "missing column(s) fq2")


def test_good_sheet_plans_the_jobs(tmp_path: Path, fastqs) -> None:
    """The same setup with a valid sheet plans jobs, so the failures above are the checks' doing."""
    sheet = _sheet(tmp_path / "s.tsv", [f"P1\t{fastqs[0]}\t{fastqs[1]}"])
    proc = _dry_run(tmp_path, sheet)
    assert proc.returncode == 0, proc.stderr
    assert "star_align" in proc.stdout and "annotate" in proc.stdout


def _annotate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "allfuse"), "annotate", "--sample", "S", "--outdir", str(tmp_path / "out"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def test_annotate_wrong_kind_of_file_leaves_no_results(tmp_path: Path) -> None:
    gtf = shared_path("hamlet/reference/hamlet-ref.gtf")
    before = shared_path("fusion-report/test_data/starfusion.tsv").read_bytes()
    proc = _annotate(
        tmp_path, "--gtf", str(gtf), "--arriba", str(shared_path("fusion-report/test_data/starfusion.tsv"))
    )
    line = one_line_error(proc, "starfusion.tsv")
    assert "Arriba" in line or "arriba" in line
    assert not (tmp_path / "out").exists()
    assert shared_path("fusion-report/test_data/starfusion.tsv").read_bytes() == before  # input untouched


def test_annotate_missing_input_and_bad_gtf(tmp_path: Path) -> None:
    gtf = shared_path("hamlet/reference/hamlet-ref.gtf")
    one_line_error(_annotate(tmp_path, "--gtf", str(gtf), "--pizzly", str(tmp_path / "nope.json")),
                    "nope.json", "not found")  # fmt: skip
    bad_gtf = tmp_path / "bad.gtf"
    bad_gtf.write_text("this is not a GTF\n")
    proc = _annotate(tmp_path, "--gtf", str(bad_gtf), "--arriba", str(shared_path("arriba/fusions.tsv")))
    one_line_error(proc, "bad.gtf")
    assert not (tmp_path / "out").exists()


def test_config_schema_rejects_bad_values(tmp_path: Path, fastqs) -> None:
    sheet = _sheet(tmp_path / "s.tsv", [f"P1\t{fastqs[0]}\t{fastqs[1]}"])
    proc = _dry_run(tmp_path, sheet, merge={"max_distance": -3})
    one_line_error(proc, "config.yaml: merge.max_distance")


def test_readme_demo_sheet_is_valid() -> None:
    """config/samples.tsv (the documented example) parses, comment line included."""
    from allfuse.samplesheet import load_samples

    samples = load_samples(REPO / "config" / "samples.tsv", check_files=False)
    assert list(samples.index[:2]) == ["INF01", "INF02"] and len(samples) == 13


def test_build_nutm1_threshold_and_primer_settings_are_validated() -> None:
    """reference.build is one of the named builds (or other:NAME); the NUTM1 threshold is > 0; primer
    settings are numbers. Defaults come from the schema (the demo and test configs say 'simulated')."""
    from allfuse.config import load_config, validate_config
    from allfuse.errors import InputError

    for bad, where in (
        ({"reference": {"fasta": "g.fa", "gtf": "g.gtf", "build": "hg39"}}, "reference.build"),
        ({"expression": {"nutm1_tpm_threshold": 0}}, "expression.nutm1_tpm_threshold"),
        ({"primers": {"tm_min": "warm"}}, "primers.tm_min"),
    ):
        with pytest.raises(InputError, match=rf"^c.yaml: {re.escape(where)}: "):
            validate_config(bad, "c.yaml", partial=True)
    good = {"reference": {"fasta": "g.fa", "gtf": "g.gtf", "build": "other:CHM13v2"}}
    validate_config(good, "c.yaml", partial=True)
    filled: dict = {"reference": {"fasta": "g.fa", "gtf": "g.gtf"}}
    validate_config(filled, "c.yaml", partial=True)
    assert filled["reference"]["build"] == "unspecified"
    assert filled["expression"]["nutm1_tpm_threshold"] == 10
    assert filled["expression"]["nutm1_threshold_source"].startswith("assumption: NUTM1 is not expressed")
    assert filled["primers"] == {
        "product_min": 150, "product_max": 400, "tm_min": 57, "tm_opt": 60, "tm_max": 63, "gc_min": 40,
        "gc_max": 60, "size_min": 18, "size_opt": 20, "size_max": 25, "junction_clearance": 10,
    }  # fmt: skip
    for cfg in (REPO / "config" / "config.yaml", REPO / ".test" / "config" / "config.yaml"):
        assert load_config(cfg, partial=True)["reference"]["build"] == "simulated"
