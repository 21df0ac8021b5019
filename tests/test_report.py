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
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import read_tsv, shared_path

from allfuse.report.cohort_page import inline_svg
from allfuse.report.diagram import diagram_side, fusion_svg
from allfuse.report.nomenclature import ManeTables, Side, junction_names
from allfuse.report.page import sample_report
from allfuse.status import NOT_ASSESSABLE, derive_status
from allfuse.status import NOT_DETECTED as NO_FUSION

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
    # Caveat on exon numbering always; the KMT2A-negative caveat only where KMT2A-r was not found.
    caveats = [li.text() for li in doc.one(id="caveats").find_all("li")]
    assert any("named MANE Select transcript only" in c for c in caveats)
    assert any("miss KMT2A fusions" in c for c in caveats) == (sample != "T01")


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
    for sample in ("T04", "T05"):
        doc = parse_html((sim_run / "results" / sample / "report.html").read_text())
        assert doc.one(id="status").text() == NO_FUSION
        assert field_text(doc, "group") == "KMT2A-wt"
        assert not doc.find_all(id="diagrams")
        caveats = " ".join(li.text() for li in doc.one(id="caveats").find_all("li"))
        assert "miss KMT2A fusions" in caveats and "CRLF2::IGH" in caveats


def test_qc_and_provenance(sim_run: Path) -> None:
    results = sim_run / "results"
    doc = parse_html((results / "T01" / "report.html").read_text())
    qc = read_tsv(results / "T01" / "qc.tsv").iloc[0]
    assert field_text(doc, "input_read_pairs") == qc["input_read_pairs"]
    assert field_text(doc, "uniquely_mapped_pct") == f"{qc['uniquely_mapped_pct']} %"
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


def _external(value: str) -> bool:
    v = value.strip().lower()
    return v.startswith(("http:", "https:", "//", "ftp:", "data:text/html"))


def test_pages_are_self_contained(sim_run: Path) -> None:
    results = sim_run / "results"
    pages = sorted(results.glob("*/report.html")) + [results / "cohort.html"]
    assert len(pages) == 6
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
    assert by_subtype == {"none": "2", "KMT2A-r": "1", "NUTM1-r": "1", "PAX5-r": "1"}


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
