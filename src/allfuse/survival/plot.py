"""The Kaplan-Meier figure: one step curve per group, censoring ticks, numbers at risk under the axis.

Same data, same bytes: the SVG id salt and both files' metadata are fixed and the font is the
DejaVu Sans that ships with matplotlib, so a rerun does not show up as a change.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from allfuse.io import atomic_write
from allfuse.survival import km

COLOURS = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
RC = {
    "svg.hashsalt": "allfuse",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "path.simplify": False,
}


def km_figure(
    data: pd.DataFrame,
    order: list[str],
    per_year: float,
    title: str,
    ylabel: str,
    note: str,
    svg: Path,
    png: Path,
) -> None:
    """Write the figure as SVG and PNG (x axis in years; ``data``: group, time, event)."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(9.0, 4.8 + 0.18 * len(order)))
        bottom = 0.16 + 0.045 * len(order)
        ax = fig.add_axes((0.2, bottom, 0.42, 0.9 - bottom))
        years = data["time"] / per_year
        end = max(1.0, math.ceil(float(years.max()))) if len(data) else 1.0
        step = 1.0 if end <= 10 else math.ceil(end / 10)
        ticks = np.arange(0.0, end + step / 2, step)
        table = blended_transform_factory(ax.transData, ax.transAxes)
        label_pos = blended_transform_factory(ax.transAxes, ax.transAxes)
        row_gap = 0.055 * 4.8 / (fig.get_figheight() * (0.9 - bottom))
        first_row = -0.16 - row_gap
        ax.text(
            -0.07,
            first_row + row_gap,
            "Number at risk",
            transform=label_pos,
            ha="right",
            va="center",
            fontweight="bold",
        )
        for i, group in enumerate(order):
            colour = COLOURS[i % len(COLOURS)]
            sub = data[data["group"] == group]
            t = sub["time"].to_numpy(dtype=float) / per_year
            fit = km.fit(t, sub["event"])
            curve = fit.survival_function_.iloc[:, 0]
            x = np.append(curve.index.to_numpy(dtype=float), t.max())
            y = np.append(curve.to_numpy(dtype=float), curve.iloc[-1])
            ax.step(
                x,
                y,
                where="post",
                color=colour,
                linewidth=1.4,
                label=f"{group} (n={len(sub)}, events={int(sub['event'].sum())})",
            )
            censored = np.sort(t[sub["event"].to_numpy() == 0])
            if len(censored):
                ax.plot(
                    censored,
                    fit.survival_function_at_times(censored).to_numpy(),
                    linestyle="none",
                    marker="|",
                    markersize=6,
                    color=colour,
                )
            y_row = first_row - i * row_gap
            ax.text(-0.07, y_row, group, transform=label_pos, ha="right", va="center", color=colour)
            for tick in ticks:
                ax.text(
                    tick,
                    y_row,
                    str(int((t >= tick).sum())),
                    transform=table,
                    ha="center",
                    va="center",
                    color=colour,
                )
        ax.set_xlim(0, end)
        ax.set_xticks(ticks)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("Years from diagnosis")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        ax.text(1.02, 0.02, note, transform=ax.transAxes, ha="left", va="bottom")
        _save(fig, svg, "svg", {"Date": None, "Creator": None})
        _save(fig, png, "png", {"Software": None})


def _save(fig, path: Path, fmt: str, metadata: dict) -> None:
    """Atomically: written under a temporary name, then renamed."""
    with atomic_write(path, binary=True) as fh:
        fig.savefig(fh, format=fmt, metadata=metadata, dpi=150, bbox_inches="tight")
