"""Never a confident wrong answer: bad input fails with one line, and what cannot be assessed says so.

Every case runs the real pipeline (STAR, kallisto, pizzly) or the real ``allfuse`` command on the
simulated test cohort of ``sim_run`` (reference files reused from its ``work/`` folder) and checks
the exit code, the one-line message naming sample and file, that nothing finished-looking was
written, and that the inputs are byte-for-byte untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BIN, REPO, one_line_error, read_tsv, run_snakemake, shared_path, write_config

SIDE_COLUMNS = ("sample", "event_id", "reciprocal_of")


def digest(*paths: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def comparable_events(path: Path):
    """fusions.tsv without the columns that carry the sample's name."""
    return read_tsv(path).drop(columns=list(SIDE_COLUMNS))


def classification(path: Path) -> dict:
    cls = json.loads(path.read_text())
    cls.pop("sample")
    return cls


def run_config(run: Path, sim_run: Path, sheet: Path, **overrides) -> Path:
    """A config for ``sheet`` on the simulated reference, reusing sim_run's generated reference files."""
    sim = sim_run / "sim"
    return write_config(
        run / "config.yaml", sheet, sim / "genome.fa", sim / "genes.gtf", work_dir=str(sim_run / "work"),
        **overrides,
    )  # fmt: skip


def sheet(path: Path, rows: list[tuple[str, Path, Path]]) -> Path:
    path.write_text("sample\tfq1\tfq2\n" + "".join(f"{s}\t{a}\t{b}\n" for s, a, b in rows))
    return path


def error_lines(stderr: str, sample: str) -> list[str]:
    """allfuse's own error lines for one sample in a Snakemake run's console output."""
    return [ln for ln in stderr.splitlines() if ln.startswith(f"allfuse: error: sample {sample}")]


# ---- runs that must work: plain FASTQ, a path with a space, a 0-read sample -------------------
@pytest.fixture(scope="module")
def odd_inputs(sim_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One real run with T01's reads as plain FASTQ, T01's reads under a folder with a space, and
    empty FASTQ files."""
    run = tmp_path_factory.mktemp("odd")
    reads = sim_run / "sim" / "reads"
    plain = [run / "plain" / f"P_R{i}.fastq" for i in (1, 2)]
    spaced = [run / "dir with space" / f"S R{i}.fastq.gz" for i in (1, 2)]
    empty = [run / "empty" / f"Z_R{i}.fastq.gz" for i in (1, 2)]
    for i in (1, 2):
        for p in (plain[i - 1], spaced[i - 1], empty[i - 1]):
            p.parent.mkdir(exist_ok=True)
        plain[i - 1].write_bytes(gzip.decompress((reads / f"T01_R{i}.fastq.gz").read_bytes()))
        shutil.copy(reads / f"T01_R{i}.fastq.gz", spaced[i - 1])
        empty[i - 1].write_bytes(gzip.compress(b"", mtime=0))
    inputs = [*plain, *spaced, *empty]
    before = digest(*inputs)
    s = sheet(run / "samples.tsv", [("PLAIN", *plain), ("SPACE", *spaced), ("ZERO", *empty)])
    proc = run_snakemake(run, run_config(run, sim_run, s))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"run": run, "proc": proc, "before": before, "inputs": inputs}


@pytest.mark.parametrize("sample", ["PLAIN", "SPACE"])
def test_plain_fastq_and_space_in_path_give_the_gzip_result(
    odd_inputs: dict, sim_run: Path, sample: str
) -> None:
    got, want = odd_inputs["run"] / "results" / sample, sim_run / "results" / "T01"
    assert classification(got / "classification.json") == classification(want / "classification.json")
    assert comparable_events(got / "fusions.tsv").equals(comparable_events(want / "fusions.tsv"))
    cls = json.loads((got / "classification.json").read_text())
    assert (cls["status"], cls["driver_fusion"], cls["exon_5p"], cls["exon_3p"]) == (
        "fusion detected", "KMT2A::AFF1", 9, 4,
    )  # fmt: skip
    checked = read_tsv(got / "reads_check.tsv").iloc[0]
    assert checked["read_pairs"] == "6035"
    assert checked["compression_fq1"] == ("plain" if sample == "PLAIN" else "gzip")


def test_zero_read_sample_is_not_assessable_never_negative(odd_inputs: dict) -> None:
    run, proc = odd_inputs["run"], odd_inputs["proc"]
    cls = json.loads((run / "results" / "ZERO" / "classification.json").read_text())
    assert cls["status"] == "not assessable"
    assert cls["group"] == "not assessable" and cls["subtype"] == "not assessable"
    assert cls["status_reason"] == "QC: 0 input read pairs (empty FASTQ files)"
    cohort = read_tsv(run / "results" / "cohort.tsv").set_index("sample")
    assert cohort.loc["ZERO", "status"] == "not assessable"
    assert cohort.loc["ZERO", "group"] != "KMT2A-wt"
    assert cohort.loc["PLAIN", "status"] == "fusion detected"
    # the console names the sample and its files, once
    warned = [ln for ln in proc.stderr.splitlines() if "sample ZERO" in ln and "hold no reads" in ln]
    assert len(warned) == 1 and "Z_R1.fastq.gz" in warned[0], proc.stderr[-2000:]


def test_inputs_untouched(odd_inputs: dict) -> None:
    assert digest(*odd_inputs["inputs"]) == odd_inputs["before"]


# ---- runs that must stop: not FASTQ, truncated gzip, R1/R2 out of step -------------------------
def _dry(tmp_path: Path, sim_run: Path, rows) -> subprocess.CompletedProcess:
    return run_snakemake(tmp_path, run_config(tmp_path, sim_run, sheet(tmp_path / "s.tsv", rows)), "-n")


def test_text_file_as_fastq(tmp_path: Path, sim_run: Path) -> None:
    reads = sim_run / "sim" / "reads"
    text = tmp_path / "notes_R2.fastq"
    text.write_text("sample notes\nnot a read\n" * 10)
    proc = _dry(tmp_path, sim_run, [("X1", reads / "T01_R1.fastq.gz", text)])
    one_line_error(proc, "sample X1", "notes_R2.fastq", "line 1", "not FASTQ")
    assert not (tmp_path / "results").exists()


def test_mates_out_of_step_in_first_records(tmp_path: Path, sim_run: Path) -> None:
    reads = sim_run / "sim" / "reads"
    proc = _dry(tmp_path, sim_run, [("X2", reads / "T01_R1.fastq.gz", reads / "T02_R2.fastq.gz")])
    one_line_error(proc, "sample X2", "read 1", "T01_R1.fastq.gz", "T02_R2.fastq.gz", "out of step")


@pytest.fixture(scope="module")
def broken_run(sim_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A truncated gzip and an R2 with fewer reads, both past the first records the sheet check
    parses, so only the per-sample read check (which streams to the end) can see them."""
    run = tmp_path_factory.mktemp("broken")
    reads = sim_run / "sim" / "reads"
    r1, r2 = (reads / f"T03_R{i}.fastq.gz" for i in (1, 2))
    data = (reads / "T03_R1.fastq.gz").read_bytes()
    cut = run / "cut_R1.fastq.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    records = gzip.decompress(r2.read_bytes()).split(b"\n")
    short = run / "short_R2.fastq.gz"
    short.write_bytes(gzip.compress(b"\n".join(records[:-41]) + b"\n", mtime=0))  # 10 records fewer
    before = digest(cut, short, r1, r2)
    s = sheet(run / "samples.tsv", [("CUT", cut, r2), ("SHORT", r1, short)])
    proc = run_snakemake(run, run_config(run, sim_run, s), "--keep-going")
    return {"run": run, "proc": proc, "before": before, "inputs": [cut, short, r1, r2]}


def test_truncated_gzip_stops_the_sample_withone_line_error(broken_run: dict) -> None:
    proc, run = broken_run["proc"], broken_run["run"]
    assert proc.returncode != 0
    (line,) = error_lines(proc.stderr, "CUT")
    assert "cut_R1.fastq.gz" in line and "truncated" in line, line
    assert not (run / "results" / "CUT" / "reads_check.tsv").exists()
    assert not (run / "results" / "CUT" / "classification.json").exists()
    assert not (run / "results" / "cohort.tsv").exists()


def test_r1_r2_count_mismatch_stops_the_sample_withone_line_error(broken_run: dict) -> None:
    proc, run = broken_run["proc"], broken_run["run"]
    (line,) = error_lines(proc.stderr, "SHORT")
    assert "short_R2.fastq.gz has fewer reads than" in line and "T03_R1.fastq.gz" in line, line
    assert "6002 pairs" in line, line  # T03: 6012 pairs, 10 cut from R2
    assert not (run / "results" / "SHORT" / "classification.json").exists()
    assert not list(run.rglob("*.tmp"))
    assert digest(*broken_run["inputs"]) == broken_run["before"]


# ---- allfuse annotate on bad caller files -----------------------------------------------------
def _annotate(out: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [str(BIN / "allfuse"), "annotate", "--sample", "S", "--outdir", str(out), *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=cwd)


def _annotate_error(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "out"
    proc = _annotate(out, *args)
    line = one_line_error(proc)
    assert proc.returncode == 2
    assert not (out / "classification.json").exists() and not (out / "fusions.tsv").exists()
    return line


def _sim_inputs(sim_run: Path, sample: str) -> list[str]:
    res = sim_run / "results" / sample
    return [
        "--star-chimeric", str(res / "star" / "Chimeric.out.junction"),
        "--pizzly", str(res / "pizzly" / f"{sample}.json"),
    ]  # fmt: skip


def test_zero_byte_and_blank_caller_files(tmp_path: Path, sim_run: Path) -> None:
    gtf = str(sim_run / "sim" / "genes.gtf")
    empty = tmp_path / "fusions.tsv"
    empty.write_bytes(b"")
    line = _annotate_error(tmp_path, "--gtf", gtf, "--arriba", str(empty))
    assert str(empty) in line and "empty (0 bytes)" in line
    blank = tmp_path / "blank.json"
    blank.write_text("\n  \n")
    line = _annotate_error(tmp_path, "--gtf", gtf, "--pizzly", str(blank))
    assert str(blank) in line and "blank" in line


def test_empty_caller_file_in_the_pipeline_mode_is_not_assessable(tmp_path: Path, sim_run: Path) -> None:
    empty = tmp_path / "S.json"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    args = _sim_inputs(sim_run, "T01")[:2] + ["--pizzly", str(empty), "--on-empty-caller", "not-assessable"]
    proc = _annotate(out, "--gtf", str(sim_run / "sim" / "genes.gtf"), *args)
    assert proc.returncode == 0, proc.stderr
    cls = json.loads((out / "classification.json").read_text())
    assert cls["status"] == "not assessable" and cls["group"] == "not assessable"
    assert cls["status_reason"] == f"pizzly output {empty} is empty (0 bytes)"


def test_header_only_file_is_a_valid_empty_result(tmp_path: Path, sim_run: Path) -> None:
    header = shared_path("arriba/fusions.tsv").read_text().splitlines()[0]
    only = tmp_path / "fusions.tsv"
    only.write_text(header + "\n")
    out = tmp_path / "out"
    proc = _annotate(out, "--gtf", str(sim_run / "sim" / "genes.gtf"), "--arriba", str(only))
    assert proc.returncode == 0, proc.stderr
    cls = json.loads((out / "classification.json").read_text())
    assert (cls["status"], cls["group"], cls["subtype"]) == (
        "no defining fusion detected",
        "KMT2A-wt",
        "none",
    )


def test_binary_and_gzipped_pizzly_and_star_files(tmp_path: Path, sim_run: Path) -> None:
    gtf = str(sim_run / "sim" / "genes.gtf")
    binary = tmp_path / "pizzly.json"
    binary.write_bytes(bytes(range(256)) * 8)
    line = _annotate_error(tmp_path, "--gtf", gtf, "--pizzly", str(binary))
    assert str(binary) in line and "not a text file" in line
    res = sim_run / "results" / "T01"
    gz = tmp_path / "T01.json.gz"
    gz.write_bytes(gzip.compress((res / "pizzly" / "T01.json").read_bytes()))
    line = _annotate_error(tmp_path, "--gtf", gtf, "--pizzly", str(gz))
    assert str(gz) in line and "gzip-compressed" in line
    junctions = tmp_path / "Chimeric.out.junction.gz"
    junctions.write_bytes(gzip.compress((res / "star" / "Chimeric.out.junction").read_bytes()))
    line = _annotate_error(tmp_path, "--gtf", gtf, "--star-chimeric", str(junctions))
    assert str(junctions) in line and "gzip-compressed" in line


def test_missing_or_broken_config_and_negative_threshold(tmp_path: Path, sim_run: Path) -> None:
    base = ["--gtf", str(sim_run / "sim" / "genes.gtf"), *_sim_inputs(sim_run, "T01")]
    line = _annotate_error(tmp_path, *base, "--config", str(tmp_path / "missing.yaml"))
    assert "missing.yaml: config file not found" in line
    broken = tmp_path / "broken.yaml"
    broken.write_text("merge:\n  max_distance: [10\n")
    line = _annotate_error(tmp_path, *base, "--config", str(broken))
    assert "broken.yaml" in line and "not valid YAML" in line
    negative = tmp_path / "negative.yaml"
    negative.write_text("merge:\n  max_distance: -5\n")
    line = _annotate_error(tmp_path, *base, "--config", str(negative))
    assert "negative.yaml: merge.max_distance" in line and "minimum" in line
    line = _annotate_error(tmp_path, *base, "--min-total-support", "-1")
    assert "--min-total-support" in line and "negative" in line


def test_gtf_without_gene_names_classifies_the_same(tmp_path: Path, sim_run: Path) -> None:
    """Identity, not spelling: without gene_name the events still name KMT2A, BRD9, PAX5 ... and every
    sample gets the same classification."""
    gtf = sim_run / "sim" / "genes.gtf"
    nameless = tmp_path / "nameless.gtf"
    with open(gtf) as src, open(nameless, "w") as dst:
        for line in src:
            if not line.startswith("#"):
                cols = line.rstrip("\n").split("\t")
                attrs = [a for a in cols[8].split(";") if a.strip() and not a.strip().startswith("gene_name")]
                line = "\t".join(cols[:8] + [";".join(attrs) + ";"]) + "\n"
            dst.write(line)
    assert "gene_name" not in nameless.read_text()
    for sample in ("T01", "T02", "T03", "T04"):
        out = tmp_path / sample
        expression = sim_run / "results" / sample / "expression.tsv"  # as the annotate rule runs it
        proc = _annotate(
            out, "--gtf", str(nameless), *_sim_inputs(sim_run, sample), "--sample", sample,
            "--expression", str(expression), "--nutm1-tpm-threshold", "10",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        want = sim_run / "results" / sample / "classification.json"
        assert classification(out / "classification.json") == classification(want), sample
        got = read_tsv(out / "fusions.tsv")
        assert list(got["fusion"]) == list(read_tsv(sim_run / "results" / sample / "fusions.tsv")["fusion"])


# ---- resume after a crash, with the venv's snakemake and nothing activated -----------------------
def test_killed_run_resumed_gives_identical_tables(sim_run: Path, tmp_path: Path) -> None:
    """README: after a crash, ``--unlock`` then ``--rerun-incomplete``. Run without the venv on PATH."""
    sim = sim_run / "sim"
    cfg = run_config(tmp_path, sim_run, sim / "samples.tsv")
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != BIN)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {"PATH": path}
    cmd = [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--configfile", str(cfg), "--cores", "2"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 600
    while not list((tmp_path / "results").glob("*/star/Log.final.out")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole run, as a node failure would
    proc.wait()
    assert not (tmp_path / "results" / "cohort.tsv").exists()
    locked = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    # a plain rerun refuses: the killed jobs' outputs are marked incomplete (or the folder locked)
    assert locked.returncode != 0
    assert "--rerun-incomplete" in locked.stderr or "--unlock" in locked.stderr, locked.stderr[-2000:]
    for extra in (["--unlock"], ["--rerun-incomplete"]):
        done = subprocess.run(cmd + extra, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
    tables = ["cohort.tsv"] + [
        f"{s}/{name}" for s in ("T01", "T02", "T03", "T04", "T05", "T06")
        for name in ("fusions.tsv", "classification.json", "qc.tsv", "calls/star_chimeric.tsv", "calls/pizzly.tsv")
    ]  # fmt: skip
    for name in tables:
        assert (tmp_path / "results" / name).read_bytes() == (sim_run / "results" / name).read_bytes(), name
    assert not list((tmp_path / "results").rglob("*.tmp"))


# ---- the package installs and runs anywhere ------------------------------------------------------
def test_wheel_is_self_contained(tmp_path: Path) -> None:
    """The wheel (what ``pip install .`` installs) carries its fact tables and schemas: installed
    outside the checkout, ``allfuse annotate`` runs on a shared Arriba file."""
    gtf, arriba = shared_path("hamlet/reference/hamlet-ref.gtf"), shared_path("arriba/fusions.tsv")
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    target = tmp_path / "site"
    (wheel,) = wheels.glob("allfuse-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True)  # fmt: skip
    assert (target / "allfuse" / "_data" / "resources" / "subtype_rules.tsv").is_file()
    assert (target / "allfuse" / "_data" / "schemas" / "config.schema.yaml").is_file()
    env = dict(os.environ, PYTHONPATH=str(target))
    where = subprocess.run(
        [sys.executable, "-c", "import allfuse.datafiles as d; print(d.__file__); print(d.data_dir('resources'))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert all(w.startswith(str(target)) for w in where), where
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "allfuse", "annotate", "--sample", "BA", "--outdir", str(out),
         "--gtf", str(gtf), "--arriba", str(arriba)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    events = read_tsv(out / "fusions.tsv")
    assert "BCR::ABL1" in set(events["fusion"])


def test_mitochondrial_chimeras_are_flagged_never_the_best_event(tmp_path: Path) -> None:
    """Real K562 reads (STAR on HAMLET's GRCh38): 45 mitochondrial chimeras beside one BCR::ABL1."""
    junctions = shared_path(
        "generated-here/star-2.7.10b_K562f_vs_hamlet-ref/multimap_format1/Chimeric.out.junction"
    )
    gtf = shared_path("hamlet/reference/hamlet-ref.gtf")
    out = tmp_path / "out"
    proc = _annotate(out, "--gtf", str(gtf), "--star-chimeric", str(junctions))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("S: 1 fusion events; fusion detected")
    events = read_tsv(out / "fusions.tsv")
    flagged = events[events["artefact"] == "True"]
    assert len(flagged) == 45 and set(flagged["artefact_reason"]) == {"mitochondrial"}
    assert all(f.startswith("MT-") or "::MT-" in f for f in flagged["fusion"])
    (real,) = events[events["artefact"] == "False"].itertuples(index=False)
    assert (real.fusion, real.junction_reads, real.spanning_frags) == ("BCR::ABL1", "27", "17")
    cls = json.loads((out / "classification.json").read_text())
    assert (cls["subtype"], cls["driver_fusion"], cls["exon_5p"], cls["exon_3p"]) == (
        "BCR::ABL1",
        "BCR::ABL1",
        14,
        2,
    )


def test_user_config_is_not_merged_over_the_demo(tmp_path: Path, sim_run: Path) -> None:
    """A --configfile is the whole config: the demo's clinical table, QC values and paths do not leak
    in; what the user leaves out takes the schema's documented defaults."""
    sim = sim_run / "sim"
    rows = [
        (f"T0{i}", sim / "reads" / f"T0{i}_R1.fastq.gz", sim / "reads" / f"T0{i}_R2.fastq.gz") for i in (1, 2)
    ]
    s = sheet(tmp_path / "samples.tsv", rows)  # no clinical table beside it
    cfg = write_config(
        tmp_path / "config.yaml", s, sim / "genome.fa", sim / "genes.gtf", qc={"min_input_pairs": 5}
    )
    proc = run_snakemake(tmp_path, cfg, "-n", "--printshellcmds")
    assert proc.returncode == 0, proc.stderr[-2000:]
    plan = proc.stdout
    assert "rule survival" not in plan and "demo/clinical.tsv" not in plan  # the demo names a clinical table
    assert "--min-input-pairs 5 --min-uniquely-mapped-pct 30" in plan  # user value, schema default
    assert "--genomeDir work/star_index" in plan  # work_dir default, not the curated resources/
    assert "--chimOutJunctionFormat 1" in plan and "--min-total-support 2" in plan


def test_star_failure_is_one_line_on_the_console(tmp_path: Path, sim_run: Path) -> None:
    """Reads longer than STAR accepts (650 bases) pass the FASTQ checks; STAR itself refuses them, and
    its own error line reaches the console once, with the sample and the log."""
    for mate in (1, 2):
        with gzip.open(tmp_path / f"L_R{mate}.fastq.gz", "wt") as fh:
            for i in range(3):
                fh.write(f"@long{i}/{mate}\n{'ACGT' * 175}\n+\n{'I' * 700}\n")
    s = sheet(tmp_path / "samples.tsv", [("LONG", tmp_path / "L_R1.fastq.gz", tmp_path / "L_R2.fastq.gz")])
    proc = run_snakemake(tmp_path, run_config(tmp_path, sim_run, s))
    assert proc.returncode != 0
    (line,) = error_lines(proc.stderr, "LONG")
    assert line.startswith("allfuse: error: sample LONG: STAR failed (exit ")
    assert "EXITING because of FATAL ERROR" in line and "results/LONG/logs/star_align.log" in line
    assert not (tmp_path / "results" / "LONG" / "classification.json").exists()
