"""Merging calls of several callers into events, through the real ``allfuse annotate`` command.

a. Small Arriba and STAR-Fusion files written in each tool's real layout (the header line of a real
   output from ../shared/data, rows filled by column name) on GRCh38 BCR::ABL1, with a GENCODE-style
   GTF built from resources/mane_exons.tsv: one event for one breakpoint pair whatever the contig
   spelling or symbol case, a second event for a second breakpoint pair, the reciprocal linked not
   merged, and the merge distance honoured.
b. The nf-core/rnafusion-style outputs of fusion-report's test sample (Arriba, STAR-Fusion,
   FusionCatcher, pizzly on the same reads, GRCh38 without ``chr``): BRD4::NUTM1 is one event.
c. Real reads: STAR with the pipeline's chimeric options on resolwe-bio's CCDC6::RET minigenome;
   allfuse's star_chimeric must give Arriba's breakpoints, and the two calls one event.
d. Arriba 2.5.1 (``make callers``) on that STAR BAM, with the options resolwe-bio's Arriba process
   used: its passing fusion has the breakpoints, genes and directions of the Arriba 2.4.0 output
   resolwe-bio keeps as expected_fusions.tsv.gz (what differs is spelled out at the test).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import BIN, REPO, built_callers, read_tsv, shared_path

from allfuse.callers import arriba as arriba_parser

# Real outputs and reads in ../shared/data, reached through shared_path() inside the tests.
ARRIBA_REAL = "arriba/fusions.tsv"  # Arriba v2.x layout
STARFUSION_REAL = "easyfuse-src/input_starfusion.star-fusion.fusion_predictions.tsv"
FUSION_REPORT = "fusion-report/test_data"
RESOLWE = "resolwe-bio"

# GRCh38 BCR::ABL1 e14a2 (b3a2): last base of BCR exon 14 -> first base of ABL1 exon 2 (MANE Select).
BCR_E14, BCR_E13, BCR_E15_START = 23290413, 23289621, 23292541
ABL1_E2, ABL1_E1_END = 130854064, 130835525


# ---- helpers -------------------------------------------------------------------------------------
def header_of(path: Path) -> list[str]:
    with open(path) as fh:
        return fh.readline().rstrip("\n").split("\t")


def write_table(path: Path, real: str, rows: list[dict]) -> Path:
    """Rows under the header of a real file of the same tool (``real``, in ../shared/data); columns not
    given are '.'."""
    source = shared_path(real)
    header = header_of(source)
    names = [h.removeprefix("#") for h in header]
    with open(path, "w") as fh:
        fh.write("\t".join(header) + "\n")
        for row in rows:
            unknown = set(row) - set(names)
            assert not unknown, f"not a column of {source.name}: {unknown}"
            fh.write("\t".join(str(row.get(n, ".")) for n in names) + "\n")
    return path


def arriba_row(gene1: str, gene2: str, bp1: str, bp2: str, split1: int, split2: int, discordant: int) -> dict:
    """An Arriba v2 record of a fusion on + strand genes, gene1 the 5' partner."""
    return {
        "gene1": gene1,
        "gene2": gene2,
        "strand1(gene/fusion)": "+/+",
        "strand2(gene/fusion)": "+/+",
        "breakpoint1": bp1,
        "breakpoint2": bp2,
        "site1": "splice-site",
        "site2": "splice-site",
        "type": "translocation",
        "split_reads1": split1,
        "split_reads2": split2,
        "discordant_mates": discordant,
        "coverage1": 40,
        "coverage2": 40,
        "confidence": "high",
        "reading_frame": "in-frame",
        "direction1": "downstream",
        "direction2": "upstream",
        "filters": ".",
    }


def starfusion_row(left: str, right: str, left_bp: str, right_bp: str, junction: int, spanning: int) -> dict:
    """A STAR-Fusion v1.x record (``gene^id`` names, ``chrom:pos:strand`` breakpoints)."""
    return {
        "FusionName": f"{left.split('^')[0]}--{right.split('^')[0]}",
        "JunctionReadCount": junction,
        "SpanningFragCount": spanning,
        "SpliceType": "ONLY_REF_SPLICE",
        "LeftGene": left,
        "LeftBreakpoint": left_bp,
        "RightGene": right,
        "RightBreakpoint": right_bp,
        "JunctionReads": ",".join(f"j{i}" for i in range(junction)),
        "SpanningFrags": ",".join(f"s{i}" for i in range(spanning)) or ".",
        "LargeAnchorSupport": "YES_LDAS",
        "FFPM": "1.5",
        "LeftBreakDinuc": "GT",
        "LeftBreakEntropy": "1.8",
        "RightBreakDinuc": "AG",
        "RightBreakEntropy": "1.9",
        "annots": '["INTERCHROMOSOMAL[chr22--chr9]"]',
    }


def read_resource(name: str) -> list[dict[str, str]]:
    with open(REPO / "resources" / name) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def mane_gtf(path: Path, genes: list[str], chr_prefix: bool = True) -> Path:
    """GENCODE-style gene/transcript/exon lines of the MANE Select transcripts (real GRCh38 coordinates)."""
    exons = read_resource("mane_exons.tsv")
    tx = {r["gene"]: r for r in read_resource("mane_transcripts.tsv")}
    lines = []
    for gene in genes:
        mine = [r for r in exons if r["gene"] == gene]
        assert mine, gene
        t = tx[gene]
        chrom = t["chrom"] if chr_prefix else t["chrom"].removeprefix("chr")
        strand = t["strand"]
        attrs = f'gene_id "{t["ensembl_gene"]}"; gene_type "protein_coding"; gene_name "{gene}";'
        lines.append(
            [chrom, "HAVANA", "gene", t["gene_start_gencode44"], t["gene_end_gencode44"], strand, attrs]
        )
        attrs += (
            f' transcript_id "{t["ensembl"]}"; transcript_type "protein_coding";'
            f' transcript_name "{gene}-201"; tag "MANE_Select"; tag "Ensembl_canonical";'
        )
        start = min(int(r["start_1based"]) for r in mine)
        end = max(int(r["end"]) for r in mine)
        lines.append([chrom, "HAVANA", "transcript", start, end, strand, attrs])
        for r in mine:
            lines.append(
                [
                    chrom,
                    "HAVANA",
                    "exon",
                    r["start_1based"],
                    r["end"],
                    strand,
                    attrs + f" exon_number {r['exon']};",
                ]
            )
    path.write_text(
        "".join(f"{c}\t{src}\t{feat}\t{s}\t{e}\t.\t{st}\t.\t{a}\n" for c, src, feat, s, e, st, a in lines)
    )
    return path


def annotate(outdir: Path, gtf: Path, *extra: str, sample: str = "S", **callers: Path) -> Path:
    """``allfuse annotate`` as a user runs it; returns the output folder."""
    cmd = [str(BIN / "allfuse"), "annotate", "--sample", sample, "--gtf", str(gtf), "--outdir", str(outdir)]
    for caller, path in callers.items():
        cmd += ["--" + caller.replace("_", "-"), str(path)]
    proc = subprocess.run([*cmd, *extra], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for name in [*(f"calls/{c}.tsv" for c in callers), "fusions.tsv", "classification.json"]:
        assert (outdir / name).is_file(), name
    return outdir


def events(outdir: Path) -> pd.DataFrame:
    return read_tsv(outdir / "fusions.tsv")


def classification(outdir: Path) -> dict:
    return json.loads((outdir / "classification.json").read_text())


BCR = "BCR^ENSG00000186716.23"
ABL1 = "ABL1^ENSG00000097007.22"


# ---- a. Arriba + STAR-Fusion on GRCh38 BCR::ABL1 --------------------------------------------------
@pytest.fixture(scope="module")
def bcr_abl1_gtf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mane_gtf(tmp_path_factory.mktemp("gtf") / "bcr_abl1.gtf", ["BCR", "ABL1"])


@pytest.mark.parametrize("chr_in", ["starfusion", "arriba"])
def test_same_breakpoints_are_one_event_across_contig_spelling_and_case(
    tmp_path: Path, bcr_abl1_gtf: Path, chr_in: str
) -> None:
    a_chr, s_chr = ("chr", "") if chr_in == "arriba" else ("", "chr")
    arriba = write_table(
        tmp_path / "fusions.tsv",
        ARRIBA_REAL,
        [arriba_row("BCR", "ABL1", f"{a_chr}22:{BCR_E14}", f"{a_chr}9:{ABL1_E2}", 5, 7, 3)],
    )
    starfusion = write_table(
        tmp_path / "star-fusion.fusion_predictions.tsv",
        STARFUSION_REAL,
        [
            starfusion_row(
                "Bcr^ENSG00000186716.23",
                "abl1^ENSG00000097007.22",
                f"{s_chr}22:{BCR_E14}:+",
                f"{s_chr}9:{ABL1_E2}:+",
                4,
                2,
            )
        ],
    )
    out = annotate(tmp_path / "out", bcr_abl1_gtf, arriba=arriba, starfusion=starfusion)

    calls_a = read_tsv(out / "calls" / "arriba.tsv")
    calls_s = read_tsv(out / "calls" / "starfusion.tsv")
    assert calls_a[["fusion", "pos_5p", "pos_3p", "junction_reads", "spanning_frags"]].values.tolist() == [
        ["BCR::ABL1", str(BCR_E14), str(ABL1_E2), "12", "3"]
    ]
    assert calls_s[["fusion", "chrom_5p", "pos_5p", "chrom_3p", "pos_3p"]].values.tolist() == [
        ["Bcr::abl1", f"{s_chr}22", str(BCR_E14), f"{s_chr}9", str(ABL1_E2)]
    ]

    ev = events(out)
    assert len(ev) == 1, ev[["fusion", "callers", "pos_5p", "pos_3p"]]
    e = ev.iloc[0]
    assert e.fusion == "BCR::ABL1"  # named after the best-supported call (Arriba's 12+3)
    assert (e.callers, e.n_callers) == ("arriba,starfusion", "2")
    assert (e.pos_5p, e.pos_3p) == (str(BCR_E14), str(ABL1_E2))
    assert e.support == "arriba:12+3;starfusion:4+2"
    assert (e.transcript_5p, e.exon_5p, e.exon_boundary_5p) == ("ENST00000305877.13", "14", "True")
    assert (e.transcript_3p, e.exon_3p, e.exon_boundary_3p) == ("ENST00000318560.6", "2", "True")
    assert e.reciprocal_of == "."

    cls = classification(out)
    assert (cls["subtype"], cls["group"], cls["driver_fusion"]) == ("BCR::ABL1", "KMT2A-wt", "BCR::ABL1")
    assert (cls["exon_5p"], cls["exon_3p"], cls["callers"]) == (14, 2, "arriba,starfusion")
    assert (cls["transcript_5p"], cls["transcript_3p"]) == ("ENST00000305877.13", "ENST00000318560.6")


def test_second_breakpoint_pair_of_the_same_genes_is_a_second_event(
    tmp_path: Path, bcr_abl1_gtf: Path
) -> None:
    arriba = write_table(
        tmp_path / "fusions.tsv",
        ARRIBA_REAL,
        [
            arriba_row("BCR", "ABL1", f"22:{BCR_E14}", f"9:{ABL1_E2}", 5, 7, 3),  # e14a2
            arriba_row("BCR", "ABL1", f"22:{BCR_E13}", f"9:{ABL1_E2}", 2, 2, 0),  # e13a2
        ],
    )
    starfusion = write_table(
        tmp_path / "sf.tsv",
        STARFUSION_REAL,
        [
            starfusion_row(BCR, ABL1, f"chr22:{BCR_E14}:+", f"chr9:{ABL1_E2}:+", 6, 2),
            starfusion_row(BCR, ABL1, f"chr22:{BCR_E13}:+", f"chr9:{ABL1_E2}:+", 3, 0),
        ],
    )
    out = annotate(tmp_path / "out", bcr_abl1_gtf, arriba=arriba, starfusion=starfusion)
    ev = events(out)
    assert ev.fusion.tolist() == ["BCR::ABL1", "BCR::ABL1"]
    assert ev.pos_5p.tolist() == [str(BCR_E14), str(BCR_E13)]  # best supported first
    assert ev.exon_5p.tolist() == ["14", "13"]
    assert ev.exon_3p.tolist() == ["2", "2"]
    assert ev.n_callers.tolist() == ["2", "2"]
    assert ev.callers.tolist() == ["arriba,starfusion"] * 2
    assert ev.reciprocal_of.tolist() == [".", "."]
    assert ev.event_id.nunique() == 2
    cls = classification(out)
    assert (cls["driver_fusion"], cls["exon_5p"]) == ("BCR::ABL1", 14)


def test_reciprocal_is_linked_not_merged(tmp_path: Path, bcr_abl1_gtf: Path) -> None:
    arriba = write_table(
        tmp_path / "fusions.tsv",
        ARRIBA_REAL,
        [
            arriba_row("BCR", "ABL1", f"22:{BCR_E14}", f"9:{ABL1_E2}", 5, 7, 3),
            # ABL1 exon 1 -> BCR exon 15: the reciprocal product of the same translocation
            arriba_row("ABL1", "BCR", f"9:{ABL1_E1_END}", f"22:{BCR_E15_START}", 2, 1, 1),
        ],
    )
    starfusion = write_table(
        tmp_path / "sf.tsv",
        STARFUSION_REAL,
        [
            starfusion_row(BCR, ABL1, f"chr22:{BCR_E14}:+", f"chr9:{ABL1_E2}:+", 6, 2),
            starfusion_row(
                "abl1^ENSG00000097007.22",
                "bcr^ENSG00000186716.23",
                f"chr9:{ABL1_E1_END}:+",
                f"chr22:{BCR_E15_START}:+",
                2,
                1,
            ),
        ],
    )
    out = annotate(tmp_path / "out", bcr_abl1_gtf, arriba=arriba, starfusion=starfusion)
    ev = events(out).set_index("fusion")
    assert sorted(ev.index) == ["ABL1::BCR", "BCR::ABL1"]
    assert ev.loc["BCR::ABL1", "reciprocal_of"] == ev.loc["ABL1::BCR", "event_id"]
    assert ev.loc["ABL1::BCR", "reciprocal_of"] == ev.loc["BCR::ABL1", "event_id"]
    assert ev.n_callers.tolist() == ["2", "2"]
    assert (ev.loc["ABL1::BCR", "exon_5p"], ev.loc["ABL1::BCR", "exon_3p"]) == ("1", "15")
    cls = classification(out)
    assert (cls["driver_fusion"], cls["reciprocal_fusion"]) == ("BCR::ABL1", "ABL1::BCR")
    assert cls["other_defining_fusions"] == []


def test_merge_distance(tmp_path: Path, bcr_abl1_gtf: Path) -> None:
    """STAR-Fusion 3 bases off on both sides (a junction slid along microhomology)."""
    arriba = write_table(
        tmp_path / "fusions.tsv",
        ARRIBA_REAL,
        [arriba_row("BCR", "ABL1", f"22:{BCR_E14}", f"9:{ABL1_E2}", 5, 7, 3)],
    )
    starfusion = write_table(
        tmp_path / "sf.tsv",
        STARFUSION_REAL,
        [starfusion_row(BCR, ABL1, f"chr22:{BCR_E14 + 3}:+", f"chr9:{ABL1_E2 + 3}:+", 4, 2)],
    )
    near = events(annotate(tmp_path / "default", bcr_abl1_gtf, arriba=arriba, starfusion=starfusion))
    assert len(near) == 1
    assert (near.callers[0], near.n_callers[0]) == ("arriba,starfusion", "2")
    assert (near.pos_5p[0], near.pos_3p[0]) == (str(BCR_E14), str(ABL1_E2))  # the better-supported call's

    apart = events(
        annotate(
            tmp_path / "exact", bcr_abl1_gtf, "--merge-distance", "0", arriba=arriba, starfusion=starfusion
        )
    )
    assert apart.fusion.tolist() == ["BCR::ABL1", "BCR::ABL1"]
    assert sorted(apart.callers) == ["arriba", "starfusion"]
    assert apart.n_callers.tolist() == ["1", "1"]
    got = {r.callers: (r.pos_5p, r.pos_3p) for r in apart.itertuples()}
    assert got == {"arriba": (str(BCR_E14), str(ABL1_E2)), "starfusion": (str(BCR_E14 + 3), str(ABL1_E2 + 3))}


def test_one_callers_calls_within_the_merge_distance_are_summed(tmp_path: Path, bcr_abl1_gtf: Path) -> None:
    """Arriba splits one junction's reads over two breakpoints 3 bases apart: the event keeps them all.

    STAR-Fusion lists one breakpoint pair twice (the same reads): counted once. Breakpoints stay
    those of the best-supported call.
    """
    arriba = write_table(
        tmp_path / "fusions.tsv",
        ARRIBA_REAL,
        [
            arriba_row("BCR", "ABL1", f"22:{BCR_E14}", f"9:{ABL1_E2}", 5, 7, 3),  # 12+3
            arriba_row("BCR", "ABL1", f"22:{BCR_E14 + 3}", f"9:{ABL1_E2 + 3}", 1, 1, 0),  # 2+0
        ],
    )
    twice = starfusion_row(BCR, ABL1, f"chr22:{BCR_E14}:+", f"chr9:{ABL1_E2}:+", 4, 2)
    starfusion = write_table(tmp_path / "sf.tsv", STARFUSION_REAL, [twice, twice])
    ev = events(annotate(tmp_path / "default", bcr_abl1_gtf, arriba=arriba, starfusion=starfusion))
    assert len(ev) == 1
    e = ev.iloc[0]
    assert e.support == "arriba:14+3;starfusion:4+2"
    assert (e.junction_reads, e.spanning_frags) == ("14", "3")  # the best caller's sums
    assert (e.pos_5p, e.pos_3p) == (str(BCR_E14), str(ABL1_E2))

    apart = events(
        annotate(
            tmp_path / "exact", bcr_abl1_gtf, "--merge-distance", "0", arriba=arriba, starfusion=starfusion
        )
    )
    assert apart.support.tolist() == ["arriba:12+3;starfusion:4+2", "arriba:2+0"]


# ---- b. nf-core/rnafusion-style outputs of one real sample ---------------------------------------
def brd4_nutm1_gtf(path: Path) -> Path:
    """Ensembl-style GTF (no ``chr``) with BRD4 and NUTM1 at GRCh38 coordinates.

    BRD4 is not in resources/mane_exons.tsv. Its Ensembl 110 gene, transcripts and exons are taken
    from EasyFuse's minigenome GTF, which uses local contig coordinates but keeps the GRCh38 ones in
    its ``OrigCoords`` attribute; those replace columns 4 and 5. NUTM1 is its MANE Select transcript
    from resources/mane_exons.tsv.
    """
    lines = []
    source = shared_path("easyfuse") / "ref_data" / "Homo_sapiens.GRCh38.110_miniannotation.gtf"
    with open(source) as fh:
        brd4 = [line for line in fh if 'gene_name "BRD4"' in line]
    for line in brd4:
        cols = line.rstrip("\n").split("\t")
        start, end = re.search(r'OrigCoords "(\d+)-(\d+)"', cols[8]).groups()
        cols[3], cols[4] = start, end
        lines.append("\t".join(cols) + "\n")
    assert any("\tgene\t" in x for x in lines) and len(lines) > 100
    nutm1 = mane_gtf(path.with_name("nutm1.gtf"), ["NUTM1"], chr_prefix=False).read_text()
    path.write_text("".join(lines) + nutm1)
    return path


def test_nfcore_outputs_give_one_brd4_nutm1_event(tmp_path: Path) -> None:
    nfcore = shared_path(FUSION_REPORT)
    gtf = brd4_nutm1_gtf(tmp_path / "brd4_nutm1.gtf")
    out = annotate(
        tmp_path / "out",
        gtf,
        arriba=nfcore / "arriba.tsv",
        starfusion=nfcore / "starfusion.tsv",
        fusioncatcher=nfcore / "fusioncatcher.txt",
        pizzly=nfcore / "pizzly.tsv",
    )
    for caller in ("arriba", "starfusion", "fusioncatcher"):
        calls = read_tsv(out / "calls" / f"{caller}.tsv")
        hit = calls[calls.gene_5p.str.startswith("BRD4") & (calls.gene_3p == "NUTM1")]
        assert len(hit), caller
        assert set(zip(hit.chrom_5p, hit.pos_5p, hit.chrom_3p, hit.pos_3p)) == {
            ("19", "15254152", "15", "34347969")
        }

    ev = events(out)
    hit = ev[ev.gene_5p.str.upper().str.startswith("BRD4") & (ev.gene_3p.str.upper() == "NUTM1")]
    assert len(hit) == 1, hit[["fusion", "callers", "pos_5p", "pos_3p"]]
    e = hit.iloc[0]
    assert e.fusion == "BRD4::NUTM1"
    assert (e.chrom_5p, e.pos_5p, e.strand_5p, e.chrom_3p, e.pos_3p, e.strand_3p) == (
        "19",
        "15254152",
        "-",
        "15",
        "34347969",
        "+",
    )
    callers = set(e.callers.split(","))
    assert {"arriba", "starfusion", "fusioncatcher"} <= callers
    assert int(e.n_callers) >= 3
    assert "pizzly" in callers  # gene-pair-only pizzly call joins the placed event of its pair
    assert (e.transcript_3p, e.transcript_source_3p) == ("ENST00000537011.6", "canonical_table")
    assert (e.exon_3p, e.exon_boundary_3p) == ("3", "True")

    cls = classification(out)
    assert (cls["subtype"], cls["partner"], cls["driver_fusion"]) == ("NUTM1-r", "BRD4", "BRD4::NUTM1")
    assert (cls["transcript_3p"], cls["exon_3p"]) == ("ENST00000537011.6", 3)


# ---- c. real reads: STAR's chimeric junctions vs Arriba on resolwe-bio's CCDC6::RET ---------------
ARRIBA_CCDC6_RET = ("minigenome", 609384, "minigenome", 490475)  # exon boundaries, as Arriba reports


@pytest.fixture(scope="module")
def ccdc6_ret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """STAR (index + alignment with the pipeline's chimeric options) and annotate, once."""
    resolwe = shared_path(RESOLWE)
    assert shutil.which("STAR"), "STAR not on PATH"
    work = tmp_path_factory.mktemp("resolwe")
    for name in ("minigenome.fasta.gz", "minigenome.gtf.gz"):
        with gzip.open(resolwe / name, "rb") as src, open(work / name.removesuffix(".gz"), "wb") as dst:
            shutil.copyfileobj(src, dst)
    index = work / "index"
    index.mkdir()

    def star(*args: str) -> None:
        proc = subprocess.run(
            ["STAR", "--runThreadN", "2", *args], check=False, cwd=work, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr

    star(
        "--runMode",
        "genomeGenerate",
        "--genomeDir",
        str(index),
        "--genomeFastaFiles",
        str(work / "minigenome.fasta"),
        "--sjdbGTFfile",
        str(work / "minigenome.gtf"),
        "--sjdbOverhang",
        "49",  # reads of 50 bp mostly (3,802 of 5,699 R1), the rest 76-101 bp
        "--genomeSAindexNbases",
        "8",
        "--outFileNamePrefix",
        str(index) + "/",
    )
    options = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["star"]
    star(
        "--genomeDir",
        str(index),
        "--readFilesIn",
        str(resolwe / "reads_R1.fastq.gz"),
        str(resolwe / "reads_R2.fastq.gz"),
        "--readFilesCommand",
        "zcat",
        "--outSAMtype",
        "BAM",
        "Unsorted",
        "--outFileNamePrefix",
        str(work / "star") + "/",
        *shlex.split(options["extra"]),
        *shlex.split(options["chimeric"]),
    )
    junctions = work / "star" / "Chimeric.out.junction"
    assert junctions.is_file()
    return annotate(
        work / "out",
        work / "minigenome.gtf",
        sample="R",
        star_chimeric=junctions,
        arriba=resolwe / "expected_fusions.tsv.gz",
    )


def test_star_chimeric_finds_ccdc6_ret_at_arribas_breakpoints(ccdc6_ret: Path) -> None:
    with gzip.open(shared_path(RESOLWE) / "expected_fusions.tsv.gz", "rt") as fh:
        arriba = next(
            r for r in csv.DictReader(fh, delimiter="\t") if (r["#gene1"], r["gene2"]) == ("CCDC6", "RET")
        )
    c5, p5 = arriba["breakpoint1"].rsplit(":", 1)
    c3, p3 = arriba["breakpoint2"].rsplit(":", 1)
    assert (c5, int(p5), c3, int(p3)) == ARRIBA_CCDC6_RET  # Arriba 2.4.0's own file

    calls = read_tsv(ccdc6_ret / "calls" / "star_chimeric.tsv")
    hit = calls[calls.fusion == "CCDC6::RET"]
    assert len(hit) == 1, calls[["fusion", "pos_5p", "pos_3p"]]
    h = hit.iloc[0]
    assert (h.chrom_5p, int(h.pos_5p), h.chrom_3p, int(h.pos_3p)) == (c5, int(p5), c3, int(p3))
    assert (h.strand_5p, h.strand_3p) == ("-", "+")
    assert int(h.junction_reads) >= 3
    # STAR writes the junction as the first intron bases (609383 on '-', 490474 on '+').
    star = pd.read_csv(
        ccdc6_ret.parent / "star" / "Chimeric.out.junction",
        sep="\t",
        comment="#",
        dtype=str,
        usecols=range(7),
    )
    split = star[star.junction_type != "-1"]
    pairs = set(zip(split.brkpt_donorA, split.brkpt_acceptorB))
    assert {("609383", "490474"), ("490474", "609383")} & pairs


def test_ccdc6_ret_is_one_event_of_arriba_and_star_chimeric(ccdc6_ret: Path) -> None:
    ev = events(ccdc6_ret)
    hit = ev[ev.fusion == "CCDC6::RET"]
    assert len(hit) == 1, ev[["fusion", "callers", "pos_5p", "pos_3p"]]
    e = hit.iloc[0]
    assert (e.callers, e.n_callers) == ("arriba,star_chimeric", "2")
    assert (e.chrom_5p, int(e.pos_5p), e.chrom_3p, int(e.pos_3p)) == ARRIBA_CCDC6_RET
    assert not (ev.callers.str.contains("arriba") & (ev.fusion != "CCDC6::RET")).any()


# ---- d. Arriba 2.5.1 on the same STAR BAM vs resolwe-bio's Arriba 2.4.0 output --------------------
#: resolwe-bio's Arriba process (slug "arriba", "The current version of Arriba is 2.4.0") runs
#: ``arriba -x BAM -o ... -O ... -i <the GTF's contigs> -f blacklist`` (``-b`` only when given a
#: blacklist; no ``-t``, no ``-p``), its test passing known_fusions.tsv.gz as the known-fusions file
#: (``-k``), on a BAM it aligned itself (aligned_samples.bam, not among the shared files).
#: ``-i minigenome`` is needed: Arriba's default interesting contigs are human chromosome names, and
#: without it Arriba 2.5.1 exits 1 with ``ERROR: no normal reads found`` (see
#: test_arriba_needs_the_minigenome_contig_named).
#: known_fusions.tsv.gz names four pairs on human contigs (ACIN1::NUTM1, ...), none here: Arriba
#: warns ``unknown gene or malformed range`` for each and it changes nothing.
#: Columns of the passing CCDC6::RET call that Arriba 2.5.1 writes exactly as 2.4.0 did.
ARRIBA_SAME_AS_240 = [
    "#gene1",
    "gene2",
    "strand1(gene/fusion)",
    "strand2(gene/fusion)",
    "breakpoint1",
    "breakpoint2",
    "site1",
    "site2",
    "type",
    "split_reads2",
    "discordant_mates",
    "coverage1",
    "coverage2",
    "confidence",
    "reading_frame",
    "tags",
    "retained_protein_domains",
    "closest_genomic_breakpoint1",
    "closest_genomic_breakpoint2",
    "gene_id1",
    "gene_id2",
    "transcript_id1",
    "transcript_id2",
    "direction1",
    "direction2",
    "filters",
    "fusion_transcript",
    "peptide_sequence",
]


def run_arriba(work: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    """Arriba 2.5.1 on ccdc6_ret's STAR BAM, sorted as the pipeline's samtools_sort rule does."""
    arriba = built_callers() / "arriba"  # not built: fails saying to run `make callers`
    bam = work / "star" / "Aligned.sortedByCoord.out.bam"
    if not bam.is_file():
        samtools = shutil.which("samtools")
        assert samtools, "samtools not on PATH (make install puts it there)"
        subprocess.run([samtools, "sort", "-o", str(bam), str(work / "star" / "Aligned.out.bam")], check=True)
    out.mkdir()
    cmd = [
        str(arriba),
        "-x", str(bam),
        "-a", str(work / "minigenome.fasta"),
        "-g", str(work / "minigenome.gtf"),
        "-f", "blacklist",
        "-k", str(shared_path(RESOLWE) / "known_fusions.tsv.gz"),
        "-o", str(out / "fusions.tsv"),
        "-O", str(out / "fusions.discarded.tsv"),
        *options,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=out)


@pytest.fixture(scope="module")
def ccdc6_ret_arriba(ccdc6_ret: Path) -> Path:
    """Arriba 2.5.1's output folder (fusions.tsv, fusions.discarded.tsv, annotate/)."""
    work = ccdc6_ret.parent
    out = work / "arriba"
    proc = run_arriba(work, out, "-i", "minigenome")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Launching Arriba 2.5.1" in proc.stdout  # progress on stdout, warnings on stderr
    annotate(
        out / "annotate",
        work / "minigenome.gtf",
        sample="R",
        arriba=out / "fusions.tsv",
        star_chimeric=work / "star" / "Chimeric.out.junction",
    )
    return out


def test_arriba_251_reproduces_the_240_breakpoints(ccdc6_ret_arriba: Path) -> None:
    """One passing fusion, CCDC6::RET, at 2.4.0's breakpoints, genes, strands and directions.

    Where 2.5.1 differs from 2.4.0's file: split_reads1 is 3, not 1 -- two more split reads,
    fustut000006ad9f and fustut0000072739, whose RET segment is only 15 and 16 bases (STAR's
    supplementary alignments 85H15M / 84H16M at minigenome:490475). 2.4.0's eight reads are all among
    2.5.1's ten. Whether those two come from Arriba's version or from the alignment cannot be told from
    the shared files: resolwe-bio's BAM (aligned_samples.bam) is not among them and the STAR here runs
    with the pipeline's options. Everything else in the row is identical, fusion_transcript and
    peptide_sequence included.
    """
    new = read_tsv(ccdc6_ret_arriba / "fusions.tsv")
    old = read_tsv(shared_path(RESOLWE) / "expected_fusions.tsv.gz")
    assert list(new.columns) == list(old.columns)
    assert len(new) == len(old) == 1, new.iloc[:, :12].to_string()
    n, o = new.iloc[0], old.iloc[0]
    assert (n["#gene1"], n["gene2"], n["breakpoint1"], n["breakpoint2"]) == (
        "CCDC6",
        "RET",
        "minigenome:609384",
        "minigenome:490475",
    )
    assert (
        (n["direction1"], n["direction2"]) == (o["direction1"], o["direction2"]) == ("upstream", "upstream")
    )
    assert {c: n[c] for c in ARRIBA_SAME_AS_240} == {c: o[c] for c in ARRIBA_SAME_AS_240}
    assert (o["split_reads1"], o["split_reads2"], o["discordant_mates"]) == ("1", "0", "7")
    assert (n["split_reads1"], n["split_reads2"], n["discordant_mates"]) == ("3", "0", "7")
    (n_ids, o_ids) = (set(x["read_identifiers"].split(",")) for x in (n, o))
    assert len(o_ids) == 8 and n_ids - o_ids == {"fustut000006ad9f", "fustut0000072739"}
    assert o_ids < n_ids


def test_arriba_251_discards_the_same_in_vitro_breakpoints(ccdc6_ret_arriba: Path) -> None:
    """The six other CCDC6::RET breakpoint pairs of the same seven discordant mates are discarded as
    ``in_vitro`` by both versions. (The rest of the discarded lists differ with the alignment: 31 of
    2.4.0's 36 breakpoint pairs are among 2.5.1's 44 here.)"""
    new = read_tsv(ccdc6_ret_arriba / "fusions.discarded.tsv")
    old = read_tsv(shared_path(RESOLWE) / "expected_discarded_fusions.tsv.gz")
    cols = [
        "#gene1",
        "gene2",
        "breakpoint1",
        "breakpoint2",
        "split_reads1",
        "split_reads2",
        "discordant_mates",
    ]

    def in_vitro(t: pd.DataFrame) -> set[tuple[str, ...]]:
        return set(t.loc[t.filters == "in_vitro", cols].itertuples(index=False, name=None))

    assert in_vitro(new) == in_vitro(old)
    assert len(in_vitro(new)) == 6
    assert {(g1, g2, d) for g1, g2, _, _, _, _, d in in_vitro(new)} == {("CCDC6", "RET", "7")}


def test_allfuse_reads_arriba_251_as_it_read_240(ccdc6_ret_arriba: Path) -> None:
    """Parsed by allfuse, the two versions' rows are the same call but for the junction read count;
    with star_chimeric they are one event."""
    new = arriba_parser.parse(ccdc6_ret_arriba / "fusions.tsv", "R")
    old = arriba_parser.parse(shared_path(RESOLWE) / "expected_fusions.tsv.gz", "R")
    keys = ["fusion", "chrom_5p", "pos_5p", "strand_5p", "chrom_3p", "pos_3p", "strand_3p", "spanning_frags"]
    assert new[keys].astype(str).values.tolist() == old[keys].astype(str).values.tolist()
    c5, p5, c3, p3 = ARRIBA_CCDC6_RET
    assert new[keys].astype(str).values.tolist() == [["CCDC6::RET", c5, str(p5), "-", c3, str(p3), "+", "7"]]
    assert (int(new.junction_reads[0]), int(old.junction_reads[0])) == (3, 1)

    ev = events(ccdc6_ret_arriba / "annotate")
    hit = ev[ev.fusion == "CCDC6::RET"]
    assert len(hit) == 1, ev[["fusion", "callers", "pos_5p", "pos_3p"]]
    e = hit.iloc[0]
    assert (e.callers, e.n_callers) == ("arriba,star_chimeric", "2")
    assert (e.chrom_5p, int(e.pos_5p), e.chrom_3p, int(e.pos_3p)) == ARRIBA_CCDC6_RET
    assert not (ev.callers.str.contains("arriba") & (ev.fusion != "CCDC6::RET")).any()


def test_arriba_needs_the_minigenome_contig_named(ccdc6_ret_arriba: Path) -> None:
    """Without ``-i minigenome`` (Arriba's default: human chromosome names) Arriba 2.5.1 finds no
    read to work on and exits 1 -- not with the pipeline's negative-result message ("no split reads
    or discordant mates found"), so rule arriba would fail, not report a negative."""
    proc = run_arriba(ccdc6_ret_arriba.parent, ccdc6_ret_arriba.parent / "arriba_default_contigs")
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log
    assert "ERROR: no normal reads found" in log
    assert arriba_parser.NO_CHIMERIC_READS not in log
