"""Real reads, real aligner, real Arriba: Arriba's BCR::ABL1 test reads through STAR, Arriba 2.5.1
and ``allfuse annotate``.

The 40 read pairs of Arriba's test set (shared/data/arriba/read{1,2}.fastq.gz) are aligned with
Debian's STAR against HAMLET's GRCh38 reference (full-length no-alt analysis set, N-masked outside
its target genes, BCR and ABL1 included) with the pipeline's own STAR options (config/config.yaml
``star.chimeric`` and ``star.extra``, and the output options of workflow/rules/align.smk). Then
``allfuse annotate --star-chimeric`` must find the e14a2 junction: BCR exon 14 -> ABL1 exon 2 on the
MANE transcripts.

Arriba (built by ``make callers``) runs on the same alignment, sorted by samtools as the pipeline's
``samtools_sort`` rule does before rule ``arriba`` (STAR writes it unsorted, ``--outSAMtype BAM
Unsorted``; Arriba 2.5.1 gave the identical fusions.tsv on the unsorted BAM, checked by hand), with
HAMLET's subset of the Arriba v2.4.0 GRCh38 database (shared/data/hamlet/arriba_db_subset: the first
lines of the blacklist, the BCR lines of known_fusions used for ``-k`` and ``-t``, protein domains
over the HAMLET loci). HAMLET made the known-fusions subset with ``zgrep -A 1``, whose ``--`` group
separators Arriba reports as ``unknown gene or malformed range: --`` and ``a line with an empty tag``
and skips. ``allfuse annotate --arriba`` must give the same e14a2 event, keeping Arriba's own
columns as ``orig_*``.

The HAMLET GTF is Ensembl-style (release 104): no MANE_Select/Ensembl_canonical tags, unversioned
``transcript_id`` with a separate ``transcript_version``. That is the fallback situation for transcript
choice: the curated canonical table, matched by Ensembl ID without version.

Cost: unpacking the FASTA (3.1 GB) and building the STAR index (3.1 GB on disk, about 1.5-2 min and
6-6.5 GB peak RSS with 2 threads); the alignment takes seconds. Arriba loads the whole assembly
(``-a``, 3.1 Gb): about 22 s wall (20 s of it reading the FASTA) and 3.2 GiB peak RSS for these 40
read pairs (Arriba's own log: ``peak memory=3.21gb``), far under the 7 GB asked for genomeGenerate.
The index and the FASTA live in a temporary folder removed after this module (``allfuse evidence`` and
``allfuse primers`` read the FASTA too: the fused BCR::ABL1 transcript and its RT-PCR assay on real
GRCh38 sequence, and the supporting reads from the sorted BAM).
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
from conftest import BIN, REPO, TOOLS_BIN, built_callers, callers_built, read_tsv, shared_path

from allfuse.callers.star_chimeric import read_junctions
from allfuse.transcriptome import revcomp

# In ../shared/data, reached through shared_path() inside the tests.
REF = "hamlet/reference"
GTF = f"{REF}/hamlet-ref.gtf"
READS = ["arriba/read1.fastq.gz", "arriba/read2.fastq.gz"]
ARRIBA_DB = "hamlet/arriba_db_subset"  # HAMLET's subset of the Arriba v2.4.0 hg38/GRCh38 database
BLACKLIST = f"{ARRIBA_DB}/blacklist_hg38_GRCh38_v2.4.0.head.tsv.gz"
KNOWN_FUSIONS = f"{ARRIBA_DB}/known_fusions_hg38_GRCh38_v2.4.0.tsv.gz"
PROTEIN_DOMAINS = f"{ARRIBA_DB}/protein_domains_hg38_GRCh38_v2.4.0.gff3"
SAMTOOLS = shutil.which("samtools")
STAR = shutil.which("STAR")
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None
NEED_DISK = 8 * 1024**3  # FASTA 3.1 GB + index 3.1 GB, with headroom
NEED_MEM = 7 * 1024**3  # genomeGenerate peaks at ~6.3 GB RSS

# GRCh38 facts (resources/mane_exons.tsv; BCR ENST00000305877.13 and ABL1 ENST00000318560.6 are MANE Select)
BCR_EXON14_END = 23290413  # last base of BCR exon 14 (+ strand)
ABL1_EXON2_START = 130854064  # first base of ABL1 exon 2 (+ strand)
BCR_TX, ABL1_TX = "ENST00000305877.13", "ENST00000318560.6"
#: The e14a2 junction on the MANE transcripts, as fusions.tsv must give it whichever caller found it.
E14A2 = {
    "fusion": "BCR::ABL1",
    "gene_id_5p": "ENSG00000186716",
    "gene_id_3p": "ENSG00000097007",
    "chrom_5p": "chr22",
    "pos_5p": str(BCR_EXON14_END),
    "strand_5p": "+",
    "chrom_3p": "chr9",
    "pos_3p": str(ABL1_EXON2_START),
    "strand_3p": "+",
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
    #: Arriba's fusions.tsv / discarded fusions / its log, and ``allfuse annotate --arriba`` (alone,
    #: and with ``--star-chimeric``). None where `make callers` has not built Arriba: the Arriba
    #: tests then fail (or skip without ../shared/tools) through built_callers(), STAR's still run.
    arriba_fusions: Path | None = None
    arriba_discarded: Path | None = None
    arriba_log: Path | None = None
    arriba_out: Path | None = None
    both_out: Path | None = None
    #: the unpacked GRCh38 FASTA (with a .fai in the run's folder) and the sorted, indexed BAM
    fasta: Path | None = None
    fai: Path | None = None
    sorted_bam: Path | None = None


def _mem_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def measured(name: str, cmd: list[str], workdir: Path, log: Path | None = None) -> Step:
    """Run ``cmd`` (under GNU time -v when installed); fail with its log on a non-zero exit.
    With ``log``, its stdout and stderr are kept there."""
    report = workdir / f"{name}.time"
    full = [GNU_TIME, "-v", "-o", str(report), *cmd] if GNU_TIME else cmd
    start = time.monotonic()
    proc = subprocess.run(full, cwd=workdir, capture_output=True, text=True, timeout=1800, check=False)
    seconds = time.monotonic() - start
    if log is not None:
        log.write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    rss = None
    if GNU_TIME and report.is_file():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
        rss = int(m.group(1)) if m else None
    return Step(name, seconds, rss)


def _arriba() -> Path | None:
    """Arriba as `make callers` built it, or None (the Arriba tests then call built_callers()
    themselves, which fails or skips and says why)."""
    return TOOLS_BIN / "arriba" if callers_built() else None


def star_options() -> list[str]:
    """The pipeline's STAR options, as the star_align rule passes them."""
    star = yaml.safe_load((REPO / "config/config.yaml").read_text())["star"]
    return shlex.split(star.get("extra", "")) + shlex.split(star["chimeric"])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    ref, gtf, reads = shared_path(REF), shared_path(GTF), [shared_path(r) for r in READS]
    db = {
        name: shared_path(rel)
        for name, rel in (("b", BLACKLIST), ("k", KNOWN_FUSIONS), ("p", PROTEIN_DOMAINS))
    }
    # Not skipped otherwise: a machine that cannot run this check fails it, saying why.
    assert STAR is not None, "STAR is not installed (make install puts it there)"
    assert SAMTOOLS is not None, "samtools is not installed (make install puts it there)"
    arriba = _arriba()
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
        # As the pipeline: samtools_sort, then arriba on the sorted BAM (Arriba reads the FASTA).
        sorted_bam = aln / "Aligned.sortedByCoord.out.bam"
        steps.append(
            measured("samtools sort", [SAMTOOLS, "sort", "-o", str(sorted_bam), "Aligned.out.bam"], aln)
        )
        arriba_files: dict[str, Path] = {}
        if arriba is not None:
            adir = base / "arriba"
            adir.mkdir()
            arriba_files = {
                "arriba_fusions": adir / "fusions.tsv",
                "arriba_discarded": adir / "fusions.discarded.tsv",
                "arriba_log": adir / "arriba.log",
            }
            steps.append(
                measured(
                    "arriba",
                    [
                        str(arriba),
                        "-x", str(sorted_bam),
                        "-a", str(fasta),
                        "-g", str(gtf),
                        "-b", str(db["b"]),
                        "-k", str(db["k"]),
                        "-t", str(db["k"]),
                        "-p", str(db["p"]),
                        "-o", str(arriba_files["arriba_fusions"]),
                        "-O", str(arriba_files["arriba_discarded"]),
                    ],
                    adir,
                    log=arriba_files["arriba_log"],
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
        if arriba is not None:
            for name, extra in (
                ("arriba_out", []),
                ("both_out", ["--star-chimeric", str(aln / "Chimeric.out.junction")]),
            ):
                arriba_files[name] = base / f"annotate_{name}"
                steps.append(
                    measured(
                        " ".join(["allfuse annotate --arriba", *extra[:1]]),
                        [
                            str(BIN / "allfuse"), "annotate",
                            "--sample", "K",
                            "--gtf", str(gtf),
                            "--outdir", str(arriba_files[name]),
                            "--arriba", str(arriba_files["arriba_fusions"]),
                            *extra,
                        ],
                        base,
                    )
                )  # fmt: skip
        # evidence.json and primers.tsv of the two-caller result, as rules evidence/primers make them
        fai = base / "hamlet-ref.fa.fai"
        shutil.copy(ref / "hamlet-ref.fa.fai", fai)  # newer than the FASTA: pyfaidx reads it as is
        subprocess.run([SAMTOOLS, "index", str(sorted_bam)], check=True)
        if arriba is not None:
            common = ["--sample-dir", str(arriba_files["both_out"]), "--fasta", str(fasta), "--fai", str(fai)]
            common += ["--gtf", str(gtf)]
            for name, extra in (
                ("allfuse evidence", ["--bam", str(sorted_bam), "--build", "GRCh38"]),
                ("allfuse primers", []),
            ):
                out_file = arriba_files["both_out"] / (
                    "evidence.json" if "evidence" in name else "primers.tsv"
                )
                steps.append(
                    measured(
                        name,
                        [str(BIN / "allfuse"), name.split()[1], *common, *extra, "--out", str(out_file)],
                        base,
                    )
                )
        yield Run(
            index,
            aln / "Chimeric.out.junction",
            aln / "Aligned.out.bam",
            aln / "Log.final.out",
            out,
            steps,
            **arriba_files,
            fasta=fasta,
            fai=fai,
            sorted_bam=sorted_bam,
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_measurements(run, capsys):
    """Not a check: shows the cost of the real run (also with -q), Arriba's own summary line too."""
    lines = [f"  [real BCR::ABL1] {s}" for s in run.steps]
    if run.arriba_log is not None:
        done = [x for x in run.arriba_log.read_text().splitlines() if "Done (elapsed time=" in x]
        lines += [f"  [real BCR::ABL1] arriba says: {x.split('] ', 1)[-1]}" for x in done]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    names = [s.name for s in run.steps][1:]
    star = ["STAR genomeGenerate", "STAR align", "samtools sort"]
    if run.arriba_fusions is None:
        assert names == [*star, "allfuse annotate"]
    else:
        assert names == [
            *star,
            "arriba",
            "allfuse annotate",
            "allfuse annotate --arriba",
            "allfuse annotate --arriba --star-chimeric",
            "allfuse evidence",
            "allfuse primers",
        ]


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
        "callers": "star_chimeric",
        "n_callers": "1",
        "junction_reads": str(n_split),
        "read_through": "False",
        **E14A2,
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
    """The index and the unpacked FASTA (read by evidence and primers) are under pytest's temporary
    folder, removed after the module; the FASTA's .fai is written there, never beside the shared file."""
    assert run.index.is_relative_to(tmp_path_factory.getbasetemp())
    assert (run.index / "SA").is_file() and run.fasta == run.index.parent / "hamlet-ref.fa"
    assert run.fai.parent == run.index.parent and run.fai.is_file()


# ---- Arriba 2.5.1 on the same alignment ------------------------------------------------------------
#: What Arriba 2.5.1 writes for these reads (fusions.tsv, one row), column by column. Its breakpoints
#: are allfuse's: the last base of BCR exon 14 and the first base of ABL1 exon 2. Arriba picks its own
#: ABL1 transcript, ENST00000372348 (ABL1-202, exon 1b 140 kb upstream; its exon 2 is MANE's exon 2),
#: not the MANE one (ENST00000318560, exon 1a); allfuse's exons are on MANE.
ARRIBA_ROW = {
    "#gene1": "BCR",
    "gene2": "ABL1",
    "strand1(gene/fusion)": "+/+",
    "strand2(gene/fusion)": "+/+",
    "breakpoint1": f"chr22:{BCR_EXON14_END}",
    "breakpoint2": f"chr9:{ABL1_EXON2_START}",
    "site1": "CDS/splice-site",
    "site2": "CDS/splice-site",
    "type": "translocation",
    "split_reads1": "4",
    "split_reads2": "7",
    "discordant_mates": "0",
    "coverage1": "4",
    "coverage2": "12",
    "confidence": "high",
    "reading_frame": "in-frame",
    "tags": "Mitelman",  # -t known_fusions: BCR::ABL1 is in HAMLET's subset, tagged Mitelman
    "retained_protein_domains": (
        "Bcr-Abl_oncoprotein_oligomerisation_domain(100%),C2_domain(16%),PH_domain(100%),RhoGEF_domain(100%)"
        "|F-actin_binding(100%),Protein_kinase_domain(100%),SH2_domain(100%),SH3_domain(100%)"
    ),
    "closest_genomic_breakpoint1": ".",
    "closest_genomic_breakpoint2": ".",
    "gene_id1": "ENSG00000186716",
    "gene_id2": "ENSG00000097007",
    "transcript_id1": "ENST00000305877",
    "transcript_id2": "ENST00000372348",
    "direction1": "downstream",
    "direction2": "upstream",
    "filters": ".",
}


def _arriba_fusions(run) -> dict[str, str]:
    built_callers()  # without Arriba: fails saying to run `make callers` (skips without ../shared/tools)
    table = read_tsv(run.arriba_fusions)
    assert len(table) == 1, table.to_string()
    return table.iloc[0].to_dict()


def test_arriba_calls_bcr_abl1_at_the_splice_sites(run):
    row = _arriba_fusions(run)
    assert {k: row[k] for k in ARRIBA_ROW} == ARRIBA_ROW
    # the reads: exactly the ones STAR wrote as split reads in Chimeric.out.junction
    j = read_junctions(run.junctions)
    star_split = set(j[j["junction_type"] >= 0]["read_name"])
    assert set(row["read_identifiers"].split(",")) == star_split
    assert len(star_split) == int(row["split_reads1"]) + int(row["split_reads2"]) == 11
    assert row["fusion_transcript"].count("|") == 1 and row["peptide_sequence"].count("|") == 1
    # nothing discarded: the header alone
    assert run.arriba_discarded.read_text().splitlines() == ["\t".join(read_tsv(run.arriba_fusions).columns)]
    log = run.arriba_log.read_text()
    assert "Launching Arriba 2.5.1" in log
    assert "Filtering blacklisted fusions in" in log and "Loading protein domains from" in log


def test_arriba_event_is_bcr_exon14_to_abl1_exon2(run):
    row = _arriba_fusions(run)
    fusions = read_tsv(run.arriba_out / "fusions.tsv")
    assert len(fusions) == 1, fusions.to_string()
    ev = fusions.iloc[0]
    expected = {
        "callers": "arriba",
        "n_callers": "1",
        "junction_reads": "11",
        "spanning_frags": "0",
        "support": "arriba:11+0",
        "caller_transcript_5p": "arriba:ENST00000305877",
        "caller_transcript_3p": "arriba:ENST00000372348",
        **E14A2,
    }
    assert {k: ev[k] for k in expected} == expected

    calls = read_tsv(run.arriba_out / "calls" / "arriba.tsv")
    assert len(calls) == 1
    call = calls.iloc[0]
    assert (call.pos_5p, call.pos_3p) == (str(BCR_EXON14_END), str(ABL1_EXON2_START))
    assert (call.caller_confidence, call.caller_filters) == ("high", ".")
    # Arriba's own columns survive as orig_<name>, with the values Arriba wrote
    assert call["orig_confidence"] == "high"
    assert call["orig_reading_frame"] == "in-frame"
    assert call["orig_filters"] == "."
    assert call["orig_retained_protein_domains"] == ARRIBA_ROW["retained_protein_domains"]
    assert {f"orig_{k.removeprefix('#')}": v for k, v in row.items()} == {
        k: v for k, v in call.items() if k.startswith("orig_")
    }

    cls = json.loads((run.arriba_out / "classification.json").read_text())
    assert (cls["subtype"], cls["driver_fusion"], cls["callers"]) == ("BCR::ABL1", "BCR::ABL1", "arriba")
    assert (cls["transcript_5p"], cls["exon_5p"], cls["transcript_3p"], cls["exon_3p"]) == (
        BCR_TX,
        14,
        ABL1_TX,
        2,
    )


def test_arriba_and_star_chimeric_are_one_event(run):
    _arriba_fusions(run)
    fusions = read_tsv(run.both_out / "fusions.tsv")
    assert len(fusions) == 1, fusions.to_string()
    ev = fusions.iloc[0]
    assert (ev.fusion, ev.callers, ev.n_callers) == ("BCR::ABL1", "arriba,star_chimeric", "2")
    assert (ev.pos_5p, ev.pos_3p, ev.exon_5p, ev.exon_3p) == (
        str(BCR_EXON14_END),
        str(ABL1_EXON2_START),
        "14",
        "2",
    )
    assert sorted(ev.support.split(";")) == ["arriba:11+0", "star_chimeric:11+0"]


def test_high_tier_bcr_abl1_is_reported_despite_failed_qc(run, tmp_path):
    """40 read pairs fail the 1,000-pair QC gate, but Arriba and star_chimeric agree on 11 junction reads
    (tier high): fusion detected with its subtype, and the QC failure stated (allfuse.status)."""
    _arriba_fusions(run)
    qc = tmp_path / "qc.tsv"
    subprocess.run(
        [str(BIN / "allfuse"), "qc", "--log", str(run.log_final), "--sample", "K", "--out", str(qc)],
        check=True,
    )
    qc_row = read_tsv(qc).iloc[0]
    assert qc_row.qc_pass == "False" and qc_row.input_read_pairs == "40"
    out = tmp_path / "annotate"
    subprocess.run(
        [str(BIN / "allfuse"), "annotate", "--sample", "K", "--gtf", str(shared_path(GTF)), "--outdir", str(out),
         "--arriba", str(run.arriba_fusions), "--star-chimeric", str(run.junctions), "--qc", str(qc)],
        check=True, capture_output=True,
    )  # fmt: skip
    cls = json.loads((out / "classification.json").read_text())
    assert (cls["status"], cls["group"], cls["subtype"], cls["driver_fusion"], cls["driver_tier"]) == (
        "fusion detected", "KMT2A-wt", "BCR::ABL1", "BCR::ABL1", "high",
    )  # fmt: skip
    assert cls["status_reason"].startswith(
        f"QC failed ({qc_row.qc_reason}), but the driver fusion is of the high"
    )
    # star_chimeric alone is one caller: medium, and the sample stays not assessable
    alone = tmp_path / "alone"
    subprocess.run(
        [str(BIN / "allfuse"), "annotate", "--sample", "K", "--gtf", str(shared_path(GTF)), "--outdir", str(alone),
         "--star-chimeric", str(run.junctions), "--qc", str(qc)],
        check=True, capture_output=True,
    )  # fmt: skip
    cls = json.loads((alone / "classification.json").read_text())
    assert (cls["status"], cls["group"]) == ("not assessable", "not assessable")


def _mane_exons(fasta, gtf: Path, transcript: str) -> list[tuple[int, int, str]]:
    """(start, end, sequence in transcript direction) of each exon of ``transcript``, read here from the
    GTF text and the FASTA with pysam (not through allfuse.gtf/allfuse.evidence)."""
    import pysam

    base = transcript.split(".")[0]
    exons = []
    with gtf.open() as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) == 9 and f[2] == "exon" and f'transcript_id "{base}"' in f[8]:
                exons.append((f[0], int(f[3]), int(f[4]), f[6]))
    with pysam.FastaFile(str(fasta)) as fa:
        out = []
        for chrom, s, e, strand in sorted(exons, key=lambda x: x[1], reverse=exons[0][3] == "-"):
            seq = fa.fetch(chrom, s - 1, e).upper()
            out.append((s, e, seq if strand == "+" else revcomp(seq)))
    return out


def test_real_primers_and_evidence_bcr_abl1(run):
    """The RT-PCR assay and evidence of the real e14a2 junction on GRCh38 (rules primers/evidence)."""
    _arriba_fusions(run)
    primers = read_tsv(run.both_out / "primers.tsv")
    assert len(primers) == 1
    p = primers.iloc[0]
    assert (p.fusion, p.role, p.reason) == ("BCR::ABL1", "driver", "")
    gtf = shared_path(GTF)
    bcr = _mane_exons(run.fasta, gtf, BCR_TX)
    abl1 = _mane_exons(run.fasta, gtf, ABL1_TX)
    # BCR exons 1-14 (the last ends at the breakpoint), ABL1 exons 2 onwards
    upstream = "".join(seq for s, e, seq in bcr if e <= BCR_EXON14_END)
    downstream = "".join(seq for s, e, seq in abl1 if s >= ABL1_EXON2_START)
    assert bcr[13][1] == BCR_EXON14_END and abl1[1][0] == ABL1_EXON2_START
    fused = upstream + downstream
    assert p.forward in upstream and upstream.index(p.forward) + len(p.forward) <= len(upstream) - 10
    rc = revcomp(p.reverse)
    assert rc in downstream and downstream.index(rc) >= 10
    start, end = fused.index(p.forward), len(upstream) + downstream.index(rc) + len(rc)
    assert p.amplicon.replace("|", "") == fused[start:end]
    assert p.amplicon.index("|") == len(upstream) - start
    assert int(p.product_size) == end - start and 150 <= int(p.product_size) <= 400
    assert all(57 <= float(t) <= 63 for t in (p.forward_tm, p.reverse_tm))
    assert p.forward_exon.startswith("5p exon") and p.reverse_exon.startswith("3p exon")
    # evidence.json: the build, t(9;22), the junction window, Arriba's own evidence, real BAM reads
    ev = json.loads((run.both_out / "evidence.json").read_text())
    assert ev["build"] == "GRCh38" and len(ev["fusions"]) == 1
    f = ev["fusions"][0]
    assert (f["fusion"], f["role"], f["tier"]) == ("BCR::ABL1", "driver", "high")
    assert (
        f["breakpoint_5p"] == f"chr22:{BCR_EXON14_END}" and f["breakpoint_3p"] == f"chr9:{ABL1_EXON2_START}"
    )
    assert f["cytogenetics"]["iscn"].startswith("t(9;22)(q34")
    assert f["evidence"]["fused"]["window"] == upstream[-30:] + "|" + downstream[:30]
    assert set(f["callers"]) == {"arriba"} and "|" in f["callers"]["arriba"]["fusion_transcript"]
    assert f["callers"]["arriba"]["confidence"] in ("high", "medium", "low")
    names = set(f["evidence"]["reads"]["split_names"])
    assert names and all(n.startswith("BCR-ABL1") for n in names)
