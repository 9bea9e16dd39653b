"""Pictures of wrong arrays: one example and channel of a wrong array output, expected and got side by side
with where they differ, so a leftover row, a border, a shifted window or a constant offset shows at a glance.

``first_wrong`` takes a ``Picture`` from the outputs (judging, public cases only), ``grid`` draws it as text
(x = wrong, . = right) for the text report, ``heatmap`` as the cells of three HTML tables for the batch's
feedback pages (colours from a small built-in copy of matplotlib's viridis and RdBu_r, no matplotlib import:
milliseconds a picture), and ``png`` as matplotlib heatmaps for a notebook's grade cell (matplotlib imported
only when one is drawn, about 0.3 s a picture).
"""
from __future__ import annotations

import functools
import io
import math
import textwrap
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .compare import compare

CROP = 12  # at most CROP x CROP values around the first wrong one
Values = tuple[tuple[float | None, ...], ...]  # rows x columns; None: not a finite number


@dataclass(frozen=True)
class Picture:
    """A crop of one 2-D slice of a wrong array output: expected and got values and which of them are wrong."""

    output: str  # the output's name: "Z", "dA_prev", "mask"
    index: tuple[int | None, ...]  # the slice: None on the pictured axes, e.g. (0, None, None, 3) for Z[0, :, :, 3]
    top: int  # the crop's first row and column within the slice
    left: int
    expected: Values
    got: Values
    wrong: tuple[tuple[bool, ...], ...]

    @property
    def label(self) -> str:
        """What the picture shows of the output: "Z[0, :, :, 3]", or "mask" for a whole 2-D output."""
        if all(axis is None for axis in self.index):
            return self.output
        return f"{self.output}[{', '.join(':' if axis is None else str(axis) for axis in self.index)}]"

    @property
    def caption(self) -> str:
        """E.g. "Z[0, :, :, 3] (rows 0-4, columns 0-6)"."""
        rows, columns = len(self.wrong), len(self.wrong[0])
        return (f"{self.label} (rows {self.top}-{self.top + rows - 1}, "
                f"columns {self.left}-{self.left + columns - 1})")

    def to_dict(self) -> dict:
        """The picture as JSON data (plain lists)."""
        return {"output": self.output, "index": list(self.index), "top": self.top, "left": self.left,
                "expected": [list(row) for row in self.expected], "got": [list(row) for row in self.got],
                "wrong": [list(row) for row in self.wrong]}

    @classmethod
    def from_dict(cls, data: dict) -> Picture:
        """The inverse of ``to_dict``; raises ValueError when ``data`` is not a picture."""
        try:
            picture = cls(data["output"], tuple(data["index"]), data["top"], data["left"],
                          _rows(data["expected"]), _rows(data["got"]), tuple(tuple(row) for row in data["wrong"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a picture: {error!r}") from None
        shape = (len(picture.wrong), len(picture.wrong[0]) if picture.wrong else 0)
        well_formed = (
            isinstance(picture.output, str) and all(axis is None or _is_int(axis) for axis in picture.index)
            and _is_int(picture.top) and _is_int(picture.left) and shape[1] > 0
            and all(_shape(values) == shape for values in (picture.expected, picture.got, picture.wrong))
            and all(isinstance(flag, bool) for row in picture.wrong for flag in row)
            and all(value is None or isinstance(value, float) for values in (picture.expected, picture.got)
                    for row in values for value in row))
        if not well_formed:
            raise ValueError("not a picture: wrong types or rows of different lengths")
        return picture


def first_wrong(expected: dict, got: dict, rtol: float, atol: float) -> Picture | None:
    """The picture of the first output (in ``expected``'s order) that ``compare`` finds wrong, when that output
    is an array of the right shape with wrong values; None otherwise."""
    for name, want in expected.items():
        if compare(want, got.get(name), rtol, atol) is not None:
            return picture_of(name, want, got.get(name), rtol, atol)
    return None


def picture_of(name: str, expected, got, rtol: float, atol: float) -> Picture | None:
    """The slice of ``got`` vs ``expected`` that holds their first differing value, cropped around it.

    Arrays (m, n_H, n_W, n_C) show [i, :, :, c], (n_H, n_W, n_C) show [:, :, c], (n_H, n_W) show all, where
    i and c are the first wrong value's; None for other values, other shapes, or a slice of one value.
    """
    if not (isinstance(expected, np.ndarray) and isinstance(got, np.ndarray) and expected.shape == got.shape
            and expected.ndim in (2, 3, 4) and got.dtype.kind in "biuf"):
        return None
    want, have = expected.astype(np.float64), got.astype(np.float64)
    wrong = ~np.isclose(have, want, rtol=rtol, atol=atol)
    if not wrong.any():
        return None
    first = np.argwhere(wrong)[0]
    rows, columns = (1, 2) if expected.ndim == 4 else (0, 1)
    index = tuple(None if axis in (rows, columns) else int(first[axis]) for axis in range(expected.ndim))
    where = tuple(slice(None) if axis is None else axis for axis in index)
    if want[where].size < 2:
        return None
    top, left = (_start(int(first[axis]), expected.shape[axis]) for axis in (rows, columns))
    crop = (slice(top, top + CROP), slice(left, left + CROP))
    return Picture(name, index, top, left, _values(want[where][crop]), _values(have[where][crop]),
                   tuple(tuple(bool(flag) for flag in row) for row in wrong[where][crop]))


def grid(picture: Picture) -> list[str]:
    """The crop as rows of "x" (wrong) and "." (right), one character per value, space-separated."""
    return [" ".join("x" if flag else "." for flag in row) for row in picture.wrong]


def png(picture: Picture, title: str = "") -> bytes:
    """Three heatmaps, expected | got | got - expected with an x on each wrong value (blank where right), as PNG
    bytes (Agg, no pyplot, no metadata: the same picture gives the same bytes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure
    from matplotlib.patheffects import withStroke
    from matplotlib.ticker import MaxNLocator

    expected, got = (np.array(values, dtype=np.float64) for values in (picture.expected, picture.got))
    wrong = np.array(picture.wrong)
    rows, columns = wrong.shape
    extent = (picture.left - 0.5, picture.left + columns - 0.5, picture.top + rows - 0.5, picture.top - 0.5)
    finite = np.concatenate([expected[np.isfinite(expected)], got[np.isfinite(got)]])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    difference = np.where(wrong, got - expected, np.nan)
    sizes = np.abs(difference[np.isfinite(difference)])
    reach = float(sizes.max()) if sizes.size else 1.0  # > 0: a wrong value differs by more than atol

    figure = Figure(figsize=(9.6, 3.4), layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(textwrap.fill(title or picture.caption, 100), fontsize=10)
    panels = ((expected, "expected", "viridis", {"vmin": low, "vmax": high}),
              (got, "got", "viridis", {"vmin": low, "vmax": high}),
              (difference, "got - expected, x = wrong", "RdBu_r",
               {"norm": TwoSlopeNorm(0.0, -reach, reach)}))
    for axes, (values, name, colours, scale) in zip(figure.subplots(1, 3), panels):
        image = axes.imshow(values, cmap=colours, extent=extent, interpolation="nearest", **scale)
        axes.set_title(name, fontsize=10)
        axes.set_xlabel("column")
        axes.set_ylabel("row")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        figure.colorbar(image, ax=axes, shrink=0.8)
    marked_rows, marked_columns = np.nonzero(wrong)  # an x on every wrong value, however small its difference
    axes.scatter(marked_columns + picture.left, marked_rows + picture.top, marker="x", color="black",
                 s=max(8, 600 // max(rows, columns)), linewidths=1,
                 path_effects=[withStroke(linewidth=3, foreground="white")])  # seen on dark cells too
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    return buffer.getvalue()


# -- HTML heatmaps ----------------------------------------------------------------------------------------------

# matplotlib's colour maps, so a page's heatmap looks like ``png``'s: viridis's every 5th of its 256 colours
# (interpolated: within 1/255 of matplotlib's), RdBu's 11 ColorBrewer colours (exactly as matplotlib's).
_VIRIDIS = """
    440154 46085c 471063 481769 481d6f 482475 472a7a 46307e 453781 433d84 414287 3f4889 3d4e8a 3a538b
    38598c 355e8d 33638d 31688e 2e6d8e 2c718e 2a768e 297b8e 27808e 25848e 23898e 218e8d 20928c 1f978b
    1e9c89 1fa188 21a585 24aa83 28ae80 2eb37c 35b779 3dbc74 46c06f 50c46a 5ac864 65cb5e 70cf57 7cd250
    89d548 95d840 a2da37 b0dd2f bddf26 cae11f d8e219 e5e419 f1e51d fde725"""
_RDBU_R = "053061 2166ac 4393c3 92c5de d1e5f0 f7f7f7 fddbc7 f4a582 d6604d b2182b 67001f"
NOT_FINITE = "#a0a0a0"  # a nan or inf value: a grey in neither colour map
BLANK = "#ffffff"  # a right value in the difference panel, as the PNG leaves it
Colours = Literal["viridis", "RdBu_r"]


@dataclass(frozen=True)
class Cell:
    """One value of a panel as a table cell shows it."""

    background: str  # "#rrggbb"
    foreground: str  # "#000000" or "#ffffff", whichever reads better on ``background``
    mark: str  # shown in the cell: "x" on a wrong value of the difference panel, "" elsewhere
    text: str  # for a tooltip and a screen reader: the exact value "0.25", "nan/inf", "wrong, -0.5", "right, 0.0"


@dataclass(frozen=True)
class Swatch:
    """One end of a colour scale: the value it stands for and its colour."""

    value: str
    background: str
    foreground: str


@dataclass(frozen=True)
class Scale:
    """A panel's legend: its lowest and highest colour, and a CSS gradient through the colour map between."""

    colours: Colours
    low: Swatch
    high: Swatch
    gradient: str  # "linear-gradient(to right, #440154, ..., #fde725)"


@dataclass(frozen=True)
class Panel:
    """One of the heatmap's three tables: expected, got, or got - expected."""

    title: str
    rows: tuple[tuple[Cell, ...], ...]
    scale: Scale


@dataclass(frozen=True)
class Heatmap:
    """A picture as three tables of coloured cells, headed by the slice's row and column numbers."""

    caption: str  # the picture's: "Z[0, :, :, 3] (rows 0-4, columns 0-6)"
    row_numbers: tuple[int, ...]  # picture.top, picture.top + 1, ...
    column_numbers: tuple[int, ...]  # picture.left, ...
    panels: tuple[Panel, Panel, Panel]  # expected, got, got - expected with an x on each wrong value
    not_finite: Swatch | None  # the colour of a nan or inf value, when a cell holds one


def heatmap(picture: Picture) -> Heatmap:
    """The three heatmaps ``png`` draws, as table cells: expected and got on one viridis scale over their finite
    values, got - expected on RdBu_r centred on 0 and reaching the largest wrong difference either way, with an
    x on each wrong value and blank where right. Pure and fast: no matplotlib."""
    expected, got = (np.array(values, dtype=np.float64) for values in (picture.expected, picture.got))
    wrong = np.array(picture.wrong, dtype=bool)
    rows, columns = wrong.shape
    finite = np.concatenate([expected[np.isfinite(expected)], got[np.isfinite(got)]])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    difference = got - expected
    sizes = np.abs(difference[wrong & np.isfinite(difference)])
    reach = float(sizes.max()) if sizes.size else 1.0

    def value_panel(title: str, values: np.ndarray, given: Values) -> Panel:
        colours = _colour(values, "viridis", low, high)
        cells = tuple(tuple(Cell(colour, _readable(colour), "", "nan/inf" if value is None else repr(value))
                            for colour, value in zip(colour_row, value_row))
                      for colour_row, value_row in zip(colours, given))  # nan/inf: NOT_FINITE
        return Panel(title, cells, _scale("viridis", low, high))

    colours = _colour(difference, "RdBu_r", -reach, reach)
    cells = []
    for r in range(rows):
        row = []
        for c in range(columns):
            finite_here = picture.expected[r][c] is not None and picture.got[r][c] is not None
            said = repr(float(difference[r, c])) if finite_here else "nan/inf"
            if wrong[r, c]:  # NOT_FINITE when got or expected is nan or inf
                row.append(Cell(colours[r][c], _readable(colours[r][c]), "x", f"wrong, {said}"))
            else:
                row.append(Cell(BLANK, _readable(BLANK), "", f"right, {said}"))
        cells.append(tuple(row))
    return Heatmap(
        picture.caption, tuple(range(picture.top, picture.top + rows)),
        tuple(range(picture.left, picture.left + columns)),
        (value_panel("expected", expected, picture.expected), value_panel("got", got, picture.got),
         Panel("got - expected, x = wrong", tuple(cells), _scale("RdBu_r", -reach, reach))),
        Swatch("nan/inf", NOT_FINITE, _readable(NOT_FINITE))
        if any(value is None for values in (picture.expected, picture.got) for row in values for value in row)
        else None)


def colour_map(colours: Colours) -> np.ndarray:
    """The built-in copy of a matplotlib colour map: its anchor colours, (n, 3) RGB in 0-1, first to last."""
    table = _VIRIDIS if colours == "viridis" else _RDBU_R
    return np.array([[int(code[i:i + 2], 16) for i in (0, 2, 4)] for code in table.split()], dtype=np.float64) / 255


def _colour(values: np.ndarray, colours: Colours, low: float, high: float) -> list[list[str]]:
    """Each value's "#rrggbb" on ``colours`` from ``low`` (its first colour) to ``high`` (its last), as
    matplotlib maps it: clipped, then one of 256 levels; nan gets NOT_FINITE."""
    anchors = colour_map(colours)
    with np.errstate(invalid="ignore", over="ignore"):
        fraction = (values - low) / (high - low) if high > low else np.zeros_like(values)
    level = np.clip(np.floor(np.nan_to_num(fraction, nan=0.0) * 256), 0, 255) / 255
    where = np.linspace(0.0, 1.0, len(anchors))
    rgb = np.stack([np.interp(level, where, anchors[:, k]) for k in range(3)], axis=-1)
    codes = np.round(rgb * 255).astype(int)
    return [[NOT_FINITE if not math.isfinite(value) else "#{:02x}{:02x}{:02x}".format(*code)
             for value, code in zip(row_values, row_codes)] for row_values, row_codes in zip(values, codes)]


def _scale(colours: Colours, low: float, high: float) -> Scale:
    ends = _colour(np.array([[low, high]]), colours, low, high)[0]
    anchors = ["#{:02x}{:02x}{:02x}".format(*np.round(rgb * 255).astype(int)) for rgb in colour_map(colours)]
    return Scale(colours, Swatch(_number(low), ends[0], _readable(ends[0])),
                 Swatch(_number(high), ends[1], _readable(ends[1])),
                 f"linear-gradient(to right, {', '.join(anchors)})")


def _number(value: float) -> str:
    return f"{value:.4g}"


@functools.lru_cache(maxsize=1024)
def _readable(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance)."""
    channels = [int(background[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def _start(position: int, length: int) -> int:
    """The first index of a CROP-long window of ``length`` that holds ``position``, about centred on it."""
    return max(0, min(position - CROP // 2, length - CROP))


def _values(array: np.ndarray) -> Values:
    return tuple(tuple(float(value) if math.isfinite(value) else None for value in row) for row in array.tolist())


def _rows(data) -> Values:
    return tuple(tuple(float(value) if isinstance(value, int) and not isinstance(value, bool) else value
                       for value in row) for row in data)


def _shape(values) -> tuple[int, int]:
    lengths = {len(row) for row in values}
    return (len(values), lengths.pop()) if len(lengths) == 1 else (len(values), -1)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
