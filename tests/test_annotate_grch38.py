"""``allfuse annotate`` end to end on real GRCh38 exon coordinates, through the command line.

test_exons_classify.py checks the exon/frame/classify functions on in-memory events; here the same kind
of facts go through the real entry point: a GENCODE-style GTF on disk, caller files in the layouts
Arriba and STAR-Fusion really write (their header lines are taken from the public files in
shared/data), ``allfuse annotate`` as a subprocess, and assertions on what it writes
(``fusions.tsv``, ``classification.json``, ``calls/<caller>.tsv``).

Coordinates come from resources/mane_exons.tsv (MANE Select exons on GRCh38, 1-based inclusive,
numbered 5'->3'). Breakpoints follow the callers' splice-site convention: the 5' side is the last base
of its exon in transcript direction (exon end on +, exon start on -), the 3' side the first base of its
exon (start on +, end on -). Gene ids (``ENSGTEST...``) and the skipping isoform's id are invented for
the test; transcript ids of the MANE transcripts are the real ones.
"""

from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import BIN, read_tsv, shared_path

from allfuse.resources import load_resources

GENES = ["KMT2A", "AFF1", "MLLT3", "BRD9", "NUTM1", "PAX5", "ETV6", "BCR", "ABL1"]
MANE = {
    "KMT2A": "ENST00000534358.8",
    "AFF1": "ENST00000395146.9",
    "MLLT3": "ENST00000380338.9",
    "BRD9": "ENST00000467963.6",
    "NUTM1": "ENST00000537011.6",
    "PAX5": "ENST00000358127.9",
    "ETV6": "ENST00000396373.9",
    "BCR": "ENST00000305877.13",
    "ABL1": "ENST00000318560.6",
}
#: Invented ids of the non-canonical isoform (skips exon 2) written before the MANE transcript.
SKIP = {gene: f"ENST9{i:010d}.1" for i, gene in enumerate(GENES, start=1)}
#: Real outputs in ../shared/data whose header lines the written caller files use.
ARRIBA_REAL = "arriba/fusions.tsv"
STARFUSION_REAL = "easyfuse-src/input_starfusion.star-fusion.fusion_predictions.tsv"


@functools.cache
def real_header(rel: str) -> list[str]:
    """Column names of a real caller output in ../shared/data (its first line, without '#')."""
    return shared_path(rel).read_text().split("\n", 1)[0].lstrip("#").split("\t")


# ---- MANE exons ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mane() -> pd.DataFrame:
    df = load_resources().mane_exons
    df = df[df["gene"].isin(GENES)].copy()
    for col in ("exon", "start_1based", "end", "length"):
        df[col] = df[col].astype(int)
    assert set(df["gene"]) == set(GENES)
    assert all(df[df["gene"] == g]["ensembl"].iloc[0] == t for g, t in MANE.items())
    return df


@dataclass(frozen=True)
class Exon:
    gene: str
    number: int
    chrom: str
    start: int
    end: int
    strand: str

    @property
    def last_base(self) -> int:
        """The 5' partner's breakpoint: the exon's 3' end in transcript direction."""
        return self.end if self.strand == "+" else self.start

    @property
    def first_base(self) -> int:
        """The 3' partner's breakpoint: the exon's 5' start in transcript direction."""
        return self.start if self.strand == "+" else self.end


def exon(mane: pd.DataFrame, gene: str, number: int) -> Exon:
    r = mane[(mane["gene"] == gene) & (mane["exon"] == number)].iloc[0]
    return Exon(gene, number, r["chrom"], int(r["start_1based"]), int(r["end"]), r["strand"])


# ---- GTF -----------------------------------------------------------------------------------------
def _cds(row: pd.Series, first: bool, last: bool) -> tuple[int, int] | None:
    """Genomic CDS span of one exon, with a coding length that agrees with the table's phases.

    cds_start_phase/cds_end_phase are the coding bases before / through the exon, mod 3. The first
    coding exon gets CDS at its 3' end (UTR before it), the last one at its 5' start.
    """
    if row["cds_start_phase"] == "":
        return None
    lo, hi, plus = int(row["start_1based"]), int(row["end"]), row["strand"] == "+"
    if not (first or last):
        return lo, hi
    length = int(row["length"])
    want = (int(row["cds_end_phase"]) - int(row["cds_start_phase"])) % 3
    n = length - ((length - want) % 3) - (3 if length > 6 else 0)
    cds_at_high_end = plus == first  # first exon on +: CDS ends at the exon end; on -: at its start
    return (hi - n + 1, hi) if cds_at_high_end else (lo, lo + n - 1)


def gtf_lines(mane: pd.DataFrame, gene: str, chr_prefix: bool, isoform_first: bool) -> list[str]:
    ex = mane[mane["gene"] == gene].sort_values("exon")
    chrom = ex["chrom"].iloc[0] if chr_prefix else ex["chrom"].iloc[0].removeprefix("chr")
    strand = ex["strand"].iloc[0]
    lo, hi = int(ex["start_1based"].min()), int(ex["end"].max())
    gid = f"ENSGTEST{gene}.1"
    gene_attrs = f'gene_id "{gid}"; gene_type "protein_coding"; gene_name "{gene}"; level 2;'

    def line(feature: str, start: int, end: int, attrs: str, phase: str = ".") -> str:
        return "\t".join([chrom, "HAVANA", feature, str(start), str(end), ".", strand, phase, attrs])

    def tx_attrs(tid: str, ttype: str, tags: list[str]) -> str:
        name = f"{gene}-201" if tid == MANE[gene] else f"{gene}-202"
        return (
            f'gene_id "{gid}"; transcript_id "{tid}"; gene_type "protein_coding"; gene_name "{gene}"; '
            f'transcript_type "{ttype}"; transcript_name "{name}"; level 2;'
            + "".join(f' tag "{t}";' for t in tags)
        )

    out = [line("gene", lo, hi, gene_attrs)]
    skipping = ex[ex["exon"] != 2]
    isoform = (SKIP[gene], "processed_transcript", ["basic"], skipping)
    mane_tx = (MANE[gene], "protein_coding", ["basic", "Ensembl_canonical", "MANE_Select", "CCDS"], ex)
    coding = ex[ex["cds_start_phase"] != ""]["exon"].tolist()
    for tid, ttype, tags, exons in [isoform, mane_tx] if isoform_first else [mane_tx]:
        t_lo, t_hi = int(exons["start_1based"].min()), int(exons["end"].max())
        out.append(line("transcript", t_lo, t_hi, tx_attrs(tid, ttype, tags)))
        for i, (_, e) in enumerate(exons.iterrows(), start=1):
            attrs = tx_attrs(tid, ttype, tags).replace("level 2;", f"exon_number {i}; level 2;")
            out.append(line("exon", int(e["start_1based"]), int(e["end"]), attrs))
            if ttype != "protein_coding":
                continue
            seg = _cds(e, e["exon"] == coding[0], e["exon"] == coding[-1])
            if seg:
                phase = (3 - int(e["cds_start_phase"])) % 3  # GTF phase: bases to the next codon start
                out.append(line("CDS", seg[0], seg[1], attrs, str(phase)))
    return out


def write_gtf(path: Path, mane: pd.DataFrame, chr_prefix: bool = True, isoform_first: bool = False) -> Path:
    lines = ["##description: GENCODE-style test GTF from MANE Select exons (GRCh38)", "##format: gtf"]
    for gene in GENES:
        lines += gtf_lines(mane, gene, chr_prefix, isoform_first)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def gtfs(tmp_path_factory, mane) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("gtf")
    return {
        "mane-only": write_gtf(d / "mane_only.gtf", mane),
        "isoform-first": write_gtf(d / "isoform_first.gtf", mane, isoform_first=True),
    }


# ---- caller files --------------------------------------------------------------------------------
def _contig(chrom: str, with_chr: bool) -> str:
    return chrom if with_chr else chrom.removeprefix("chr")


def arriba_row(
    e5: Exon,
    e3: Exon,
    *,
    gene_5p: str | None = None,
    gene_3p: str | None = None,
    pos_5p: int | None = None,
    site_5p: str = "CDS/splice-site",
    with_chr: bool = False,
    transcripts: tuple[str, str] = (".", "."),
    reads: tuple[int, int, int] = (6, 5, 3),
) -> dict[str, str]:
    """One Arriba v2 fusions.tsv row for e5 (gene1, 5') -> e3 (gene2, 3').

    direction: 'downstream' when the partner lies at higher coordinates than this breakpoint. The 5'
    side keeps the part upstream in transcript direction, so its partner is downstream on + and
    upstream on -; the 3' side the other way round.
    """
    pos_5p = e5.last_base if pos_5p is None else pos_5p
    return {
        "gene1": gene_5p or e5.gene,
        "gene2": gene_3p or e3.gene,
        "strand1(gene/fusion)": f"{e5.strand}/{e5.strand}",
        "strand2(gene/fusion)": f"{e3.strand}/{e3.strand}",
        "breakpoint1": f"{_contig(e5.chrom, with_chr)}:{pos_5p}",
        "breakpoint2": f"{_contig(e3.chrom, with_chr)}:{e3.first_base}",
        "site1": site_5p,
        "site2": "CDS/splice-site",
        "type": "translocation" if e5.chrom != e3.chrom else "deletion",
        "split_reads1": str(reads[0]),
        "split_reads2": str(reads[1]),
        "discordant_mates": str(reads[2]),
        "coverage1": "40",
        "coverage2": "35",
        "confidence": "high",
        "reading_frame": ".",
        "tags": ".",
        "retained_protein_domains": ".",
        "closest_genomic_breakpoint1": ".",
        "closest_genomic_breakpoint2": ".",
        "gene_id1": f"ENSGTEST{e5.gene}.1",
        "gene_id2": f"ENSGTEST{e3.gene}.1",
        "transcript_id1": transcripts[0],
        "transcript_id2": transcripts[1],
        "direction1": "downstream" if e5.strand == "+" else "upstream",
        "direction2": "upstream" if e3.strand == "+" else "downstream",
        "filters": ".",
        "fusion_transcript": ".",
        "peptide_sequence": ".",
        "read_identifiers": ",".join(f"read{i}" for i in range(reads[0] + reads[1])),
    }


def starfusion_row(
    e5: Exon, e3: Exon, *, with_chr: bool = True, reads: tuple[int, int] = (12, 4)
) -> dict[str, str]:
    """One STAR-Fusion fusion_predictions row: Left = 5' partner, ``chrom:pos:gene strand``."""
    left, right = f"{e5.gene}^ENSGTEST{e5.gene}.1", f"{e3.gene}^ENSGTEST{e3.gene}.1"
    return {
        "FusionName": f"{e5.gene}--{e3.gene}",
        "JunctionReadCount": str(reads[0]),
        "SpanningFragCount": str(reads[1]),
        "SpliceType": "ONLY_REF_SPLICE",
        "LeftGene": left,
        "LeftBreakpoint": f"{_contig(e5.chrom, with_chr)}:{e5.last_base}:{e5.strand}",
        "RightGene": right,
        "RightBreakpoint": f"{_contig(e3.chrom, with_chr)}:{e3.first_base}:{e3.strand}",
        "JunctionReads": ",".join(f"jr{i}" for i in range(reads[0])),
        "SpanningFrags": ",".join(f"sp{i}" for i in range(reads[1])) or ".",
        "LargeAnchorSupport": "YES_LDAS",
        "FFPM": "1.5",
        "LeftBreakDinuc": "GT",
        "LeftBreakEntropy": "1.9",
        "RightBreakDinuc": "AG",
        "RightBreakEntropy": "1.8",
        "annots": '["INTERCHROMOSOMAL[test]"]',
    }


def write_table(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    assert all(set(r) == set(header) for r in rows), "row columns must be the real header's"
    lines = ["#" + "\t".join(header)] + ["\t".join(r[c] for c in header) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Result:
    fusions: pd.DataFrame
    classification: dict
    calls: dict[str, pd.DataFrame]
    stdout: str


def annotate(tmp: Path, gtf: Path, arriba: list[dict] | None = None, starfusion: list[dict] | None = None):
    """Write the caller files, run ``allfuse annotate`` and read back what it wrote."""
    cmd = [str(BIN / "allfuse"), "annotate", "--sample", "S", "--gtf", str(gtf), "--outdir", str(tmp / "out")]
    if arriba is not None:
        cmd += ["--arriba", str(write_table(tmp / "fusions.tsv", real_header(ARRIBA_REAL), arriba))]
    if starfusion is not None:
        sf = tmp / "star-fusion.fusion_predictions.abridged.tsv"
        cmd += ["--starfusion", str(write_table(sf, real_header(STARFUSION_REAL), starfusion))]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp / "out"
    calls = {p.stem: read_tsv(p) for p in (out / "calls").glob("*.tsv")}
    return Result(
        read_tsv(out / "fusions.tsv"),
        json.loads((out / "classification.json").read_text()),
        calls,
        proc.stdout,
    )


def only_event(res: Result, fusion: str) -> pd.Series:
    hit = res.fusions[res.fusions["fusion"] == fusion]
    assert len(hit) == 1, res.fusions[["fusion", "pos_5p", "pos_3p"]].to_string()
    return hit.iloc[0]


def assert_exons(row: pd.Series, g5: str, e5: int, g3: str, e3: int) -> None:
    """The full exon annotation of a breakpoint pair lying exactly on MANE exon boundaries."""
    got = {c: row[c] for c in row.index if c.endswith(("_5p", "_3p")) and not c.startswith(("gene", "chrom"))}
    expected = {
        "transcript_5p": MANE[g5],
        "transcript_3p": MANE[g3],
        "transcript_source_5p": "canonical_table",
        "transcript_source_3p": "canonical_table",
        "exon_5p": str(e5),
        "exon_3p": str(e3),
        "intron_5p": "",
        "intron_3p": "",
        "exon_boundary_5p": "True",
        "exon_boundary_3p": "True",
        "dist_to_exon_5p": "0",
        "dist_to_exon_3p": "0",
    }
    assert {k: got.get(k) for k in expected} == expected


# ---- tests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["mane-only", "isoform-first"])
def test_kmt2a_aff1_arriba(tmp_path, mane, gtfs, variant):
    """KMT2A exon 9 -> AFF1 exon 4; a skip-exon-2 isoform listed first must not shift the numbers."""
    e5, e3 = exon(mane, "KMT2A", 9), exon(mane, "AFF1", 4)
    row = arriba_row(e5, e3, transcripts=(SKIP["KMT2A"], SKIP["AFF1"]))
    res = annotate(tmp_path, gtfs[variant], arriba=[row])
    ev = only_event(res, "KMT2A::AFF1")
    assert (ev["chrom_5p"], ev["pos_5p"], ev["strand_5p"]) == ("11", str(e5.end), "+")
    assert (ev["chrom_3p"], ev["pos_3p"], ev["strand_3p"]) == ("4", str(e3.start), "+")
    assert (ev["callers"], ev["junction_reads"], ev["spanning_frags"]) == ("arriba", "11", "3")
    assert_exons(ev, "KMT2A", 9, "AFF1", 4)
    assert ev["reading_frame"] == "in-frame"  # KMT2A ex9 ends at phase 0, AFF1 ex4 starts at phase 0
    assert ev["category"] == "KMT2A-r"
    cls = res.classification
    assert {k: cls[k] for k in ("sample", "group", "subtype", "partner", "driver_fusion", "rule")} == {
        "sample": "S",
        "group": "KMT2A-r",
        "subtype": "KMT2A-r",
        "partner": "AFF1",
        "driver_fusion": "KMT2A::AFF1",
        "rule": "KMT2A_PARTNER",
    }
    assert (cls["transcript_5p"], cls["exon_5p"], cls["intron_5p"]) == (MANE["KMT2A"], 9, "")
    assert (cls["transcript_3p"], cls["exon_3p"], cls["intron_3p"]) == (MANE["AFF1"], 4, "")
    assert (cls["reading_frame"], cls["callers"]) == ("in-frame", "arriba")
    assert (cls["junction_reads"], cls["spanning_frags"]) == (11, 3)
    # Arriba's own transcript choice is kept in the per-caller table, beside ours in fusions.tsv
    call = res.calls["arriba"].iloc[0]
    assert (call["caller_transcript_5p"], call["caller_transcript_3p"]) == (SKIP["KMT2A"], SKIP["AFF1"])
    assert (call["orig_transcript_id1"], call["orig_transcript_id2"]) == (SKIP["KMT2A"], SKIP["AFF1"])
    ev = only_event(res, "KMT2A::AFF1")
    assert (ev["caller_transcript_5p"], ev["caller_transcript_3p"]) == (
        f"arriba:{SKIP['KMT2A']}",
        f"arriba:{SKIP['AFF1']}",
    )
    assert ev["transcript_5p"] == MANE["KMT2A"]
    assert (call["site_5p"], call["site_3p"], call["caller_confidence"]) == (
        "CDS/splice-site",
        "CDS/splice-site",
        "high",
    )


@pytest.mark.parametrize("variant", ["mane-only", "isoform-first"])
def test_kmt2a_mllt3_minus_strand_partner_starfusion(tmp_path, mane, gtfs, variant):
    """KMT2A exon 11 -> MLLT3 exon 6; MLLT3 is on the minus strand, so its exon 6 starts at its end."""
    e5, e3 = exon(mane, "KMT2A", 11), exon(mane, "MLLT3", 6)
    assert e3.strand == "-"
    res = annotate(tmp_path, gtfs[variant], starfusion=[starfusion_row(e5, e3)])
    ev = only_event(res, "KMT2A::MLLT3")
    assert (ev["chrom_3p"], ev["pos_3p"], ev["strand_3p"]) == ("chr9", str(e3.end), "-")
    assert_exons(ev, "KMT2A", 11, "MLLT3", 6)
    assert ev["reading_frame"] == "in-frame"  # both at phase 0
    assert (ev["callers"], ev["junction_reads"], ev["spanning_frags"]) == ("starfusion", "12", "4")
    cls = res.classification
    assert (cls["group"], cls["subtype"], cls["partner"]) == ("KMT2A-r", "KMT2A-r", "MLLT3")
    assert (cls["exon_5p"], cls["exon_3p"], cls["transcript_3p"]) == (11, 6, MANE["MLLT3"])
    assert res.calls["starfusion"].iloc[0]["caller_transcript_5p"] == "."  # abridged file names none


@pytest.mark.parametrize("caller", ["arriba", "starfusion"])
@pytest.mark.parametrize("variant", ["mane-only", "isoform-first"])
def test_brd9_nutm1_reading_frames(tmp_path, mane, gtfs, variant, caller):
    """BRD9 (minus strand) exons 3/8/14 -> NUTM1 exon 3: in-frame, out-of-frame, in-frame."""
    e3 = exon(mane, "NUTM1", 3)
    pairs = [(exon(mane, "BRD9", n), e3) for n in (3, 8, 14)]
    if caller == "arriba":
        res = annotate(tmp_path, gtfs[variant], arriba=[arriba_row(a, b) for a, b in pairs])
    else:
        res = annotate(tmp_path, gtfs[variant], starfusion=[starfusion_row(a, b) for a, b in pairs])
    ev = res.fusions.set_index("pos_5p")
    assert len(ev) == 3 and set(ev["fusion"]) == {"BRD9::NUTM1"}
    for (e5, _), frame in zip(pairs, ["in-frame", "out-of-frame", "in-frame"], strict=True):
        row = ev.loc[str(e5.start)]  # minus strand: the exon's 3' end is its lowest coordinate
        assert_exons(row, "BRD9", e5.number, "NUTM1", 3)
        assert (row["strand_5p"], row["reading_frame"], row["category"]) == ("-", frame, "NUTM1-r")
    cls = res.classification
    assert (cls["group"], cls["subtype"], cls["partner"]) == ("KMT2A-wt", "NUTM1-r", "BRD9")
    assert cls["driver_fusion"] == "BRD9::NUTM1" and cls["rule"] == "NUTM1_ANY"
    assert cls["other_defining_fusions"] == []


@pytest.mark.parametrize("variant", ["mane-only", "isoform-first"])
def test_pax5_etv6(tmp_path, mane, gtfs, variant):
    e5, e3 = exon(mane, "PAX5", 4), exon(mane, "ETV6", 3)
    res = annotate(tmp_path, gtfs[variant], arriba=[arriba_row(e5, e3)])
    ev = only_event(res, "PAX5::ETV6")
    assert ev["pos_5p"] == str(e5.start) and ev["pos_3p"] == str(e3.start)
    assert_exons(ev, "PAX5", 4, "ETV6", 3)
    assert ev["reading_frame"] == "in-frame"  # PAX5 ex4 ends at phase 1, ETV6 ex3 starts at phase 1
    cls = res.classification
    assert (cls["group"], cls["subtype"], cls["partner"], cls["rule"]) == (
        "KMT2A-wt",
        "PAX5-r",
        "ETV6",
        "PAX5_ETV6",
    )
    assert (cls["transcript_5p"], cls["exon_5p"], cls["transcript_3p"], cls["exon_3p"]) == (
        MANE["PAX5"],
        4,
        MANE["ETV6"],
        3,
    )


@pytest.mark.parametrize("gtf_chr", [True, False], ids=["gtf-chr11", "gtf-11"])
@pytest.mark.parametrize("caller_chr", [True, False], ids=["caller-chr11", "caller-11"])
def test_contig_spelling(tmp_path, mane, gtf_chr, caller_chr):
    """Caller contigs with or without 'chr' map onto a GTF with or without it."""
    gtf = write_gtf(tmp_path / "g.gtf", mane, chr_prefix=gtf_chr)
    e5, e3 = exon(mane, "KMT2A", 9), exon(mane, "AFF1", 4)
    run_a, run_s = tmp_path / "a", tmp_path / "s"
    run_a.mkdir(), run_s.mkdir()
    for res in (
        annotate(run_a, gtf, arriba=[arriba_row(e5, e3, with_chr=caller_chr)]),
        annotate(run_s, gtf, starfusion=[starfusion_row(e5, e3, with_chr=caller_chr)]),
    ):
        ev = only_event(res, "KMT2A::AFF1")
        assert ev["chrom_5p"] == ("chr11" if caller_chr else "11")
        assert_exons(ev, "KMT2A", 9, "AFF1", 4)
        assert ev["reading_frame"] == "in-frame"
        assert (res.classification["subtype"], res.classification["exon_5p"]) == ("KMT2A-r", 9)


def test_both_callers_one_event(tmp_path, mane, gtfs):
    """Arriba without 'chr' and STAR-Fusion with 'chr' at the same junction: one event, two callers."""
    e5, e3 = exon(mane, "KMT2A", 9), exon(mane, "AFF1", 4)
    res = annotate(
        tmp_path,
        gtfs["isoform-first"],
        arriba=[arriba_row(e5, e3, with_chr=False)],
        starfusion=[starfusion_row(e5, e3, with_chr=True)],
    )
    assert len(res.fusions) == 1
    ev = res.fusions.iloc[0]
    assert (ev["fusion"], ev["callers"], ev["n_callers"]) == ("KMT2A::AFF1", "arriba,starfusion", "2")
    assert_exons(ev, "KMT2A", 9, "AFF1", 4)
    assert res.classification["callers"] == "arriba,starfusion"


def test_old_symbols_mll_af4(tmp_path, mane, gtfs):
    """A caller run on an old annotation names MLL and AF4: still KMT2A-r, partner AFF1, MANE exons."""
    e5, e3 = exon(mane, "KMT2A", 9), exon(mane, "AFF1", 4)
    row = arriba_row(e5, e3, gene_5p="MLL", gene_3p="AF4")
    res = annotate(tmp_path, gtfs["isoform-first"], arriba=[row])
    assert len(res.fusions) == 1
    ev = res.fusions.iloc[0]
    assert_exons(ev, "KMT2A", 9, "AFF1", 4)
    assert (ev["reading_frame"], ev["category"]) == ("in-frame", "KMT2A-r")
    cls = res.classification
    assert (cls["group"], cls["subtype"], cls["partner"], cls["driver_fusion"]) == (
        "KMT2A-r",
        "KMT2A-r",
        "AFF1",
        "KMT2A::AFF1",
    )
    assert (cls["transcript_5p"], cls["exon_5p"], cls["transcript_3p"], cls["exon_3p"]) == (
        MANE["KMT2A"],
        9,
        MANE["AFF1"],
        4,
    )


@pytest.mark.parametrize("variant", ["mane-only", "isoform-first"])
def test_intronic_breakpoint_kmt2a_intron9(tmp_path, mane, gtfs, variant):
    """A genomic breakpoint 500 bp into KMT2A intron 9 (Arriba site1 'intron').

    MANE intron 9 is 547 bp long, so the position is 48 bp before exon 10: the HGVS-like distance to
    the nearest exon boundary is -48 (c.N-48 of exon 10), not +500.
    """
    e9, e10, e3 = exon(mane, "KMT2A", 9), exon(mane, "KMT2A", 10), exon(mane, "AFF1", 4)
    pos = e9.end + 500
    assert e10.start - pos == 48
    row = arriba_row(e9, e3, pos_5p=pos, site_5p="intron", transcripts=(".", MANE["AFF1"]))
    res = annotate(tmp_path, gtfs[variant], arriba=[row])
    ev = only_event(res, "KMT2A::AFF1")
    assert ev["pos_5p"] == str(pos)
    assert (ev["transcript_5p"], ev["transcript_source_5p"]) == (MANE["KMT2A"], "canonical_table")
    assert (ev["exon_5p"], ev["intron_5p"], ev["exon_boundary_5p"], ev["dist_to_exon_5p"]) == (
        "",
        "9",
        "False",
        "-48",
    )
    assert (ev["exon_3p"], ev["intron_3p"], ev["exon_boundary_3p"]) == ("4", "", "True")
    assert ev["reading_frame"] == "intronic breakpoint"
    cls = res.classification
    assert (cls["group"], cls["subtype"], cls["partner"]) == ("KMT2A-r", "KMT2A-r", "AFF1")
    assert (cls["exon_5p"], cls["intron_5p"], cls["exon_3p"]) == ("", 9, 4)
    assert cls["reading_frame"] == "intronic breakpoint"
    call = res.calls["arriba"].iloc[0]
    assert (call["site_5p"], call["caller_transcript_5p"], call["caller_transcript_3p"]) == (
        "intron",
        ".",
        MANE["AFF1"],
    )
