"""Evidence behind each planted fusion of the simulated test cohort (allfuse.evidence), on the real run.

The fused sequence is compared with the one the simulator planted, the peptide with a translation of
the simulated CDS, and every read name with the STAR BAM read back by pysam on its own: the record
exists, and its bases lie across the planted junction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pysam
import pytest
from Bio.Seq import Seq
from conftest import read_tsv

from allfuse.evidence import JUNCTION_MARK, fused_transcript, fusion_evidence, open_genome
from allfuse.gtf import Annotation
from allfuse.simulate.genome import build_reference
from allfuse.simulate.reads import FusionSpec, fusion_frame, fusion_sequence
from allfuse.transcriptome import revcomp

SEED = 7  # the seed sim_run simulates with


@pytest.fixture(scope="module")
def planted(sim_run: Path) -> list[tuple[dict, FusionSpec, str, int]]:
    """Each planted fusion: its fusions.tsv event, its spec, the planted sequence and junction."""
    ref = build_reference(SEED)
    out = []
    for t in read_tsv(sim_run / "sim" / "truth.tsv").itertuples(index=False):
        spec = FusionSpec(t.gene_5p, int(t.exon_5p), t.gene_3p, int(t.exon_3p), int(t.fragments))
        seq, junction, pos5, pos3 = fusion_sequence(ref, spec)
        assert (str(pos5), str(pos3)) == (t.pos_5p, t.pos_3p)
        events = read_tsv(sim_run / "results" / t.sample / "fusions.tsv")
        event = events[events.fusion == t.fusion].iloc[0].to_dict()
        out.append((event, spec, seq, junction))
    assert len(out) == 4
    return out


@pytest.fixture(scope="module")
def reference(sim_run: Path, tmp_path_factory: pytest.TempPathFactory):
    ann = Annotation.from_gtf(sim_run / "sim" / "genes.gtf")
    genome = open_genome(sim_run / "sim" / "genome.fa", tmp_path_factory.mktemp("fai") / "genome.fa.fai")
    return ann, genome


def bam_of(sim_run: Path, event: dict) -> Path:
    return sim_run / "results" / event["sample"] / "star" / "Aligned.sortedByCoord.out.bam"


def test_junction_sequence_is_the_planted_one(planted, reference) -> None:
    ann, genome = reference
    for event, _spec, seq, junction in planted:
        fused, reason = fused_transcript(event, ann, genome, flank=30)
        assert fused is not None, reason
        assert fused.sequence == seq, event["fusion"]
        assert fused.junction == junction
        assert fused.window == seq[junction - 30 : junction] + JUNCTION_MARK + seq[junction : junction + 30]
        assert [s.exon for s in fused.segments if s.partner == "5p"][-1] == int(event["exon_5p"])
        assert next(s.exon for s in fused.segments if s.partner == "3p") == int(event["exon_3p"])


def test_peptide_is_the_translation_of_the_simulated_cds(sim_run: Path, planted, reference) -> None:
    ann, genome = reference
    ref = build_reference(SEED)
    frames = set()
    for event, spec, seq, junction in planted:
        ev = fusion_evidence(event, ann, genome, bam_of(sim_run, event))
        pep = ev.peptide
        assert pep is not None, ev.peptide_reason
        cds_start = ref.gene(spec.gene_5p).canonical.cds_start_tx  # the simulator's own CDS
        coding = seq[cds_start:]
        full = str(Seq(coding[: len(coding) // 3 * 3]).translate())
        k, phase = divmod(junction - cds_start, 3)
        assert pep.frame == fusion_frame(ref, spec) == event["reading_frame"]
        frames.add(pep.frame)
        assert pep.cds_start == cds_start
        assert pep.junction_residue == k + 1 and pep.chimeric_codon == (phase != 0)
        assert full.startswith(pep.protein)
        left = full[k - 10 : k]
        mid = JUNCTION_MARK if phase == 0 else f"[{full[k]}]"
        assert pep.window.startswith(left + mid), (pep.window, left, mid)
        if pep.frame == "out-of-frame":
            stop = full.index("*", k)
            assert pep.stop_after_junction_codons == stop - k
            assert pep.stop_after_junction_nt == cds_start + 3 * stop - junction
            assert pep.window == left + mid + full[k + (phase != 0) : stop + 1]
        else:
            assert pep.stop_after_junction_codons is None
            assert pep.window == left + mid + full[k + (phase != 0) : k + (phase != 0) + 10]
    assert frames == {"in-frame", "out-of-frame"}  # T02's BRD9 exon 8 -> NUTM1 exon 3 is out of frame


def _place(read: str, seq: str, index: dict[str, list[int]], k: int = 20) -> list[int]:
    """Offsets where ``read`` lies on ``seq`` ungapped with at most 3 mismatches (seeded by k-mers)."""
    hits = set()
    for i in range(0, len(read) - k + 1, k):
        for p in index.get(read[i : i + k], []):
            o = p - i
            fits = 0 <= o and o + len(read) <= len(seq)
            if fits and sum(a != b for a, b in zip(read, seq[o : o + len(read)], strict=True)) <= 3:
                hits.add(o)
    return sorted(hits)


def test_read_names_are_bam_records_across_the_junction(sim_run: Path, planted, reference) -> None:
    ann, genome = reference
    for event, _spec, seq, junction in planted:
        bam = bam_of(sim_run, event)
        ev = fusion_evidence(event, ann, genome, bam)
        names = ev.reads.split_names
        assert names, event["fusion"]
        # as many split fragments as STAR's Chimeric.out.junction gives the star_chimeric caller
        star = read_tsv(sim_run / "results" / event["sample"] / "calls" / "star_chimeric.tsv")
        assert len(names) == int(star[star.fusion == event["fusion"]].junction_reads.iloc[0])

        # pysam, independently: every record of each named read, whole reads (no hard clip) only
        records: dict[str, list[pysam.AlignedSegment]] = defaultdict(list)
        wanted = set(ev.reads.names)
        with pysam.AlignmentFile(str(bam)) as fh:
            for a in fh.fetch(until_eof=True):
                if a.query_name in wanted:
                    records[a.query_name].append(a)
        assert set(records) == wanted
        index: dict[str, list[int]] = defaultdict(list)
        for i in range(len(seq) - 19):
            index[seq[i : i + 20]].append(i)
        for name in names:
            spans = False
            for a in records[name]:
                if a.is_unmapped or any(op == 5 for op, _ in a.cigartuples):
                    continue
                for read in (a.query_sequence, revcomp(a.query_sequence)):
                    for o in _place(read, seq, index):
                        spans |= o <= junction - 10 and o + len(read) >= junction + 10
            assert spans, f"{name}: no read of it lies across the planted {event['fusion']} junction"
        for name in ev.reads.spanning:
            # the pair's two mates lie on the planted fused sequence, the fragment across the junction
            placed = []
            for a in records[name]:
                if a.is_supplementary or a.is_secondary or a.is_unmapped:
                    continue
                for read in (a.query_sequence, revcomp(a.query_sequence)):
                    placed += [(o, o + len(read)) for o in _place(read, seq, index)]
            assert min(o for o, _ in placed) <= junction - 10, name
            assert max(e for _, e in placed) >= junction + 10, name


def test_alignment_text_puts_reads_under_the_junction(sim_run: Path, planted, reference) -> None:
    ann, genome = reference
    for event, _spec, seq, junction in planted:
        ev = fusion_evidence(event, ann, genome, bam_of(sim_run, event), max_reads=20)
        lines = ev.alignment
        assert lines[0] == ev.fused.window + "  fused transcript"
        assert 2 <= len(lines) <= 21
        col = lines[0].index(JUNCTION_MARK)
        for line in lines[1:]:
            assert line[col] == JUNCTION_MARK
            bases = line[:61].replace(JUNCTION_MARK, "")
            window = seq[junction - 30 : junction + 30]
            covered = [(b, w) for b, w in zip(bases, window, strict=True) if b != " "]
            assert covered and sum(b != w for b, w in covered) <= 3  # mismatches are the read's errors
            assert line.split()[-1].rsplit("/", 1)[0] in ev.reads.split_names


def test_intronic_breakpoint_has_a_reason_not_a_sequence(planted, reference) -> None:
    ann, genome = reference
    event = dict(planted[0][0])
    event["pos_5p"] = int(event["pos_5p"]) + 5  # 5 bases into the intron after KMT2A exon 9
    fused, reason = fused_transcript(event, ann, genome)
    where = f"{event['chrom_5p']}:{event['pos_5p']}"
    assert fused is None and reason == f"5' breakpoint {where} lies in an intron of {event['transcript_5p']}"


def test_pipeline_evidence_json(sim_run: Path, planted) -> None:
    """results/{sample}/evidence.json (rule evidence): one entry per defining fusion, in the contract
    the report renders, with the planted junction window and real BAM reads."""
    by_fusion = {event["fusion"]: (event, seq, junction) for event, _spec, seq, junction in planted}
    roles = {
        "T01": ["driver", "reciprocal"],
        "T02": ["driver"],
        "T03": ["driver"],
        "T04": [],
        "T05": [],
        "T06": [],
    }
    for sample, want in roles.items():
        doc = json.loads((sim_run / "results" / sample / "evidence.json").read_text())
        assert doc["sample"] == sample and doc["build"] == "unspecified"  # the test config names no build
        assert [f["role"] for f in doc["fusions"]] == want
        for f in doc["fusions"]:
            assert set(f) == {
                "event_id", "fusion", "role", "tier", "breakpoint_5p", "breakpoint_3p", "cytogenetics",
                "evidence", "callers",
            }  # fmt: skip
            event, seq, junction = by_fusion[f["fusion"]]
            assert f["event_id"] == event["event_id"] and f["tier"] == event["tier"]
            assert f["breakpoint_5p"] == f"{event['chrom_5p']}:{event['pos_5p']}"
            assert f["breakpoint_3p"] == f"{event['chrom_3p']}:{event['pos_3p']}"
            assert f["cytogenetics"] == {
                "iscn": None, "band_5p": None, "band_3p": None,
                "reason": "bands are known for GRCh38 only; the genome build is unspecified",
            }  # fmt: skip
            assert (
                f["evidence"]["fused"]["window"]
                == seq[junction - 30 : junction] + "|" + seq[junction : junction + 30]
            )
            assert f["callers"] == {}  # star_chimeric and pizzly have no evidence of their own to show
            names = f["evidence"]["reads"]["split_names"]
            assert names
            bam = sim_run / "results" / sample / "star" / "Aligned.sortedByCoord.out.bam"
            with pysam.AlignmentFile(str(bam)) as fh:
                found = {a.query_name for a in fh.fetch(event["chrom_5p"]) if a.query_name in set(names)}
            assert found == set(names)
