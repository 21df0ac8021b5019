"""pizzly (kallisto ``--fusion``) output, normalised to genomic breakpoints.

pizzly reports fusions as transcript pairs, ``A_0:end_B_start:len``: transcript A kept from 0 to
``end`` (exclusive) joined to transcript B from ``start``. Several isoform pairs usually describe one
genomic junction, so we map each pair back to the genome through the GTF's exons and collapse pairs
with the same breakpoints into one call. Orientation comes from the transcript pair: pizzly lists a
pair in each orientation only when it found a junction (or a pair layout) in that orientation.

Read counts: pizzly groups a gene pair without order and hangs every read pair of the gene pair under
every transcript pair, so both products of a balanced translocation would carry the sum of their
reads. We count, for each call, only the read pairs whose mates place on one of the call's fused
sequences (``PREFIX.fusions.fasta``, which pizzly writes beside ``PREFIX.json``), as a junction read
when a mate crosses the junction, else as a spanning fragment (see ``pizzly_support``); a read pair
counts for one call only, however many isoform pairs and junctions it fits. Without that FASTA the
orientation cannot be told from the JSON (it does not say which mate lies on which gene), and every
call of the gene pair carries pizzly's gene-level ``splitcount``/``paircount``, as the flat table does.

The flat table (``geneA.name ... transcripts.list``, as nf-core/rnafusion writes it) has gene-level
counts only, which each of its breakpoints carries.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from allfuse.callers.pizzly_support import SupportSettings, fragment_support, junction, read_fasta
from allfuse.calls import finish_calls
from allfuse.errors import InputError
from allfuse.gtf import Annotation, strip_version
from allfuse.tables import ORIG_PREFIX

#: The header of kallisto's ``--fusion`` list (fusion.txt), pizzly's input. Alone, it is a list with
#: no records: rule pizzly_cache runs pizzly on it to have pizzly write its annotation cache.
KALLISTO_FUSION_HEADER = "TYPE\tNAME1\tSEQ1\tKPOS1\tNAME2\tSEQ2\tKPOS2\tINFO\tPOS1\tPOS2"

FLAT_COLUMNS = [
    "geneA.name",
    "geneA.id",
    "geneB.name",
    "geneB.id",
    "paircount",
    "splitcount",
    "transcripts.list",
]
UNPLACED = (".", 0, ".", ".", 0, ".")  # breakpoints of a call whose transcripts the GTF lacks
PAIR_RE = re.compile(r"^(?P<a>.+?)_(?P<a0>\d+):(?P<a1>\d+)_(?P<b>.+?)_(?P<b0>\d+):(?P<b1>\d+)$")


class TranscriptMapper:
    """Transcript offsets -> genome coordinates, from the GTF's exons."""

    def __init__(self, ann: Annotation | None) -> None:
        self.ann = ann
        self._cache: dict[str, pd.DataFrame] = {}

    def to_genome(self, transcript_id: str, offset: int) -> tuple[str, int, str] | None:
        """(chrom, 1-based position, strand) of a 0-based transcript offset, or None if unknown."""
        if self.ann is None:
            return None
        if transcript_id not in self._cache:
            self._cache[transcript_id] = self.ann.transcript_exons(transcript_id)
        ex = self._cache[transcript_id]
        acc = 0
        for s, e, chrom, strand in zip(ex["start"], ex["end"], ex["chrom"], ex["strand"], strict=True):
            n = int(e) - int(s) + 1
            if acc <= offset < acc + n:
                k = offset - acc
                return chrom, (int(s) + k if strand == "+" else int(e) - k), strand
            acc += n
        return None


def _breakpoints(mapper: TranscriptMapper, a: str, a_end: int, b: str, b_start: int) -> tuple | None:
    five = mapper.to_genome(a, a_end - 1)
    three = mapper.to_genome(b, b_start)
    if five is None or three is None:
        return None
    return five + three


def fused_fasta_of(path: Path) -> Path:
    """Where pizzly wrote the fused sequences of ``PREFIX.json``: ``PREFIX.fusions.fasta``."""
    return path.with_name(path.name.removesuffix(".json") + ".fusions.fasta")


def parse_json(
    path: Path,
    sample: str,
    ann: Annotation | None,
    fasta: Path | None = None,
    settings: SupportSettings | None = None,
) -> pd.DataFrame:
    """Calls from pizzly's JSON (``--output X`` writes ``X.json`` and ``X.fusions.fasta``).

    ``fasta`` defaults to the ``.fusions.fasta`` beside the JSON; read pairs are assigned to the
    calls whose fused sequences they fit (module docstring).
    """
    settings = settings or SupportSettings()
    try:
        data = json.loads(path.read_text() or '{"genes": []}')
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not a pizzly JSON file ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict) or "genes" not in data:
        raise InputError(f"{path}: not a pizzly JSON file (no 'genes' list)")
    if fasta is not None and not fasta.is_file():
        raise InputError(f"{fasta}: pizzly's fused-sequence FASTA not found")
    fasta = fasta or fused_fasta_of(path)
    fused = read_fasta(fasta) if data["genes"] and fasta.is_file() else {}
    mapper = TranscriptMapper(ann)
    calls: dict[tuple, dict] = {}
    names = {}
    for gene in data["genes"]:
        for side in ("geneA", "geneB"):
            # pizzly may print gene ids with the GTF's gene_version joined on; the GTF's own id has none
            names[gene[side]["id"]] = names[strip_version(gene[side]["id"])] = gene[side]["name"]
        for t in gene.get("transcripts", []):
            ta, tb = t["transcriptA"], t["transcriptB"]
            bp = _breakpoints(mapper, ta["id"], int(ta["endPos"]), tb["id"], int(tb["startPos"]))
            ga, gb = _gene_of(ann, ta["id"]), _gene_of(ann, tb["id"])
            if ga is None:  # without a GTF the gene order follows pizzly's gene record
                ga, gb = gene["geneA"]["id"], gene["geneB"]["id"]
            key = (ga, gb) + (bp or UNPLACED)
            call = calls.setdefault(key, {"records": [], "gene": gene, "junctions": {}})
            record = t["fasta_record"]
            if record in fused:
                # the fused sequence is A[start:end] + B[start:]: the junction is A's kept length
                j = junction(fused[record], int(ta["endPos"]) - int(ta["startPos"]), settings)
                call["junctions"].setdefault((j.seq, j.at), j)
            call["records"].append(record)
    counts = _assign_reads(calls, settings)
    rows = []
    for key, call in calls.items():
        ga, gb, *bp = key
        g = call["gene"]
        orig = {
            "geneA.name": g["geneA"]["name"],
            "geneA.id": g["geneA"]["id"],
            "geneB.name": g["geneB"]["name"],
            "geneB.id": g["geneB"]["id"],
            "paircount": g["paircount"],
            "splitcount": g["splitcount"],
            "transcripts.list": ";".join(call["records"]),
        }
        genes = (names.get(ga, ga), names.get(gb, gb), ga, gb)
        rows.append(_row(genes, tuple(bp), counts[key], call["records"], orig))
    return _finish(rows, sample)


def _assign_reads(calls: dict[tuple, dict], settings: SupportSettings) -> dict[tuple, tuple[int, int]]:
    """(junction reads, spanning fragments) of each call; each read pair counts for one call only.

    A read pair goes to a call whose fused sequence it fits: one where a mate crosses the junction
    first, else (a discordant pair, which fits every junction of its orientation that lies between
    its mates) the call with the most junction reads. So a fragment is never counted twice, and
    summing a caller's calls of one event (``merge``) counts distinct fragments. Calls without any
    fused sequence carry pizzly's gene-level counts.
    """
    fits: dict[str, dict[tuple, str]] = {}  # read pair -> call -> "junction" | "spanning"
    for key, call in calls.items():
        for rp in call["gene"].get("readpairs", []):
            kinds = {
                fragment_support(rp["read1"]["seq"], rp["read2"]["seq"], j, settings)
                for j in call["junctions"].values()
            }
            kind = "junction" if "junction" in kinds else "spanning" if "spanning" in kinds else None
            if kind:
                fits.setdefault(rp["read1"]["name"], {})[key] = kind
    n_split = Counter(k for f in fits.values() for k, kind in f.items() if kind == "junction")
    counts = {key: [0, 0] for key in calls}
    for f in fits.values():
        split = [k for k, kind in f.items() if kind == "junction"]
        chosen = max(split or f, key=lambda k: n_split[k])
        counts[chosen][0 if split else 1] += 1
    out = {key: (c[0], c[1]) for key, c in counts.items()}
    for key, call in calls.items():
        if not call["junctions"]:  # no fused sequence: pizzly's gene-level, orientation-blind counts
            out[key] = (int(call["gene"]["splitcount"]), int(call["gene"]["paircount"]))
    return out


def _gene_of(ann: Annotation | None, transcript_id: str) -> str | None:
    if ann is None:
        return None
    gene = ann.gene_of_transcript.get(transcript_id)
    return None if gene is None else str(gene)


def parse_flat(path: Path, sample: str, ann: Annotation | None) -> pd.DataFrame:
    """Calls from pizzly's flat table: one call per distinct breakpoint of each gene pair."""
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = [c for c in FLAT_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)}: not a pizzly flat table")
    mapper = TranscriptMapper(ann)
    rows = []
    for lineno, rec in enumerate(df.to_dict("records"), start=2):
        seen: dict[tuple, list[str]] = {}
        for item in filter(None, rec["transcripts.list"].split(";")):
            m = PAIR_RE.match(item)
            if not m:
                raise InputError(
                    f"{path}: line {lineno}: transcript pair {item!r} is not A_start:end_B_start:end"
                )
            bp = _breakpoints(mapper, m["a"], int(m["a1"]), m["b"], int(m["b0"]))
            seen.setdefault(bp or UNPLACED, []).append(item)
        genes = (rec["geneA.name"], rec["geneB.name"], rec["geneA.id"], rec["geneB.id"])
        counts = (int(rec["splitcount"]), int(rec["paircount"]))
        for bp, items in (seen or {UNPLACED: []}).items():
            rows.append(_row(genes, bp, counts, items, rec))
    out = _finish(rows, sample)
    for col in df.columns:
        if ORIG_PREFIX + col not in out.columns:
            out[ORIG_PREFIX + col] = pd.Series(dtype="object")
    return out


def _row(genes: tuple, bp: tuple, counts: tuple[int, int], records: list[str], orig: dict) -> dict:
    """One call: genes (5' name, 3' name, 5' id, 3' id), breakpoints, (split, pair) counts."""
    first = PAIR_RE.match(records[0]) if records else None
    return {
        **dict(zip(("gene_5p", "gene_3p", "gene_id_5p", "gene_id_3p"), genes, strict=True)),
        **dict(zip(("chrom_5p", "pos_5p", "strand_5p", "chrom_3p", "pos_3p", "strand_3p"), bp, strict=True)),
        "junction_reads": counts[0],
        "spanning_frags": counts[1],
        "caller_transcript_5p": first["a"] if first else ".",
        "caller_transcript_3p": first["b"] if first else ".",
        **{ORIG_PREFIX + k: v for k, v in orig.items()},
    }


def _finish(rows: list[dict], sample: str) -> pd.DataFrame:
    return finish_calls(pd.DataFrame(rows), sample, "pizzly")


def parse(
    path: str | Path, sample: str, gtf: Annotation | None = None, fasta: str | Path | None = None
) -> pd.DataFrame:
    """pizzly JSON or flat table, told apart by content; ``fasta``: pizzly's fused sequences."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    head = path.read_text()[:200].lstrip()
    if head.startswith("{") or not head:
        return parse_json(path, sample, gtf, Path(fasta) if fasta else None)
    if head.startswith("geneA.name"):
        return parse_flat(path, sample, gtf)
    raise InputError(f"{path}: neither pizzly JSON nor pizzly's flat table (header geneA.name ...)")
