"""Reading frame of a fusion junction, from the CDS of each partner's canonical transcript.

The frame decides whether the 3' partner's protein is made, and a published exon number alone does not
tell it (BRD9 exon 8 -> NUTM1 exon 3 is out of frame while exons 3 and 14 are in frame), so it is computed
from the GTF's CDS segments of the transcripts :mod:`allfuse.exons` chose:

* phase of the 5' side = coding bases of the 5' transcript up to and including ``pos_5p``, mod 3;
* phase of the 3' side = coding bases of the 3' transcript before ``pos_3p``, mod 3;
* 'in-frame' when equal, else 'out-of-frame'.

Counts are taken relative to the first codon, i.e. a CDS that starts mid-codon (first segment with a
non-zero GTF phase, ``cds_start_NF``) is corrected by that phase.

When the frame cannot be said the column holds the reason, checked in this order: 'no canonical
transcript', 'non-coding transcript', 'intronic breakpoint', 'breakpoint outside transcript',
"5' breakpoint in UTR" (before the start or after the end of the 5' CDS), "3' breakpoint in UTR".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allfuse.gtf import Annotation
from allfuse.tables import EXON_OUTPUT_COLUMNS

IN_FRAME = "in-frame"
OUT_OF_FRAME = "out-of-frame"
NO_TRANSCRIPT = "no canonical transcript"
NON_CODING = "non-coding transcript"
INTRONIC = "intronic breakpoint"
OUTSIDE = "breakpoint outside transcript"
UTR_5P = "5' breakpoint in UTR"
UTR_3P = "3' breakpoint in UTR"


@dataclass(frozen=True)
class Cds:
    """CDS segments of one transcript in a coordinate that grows 5'->3' (negated on the minus strand)."""

    starts: np.ndarray
    ends: np.ndarray
    sign: int
    first_phase: int

    def coding_through(self, pos: int) -> int:
        """Coding bases at or upstream of ``pos`` in transcript direction."""
        t = self.sign * pos
        return int(np.clip(t - self.starts + 1, 0, self.ends - self.starts + 1).sum())

    def before_start(self, pos: int) -> bool:
        return self.sign * pos < self.starts[0]

    def after_end(self, pos: int) -> bool:
        return self.sign * pos > self.ends[-1]


def cds_models(ann: Annotation, transcript_ids: set[str]) -> dict[str, Cds]:
    """CDS of the given transcripts only (a real GTF has ~800k CDS lines)."""
    cds = ann.cds[ann.cds["transcript_id"].isin(transcript_ids)]
    out: dict[str, Cds] = {}
    for tid, grp in cds.groupby("transcript_id", sort=False):
        sign = -1 if str(grp["strand"].iloc[0]) == "-" else 1
        grp = grp.sort_values("start", ascending=(sign == 1))
        starts = grp["end"].to_numpy(np.int64) * -1 if sign == -1 else grp["start"].to_numpy(np.int64)
        ends = grp["start"].to_numpy(np.int64) * -1 if sign == -1 else grp["end"].to_numpy(np.int64)
        phase = grp["phase"].iloc[0]
        out[str(tid)] = Cds(starts, ends, sign, 0 if pd.isna(phase) else int(phase))
    return out


def junction_frame(row: pd.Series, cds: dict[str, Cds]) -> str:
    """Frame label (or the reason there is none) for one annotated event."""
    t5, t3 = row["transcript_5p"], row["transcript_3p"]
    if not t5 or not t3:
        return NO_TRANSCRIPT
    c5, c3 = cds.get(t5), cds.get(t3)
    if c5 is None or c3 is None:
        return NON_CODING
    if pd.isna(row["exon_5p"]) or pd.isna(row["exon_3p"]):
        intronic = not pd.isna(row["intron_5p"]) or not pd.isna(row["intron_3p"])
        return INTRONIC if intronic else OUTSIDE
    pos5, pos3 = int(row["pos_5p"]), int(row["pos_3p"])
    if c5.before_start(pos5) or c5.after_end(pos5):
        return UTR_5P
    if c3.before_start(pos3) or c3.after_end(pos3):
        return UTR_3P
    phase5 = (c5.coding_through(pos5) - c5.first_phase) % 3
    phase3 = (c3.coding_through(pos3 - c3.sign) - c3.first_phase) % 3
    return IN_FRAME if phase5 == phase3 else OUT_OF_FRAME


def reading_frame(events: pd.DataFrame, ann: Annotation) -> pd.DataFrame:
    """A copy of ``events`` with a ``reading_frame`` column.

    The frame is read on the transcripts and exons :func:`allfuse.exons.annotate_exons` chose, so
    ``events`` must already carry its columns: computing them again here could only repeat that work
    (or, with other resources, disagree with it).
    """
    missing = [c for c in EXON_OUTPUT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(
            f"reading_frame needs the exon columns of allfuse.exons.annotate_exons; missing: {', '.join(missing)}"
        )
    out = events.copy()
    if out.empty:
        out["reading_frame"] = pd.Series(dtype=object)
        return out
    wanted = set(out["transcript_5p"]) | set(out["transcript_3p"])
    cds = cds_models(ann, {t for t in wanted if t})
    out["reading_frame"] = [junction_frame(row, cds) for _, row in out.iterrows()]
    return out
