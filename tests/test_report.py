"""Per-sample HTML reports and the cohort report, on the real pipeline run and on real K562 reads.

HTML is parsed (stdlib html.parser into a small element tree) and SVG with xml.etree; values are
asserted on elements, not by grepping the page.
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import read_tsv, shared_path

from allfuse.cytoband import Cytobands, cytogenetics
from allfuse.evidence import Evidence, fusion_evidence, open_genome
from allfuse.expression import NUTM1_FLAG
from allfuse.gtf import Annotation
from allfuse.primers import PrimerPair, PrimerSettings, design_pair
from allfuse.qc import Gates, read_star_log
from allfuse.report.cohort_page import inline_svg
from allfuse.report.diagram import diagram_side, fusion_svg
from allfuse.report.evidence_view import build_stated
from allfuse.report.nomenclature import ManeTables, Side, junction_names
from allfuse.report.page import sample_report
from allfuse.status import NOT_ASSESSABLE, derive_status
from allfuse.status import NOT_DETECTED as NO_FUSION
from allfuse.tables import PRIMER_COLUMNS

BIN = Path(sys.executable).parent
# In ../shared/data, reached through shared_path() inside the test that reads them.
HAMLET_GTF = "hamlet/reference/hamlet-ref.gtf"
K562_JUNCTIONS = "generated-here/star-2.7.10b_K562f_vs_hamlet-ref/multimap_format1/Chimeric.out.junction"
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}


@dataclass
class El:
    tag: str
    attrs: dict[str, str]
    children: list[El] = field(default_factory=list)
    parts: list[str | El] = field(default_factory=list)

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[El]:
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and all(e.attrs.get(k) == v for k, v in want.items())
        ]

    def one(self, tag: str | None = None, **attrs: str) -> El:
        hits = self.find_all(tag, **attrs)
        assert len(hits) == 1, (tag, attrs, len(hits))
        return hits[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = El("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = El(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        self.stack[-1].parts.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        el = El(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        self.stack[-1].parts.append(el)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        raise AssertionError(f"unmatched </{tag}>")

    def handle_data(self, data):
        self.stack[-1].parts.append(data)


def parse_html(text: str) -> El:
    b = _Builder()
    b.feed(text)
    b.close()
    assert len(b.stack) == 1, f"unclosed elements: {[e.tag for e in b.stack[1:]]}"
    return b.root


def field_text(doc: El, name: str) -> str:
    return " ".join(doc.one(data_field=name).text().split())


def svgs(html: str) -> list[ET.Element]:
    """Every inline fusion diagram, parsed as XML (the SVG must be well-formed on its own)."""
    return [ET.fromstring(m) for m in re.findall(r'<svg class="fusion-diagram".*?</svg>', html, re.DOTALL)]


def allfuse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "allfuse"), *args], capture_output=True, text=True, check=False)


PLANTED = {
    # sample: driver, 5' text, 3' text, frame, VICC, HGVS (r. numbers on the MANE RefSeq transcripts)
    "T01": (
        "KMT2A::AFF1",
        "KMT2A exon 9",
        "AFF1 exon 4",
        "in-frame",
        "ENST00000534358.8(KMT2A):e.9::ENST00000395146.9(AFF1):e.4",
        "NM_001197104.2:r.?_4218::NM_001166693.3:r.160_?",
    ),
    "T02": (
        "BRD9::NUTM1",
        "BRD9 exon 8",
        "NUTM1 exon 3",
        "out-of-frame",
        "ENST00000467963.6(BRD9):e.8::ENST00000537011.6(NUTM1):e.3",
        "NM_023924.5:r.?_966::NM_001284292.2:r.101_?",
    ),
    "T03": (
        "PAX5::ETV6",
        "PAX5 exon 4",
        "ETV6 exon 3",
        "in-frame",
        "ENST00000358127.9(PAX5):e.4::ENST00000396373.9(ETV6):e.3",
        "NM_016734.3:r.?_475::NM_001987.5:r.164_?",
    ),
}


@pytest.mark.parametrize("sample", sorted(PLANTED))
def test_report_states_planted_driver(sim_run: Path, sample: str) -> None:
    driver, five, three, frame, vicc, hgvs = PLANTED[sample]
    doc = parse_html((sim_run / "results" / sample / "report.html").read_text())
    assert doc.one(id="status").text() == "fusion detected"
    assert field_text(doc, "driver") == driver
    assert field_text(doc, "exon_5p") == five
    assert field_text(doc, "exon_3p") == three
    assert field_text(doc, "frame") == frame
    assert field_text(doc, "vicc") == vicc
    assert field_text(doc, "hgvs") == hgvs
    # The answer is also said in one sentence at the top.
    assert doc.one(id="driver-fusion").text() == driver
    # Support per caller: both callers of the run, with numbers.
    rows = doc.one(id="driver-support").find_all("tr")[1:]
    assert sorted(r.find_all("td")[0].text() for r in rows) == ["pizzly", "star_chimeric"]
    assert all(int(r.find_all("td")[1].text()) > 0 for r in rows)
    # Caveat on exon numbering; none of a negative's caveats on a positive (a NUTM1-r page is not
    # about KMT2A), and no NUTM1 expression caveat where none was flagged.
    caveats = [li.text() for li in doc.one(id="caveats").find_all("li")]
    assert any("named MANE Select transcript only" in c for c in caveats)
    assert not any(
        "miss KMT2A fusions" in c or "CRLF2::IGH" in c or "NUTM1 is expressed" in c for c in caveats
    )
    # The deciding rule in words, from resources/subtype_rules.tsv; the way back to the cohort.
    assert field_text(doc, "rule-words").endswith(".") and "3′ gene" in field_text(doc, "rule-words")
    assert doc.one(id="cohort-link").attrs["href"] == "../cohort.html"
    # The run's evidence.json and primers.tsv, shown for the driver: junction, build, primers.
    evidence = json.loads((sim_run / "results" / sample / "evidence.json").read_text())
    entry = next(f for f in evidence["fusions"] if f["role"] == "driver")
    art = doc.one("article", **{"class": "evidence", "data-role": "driver"})
    assert art.one(data_field="junction-window").text() == entry["evidence"]["fused"]["window"]
    if build_stated(evidence["build"]):
        assert art.one(data_field="breakpoints").text().startswith(f"5′ {evidence['build']} ")
        assert field_text(doc, "driver-breakpoints").startswith(f"{evidence['build']} ")
    else:  # the config names no build: the page says so rather than print 'unspecified' as one
        assert field_text(doc, "driver-breakpoints").endswith("(genome build not stated)")
    primers = read_tsv(sim_run / "results" / sample / "primers.tsv").query("role == 'driver'").iloc[0]
    assay = doc.one("article", **{"class": "assay", "data-role": "driver"})
    if primers["forward"]:
        assert assay.one("tr", data_primer="forward").find_all("td")[0].text() == primers["forward"]
    else:
        assert primers["reason"] in assay.one(data_field="no-primers").text()


def test_t01_reciprocal_and_diagrams(sim_run: Path) -> None:
    html = (sim_run / "results" / "T01" / "report.html").read_text()
    doc = parse_html(html)
    assert field_text(doc, "reciprocal") == "AFF1::KMT2A"
    figures = doc.one(id="diagrams").find_all("figure")
    assert [f.attrs["data-fusion"] for f in figures] == ["KMT2A::AFF1", "AFF1::KMT2A"]
    driver = svgs(html)[0]
    assert driver.get("data-fusion") == "KMT2A::AFF1"
    numbers = [(t.get("data-gene"), t.text) for t in driver.iter("text") if t.get("class") == "exon-number"]
    kmt2a = [int(n) for g, n in numbers if g == "KMT2A"]
    aff1 = [int(n) for g, n in numbers if g == "AFF1"]
    # Gene tracks: all 36 KMT2A and 21 AFF1 MANE exons; fused track: KMT2A 1-9 then AFF1 4-21.
    assert kmt2a == list(range(1, 37)) + list(range(1, 10))
    assert aff1 == list(range(1, 22)) + list(range(4, 22))
    marks = [
        (e.get("data-gene"), e.get("data-side"), e.get("data-exon"))
        for e in driver.iter("line")
        if e.get("class") == "breakpoint"
    ]
    assert marks == [("KMT2A", "5p", "9"), ("AFF1", "3p", "4")]
    assert len([e for e in driver.iter("line") if e.get("class") == "junction"]) == 1
    kept = [
        r for r in driver.iter("rect") if r.get("class") == "exon retained" and r.get("data-gene") == "KMT2A"
    ]
    assert len(kept) == 9 + 9  # exons 1-9 in the gene track and again in the fused transcript
    strands = [t.text for t in driver.iter("text") if t.get("class") == "strand"]
    assert len(strands) == 2 and all("+ strand" in s for s in strands)


def test_diagram_bytes_are_deterministic(sim_run: Path, tmp_path: Path) -> None:
    sample_dir = sim_run / "results" / "T02"
    first, second = sample_report(sample_dir), sample_report(sample_dir)
    a = re.findall(r'<svg class="fusion-diagram".*?</svg>', first, re.DOTALL)
    b = re.findall(r'<svg class="fusion-diagram".*?</svg>', second, re.DOTALL)
    page = re.findall(
        r'<svg class="fusion-diagram".*?</svg>', (sample_dir / "report.html").read_text(), re.DOTALL
    )
    assert a and a == b == page
    # BRD9 is on the minus strand: drawn 5'->3' and said so.
    svg = ET.fromstring(a[0])
    assert next(t.text for t in svg.iter("text") if t.get("class") == "strand").endswith("\u2212 strand")


def test_negative_samples_are_negative_not_silent(sim_run: Path) -> None:
    expected = read_tsv(sim_run / "sim" / "expected.tsv").set_index("sample")
    flagged = []
    for sample in ("T04", "T05", "T06"):
        doc = parse_html((sim_run / "results" / sample / "report.html").read_text())
        assert doc.one(id="status").text() == NO_FUSION
        assert field_text(doc, "group") == "KMT2A-wt"
        assert not doc.find_all(id="diagrams")
        caveats = " ".join(li.text() for li in doc.one(id="caveats").find_all("li"))
        assert "miss KMT2A fusions" in caveats and "CRLF2::IGH" in caveats
        # No defining fusion: no evidence or assay section.
        assert not doc.find_all(id="evidence") and not doc.find_all(id="assay")
        # The marker panel's TPM as expression.tsv has it (kallisto's, summed per gene).
        tpm = read_tsv(sim_run / "results" / sample / "expression.tsv").set_index("gene")["tpm"]
        assert field_text(doc, "tpm-NUTM1") == f"{float(tpm['NUTM1']):.1f}"
        # The NUTM1 flag and its caveat (TPM, threshold, source) exactly where the simulation planted
        # NUTM1 expression without a callable fusion.
        shown = [f.attrs["data-flag"] for f in doc.one(data_field="flags").find_all("span")]
        if NUTM1_FLAG in shown:
            flagged.append(sample)
            setting = json.loads((sim_run / "results" / "provenance.json").read_text())["config"][
                "expression"
            ]
            threshold = f"{setting['nutm1_tpm_threshold']} TPM"
            assert f"NUTM1 is expressed ({float(tpm['NUTM1']):.1f} TPM, threshold {threshold})" in caveats
            assert f"Threshold source: {setting['nutm1_threshold_source'].rstrip('.')}." in caveats
        else:
            assert "NUTM1 is expressed" not in caveats
    assert flagged == [s for s in ("T04", "T05", "T06") if NUTM1_FLAG in expected.loc[s, "expected_flags"]]
    assert flagged == ["T06"]


def test_qc_and_provenance(sim_run: Path) -> None:
    results = sim_run / "results"
    doc = parse_html((results / "T01" / "report.html").read_text())
    qc = read_tsv(results / "T01" / "qc.tsv").iloc[0]
    assert field_text(doc, "input_read_pairs") == f"{int(qc['input_read_pairs']):,}"
    assert field_text(doc, "uniquely_mapped_pct") == f"{float(qc['uniquely_mapped_pct']):g} %"
    # Each figure beside the gate it was held to (from qc.tsv), with pass or fail.
    gates = {
        r.attrs["data-gate"]: [td.text() for td in r.find_all("td")]
        for r in doc.find_all("tr")
        if "data-gate" in r.attrs
    }
    assert gates["input_read_pairs"][1:] == [f"≥ {int(qc['min_input_pairs']):,} read pairs", "pass"]
    assert gates["uniquely_mapped_pct"][1:] == [f"≥ {float(qc['min_uniquely_mapped_pct']):g} %", "pass"]
    assert doc.one(id="qc-verdict").text().startswith("QC passed")
    prov = {
        r.find_all("th")[0].text(): " ".join(r.find_all("td")[0].text().split())
        for r in doc.one(id="provenance-table").find_all("tr")
    }
    star_version = subprocess.run(
        ["STAR", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert prov["STAR"] == star_version
    assert prov["kallisto"] == "0.48.0" and prov["pizzly"] == "0.37.3"
    provenance = json.loads((results / "provenance.json").read_text())
    fasta = next(r for r in provenance["references"] if r["role"] == "FASTA")
    assert prov["reference FASTA"].startswith(f"genome.fa md5 {fasta['md5']}")
    config = {
        r.find_all("th")[0].text(): r.find_all("td")[0].text()
        for r in doc.one(id="config-table").find_all("tr")
    }
    assert config["callers"] == "star_chimeric, pizzly"
    assert config["report.max_diagrams"] == "10"
    # The full configuration is collapsed; the settings that shaped the result are shown open.
    assert doc.one("details", id="config").one(id="config-table")
    shaping = {
        r.find_all("th")[0].text(): r.find_all("td")[0].text()
        for r in doc.one(id="settings-table").find_all("tr")
    }
    assert shaping["callers"] == "star_chimeric, pizzly" and shaping["merge.max_distance"] == "10"
    assert "report.max_diagrams" not in shaping and "qc.min_input_pairs" in shaping
    # No setting is printed as a Python dict (the survival groupings are lists of mappings).
    assert not any("{" in v for v in config.values())


def _external(value: str) -> bool:
    v = value.strip().lower()
    return v.startswith(("http:", "https:", "//", "ftp:", "data:text/html"))


def test_pages_are_self_contained(sim_run: Path) -> None:
    results = sim_run / "results"
    pages = sorted(results.glob("*/report.html")) + [results / "cohort.html"]
    assert len(pages) == len(read_tsv(sim_run / "sim" / "samples.tsv")) + 1
    for page in pages:
        text = page.read_text()
        doc = parse_html(text)
        assert not doc.find_all("script") and not doc.find_all("link") and not doc.find_all("img")
        for el in doc.iter():
            for attr in ("src", "href", "xlink:href", "action", "srcset", "data"):
                assert not _external(el.attrs.get(attr, "")), (page, el.tag, attr)
        style = " ".join(s.text() for s in doc.find_all("style"))
        assert "@import" not in style and "url(" not in style, page


def test_cohort_lists_every_sample_with_status_and_link(sim_run: Path) -> None:
    results = sim_run / "results"
    doc = parse_html((results / "cohort.html").read_text())
    rows = doc.one(id="samples-table").find_all(
        "tr",
    )[1:]
    status = {r.attrs["data-sample"]: r.one(data_field="status").text() for r in rows}
    assert status == {
        "T01": "fusion detected",
        "T02": "fusion detected",
        "T03": "fusion detected",
        "T04": NO_FUSION,
        "T05": NO_FUSION,
        "T06": NO_FUSION,  # NUTM1 expressed from a fusion too weak to call: flagged, status kept
    }
    for r in rows:
        href = r.one("a").attrs["href"]
        assert href == f"{r.attrs['data-sample']}/report.html"
        assert (results / href).is_file()
    partners = {
        b.attrs["data-partner"]: b.attrs["data-count"] for b in doc.find_all("rect", **{"class": "bar"})
    }
    assert partners == {"AFF1": "1"}
    by_subtype = {
        tr.find_all("td")[0].text(): tr.find_all("td")[1].text()
        for tr in doc.one(id="by-subtype").find_all("tr")[1:]
    }
    assert by_subtype == {"none": "3", "KMT2A-r": "1", "NUTM1-r": "1", "PAX5-r": "1"}
    # Partner genes counted per subtype: KMT2A partners apart from NUTM1 and PAX5 partners.
    partner_tables = {
        t.attrs["data-subtype"]: {
            tr.find_all("td")[0].text(): tr.find_all("td")[1].text() for tr in t.find_all("tr")[1:]
        }
        for t in doc.one(id="by-partner").find_all("table")
    }
    assert partner_tables == {"KMT2A-r": {"AFF1": "1"}, "NUTM1-r": {"BRD9": "1"}, "PAX5-r": {"ETV6": "1"}}
    # Each sample row shows the best-supported event's support (junction reads + spanning fragments,
    # as cohort.tsv has them) and the confidence tier; the flags; whether an assay was designed.
    cohort = read_tsv(results / "cohort.tsv").set_index("sample")
    for r in rows:
        c = cohort.loc[r.attrs["data-sample"]]
        if c["best_event"]:
            support = r.one(data_field="best-support").text()
            assert support == f"{c['best_event_junction_reads']} + {c['best_event_spanning_frags']}"
        tier = c["driver_tier"] or c["best_event_tier"]
        assert r.one(data_field="tier").text() == tier
        flags = [x for x in c["flags"].split(",") if x]
        assert [f.attrs["data-flag"] for f in r.one(data_field="flags").find_all("span")] == flags
        if "assay_designed" in cohort.columns:
            assert r.one(data_field="assay").text() == (c["assay_designed"] or "—")
    flagged = [s for s in cohort.index if NUTM1_FLAG in cohort.loc[s, "flags"].split(",")]
    if flagged:
        assert doc.one(id="nutm1-flagged").text().count(",") == len(flagged) - 1
    else:
        assert not doc.find_all(id="nutm1-flagged")


def _copy_sample(sim_run: Path, sample: str, dest: Path) -> Path:
    src = sim_run / "results" / sample
    out = dest / sample
    out.mkdir(parents=True)
    for name in ("classification.json", "fusions.tsv", "qc.tsv"):
        shutil.copy(src / name, out / name)
    shutil.copytree(src / "calls", out / "calls")
    return out


def test_zero_reads_is_not_assessable(sim_run: Path, tmp_path: Path) -> None:
    """Real STAR on empty FASTQ files -> allfuse qc -> annotate -> report: not assessable, never 'KMT2A-wt'."""
    for name in ("r1.fq", "r2.fq"):
        (tmp_path / name).write_bytes(b"")
    star = tmp_path / "star"
    star.mkdir()
    proc = subprocess.run(
        ["STAR", "--runThreadN", "1", "--genomeDir", str(sim_run / "work" / "star_index"),
         "--readFilesIn", str(tmp_path / "r1.fq"), str(tmp_path / "r2.fq"), "--outSAMtype", "None",
         "--chimSegmentMin", "10", "--chimOutType", "Junctions", "--outFileNamePrefix", f"{star}/"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "Z0"
    out.mkdir()
    proc = allfuse("qc", "--log", str(star / "Log.final.out"), "--sample", "Z0", "--out", str(out / "qc.tsv"))
    assert proc.returncode == 0, proc.stderr
    proc = allfuse(
        "annotate", "--sample", "Z0", "--gtf", str(sim_run / "sim" / "genes.gtf"), "--outdir", str(out),
        "--star-chimeric", str(star / "Chimeric.out.junction"), "--qc", str(out / "qc.tsv"),
        "--on-empty-caller", "not-assessable",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = allfuse("report", "--sample-dir", str(out), "--out", str(out / "report.html"))
    assert proc.returncode == 0, proc.stderr
    doc = parse_html((out / "report.html").read_text())
    assert doc.one(id="status").text() == NOT_ASSESSABLE
    assert "0 input read pairs" in doc.one(id="status-reason").text()
    assert field_text(doc, "group") != "KMT2A-wt" and field_text(doc, "subtype") != "none"
    assert field_text(doc, "input_read_pairs") == "0"
    caveats = " ".join(li.text() for li in doc.one(id="caveats").find_all("li"))
    assert "cannot be concluded" in caveats


def test_empty_caller_file_is_not_assessable(sim_run: Path, tmp_path: Path) -> None:
    res = sim_run / "results" / "T01"
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    out = tmp_path / "ZE"
    proc = allfuse(
        "annotate", "--sample", "ZE", "--gtf", str(sim_run / "sim" / "genes.gtf"), "--outdir", str(out),
        "--star-chimeric", str(res / "star" / "Chimeric.out.junction"), "--pizzly", str(empty),
        "--qc", str(res / "qc.tsv"), "--on-empty-caller", "not-assessable",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    shutil.copy(res / "qc.tsv", out / "qc.tsv")
    assert allfuse("report", "--sample-dir", str(out), "--out", str(out / "report.html")).returncode == 0
    doc = parse_html((out / "report.html").read_text())
    assert doc.one(id="status").text() == NOT_ASSESSABLE
    assert "pizzly" in doc.one(id="status-reason").text()
    # The cohort page carries the same status.
    assert allfuse("cohort-report", "--results", str(tmp_path), "--samples", "ZE", "--out",
                   str(tmp_path / "cohort.html")).returncode == 0  # fmt: skip
    cohort = parse_html((tmp_path / "cohort.html").read_text())
    assert cohort.one("tr", data_sample="ZE").one(data_field="status").text().startswith(NOT_ASSESSABLE)


def test_status_derived_conservatively_for_old_results() -> None:
    """Results from before the status key: 0 reads or an empty caller file never read as negative."""
    old = {"group": "KMT2A-wt", "subtype": "none"}
    assert derive_status(old, {"input_read_pairs": "0"}, {})[0] == NOT_ASSESSABLE
    assert derive_status(old, {"input_read_pairs": "6000"}, {"pizzly": None}) == (
        NOT_ASSESSABLE,
        "empty (0-byte) caller output: pizzly",
    )
    assert derive_status(old, {"input_read_pairs": "6000"}, {"pizzly": 0})[0] == NO_FUSION


def test_max_diagrams(sim_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "T01.html"
    proc = allfuse(
        "report", "--sample-dir", str(sim_run / "results" / "T01"), "--out", str(out), "--max-diagrams", "1"
    )
    assert proc.returncode == 0, proc.stderr
    doc = parse_html(out.read_text())
    assert [f.attrs["data-fusion"] for f in doc.one(id="diagrams").find_all("figure")] == ["KMT2A::AFF1"]
    assert "1 further fusion(s) not drawn" in " ".join(doc.one(id="diagrams").text().split())


def test_real_k562_bcr_abl1_and_mitochondrial_artefacts(tmp_path: Path) -> None:
    """Real K562 reads (STAR on GRCh38): one BCR::ABL1 e14a2 beside 45 mitochondrial artefact events."""
    out = tmp_path / "K562"
    proc = allfuse(
        "annotate", "--sample", "K562", "--gtf", str(shared_path(HAMLET_GTF)), "--outdir", str(out),
        "--star-chimeric", str(shared_path(K562_JUNCTIONS)),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert allfuse("report", "--sample-dir", str(out), "--out", str(out / "report.html")).returncode == 0
    doc = parse_html((out / "report.html").read_text())
    assert field_text(doc, "driver") == "BCR::ABL1"
    assert field_text(doc, "exon_5p") == "BCR exon 14" and field_text(doc, "exon_3p") == "ABL1 exon 2"
    assert field_text(doc, "vicc") == "ENST00000305877.13(BCR):e.14::ENST00000318560.6(ABL1):e.2"
    # p210 (e14a2): BCR codons 1-927 plus one base, ABL1 from c.80 (exon 1a is 79 coding bases).
    assert field_text(doc, "hgvs") == "NM_004327.4:r.?_2782::NM_005157.6:r.80_?"
    assert field_text(doc, "n_events").startswith("1 (plus 45 flagged as artefact")
    # On GRCh38 the breakpoints carry the build and the cytogenetic form is t(9;22).
    write_evidence_files(out, None, None, "GRCh38", None)
    event = read_tsv(out / "fusions.tsv").query("fusion == 'BCR::ABL1'").iloc[0].to_dict()
    iscn = cytogenetics(event, Cytobands.from_resources(), "GRCh38").iscn
    assert iscn is not None and iscn.startswith("t(9;22)(q34")
    doc = _render(out)
    assert field_text(doc, "iscn") == iscn
    assert field_text(doc, "driver-breakpoints").startswith("GRCh38 chr22:")
    rows = doc.one(id="events-table").find_all("tr")[1:]
    assert [r.find_all("td")[1].text() for r in rows] == ["BCR::ABL1"]  # the real event, counted
    artefacts = doc.one(id="artefacts").one(id="artefacts-table").find_all("tr")[1:]
    assert len(artefacts) == 45 and all(r.attrs.get("class") == "artefact" for r in artefacts)
    assert all(r.find_all("td")[1].text().startswith("MT-") for r in artefacts)


def test_survival_section_embeds_tables_and_plot(sim_run: Path, tmp_path: Path) -> None:
    surv = tmp_path / "survival"
    surv.mkdir()
    (surv / "efs_by_subtype.tsv").write_text(
        "group\tn\tevents\tefs_pct\tci_lower_pct\tci_upper_pct\ttime_point\ttime_unit\tci_method\tmedian_followup\twarning\n"
        "KMT2A-r\t1\t1\t0.0\t\t\t2\tyears\tlog\t1.5\tsmall group\n"
    )
    (surv / "logrank.tsv").write_text("test\tgroups\tchi2\tdf\tp\nlogrank\tKMT2A-r,none\t1.2\t1\t0.27\n")
    (surv / "excluded.tsv").write_text("sample\treason\nT05\tno clinical data\n")
    (surv / "km_efs_by_subtype.svg").write_text(
        '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><metadata><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata><path d="M0 0L5 5"/></svg>\n'
    )
    assert inline_svg(surv / "km_efs_by_subtype.svg").startswith("<svg")
    out = tmp_path / "cohort.html"
    proc = allfuse(
        "cohort-report", "--results", str(sim_run / "results"), "--samples", "T01", "T02", "T03", "T04", "T05",
        "--out", str(out), "--survival", str(surv),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    doc = parse_html(text)
    section = doc.one(id="survival")
    assert len(section.find_all("svg")) == 1 and "<?xml" not in text and "<metadata>" not in text
    cells = [td.text() for td in section.find_all("td")]
    assert "KMT2A-r" in cells and "0.27" in cells
    # In years, with headers in words: the time point, the CI as one cell, follow-up in years.
    efs = section.find_all("table")[0]
    assert [th.text() for th in efs.find_all("th")] == [
        "group", "patients", "events", "2-year EFS (%)", "95% CI", "median follow-up (years)", "note",
    ]  # fmt: skip
    assert [td.text() for td in efs.find_all("tr")[1].find_all("td")] == [
        "KMT2A-r", "1", "1", "0.0", "not defined", "1.5", "small group",
    ]  # fmt: skip
    assert "p-value" in [th.text() for th in section.find_all("th")]
    # The simulated run's own survival step (times in days): the page gives years.
    real = read_tsv(sim_run / "results" / "survival" / "efs_by_subtype.tsv")
    proc = allfuse(
        "cohort-report", "--results", str(sim_run / "results"), "--samples", "T01", "T04", "--out", str(out),
        "--survival", str(sim_run / "results" / "survival"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert set(real["time_unit"]) == {"days"}
    efs = parse_html(out.read_text()).one(id="survival").find_all("table")[0]
    assert [th.text() for th in efs.find_all("th")][3:6] == [
        "2-year EFS (%)",
        "95% CI",
        "median follow-up (years)",
    ]
    shown = {
        tr.find_all("td")[0].text(): [td.text() for td in tr.find_all("td")] for tr in efs.find_all("tr")[1:]
    }
    for r in real.itertuples():
        ci = f"{r.ci_lower_pct}\u2013{r.ci_upper_pct}" if r.ci_lower_pct else "not defined"
        years = f"{float(r.median_followup_years):.1f}" if r.median_followup_years else "not estimable"
        assert shown[r.group][3:6] == [r.efs_pct, ci, years]
    # samples left out of the estimates are named on the page
    assert cells[cells.index("T05") + 1] == "no clinical data"
    # Links are relative to where cohort.html is written.
    href = doc.one("tr", data_sample="T01").one("a").attrs["href"]
    assert (out.parent / href).resolve() == (sim_run / "results" / "T01" / "report.html").resolve()
    # Without --survival (or with an absent folder) there is no section.
    proc = allfuse(
        "cohort-report", "--results", str(sim_run / "results"), "--samples", "T01", "--out", str(out),
        "--survival", str(tmp_path / "absent"),
    )  # fmt: skip
    assert proc.returncode == 0 and not parse_html(out.read_text()).find_all(id="survival")


def test_bad_input_one_line(tmp_path: Path) -> None:
    proc = allfuse("report", "--sample-dir", str(tmp_path / "nope"), "--out", str(tmp_path / "r.html"))
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "classification.json" in proc.stderr
    assert not (tmp_path / "r.html").exists()


class _Recorder(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _proxy() -> tuple[_Recorder, list[str]]:
    """An HTTP proxy on loopback that records every request sent through it and answers 404."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_response(404)
            self.end_headers()

        do_GET = do_POST = do_HEAD = do_CONNECT = do_PUT = do_OPTIONS = _record

        def log_message(self, *args) -> None:
            pass

    server = _Recorder(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


#: Chromium's own services it contacts at start-up whatever the page (updater, sign-in, network time);
#: page requests are everything else. Font and CDN hosts are deliberately not listed.
BROWSER_OWN = ("update.googleapis.com", "accounts.google.com", "clients2.google.com")


def open_in_chromium(page: Path, tmp_path: Path) -> tuple[str, list[str], list[str]]:
    """Load ``page`` in headless Chromium with every request sent to a recording proxy.

    Returns the rendered DOM, the console messages, and the requests the page made.
    """
    server, seen = _proxy()
    try:
        proc = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
             "--no-pings", "--disable-domain-reliability", f"--user-data-dir={tmp_path / 'chromium'}",
             "--enable-logging=stderr", "--v=0", f"--proxy-server=http://127.0.0.1:{server.server_address[1]}",
             "--proxy-bypass-list=<-loopback>", "--dump-dom", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    requests = [r for r in seen if not any(host in r for host in BROWSER_OWN)]
    return proc.stdout, console, requests


def test_reports_open_in_headless_chromium(sim_run: Path, tmp_path: Path) -> None:
    # The harness sees what it must: a page with a console error and a remote image.
    control = tmp_path / "control.html"
    control.write_text(
        '<!DOCTYPE html><html><head><title>c</title></head><body><script>console.error("boom")</script>'
        '<img src="http://example.org/x.png" alt=""></body></html>'
    )
    _, console, requests = open_in_chromium(control, tmp_path)
    assert any('"boom"' in line for line in console)
    assert requests == ["GET http://example.org/x.png"]
    results = sim_run / "results"
    for page in [*sorted(results.glob("*/report.html")), results / "cohort.html"]:
        dom, console, requests = open_in_chromium(page, tmp_path)
        assert console == [], (page, console)
        assert requests == [], (page, requests)
        doc = parse_html(dom)
        assert doc.find_all("h1"), page


def test_junction_names_intronic_and_utr_positions() -> None:
    """Offsets on real MANE transcripts: intronic breakpoints, 5'UTR (r.-N) and 3'UTR (r.*N) numbering."""
    tables = ManeTables.load()
    kmt2a = tables.find("KMT2A", "ENST00000534358.8")
    assert kmt2a is not None and kmt2a.cds_start_tx == 22  # NM_001197104.2: 21-base 5'UTR
    assert kmt2a.r_position(1) == "-21" and kmt2a.r_position(22) == "1"
    assert kmt2a.r_position(kmt2a.cds_end_tx) == str(11919) and kmt2a.r_position(kmt2a.cds_end_tx + 1) == "*1"
    five = Side("KMT2A", "ENST00000534358.8", exon=None, intron=9, dist=120, boundary=None)
    three = Side("AFF1", "ENST00000395146.9", exon=None, intron=3, dist=-50, boundary=None)
    names = junction_names(five, three, tables)
    assert names.vicc == "ENST00000534358.8(KMT2A):e.9+120::ENST00000395146.9(AFF1):e.4-50"
    assert names.hgvs == "NM_001197104.2:r.?_4218+120::NM_001166693.3:r.160-50_?"
    assert names.note == ""
    # A gene outside the MANE tables: named with the run's transcript, HGVS left open with the reason.
    other = Side("SIMG01", "ENSTSIM00000001.1", exon=3, intron=None, dist=0, boundary=True)
    names = junction_names(other, three, tables)
    assert names.vicc.startswith("ENSTSIM00000001.1(SIMG01):e.3::")
    assert names.hgvs.startswith("ENSTSIM00000001.1:r.?_?::") and "not in allfuse's MANE tables" in names.note


def test_diagram_marks_intronic_breakpoint() -> None:
    tables = ManeTables.load()
    row = {"chrom_5p": "chr11", "strand_5p": "+", "chrom_3p": "chr4", "strand_3p": "+"}
    five = Side("KMT2A", "ENST00000534358.8", exon=None, intron=9, dist=120, boundary=None)
    three = Side("AFF1", "ENST00000395146.9", exon=4, intron=None, dist=0, boundary=True)
    svg_text = fusion_svg(
        diagram_side(row, "5p", five, tables), diagram_side(row, "3p", three, tables), "in-frame"
    )
    svg = ET.fromstring(svg_text)
    marks = [(e.get("data-gene"), e.get("data-intron"), e.get("data-exon")) for e in svg.iter("line")
             if e.get("class") == "breakpoint"]  # fmt: skip
    assert marks == [("KMT2A", "9", None), ("AFF1", None, "4")]
    labels = [t.text for t in svg.iter("text") if t.text and t.text.startswith("breakpoint")]
    assert labels == ["breakpoint intron 9", "breakpoint before exon 4"]
    # Intron 9 retains exons 1-9 of KMT2A.
    kept = [r.get("data-exon") for r in svg.iter("rect") if r.get("class") == "exon retained"
            and r.get("data-gene") == "KMT2A"]  # fmt: skip
    assert kept == [str(i) for i in range(1, 10)] * 2
    assert svg_text == fusion_svg(
        diagram_side(row, "5p", five, tables), diagram_side(row, "3p", three, tables), "in-frame"
    )


# ---- evidence.json / primers.tsv as the evidence step writes them (contract), from the real functions
PRIMER_SETTINGS = PrimerSettings(
    product_min=150, product_max=400, tm_min=57.0, tm_opt=60.0, tm_max=63.0, gc_min=40.0, gc_max=60.0,
    size_min=18, size_opt=20, size_max=25, junction_clearance=10,
)  # fmt: skip
ROLES = (("driver_fusion", "driver"), ("reciprocal_fusion", "reciprocal"))


def defining_events(sample_dir: Path) -> list[tuple[dict, str]]:
    """(fusions.tsv row, role) of each defining fusion named in classification.json."""
    cls = json.loads((sample_dir / "classification.json").read_text())
    events = read_tsv(sample_dir / "fusions.tsv")
    wanted = [(cls.get(k) or "", role) for k, role in ROLES]
    wanted += [(name, "other defining") for name in cls.get("other_defining_fusions") or []]
    out = []
    for name, role in wanted:
        hits = events[events["fusion"] == name] if name else events[:0]
        if len(hits):
            out.append((hits.iloc[0].to_dict(), role))
    return out


def write_evidence_files(sample_dir: Path, ann, genome, build: str, bam: Path | None) -> dict:
    """evidence.json and primers.tsv of one sample by the contract the evidence step writes them to."""
    bands = Cytobands.from_resources()
    fusions, primer_rows = [], []
    for event, role in defining_events(sample_dir):
        ev = fusion_evidence(event, ann, genome, bam) if genome is not None else None
        if ev is None:
            ev = Evidence(
                fused_reason="no genome FASTA", peptide_reason="no fused transcript", reads_reason="no BAM"
            )
        cyto = cytogenetics(event, bands, build)
        callers = {}
        if "arriba" in event.get("callers", ""):
            callers["arriba"] = {
                k: event.get(f"arriba_{k}", "") for k in ("fusion_transcript", "confidence", "filters")
            }
        fusions.append(
            {
                "event_id": event["event_id"], "fusion": event["fusion"], "role": role, "tier": event.get("tier", ""),
                "breakpoint_5p": f"{event['chrom_5p']}:{event['pos_5p']}",
                "breakpoint_3p": f"{event['chrom_3p']}:{event['pos_3p']}",
                "cytogenetics": asdict(cyto), "evidence": ev.to_dict(), "callers": callers,
            }
        )  # fmt: skip
        pair = (
            design_pair(ev.fused, PRIMER_SETTINGS)
            if ev.fused is not None
            else PrimerPair(reason=ev.fused_reason)
        )
        primer_rows.append(
            {"sample": sample_dir.name, "event_id": event["event_id"], "fusion": event["fusion"], "role": role,
             **{k: "" if getattr(pair, k) is None else getattr(pair, k) for k in PRIMER_COLUMNS[4:]}}
        )  # fmt: skip
    doc = {"sample": sample_dir.name, "build": build, "fusions": fusions}
    (sample_dir / "evidence.json").write_text(json.dumps(doc, indent=1))
    pd.DataFrame(primer_rows, columns=PRIMER_COLUMNS).to_csv(
        sample_dir / "primers.tsv", sep="\t", index=False
    )
    return doc


def _render(sample_dir: Path) -> El:
    proc = allfuse("report", "--sample-dir", str(sample_dir), "--out", str(sample_dir / "report.html"))
    assert proc.returncode == 0, proc.stderr
    return parse_html((sample_dir / "report.html").read_text())


def test_evidence_and_assay_sections(sim_run: Path, tmp_path: Path) -> None:
    """evidence.json and primers.tsv written by the real evidence, cytoband and primer functions on the
    simulated run are shown for every defining fusion: junction, peptide, reads, primers."""
    ann = Annotation.from_gtf(sim_run / "sim" / "genes.gtf")
    genome = open_genome(sim_run / "sim" / "genome.fa", tmp_path / "genome.fa.fai")
    for sample in ("T01", "T02", "T03"):
        out = _copy_sample(sim_run, sample, tmp_path)
        bam = sim_run / "results" / sample / "star" / "Aligned.sortedByCoord.out.bam"
        doc_json = write_evidence_files(out, ann, genome, "simulated", bam)
        primers = read_tsv(out / "primers.tsv")
        doc = _render(out)
        arts = doc.one(id="evidence").find_all("article")
        assert [a.attrs["data-fusion"] for a in arts] == [f["fusion"] for f in doc_json["fusions"]]
        for art, entry in zip(arts, doc_json["fusions"], strict=True):
            ev = entry["evidence"]
            assert art.one(data_field="junction-window").text() == ev["fused"]["window"]
            assert art.one(data_field="peptide-window").text() == ev["peptide"]["window"]
            names = [li.attrs["data-read"] for li in art.find_all("li")]
            assert names and set(names) == set(ev["reads"]["split_names"]) | set(ev["reads"]["spanning"])
            lines = art.one(data_field="alignment").text().splitlines()
            assert lines == ev["alignment"][:21]
            assert (
                art.one(data_field="breakpoints")
                .text()
                .startswith(f"5′ simulated {entry['breakpoint_5p'].split(':')[0]}:")
            )
            assert "GRCh38 only" in art.one(data_field="cytogenetics").text()
        for art in doc.one(id="assay").find_all("article"):
            row = primers[primers["fusion"] == art.attrs["data-fusion"]].iloc[0]
            if row["forward"]:
                cells = {
                    tr.attrs["data-primer"]: [td.text() for td in tr.find_all("td")]
                    for tr in art.find_all("tr")
                    if "data-primer" in tr.attrs
                }
                assert cells["forward"][:3] == [
                    row["forward"],
                    f"{float(row['forward_tm']):.1f}",
                    f"{float(row['forward_gc']):.1f}",
                ]
                assert cells["reverse"][0] == row["reverse"]
                assert art.one(data_field="amplicon").text() == row["amplicon"]
                assert art.one(data_field="product-size").text() == f"{row['product_size']} bp"
            else:
                assert row["reason"] in art.one(data_field="no-primers").text()
        assert "specificity" in doc.one(id="assay").text()
    # Without the files: each section says it is not available and why.
    bare = _copy_sample(sim_run, "T01", tmp_path / "bare")
    doc = _render(bare)
    assert "evidence.json was not written" in doc.one(id="evidence-absent").text()
    assert "primers.tsv was not written" in doc.one(id="primers-absent").text()


def test_nutm1_expression_caveat(sim_run: Path, tmp_path: Path) -> None:
    """A negative flagged by classification gets the NUTM1 caveat with its TPM and the threshold."""
    out = _copy_sample(sim_run, "T04", tmp_path)
    cls = json.loads((out / "classification.json").read_text())
    (out / "classification.json").write_text(json.dumps({**cls, "flags": [NUTM1_FLAG]}))
    (out / "expression.tsv").write_text(
        "gene\tgene_id\ttpm\test_counts\tn_transcripts\nNUTM1\tG1\t12.34\t80\t1\nCRLF2\tG2\t3\t9\t1\n"
    )
    prov = json.loads((sim_run / "results" / "provenance.json").read_text())
    prov["config"]["expression"] = {"nutm1_tpm_threshold": 5, "nutm1_threshold_source": "assumption: test"}
    (tmp_path / "provenance.json").write_text(json.dumps(prov))
    doc = _render(out)
    caveats = " ".join(li.text() for li in doc.one(id="caveats").find_all("li"))
    assert "NUTM1 is expressed (12.3 TPM, threshold 5 TPM) but no NUTM1 fusion was called" in caveats
    assert "Threshold source: assumption: test." in caveats
    # A negative keeps the negative's caveats beside it.
    assert "miss KMT2A fusions" in caveats
    assert doc.one(data_flag=NUTM1_FLAG).text() == "NUTM1 expressed without a NUTM1 fusion"
    assert field_text(doc, "tpm-NUTM1") == "12.3"


def test_qc_failed_positive_states_the_failure(sim_run: Path, tmp_path: Path) -> None:
    """A high-tier positive in a sample below a QC gate: the fusion is shown with its group, and the
    QC failure beside it (status reason, QC table, caveat), never hidden and never the other way round."""
    out = _copy_sample(sim_run, "T01", tmp_path)
    star_log = sim_run / "results" / "T01" / "star" / "Log.final.out"
    pairs = int(read_tsv(out / "qc.tsv").iloc[0]["input_read_pairs"])
    qc = read_star_log(star_log, "T01", Gates(min_input_pairs=pairs + 1))  # the real log, a higher gate
    qc.to_csv(out / "qc.tsv", sep="\t", index=False)
    reason = str(qc.iloc[0]["qc_reason"])
    assert reason.startswith(f"{pairs} input read pairs")
    cls = json.loads((out / "classification.json").read_text())
    status_reason = f"QC failed ({reason}), but the driver fusion is of the high confidence tier"
    cls |= {"status": "fusion detected", "status_reason": status_reason}
    (out / "classification.json").write_text(json.dumps(cls))
    doc = _render(out)
    assert doc.one(id="status").text() == "fusion detected" and field_text(doc, "group") == "KMT2A-r"
    assert field_text(doc, "driver") == "KMT2A::AFF1"
    assert reason in doc.one(id="status-reason").text()
    assert doc.one(id="status-reason").attrs["class"] == "fail"  # beside the positive, in red
    assert doc.one(id="qc-verdict").text().startswith("QC failed")
    gates = {r.attrs["data-gate"]: r for r in doc.find_all("tr") if "data-gate" in r.attrs}
    assert gates["input_read_pairs"].find_all("td")[-1].text() == "fail"
    caveats = " ".join(li.text() for li in doc.one(id="caveats").find_all("li"))
    assert "the absence of any other fusion cannot be concluded" in caveats
    assert "miss KMT2A fusions" not in caveats
