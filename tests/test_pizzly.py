"""pizzly for real (kallisto + pizzly on real reads) and pizzly's flat table from nf-core/rnafusion.

Reads: FusionCatcher's test reads; reference: EasyFuse's minigenome with the GTF trimmed of
out-of-range features (../shared/data/generated-here), whose orphan exons make pizzly assert unless
``allfuse transcripts --gtf-out`` restores their parent lines. pizzly's breakpoints, mapped back to
the genome, must equal those STAR found in the same reads (generated-here Chimeric.out.junction).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, read_tsv, shared_path

from allfuse.callers.pizzly import parse
from allfuse.callers.star_chimeric import Thresholds, read_junctions, summarise
from allfuse.errors import InputError
from allfuse.gtf import Annotation

# In ../shared/data, reached through shared_path() inside the tests.
MINI = "generated-here/star-2.7.10b_fusioncatcher-reads_vs_easyfuse-minigenome"
GTF = f"{MINI}/Homo_sapiens.GRCh38.110_miniannotation.inrange.gtf"
FASTA = "easyfuse/ref_data/Homo_sapiens.GRCh38.110_minigenome.fa"


@pytest.fixture(scope="module")
def pizzly_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pizzly")
    kallisto, pizzly = shutil.which("kallisto"), shutil.which("pizzly")
    assert kallisto and pizzly, "kallisto and pizzly come from Debian (make install)"
    run = [
        str(BIN / "allfuse"),
        "transcripts",
        "--fasta",
        str(shared_path(FASTA)),
        "--gtf",
        str(shared_path(GTF)),
        "--out",
        str(d / "tx.fa"),
        "--gtf-out",
        str(d / "pizzly.gtf"),
    ]
    out = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    assert "175 transcripts" in out and "12 missing gene/transcript lines added" in out
    subprocess.run(
        [kallisto, "index", "-i", str(d / "tx.idx"), str(d / "tx.fa")], check=True, capture_output=True
    )
    subprocess.run(
        [
            kallisto,
            "quant",
            "-i",
            str(d / "tx.idx"),
            "--fusion",
            "-o",
            str(d / "kq"),
            str(shared_path("fusioncatcher/reads_1.fq.gz")),
            str(shared_path("fusioncatcher/reads_2.fq.gz")),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            pizzly,
            "-k",
            "31",
            "--gtf",
            str(d / "pizzly.gtf"),
            "--cache",
            str(d / "cache.txt"),
            "--align-score",
            "2",
            "--insert-size",
            "400",
            "--fasta",
            str(d / "tx.fa"),
            "--output",
            str(d / "pz"),
            str(d / "kq" / "fusion.txt"),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            str(BIN / "allfuse"),
            "pizzly",
            "--input",
            str(d / "pz.json"),
            "--gtf",
            str(d / "pizzly.gtf"),
            "--sample",
            "FC",
            "--out",
            str(d / "calls.tsv"),
        ],
        check=True,
    )
    return d


def test_pizzly_on_real_reads_finds_the_known_fusions(pizzly_run: Path) -> None:
    calls = read_tsv(pizzly_run / "calls.tsv").set_index("fusion")
    assert {"BRD4::NUTM1", "EWSR1::FLI1", "EWSR1::ATF1", "HOOK3::RET", "CD74::ROS1"} <= set(calls.index)
    brd4 = calls.loc["BRD4::NUTM1"]
    assert (brd4.chrom_5p, brd4.pos_5p, brd4.strand_5p, brd4.chrom_3p, brd4.pos_3p, brd4.strand_3p) == (
        "19",
        "18734",
        "-",
        "15",
        "4755",
        "+",
    )
    assert (brd4.junction_reads, brd4.spanning_frags) == ("6", "1")
    # pizzly's transcript pairs for this junction, kept as written (5' transcript cut after 0:N)
    assert all("_0:" in pair for pair in brd4["orig_transcripts.list"].split(";"))


def test_pizzly_breakpoints_equal_star_breakpoints(pizzly_run: Path) -> None:
    star = summarise(
        read_junctions(shared_path(MINI) / "Chimeric.out.junction"),
        Annotation.from_gtf(shared_path(GTF)),
        "FC",
        Thresholds(),
    )
    star = star.set_index("fusion")
    calls = read_tsv(pizzly_run / "calls.tsv").set_index("fusion")
    for fusion in calls.index:
        for col in ("chrom_5p", "pos_5p", "strand_5p", "chrom_3p", "pos_3p", "strand_3p"):
            assert str(star.loc[fusion, col]) == calls.loc[fusion, col], (fusion, col)


def test_flat_table_from_nf_core() -> None:
    calls = parse(shared_path("fusion-report/test_data/pizzly.tsv"), "S").set_index("fusion")
    assert len(calls) == 8
    assert (calls.loc["FGFR3::TACC3", "junction_reads"], calls.loc["FGFR3::TACC3", "spanning_frags"]) == (
        231,
        487,
    )
    assert (calls.loc["EWSR1::ATF1", "junction_reads"], calls.loc["EWSR1::ATF1", "spanning_frags"]) == (8, 3)
    assert calls.loc["BRD4::NUTM1", "gene_id_3p"] == "ENSG00000184507.15"
    # no GTF: breakpoints unknown, kept as such; the transcript pairs stay in the original column
    assert (calls.loc["BRD4::NUTM1", "pos_5p"], calls.loc["BRD4::NUTM1", "chrom_5p"]) == (0, ".")
    assert calls.loc["AKAP9::BRAF", "orig_transcripts.list"].startswith(
        "ENST00000619023.4_0:3526_ENST00000496384.7"
    )
    assert calls.loc["AKAP9::BRAF", "caller_transcript_3p"] == "ENST00000496384.7"


def test_empty_and_wrong_files(tmp_path: Path) -> None:
    header = shared_path("fusion-report/test_data/pizzly.tsv").read_text().splitlines()[0]
    (tmp_path / "empty.tsv").write_text(header + "\n")
    (tmp_path / "empty.json").write_text('{"genes": []}\n')
    for name in ("empty.tsv", "empty.json"):
        calls = parse(tmp_path / name, "S")
        assert calls.empty and "pos_5p" in calls.columns
    with pytest.raises(InputError, match=r"fusions.tsv: neither pizzly JSON nor pizzly's flat table"):
        parse(shared_path("arriba/fusions.tsv"), "S")
    (tmp_path / "bad.json").write_text('{"genes": [}')
    with pytest.raises(InputError, match=r"bad.json: not a pizzly JSON file"):
        parse(tmp_path / "bad.json", "S")
