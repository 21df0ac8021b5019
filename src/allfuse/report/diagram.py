"""SVG diagram of one fusion: both partners' MANE exon structures, the breakpoints, the fused transcript.

Drawn in transcript direction (5' left, 3' right) whatever the genomic strand, which is written beside
each gene, because that is how exon numbers are read. Exons are to scale among themselves, introns are
shrunk to a fixed gap (otherwise KMT2A's 36 exons would be slivers in 90 kb of intron), and every exon
has a minimum width so its number stays legible.

The output is a pure function of its input: fixed layout, numbers rounded to one decimal, no random
or time-dependent IDs, so the same fusion gives the same bytes (tests compare bytes).

Elements tests and readers can find: ``text.exon-number`` (the exon's number, ``data-gene``,
``data-exon``), ``line.breakpoint`` (``data-gene``, ``data-side``, ``data-exon`` or ``data-intron``),
``line.junction`` on the fused transcript, ``rect.exon.retained`` for exons kept in the fusion.

Nothing is drawn over a label: the breakpoint line stops at the exon boxes and resumes below the row of
exon numbers (``line.breakpoint-leader``) down to its label, which turns to the other side of the line
when it would run off the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from allfuse.report.nomenclature import ManeTables, ManeTranscript, Side

WIDTH = 960
LEFT = 150  # room for the gene label
RIGHT = 20
TRACK = WIDTH - LEFT - RIGHT
EXON_H = 18
COLOUR = {"5p": "#2c5fa8", "3p": "#c2571a"}
GREY = "#d5d8dc"
NUMBER_ROW = 11  # baseline of the exon numbers below the boxes (font-size 9)
NUMBER_STAGGER = 9  # second row of numbers when exons are too narrow for one
LABEL_CHAR = 6.2  # width of one character of the 10 px bold breakpoint label (Helvetica, generous)


@dataclass(frozen=True)
class DiagramSide:
    """One partner as drawn: its junction side, where it lies in the genome, and its MANE structure."""

    side: Side
    chrom: str
    strand: str
    mane: ManeTranscript | None


def _f(x: float) -> str:
    """Fixed rounding so the bytes never depend on float noise."""
    text = f"{x:.1f}"
    return text.removesuffix(".0")


def layout(lengths: list[int], width: float) -> list[tuple[float, float]]:
    """(x, w) of each exon: to scale, with a minimum width and a fixed intron gap."""
    n = len(lengths)
    if n == 0:
        return []
    gap = min(6.0, width * 0.25 / max(n - 1, 1)) if n > 1 else 0.0
    min_w = min(9.0, width * 0.4 / n)
    free = width - gap * (n - 1) - min_w * n
    total = float(sum(lengths)) or 1.0
    out, x = [], 0.0
    for length in lengths:
        w = min_w + free * length / total
        out.append((x, w))
        x += w + gap
    return out


def retained(side: Side, n: int, is_5p: bool) -> range:
    """Exon numbers kept in the fusion (1-based); empty when the breakpoint is not placed."""
    if side.exon is not None:
        return range(1, side.exon + 1) if is_5p else range(side.exon, n + 1)
    if side.intron is not None:
        return range(1, side.intron + 1) if is_5p else range(side.intron + 1, n + 1)
    return range(0)


def is_crowded(boxes: list[tuple[float, float]]) -> bool:
    """Exons too narrow for their numbers side by side: every other number goes on a second row."""
    return any(w + 6 < 15 for _, w in boxes)


def numbers_bottom(boxes: list[tuple[float, float]]) -> float:
    """How far below the exon boxes the exon numbers reach (their last baseline plus descent)."""
    return NUMBER_ROW + (NUMBER_STAGGER if is_crowded(boxes) else 0) + 3


def _exon_boxes(
    lengths: list[int],
    numbers: list[int],
    sides: list[str],
    kept: list[bool],
    gene_of: list[str],
    x0: float,
    y: float,
    width: float,
) -> tuple[list[str], list[tuple[float, float]]]:
    boxes = layout(lengths, width)
    out = []
    crowded = is_crowded(boxes)
    for i, ((x, w), num, sd, keep, gene) in enumerate(zip(boxes, numbers, sides, kept, gene_of, strict=True)):
        fill = COLOUR[sd] if keep else GREY
        cls = "exon retained" if keep else "exon"
        out.append(
            f'<rect class="{cls}" data-gene="{escape(gene)}" data-exon="{num}" x="{_f(x0 + x)}" y="{_f(y)}" '
            f'width="{_f(w)}" height="{EXON_H}" fill="{fill}" stroke="#555" stroke-width="0.5"/>'
        )
        ty = y + EXON_H + NUMBER_ROW + (NUMBER_STAGGER if crowded and i % 2 else 0)
        out.append(
            f'<text class="exon-number" data-gene="{escape(gene)}" data-exon="{num}" x="{_f(x0 + x + w / 2)}" '
            f'y="{_f(ty)}" font-size="9" text-anchor="middle" fill="#222">{num}</text>'
        )
    return out, [(x0 + x, w) for x, w in boxes]


def _gene_track(d: DiagramSide, key: str, y: float) -> list[str]:
    is_5p = key == "5p"
    gene = d.side.gene
    strand_text = {"+": "+ strand", "-": "\u2212 strand"}.get(d.strand, "strand ?")
    role = "5\u2032 partner" if is_5p else "3\u2032 partner"
    out = [
        (
            f'<text x="8" y="{_f(y + 7)}" font-size="13" font-weight="bold" fill="{COLOUR[key]}">'
            f"{escape(gene)}</text>"
        ),
        f'<text x="8" y="{_f(y + 21)}" font-size="9" fill="#444">{role}</text>',
        (
            f'<text class="strand" x="8" y="{_f(y + 33)}" font-size="9" fill="#444">'
            f"{escape(d.chrom)} {strand_text}</text>"
        ),
    ]
    if d.mane is None:
        out.append(
            f'<text x="{LEFT}" y="{_f(y + 13)}" font-size="11" fill="#666">exon structure not in allfuse\u2019s '
            f"MANE table ({escape(d.side.transcript or 'no transcript')})</text>"
        )
        return out
    t = d.mane
    n = t.exon_count
    keep = set(retained(d.side, n, is_5p))
    nums = list(range(1, n + 1))
    y_box = y
    out.append(
        f'<line x1="{LEFT}" y1="{_f(y_box + EXON_H / 2)}" x2="{LEFT + TRACK}" y2="{_f(y_box + EXON_H / 2)}" '
        'stroke="#777" stroke-width="1"/>'
    )
    boxes, pos = _exon_boxes(
        list(t.exon_lengths), nums, [key] * n, [i in keep for i in nums], [gene] * n, LEFT, y_box, TRACK
    )
    out += boxes
    out.append(
        f'<text x="{LEFT - 4}" y="{_f(y_box + 13)}" font-size="9" text-anchor="end" fill="#444">5\u2032</text>'
    )
    out.append(f'<text x="{LEFT + TRACK + 3}" y="{_f(y_box + 13)}" font-size="9" fill="#444">3\u2032</text>')
    out += _breakpoint(d.side, key, pos, y_box, numbers_bottom(layout(list(t.exon_lengths), TRACK)))
    out.append(
        f'<text x="{LEFT}" y="{_f(y_box - 6)}" font-size="9" fill="#444">{escape(t.ensembl)} / '
        f"{escape(t.refseq)} (MANE Select, {n} exons, drawn 5\u2032\u21923\u2032; introns not to scale)</text>"
    )
    return out


def _breakpoint(side: Side, key: str, pos: list[tuple[float, float]], y: float, below: float) -> list[str]:
    """The breakpoint line over the exon boxes, a leader below the exon numbers, and the label.

    ``below``: how far under the boxes the exon numbers reach; the line leaves that band free.
    """
    is_5p = key == "5p"
    n = len(pos)
    if side.exon is not None and 1 <= side.exon <= n:
        x, w = pos[side.exon - 1]
        if side.boundary is False:
            bx, attr, label = x + w / 2, f'data-exon="{side.exon}"', f"within exon {side.exon}"
        else:
            bx = x + w if is_5p else x
            attr = f'data-exon="{side.exon}"'
            label = f"after exon {side.exon}" if is_5p else f"before exon {side.exon}"
    elif side.intron is not None and 1 <= side.intron < n:
        x, w = pos[side.intron - 1]
        nx = pos[side.intron][0]
        bx, attr = (x + w + nx) / 2, f'data-intron="{side.intron}"'
        label = f"intron {side.intron}"
    else:
        return []
    text = f"breakpoint {label}"
    # 5' label to the left of the line, 3' to the right, unless it would leave the drawing.
    width = len(text) * LABEL_CHAR
    left = bx - 3 - width >= 0 if is_5p else bx + 3 + width > WIDTH
    anchor, tx = ("end", bx - 3) if left else ("start", bx + 3)
    leader_top, label_y = y + EXON_H + below, y + EXON_H + below + 14
    return [
        (
            f'<line class="breakpoint" data-gene="{escape(side.gene)}" data-side="{key}" {attr} x1="{_f(bx)}" '
            f'y1="{_f(y - 3)}" x2="{_f(bx)}" y2="{_f(y + EXON_H + 3)}" stroke="#d0021b" stroke-width="2" '
            'stroke-dasharray="4 2"/>'
        ),
        (
            f'<line class="breakpoint-leader" x1="{_f(bx)}" y1="{_f(leader_top)}" x2="{_f(bx)}" '
            f'y2="{_f(label_y + 2)}" stroke="#d0021b" stroke-width="2" stroke-dasharray="4 2"/>'
        ),
        (
            f'<text class="breakpoint-label" x="{_f(tx)}" y="{_f(label_y)}" font-size="10" font-weight="bold" '
            f'fill="#d0021b" text-anchor="{anchor}">{text}</text>'
        ),
    ]


def _fused_track(five: DiagramSide, three: DiagramSide, y: float, frame: str) -> list[str]:
    out = [
        f'<text x="8" y="{_f(y + 7)}" font-size="13" font-weight="bold" fill="#222">fused</text>',
        f'<text x="8" y="{_f(y + 21)}" font-size="9" fill="#444">transcript</text>',
    ]
    if five.mane is None or three.mane is None:
        out.append(f'<text x="{LEFT}" y="{_f(y + 13)}" font-size="11" fill="#666">not drawn</text>')
        return out
    k5 = list(retained(five.side, five.mane.exon_count, True))
    k3 = list(retained(three.side, three.mane.exon_count, False))
    if not k5 or not k3:
        out.append(
            f'<text x="{LEFT}" y="{_f(y + 13)}" font-size="11" fill="#666">breakpoint not placed</text>'
        )
        return out
    lengths = [five.mane.exon_lengths[i - 1] for i in k5] + [three.mane.exon_lengths[i - 1] for i in k3]
    sides = ["5p"] * len(k5) + ["3p"] * len(k3)
    genes = [five.side.gene] * len(k5) + [three.side.gene] * len(k3)
    out.append(
        f'<line x1="{LEFT}" y1="{_f(y + EXON_H / 2)}" x2="{LEFT + TRACK}" y2="{_f(y + EXON_H / 2)}" '
        'stroke="#777" stroke-width="1"/>'
    )
    boxes, pos = _exon_boxes(lengths, k5 + k3, sides, [True] * len(lengths), genes, LEFT, y, TRACK)
    out += boxes
    x_last, w_last = pos[len(k5) - 1]
    jx = (x_last + w_last + pos[len(k5)][0]) / 2
    out.append(
        f'<line class="junction" x1="{_f(jx)}" y1="{_f(y - 8)}" x2="{_f(jx)}" y2="{_f(y + EXON_H + 3)}" '
        'stroke="#d0021b" stroke-width="2"/>'
    )
    r5 = f"exons {k5[0]}\u2013{k5[-1]}" if len(k5) > 1 else f"exon {k5[0]}"
    tail = f" \u2014 {escape(frame)}" if frame else ""
    r3 = f"exons {k3[0]}\u2013{k3[-1]}" if len(k3) > 1 else f"exon {k3[0]}"
    out.append(
        f'<text x="{LEFT}" y="{_f(y + EXON_H + 36)}" font-size="11" fill="#222">'
        f"{escape(five.side.gene)} {r5} :: {escape(three.side.gene)} {r3}{tail}</text>"
    )
    return out


def fusion_svg(five: DiagramSide, three: DiagramSide, frame: str = "") -> str:
    """The whole diagram as one ``<svg>`` element (no XML prolog: it is inlined in HTML)."""
    name = f"{five.side.gene}::{three.side.gene}"
    height = 330
    body = [
        *_gene_track(five, "5p", 40),
        *_gene_track(three, "3p", 140),
        *_fused_track(five, three, 250, frame),
    ]
    return (
        f'<svg class="fusion-diagram" data-fusion="{escape(name)}" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        'font-family="Helvetica, Arial, sans-serif">'
        f"<title>{escape(name)} fusion: exon structures, breakpoints and fused transcript</title>"
        + "".join(body)
        + "</svg>"
    )


def diagram_side(row: dict, key: str, side: Side, tables: ManeTables) -> DiagramSide:
    return DiagramSide(
        side=side,
        chrom=str(row.get(f"chrom_{key}", "")),
        strand=str(row.get(f"strand_{key}", "")),
        mane=tables.find(side.gene, side.transcript),
    )
