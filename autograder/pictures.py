"""Pictures of wrong arrays: one example and channel of a wrong array output, expected and got side by side
with where they differ, so a leftover row, a border, a shifted window or a constant offset shows at a glance.

``first_wrong`` takes a ``Picture`` from the outputs (judging, public cases only), ``grid`` draws it as text
(x = wrong, . = right) and ``png`` as matplotlib heatmaps (imported only when one is drawn).
"""
from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass

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
