"""The class report's charts as geometry, for the page to draw as inline SVG (templates/report/charts.html.j2).

``distribution`` and ``pass_rates`` are pure functions of the numbers: they place every bar, tick, label and
marker in the chart's own pixel coordinates (origin top left, y down) and return frozen dataclasses; the
template only writes them out as <svg> elements (Jinja-escaped, so a function's name stays text). Nothing is
drawn here and nothing is imported to draw: no matplotlib, no numpy. The histogram's bins are numpy.histogram's
(20 equal bins over [0, maximum], each [low, high) but the last [low, high]); colours are matplotlib's
defaults, as the report's charts always had.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from autograder.reports.scores import points

BAR = "#4c72b0"
MEAN, MEDIAN = "#dd8452", "#55a868"
BINS = 20
WIDTH = 750  # px, like the 7.5 in at 100 dpi the PNG charts had
CHAR = 7.0  # px: about the width of a character of the 12 px labels, to leave room for the function names


@dataclass(frozen=True)
class Box:
    """A rectangle: the plotting area of a chart."""
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Tick:
    """A tick on an axis: where (x on a horizontal axis, y on a vertical one) and its label."""
    position: float
    label: str


@dataclass(frozen=True)
class Bin:
    """One bar of the histogram: the submissions whose total is in [low, high) ([low, high] for the last)."""
    low: float
    high: float
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def title(self) -> str:
        return f"{points(self.low)}-{points(self.high)} points: {self.count} submission{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class Marker:
    """A vertical line across the plot at ``value`` (the mean or the median), and its legend entry."""
    label: str  # "mean 8.75"
    value: float
    x: float
    colour: str
    dashed: bool


@dataclass(frozen=True)
class LegendEntry:
    """A marker's entry in a legend: a short line in its colour and style from (x, y), its label after it."""
    label: str
    colour: str
    dashed: bool
    x: float
    y: float


@dataclass(frozen=True)
class Histogram:
    """The distribution of the submissions' totals, with the mean and the median marked."""
    width: float
    height: float
    plot: Box
    bins: tuple[Bin, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]  # whole numbers of submissions
    markers: tuple[Marker, ...]  # mean, median
    legend: tuple[LegendEntry, ...]
    x_label: str
    y_label: str
    colour: str = BAR  # of the bars


@dataclass(frozen=True)
class RateBar:
    """One function's bar: the share of the submissions that passed it, labelled with its percentage."""
    name: str
    shown_name: str  # the name, shortened with "…" if it does not fit left of the plot
    passed: int
    submissions: int
    x: float
    y: float
    width: float
    height: float

    @property
    def rate(self) -> float:
        return self.passed / self.submissions if self.submissions else 0.0

    @property
    def percent(self) -> str:
        return f"{100 * self.rate:.0f}%"

    @property
    def title(self) -> str:
        return f"{self.name}: {self.passed} of {self.submissions} passed ({self.percent})"


@dataclass(frozen=True)
class PassRates:
    """Horizontal bars, one per function, first at the top, over 0-100%."""
    width: float
    height: float
    plot: Box
    bars: tuple[RateBar, ...]
    x_ticks: tuple[Tick, ...]  # 0, 20, ... 100
    x_label: str
    colour: str = BAR  # of the bars


def distribution(scores: Sequence[float], maximum: float, mean: float, median: float) -> Histogram:
    """A histogram of the submissions' totals from 0 to ``maximum`` in 20 bins, with the mean and the median
    marked (at the edge of the plot if outside [0, maximum])."""
    plot = Box(56, 30, WIDTH - 56 - 16, 240)
    top = maximum if maximum > 0 else 1
    counts = histogram(scores, top)
    step = _step(max(counts, default=0), most=6, whole=True)
    ceiling = max(step, math.ceil(max(counts, default=0) / step) * step)
    edges = _edges(top)

    def x(value: float) -> float:
        return plot.x + plot.width * min(max(value, 0), top) / top

    def height(count: float) -> float:
        return plot.height * count / ceiling

    bins = tuple(Bin(low, high, count, x(low), plot.bottom - height(count), x(high) - x(low), height(count))
                 for low, high, count in zip(edges, edges[1:], counts))
    markers = (Marker(f"mean {points(mean)}", mean, x(mean), MEAN, False),
               Marker(f"median {points(median)}", median, x(median), MEDIAN, True))
    legend_x = plot.right - sum(40 + CHAR * len(marker.label) for marker in markers)
    legend = []
    for marker in markers:  # in a row above the plot, right-aligned: never over a bar
        legend.append(LegendEntry(marker.label, marker.colour, marker.dashed, legend_x, plot.y - 14))
        legend_x += 40 + CHAR * len(marker.label)
    x_step = _step(top, most=10)
    return Histogram(
        WIDTH, plot.bottom + 46, plot, bins,
        tuple(Tick(x(value), points(value)) for value in _multiples(x_step, top)),
        tuple(Tick(plot.bottom - height(value), points(value)) for value in _multiples(step, ceiling)),
        markers, tuple(legend), "total points", "submissions")


def pass_rates(functions: Sequence[tuple[str, int, int]]) -> PassRates:
    """One horizontal bar per (function, submissions that passed it, submissions), first at the top."""
    longest = max((len(name) for name, _, _ in functions), default=0)
    left = min(max(16 + CHAR * longest, 60), 320)
    row = 32
    plot = Box(left, 10, WIDTH - left - 56, row * len(functions))  # 56 px right: room for "100%"
    fits = int((left - 16) // CHAR)
    bars = tuple(
        RateBar(name, name if len(name) <= fits else name[:fits - 1] + "…", passed, submissions, plot.x,
                plot.y + row * index + 0.1 * row,
                plot.width * (passed / submissions if submissions else 0.0), 0.8 * row)
        for index, (name, passed, submissions) in enumerate(functions))
    return PassRates(WIDTH, plot.bottom + 46, plot, bars,
                     tuple(Tick(plot.x + plot.width * percent / 100, str(percent)) for percent in range(0, 101, 20)),
                     "submissions that passed (%)")


def histogram(scores: Sequence[float], maximum: float) -> list[int]:
    """How many of ``scores`` fall in each of the 20 equal bins over [0, maximum], as numpy.histogram counts
    them: the same edges, each bin [low, high) but the last [low, high], scores outside left out."""
    edges = _edges(maximum)
    counts = [0] * BINS
    for score in scores:
        if edges[0] <= score <= edges[-1]:
            counts[min(bisect.bisect_right(edges, score) - 1, BINS - 1)] += 1
    return counts


def _edges(maximum: float) -> list[float]:
    """numpy.linspace(0, maximum, 21), exactly: each edge i * (maximum / 20), the last ``maximum`` itself."""
    step = maximum / BINS
    return [index * step for index in range(BINS)] + [float(maximum)]


def _step(span: float, most: int, whole: bool = False) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that cuts [0, span] in at most ``most`` steps (a
    whole number when ``whole``)."""
    if span <= 0:
        return 1
    power = math.floor(math.log10(span / most))
    for exponent in (power, power + 1):
        for mantissa in (1, 2, 2.5, 5):
            step = mantissa * 10.0 ** exponent
            if span / step <= most and (not whole or (step >= 1 and step == int(step))):
                return step
    return 10.0 ** (power + 2)


def _multiples(step: float, top: float) -> list[float]:
    """0, step, 2 step, ... up to ``top`` (give or take a rounding error)."""
    return [round(index * step, 9) for index in range(int(top / step + 1e-9) + 1)]
