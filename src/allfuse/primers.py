"""RT-PCR confirmation primers for a fusion: a Primer3 pair across the junction, and the amplicon.

Labs confirm each fusion RNA-seq finds by RT-PCR and Sanger sequencing before they report it. The
assay is designed here on the fused transcript (5' partner's MANE exons up to the junction, 3'
partner's from it): the forward primer must sit in the 5' partner upstream of the junction, the
reverse primer in the 3' partner downstream, neither within ``junction_clearance`` bases of the
junction, so that the product can only come from the fused cDNA and the Sanger read shows the
junction. Primer3 (primer3-py) picks the pair; this module only states the constraints and reads
its answer. A primer across an exon-exon boundary of one partner is avoided first (its 3' end would
sit on a boundary that genomic DNA lacks, which some labs want and others avoid); only if no pair
fits inside single exons is the boundary allowed, and ``placement`` says which rule applied.

Genome-wide specificity is not checked (no BLAST/in-silico PCR here): the lab's own check applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import primer3

from allfuse.evidence import JUNCTION_MARK, FusedTranscript

#: Which placement rule gave the pair.
WITHIN_EXONS = "within single exons"
ACROSS_BOUNDARY = "across an exon boundary (no pair fits within single exons)"


@dataclass(frozen=True)
class PrimerSettings:
    """Primer3's settings for a cDNA Sanger assay; the values come from config (``primers:``)."""

    product_min: int
    product_max: int
    tm_min: float
    tm_opt: float
    tm_max: float
    gc_min: float
    gc_max: float
    size_min: int
    size_opt: int
    size_max: int
    junction_clearance: int

    @classmethod
    def from_config(cls, section: dict) -> PrimerSettings:
        """From config's ``primers`` section (every key has its default in the config schema)."""
        return cls(**{name: section[name] for name in cls.__dataclass_fields__})

    def primer3_args(self) -> dict:
        """Primer3's global arguments for these settings."""
        return {
            "PRIMER_PRODUCT_SIZE_RANGE": [[self.product_min, self.product_max]],
            "PRIMER_MIN_TM": self.tm_min,
            "PRIMER_OPT_TM": self.tm_opt,
            "PRIMER_MAX_TM": self.tm_max,
            "PRIMER_MIN_GC": self.gc_min,
            "PRIMER_MAX_GC": self.gc_max,
            "PRIMER_MIN_SIZE": self.size_min,
            "PRIMER_OPT_SIZE": self.size_opt,
            "PRIMER_MAX_SIZE": self.size_max,
            "PRIMER_NUM_RETURN": 1,
            "PRIMER_EXPLAIN_FLAG": 1,
        }


@dataclass(frozen=True)
class Piece:
    """One exon piece of the fused transcript as offsets on its sequence (0-based, half-open)."""

    partner: str  # '5p' or '3p'
    exon: int
    start: int
    end: int


def pieces(fused: FusedTranscript) -> list[Piece]:
    """The fused transcript's exon pieces (genome segments, in transcript order) as sequence offsets."""
    out: list[Piece] = []
    at = 0
    for seg in fused.segments:
        length = seg.end - seg.start + 1
        out.append(Piece(seg.partner, seg.exon, at, at + length))
        at += length
    return out


def exons_of(layout: list[Piece], start: int, end: int) -> str:
    """The exon(s) a primer covering [start, end) sits in, e.g. '5p exon 9' or '3p exons 4-5'."""
    hit = [p for p in layout if p.start < end and start < p.end]
    if not hit:
        return "."
    numbers = [p.exon for p in hit]
    label = f"exon {numbers[0]}" if len(hit) == 1 else f"exons {min(numbers)}-{max(numbers)}"
    return f"{hit[0].partner} {label}"


def boundaries(layout: list[Piece], junction: int) -> list[int]:
    """Exon-exon boundaries inside one partner (the fusion junction is not one of them)."""
    return [p.start for p in layout[1:] if p.start != junction]


@dataclass(frozen=True)
class PrimerPair:
    """A designed pair, or the reason none was (``reason`` set, every other field empty)."""

    forward: str = ""
    reverse: str = ""
    forward_tm: float | None = None
    reverse_tm: float | None = None
    forward_gc: float | None = None
    reverse_gc: float | None = None
    product_size: int | None = None
    forward_exon: str = ""
    reverse_exon: str = ""
    forward_start: int | None = None  # 0-based on the fused transcript
    reverse_end: int | None = None  # 0-based, exclusive: the reverse primer's 5' end + 1
    amplicon: str = ""
    placement: str = ""
    reason: str = ""


def _design(fused: FusedTranscript, settings: PrimerSettings, avoid_boundaries: bool) -> dict:
    """One Primer3 run: forward left of the junction, reverse right of it, the junction in the product."""
    clear = settings.junction_clearance
    left_end = fused.junction - clear  # the forward primer lies in [0, left_end)
    right_start = fused.junction + clear  # the reverse primer lies in [right_start, len)
    seq_args: dict = {
        "SEQUENCE_ID": "fusion",
        "SEQUENCE_TEMPLATE": fused.sequence,
        "SEQUENCE_TARGET": [left_end, right_start - left_end],
        "SEQUENCE_PRIMER_PAIR_OK_REGION_LIST": [
            [0, left_end, right_start, len(fused.sequence) - right_start]
        ],
    }
    if avoid_boundaries:
        inner = boundaries(pieces(fused), fused.junction)
        excluded = [[b - 1, 2] for b in inner if 0 < b < len(fused.sequence)]
        if excluded:
            seq_args["SEQUENCE_EXCLUDED_REGION"] = excluded
    return primer3.bindings.design_primers(seq_args, settings.primer3_args())


def _why_not(result: dict) -> str:
    """Primer3's own explanation of why no pair met the settings."""
    parts = [
        f"{name}: {result[key]}"
        for name, key in (
            ("forward", "PRIMER_LEFT_EXPLAIN"),
            ("reverse", "PRIMER_RIGHT_EXPLAIN"),
            ("pair", "PRIMER_PAIR_EXPLAIN"),
        )
        if result.get(key)
    ]
    return "Primer3 found no pair within the settings (" + "; ".join(parts) + ")"


def design_pair(fused: FusedTranscript, settings: PrimerSettings) -> PrimerPair:
    """The best Primer3 pair across the junction, inside single exons where possible."""
    clear = settings.junction_clearance
    if fused.junction - clear < settings.size_min or len(fused.sequence) - fused.junction - clear < (
        settings.size_min
    ):
        return PrimerPair(reason="too little fused sequence on one side of the junction for a primer")
    result: dict = {}
    for avoid, placement in ((True, WITHIN_EXONS), (False, ACROSS_BOUNDARY)):
        result = _design(fused, settings, avoid_boundaries=avoid)
        if result.get("PRIMER_PAIR_NUM_RETURNED", 0):
            break
    else:
        return PrimerPair(reason=_why_not(result))
    f_start, f_len = result["PRIMER_LEFT_0"]
    r_end_incl, r_len = result["PRIMER_RIGHT_0"]  # Primer3 gives the reverse primer's 5' (rightmost) base
    r_end = r_end_incl + 1
    layout = pieces(fused)
    amplicon = (
        fused.sequence[f_start : fused.junction] + JUNCTION_MARK + fused.sequence[fused.junction : r_end]
    )
    return PrimerPair(
        forward=result["PRIMER_LEFT_0_SEQUENCE"],
        reverse=result["PRIMER_RIGHT_0_SEQUENCE"],
        forward_tm=round(result["PRIMER_LEFT_0_TM"], 1),
        reverse_tm=round(result["PRIMER_RIGHT_0_TM"], 1),
        forward_gc=round(result["PRIMER_LEFT_0_GC_PERCENT"], 1),
        reverse_gc=round(result["PRIMER_RIGHT_0_GC_PERCENT"], 1),
        product_size=int(result["PRIMER_PAIR_0_PRODUCT_SIZE"]),
        forward_exon=exons_of(layout, f_start, f_start + f_len),
        reverse_exon=exons_of(layout, r_end - r_len, r_end),
        forward_start=f_start,
        reverse_end=r_end,
        amplicon=amplicon,
        placement=placement,
    )
