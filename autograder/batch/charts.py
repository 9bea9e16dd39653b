"""PNG charts for the class report, drawn by matplotlib's Agg renderer (no display, no pyplot state).
matplotlib is imported only when a chart is drawn: a batch with nothing new to report never loads it."""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

from autograder.reports.scores import points

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BAR = "#4c72b0"
MEAN, MEDIAN = "#dd8452", "#55a868"


def distribution(scores: list[float], maximum: float, mean: float, median: float) -> bytes:
    """A histogram of the submissions' totals from 0 to ``maximum``, with the mean and the median marked."""
    figure, axes = _figure(7.5, 3.2)
    axes.hist(scores, bins=20, range=(0, maximum or 1), color=BAR, edgecolor="white")
    axes.axvline(mean, color=MEAN, linewidth=2, label=f"mean {points(mean)}")
    axes.axvline(median, color=MEDIAN, linewidth=2, linestyle="--", label=f"median {points(median)}")
    axes.set_xlabel("total points")
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(fontsize=9)
    return _png(figure)


def pass_rates(rates: list[tuple[str, float]]) -> bytes:
    """One horizontal bar per (function, fraction of submissions that passed it), first at the top."""
    figure, axes = _figure(7.5, 0.8 + 0.45 * len(rates))
    names, values = [name for name, _ in rates], [100 * rate for _, rate in rates]
    bars = axes.barh(range(len(rates)), values, color=BAR)
    axes.bar_label(bars, labels=[f"{value:.0f}%" for value in values], padding=3, fontsize=9)
    axes.set_yticks(range(len(rates)), names, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlim(0, 112)  # room for the label of a full bar
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("submissions that passed (%)")
    return _png(figure)


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
