"""RT-PCR confirmation assays (``allfuse primers``, results/{sample}/primers.tsv) on the simulated cohort.

Every defining fusion of the real pipeline run gets a row: its Primer3 pair, checked against the
sequence the simulator planted (the 5' partner's MANE exons up to the junction, the 3' partner's from
it), or the reason none was designed. The real GRCh38 BCR::ABL1 case is in test_real_bcr_abl1.py
(its STAR run and the GRCh38 FASTA live there); constructed sequences in test_primers_design.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, read_tsv

from allfuse.config import load_config
from allfuse.simulate.genome import build_reference
from allfuse.simulate.reads import FusionSpec, fusion_sequence
from allfuse.tables import PRIMER_COLUMNS
from allfuse.transcriptome import revcomp

SEED = 7  # the seed sim_run simulates with
SETTINGS = load_config(Path(__file__).parents[1] / "config" / "config.yaml", partial=True)["primers"]
#: the defining fusions of the test cohort, in role order
DEFINING = {
    "T01": [("KMT2A::AFF1", "driver"), ("AFF1::KMT2A", "reciprocal")],
    "T02": [("BRD9::NUTM1", "driver")],
    "T03": [("PAX5::ETV6", "driver")],
    "T04": [],
    "T05": [],
    "T06": [],  # the subthreshold ACIN1::NUTM1 is not called: nothing to confirm, only the NUTM1 flag
}


@pytest.fixture(scope="module")
def planted(sim_run: Path) -> dict[str, tuple[str, int]]:
    """Each planted fusion's fused sequence and junction offset, by fusion name."""
    ref = build_reference(SEED)
    out = {}
    for t in read_tsv(sim_run / "sim" / "truth.tsv").itertuples(index=False):
        spec = FusionSpec(t.gene_5p, int(t.exon_5p), t.gene_3p, int(t.exon_3p), int(t.fragments))
        seq, junction, _, _ = fusion_sequence(ref, spec)
        out[t.fusion] = (seq, junction)
    return out


def test_every_defining_fusion_has_a_row(sim_run: Path) -> None:
    for sample, want in DEFINING.items():
        primers = read_tsv(sim_run / "results" / sample / "primers.tsv")
        assert list(primers.columns) == PRIMER_COLUMNS
        assert list(zip(primers.fusion, primers.role, strict=True)) == want, sample
        events = read_tsv(sim_run / "results" / sample / "fusions.tsv").set_index("event_id")
        for p in primers.itertuples(index=False):
            assert events.loc[p.event_id, "fusion"] == p.fusion
    cohort = read_tsv(sim_run / "results" / "cohort.tsv").set_index("sample")
    assert cohort["assay_designed"].to_dict() == {
        s: ("yes" if want else "none-needed") for s, want in DEFINING.items()
    }


def test_primers_lie_where_the_assay_needs_them(sim_run: Path, planted) -> None:
    clear = SETTINGS["junction_clearance"]
    for sample in DEFINING:
        for p in read_tsv(sim_run / "results" / sample / "primers.tsv").itertuples(index=False):
            assert p.reason == "", (sample, p.fusion, p.reason)
            seq, junction = planted[p.fusion]  # the reciprocal AFF1::KMT2A: its own planted sequence
            upstream, downstream = seq[:junction], seq[junction:]
            # forward in the 5' partner upstream of the junction, clear of it
            start = upstream.find(p.forward)
            assert start >= 0 and start + len(p.forward) <= junction - clear, p.fusion
            assert upstream.count(p.forward) == 1
            # reverse complement of the reverse primer in the 3' partner downstream, clear of it
            rc = revcomp(p.reverse)
            at = downstream.find(rc)
            assert at >= clear, p.fusion
            end = junction + at + len(rc)
            # the amplicon is the fused transcript between them, junction marked
            assert p.amplicon == seq[start:junction] + "|" + seq[junction:end]
            assert int(p.product_size) == end - start
            assert SETTINGS["product_min"] <= int(p.product_size) <= SETTINGS["product_max"]
            for tm in (p.forward_tm, p.reverse_tm):
                assert SETTINGS["tm_min"] <= float(tm) <= SETTINGS["tm_max"]
            for gc in (p.forward_gc, p.reverse_gc):
                assert SETTINGS["gc_min"] <= float(gc) <= SETTINGS["gc_max"]
            assert p.forward_exon.startswith("5p exon") and p.reverse_exon.startswith("3p exon")
            assert p.placement


def allfuse_primers(sim_run: Path, sample_dir: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    sim = sim_run / "sim"
    return subprocess.run(
        [str(BIN / "allfuse"), "primers", "--sample-dir", str(sample_dir), "--fasta", str(sim / "genome.fa"),
         "--fai", str(out.parent / "genome.fa.fai"), "--gtf", str(sim / "genes.gtf"), "--out", str(out), *extra],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_same_input_same_primers_and_results_made_elsewhere(sim_run: Path, tmp_path: Path) -> None:
    """``allfuse primers`` on the annotate outputs alone (no pipeline) gives the pipeline's table."""
    sample_dir = tmp_path / "T01"
    sample_dir.mkdir()
    for name in ("classification.json", "fusions.tsv"):
        (sample_dir / name).write_bytes((sim_run / "results" / "T01" / name).read_bytes())
    for i in (1, 2):
        proc = allfuse_primers(sim_run, sample_dir, tmp_path / f"primers{i}.tsv", "--config",
                               str(Path(__file__).parents[1] / "config" / "config.yaml"))  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    pipeline = (sim_run / "results" / "T01" / "primers.tsv").read_bytes()
    assert (tmp_path / "primers1.tsv").read_bytes() == (tmp_path / "primers2.tsv").read_bytes() == pipeline
    assert not list(sample_dir.glob("*.fai")) and not (sim_run / "sim" / "genome.fa.fai").exists()


def test_no_mane_transcript_is_a_reason_not_a_guess(sim_run: Path, tmp_path: Path) -> None:
    sample_dir = tmp_path / "T03"
    sample_dir.mkdir()
    (sample_dir / "classification.json").write_bytes(
        (sim_run / "results" / "T03" / "classification.json").read_bytes()
    )
    events = read_tsv(sim_run / "results" / "T03" / "fusions.tsv")
    events.loc[events.fusion == "PAX5::ETV6", "transcript_source_3p"] = "Ensembl_canonical"
    events.to_csv(sample_dir / "fusions.tsv", sep="\t", index=False)
    proc = allfuse_primers(sim_run, sample_dir, tmp_path / "primers.tsv")
    assert proc.returncode == 0, proc.stderr
    row = read_tsv(tmp_path / "primers.tsv").iloc[0]
    assert (row.fusion, row.forward, row.reverse, row.amplicon) == ("PAX5::ETV6", "", "", "")
    assert (
        row.reason
        == "no MANE Select transcript for the 3' partner ETV6 (transcript source: Ensembl_canonical)"
    )


def test_settings_no_pair_gives_primer3s_reason(sim_run: Path, tmp_path: Path) -> None:
    """Settings no pair can meet: the row says so with Primer3's own explanation."""
    impossible = dict(SETTINGS, gc_min=75, gc_max=80)
    out = tmp_path / "primers.tsv"
    proc = allfuse_primers(
        sim_run, sim_run / "results" / "T02", out, "--settings-json", json.dumps(impossible)
    )
    assert proc.returncode == 0, proc.stderr
    row = read_tsv(out).iloc[0]
    assert row.forward == "" and row.reason.startswith("Primer3 found no pair within the settings (")
    bad = allfuse_primers(sim_run, sim_run / "results" / "T02", out, "--settings-json", '{"tm_min": "warm"}')
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
