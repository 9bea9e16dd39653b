"""PNG charts for the class report, drawn by matplotlib's Agg renderer (no display, no pyplot state)."""
from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLUMNS = 3


def histograms(panels: list[tuple[str, list[float], float]]) -> bytes:
    """One histogram per (title, scores, maximum): how many submissions scored what, from 0 to maximum."""
    rows = math.ceil(len(panels) / COLUMNS)
    figure = Figure(figsize=(4 * COLUMNS, 2.6 * rows))
    FigureCanvasAgg(figure)
    figure.subplots_adjust(left=0.05, right=0.98, bottom=0.25 / rows, top=1 - 0.15 / rows, hspace=0.6, wspace=0.25)
    for index, (title, scores, maximum) in enumerate(panels):
        axes = figure.add_subplot(rows, COLUMNS, index + 1)
        axes.hist(scores, bins=10, range=(0, maximum or 1), color="#4c72b0", edgecolor="white")
        axes.set_title(title, fontsize=10)
        axes.set_xlabel("points", fontsize=8)
        axes.set_ylabel("submissions", fontsize=8)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.tick_params(labelsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()
