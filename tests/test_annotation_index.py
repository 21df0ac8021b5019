"""The cached annotation index: the GTF parsed once per run, with results identical to parsing it.

The pipeline's annotate jobs read ``work/.allfuse/annotation/<sha256>.pkl`` (rule annotation_index);
``allfuse annotate`` without ``--index-dir`` parses the GTF. Both must write the same bytes.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import BIN

from allfuse.annotation_index import checksum, ensure_index, index_path, load_annotation
from allfuse.errors import InputError
from allfuse.gtf import Annotation
from allfuse.simulate.big_gtf import write_gencode_sized_gtf

SAMPLES = ["T01", "T02", "T03", "T04", "T05", "T06"]
FRAMES = ("genes", "transcripts", "exons", "cds")


def annotate(sim_run: Path, sample: str, out: Path, *extra: str, gtf: Path | None = None) -> None:
    """The annotate rule's command line for one sample of the simulated run (thresholds as in its config)."""
    res = sim_run / "results" / sample
    cmd = [
        str(BIN / "allfuse"), "annotate", "--sample", sample, "--gtf", str(gtf or sim_run / "sim" / "genes.gtf"),
        "--outdir", str(out), "--star-chimeric", str(res / "star" / "Chimeric.out.junction"),
        "--pizzly", str(res / "pizzly" / f"{sample}.json"), "--qc", str(res / "qc.tsv"),
        "--on-empty-caller", "not-assessable", "--min-junction-reads", "1", "--min-total-support", "2",
        "--merge-distance", "10", "--expression", str(res / "expression.tsv"), "--nutm1-tpm-threshold", "10",
        *extra,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def outputs(folder: Path) -> dict[str, bytes]:
    names = ["fusions.tsv", "classification.json", "calls/star_chimeric.tsv", "calls/pizzly.tsv"]
    return {name: (folder / name).read_bytes() for name in names}


def test_pipeline_built_one_index_named_by_the_gtf_checksum(sim_run: Path) -> None:
    gtf = sim_run / "sim" / "genes.gtf"
    folder = sim_run / "work" / ".allfuse" / "annotation"
    sha = hashlib.sha256(gtf.read_bytes()).hexdigest()
    assert sorted(p.name for p in folder.glob("*.pkl")) == [f"{sha}.pkl"]
    assert not list(folder.glob("*.tmp"))
    assert f'"sha256": "{sha}"' in (sim_run / "work" / "annotation_index.json").read_text()


def test_index_and_parsed_gtf_give_identical_results(sim_run: Path, tmp_path: Path) -> None:
    """Per sample: the pipeline's tables (made from the index) == annotate parsing the GTF ==
    annotate building its own index (cold) == annotate reading it (warm)."""
    index_dir = tmp_path / "index"
    for sample in SAMPLES:
        pipeline = outputs(sim_run / "results" / sample)
        annotate(sim_run, sample, tmp_path / "parsed" / sample)
        assert outputs(tmp_path / "parsed" / sample) == pipeline, sample
        for run in ("first", "again"):  # T01's first run builds the index, every other run reads it
            annotate(sim_run, sample, tmp_path / run / sample, "--index-dir", str(index_dir))
            assert outputs(tmp_path / run / sample) == pipeline, (sample, run)
    assert len(list(index_dir.glob("*.pkl"))) == 1
    # the planted events are there, so the comparison is not between empty tables
    assert b"KMT2A" in outputs(sim_run / "results" / "T01")["fusions.tsv"]


def test_index_holds_the_parsed_frames(sim_run: Path, tmp_path: Path) -> None:
    gtf = sim_run / "sim" / "genes.gtf"
    parsed = Annotation.from_gtf(gtf)
    path, built = ensure_index(gtf, tmp_path)
    loaded = load_annotation(gtf, tmp_path)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(built, name), getattr(parsed, name))
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(parsed, name))
    assert path == tmp_path / f"{hashlib.sha256(gtf.read_bytes()).hexdigest()}.pkl"
    assert loaded.path == str(gtf)


def test_changed_gtf_gets_a_new_index(sim_run: Path, tmp_path: Path) -> None:
    gtf = tmp_path / "genes.gtf"
    text = (sim_run / "sim" / "genes.gtf").read_text()
    gtf.write_text(text)
    cache = tmp_path / "index"
    old, ann = ensure_index(gtf, cache)
    assert "KMT2A" in set(ann.genes["gene_name"])
    gtf.write_text(text.replace('gene_name "KMT2A"', 'gene_name "MLL"'))  # same GTF, gene renamed
    new, ann = ensure_index(gtf, cache)
    assert new != old and old.is_file() and new.is_file()
    assert new.stem == checksum(gtf) == hashlib.sha256(gtf.read_bytes()).hexdigest()
    assert "MLL" in set(ann.genes["gene_name"]) and "KMT2A" not in set(ann.genes["gene_name"])
    assert "MLL" in set(load_annotation(gtf, cache).genes["gene_name"])
    gtf.write_text(text)  # back to the first content: its index is found again
    assert index_path(gtf, cache) == old


def test_damaged_index_is_rebuilt(sim_run: Path, tmp_path: Path) -> None:
    gtf = sim_run / "sim" / "genes.gtf"
    path, _ = ensure_index(gtf, tmp_path)
    path.write_bytes(path.read_bytes()[:100])  # a copy cut short
    ann = load_annotation(gtf, tmp_path)
    pd.testing.assert_frame_equal(ann.exons, Annotation.from_gtf(gtf).exons)
    assert path.stat().st_size > 100 and not list(tmp_path.glob("*.tmp"))


def test_index_is_read_once_per_process(sim_run: Path, tmp_path: Path) -> None:
    """The steps of one annotate job (allfuse steps) share one read of the index; a damaged index
    is not remembered as unreadable, so the next ask builds it again."""
    gtf = sim_run / "sim" / "genes.gtf"
    ensure_index(gtf, tmp_path)
    first = load_annotation(gtf, tmp_path)
    assert load_annotation(gtf, tmp_path) is first
    other = tmp_path / "other"
    damaged, _ = ensure_index(gtf, other)
    damaged.write_bytes(b"not a pickle")
    rebuilt = load_annotation(gtf, other)
    assert rebuilt is not first and damaged.stat().st_size > 100
    pd.testing.assert_frame_equal(rebuilt.exons, first.exons)
    assert load_annotation(gtf, other) is load_annotation(gtf, other)


def test_missing_gtf_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing.gtf: GTF file not found"):
        load_annotation(tmp_path / "missing.gtf", tmp_path / "index")


def test_bigger_gtf_keeps_the_simulated_genes_and_results(sim_run: Path, tmp_path: Path) -> None:
    """The GENCODE-sized generator, at a small size: the counts asked for, the template's lines first,
    replicas off the simulated contigs' ends, so annotate's tables are the same bytes."""
    gtf = sim_run / "sim" / "genes.gtf"
    big = tmp_path / "big.gtf"
    size = write_gencode_sized_gtf(gtf, big, genes=400, transcripts=1600, exon_lines=10_000)
    ann = Annotation.from_gtf(big)
    assert (size.genes, size.transcripts, size.exons, size.cds) == tuple(len(getattr(ann, n)) for n in FRAMES)
    assert (size.genes, size.transcripts) == (400, 1600) and 10_000 <= size.exons < 10_500
    assert big.read_text().startswith(gtf.read_text())
    assert ann.transcripts["mane_select"].sum() >= 400 - len(Annotation.from_gtf(gtf).genes)
    annotate(sim_run, "T01", tmp_path / "out", "--index-dir", str(tmp_path / "index"), gtf=big)
    assert outputs(tmp_path / "out") == outputs(sim_run / "results" / "T01")
