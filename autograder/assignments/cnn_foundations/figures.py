"""Instructor-only: the static figure of cnn_foundations, section 2 (the 6x6 edge example).

The 6x6 example comes before Exercise 5, where the student writes ``correlate2d``; computing it in the
notebook would hand out that answer. It is drawn here, once, with the reference, and embedded as a PNG
attachment of a locked markdown cell of the source notebook. (The photo filtered by edge filters comes
after Exercise 5 and uses the student's own ``correlate2d`` in the notebook.) This module is never shipped:
nbgrader copies only solutions/cnn_foundations/ into the release, and the student kit holds no course package.

Re-render after changing the figure, then regenerate the release::

    .venv/bin/python -m autograder.assignments.cnn_foundations.figures
    .venv/bin/nbgrader generate_assignment cnn_foundations --force
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from cnn_reference.concepts import correlate2d, edge_filter

from ...figures import embed

SOURCE = Path(__file__).resolve().parents[3] / "solutions" / "cnn_foundations" / "cnn_foundations.ipynb"


def show_values(ax, values, title):
    # The notebook's own helper (cell figure_helpers): a small matrix as gray squares, numbers on top.
    low, high = values.min(), values.max()
    ax.imshow(values, vmin=low, vmax=high if high > low else low + 1)
    middle = (low + high) / 2
    for (row, col), value in np.ndenumerate(values):
        ax.text(col, row, f"{value:g}", ha="center", va="center", color="black" if value > middle else "white")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])


def edge_6x6():
    """The 6x6 half-bright image, the vertical edge filter and their 4x4 output, numbers written on top."""
    import matplotlib.pyplot as plt

    edge_image = np.zeros((6, 6))
    edge_image[:, :3] = 10.0                                    # bright left half, dark right half
    vertical_filter = edge_filter("vertical")
    edge_output = correlate2d(edge_image, vertical_filter)       # (4, 4)

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), layout="constrained")
    show_values(axes[0], edge_image, "image 6x6")
    show_values(axes[1], vertical_filter, "vertical filter 3x3")
    show_values(axes[2], edge_output, "output 4x4")
    return fig


# grade_id of the locked markdown cell -> (attachment name, figure)
FIGURES: dict[str, tuple[str, Callable]] = {
    "md_figure_edge_6x6": ("edge_6x6.png", edge_6x6),
}


if __name__ == "__main__":
    embed(SOURCE, FIGURES)
    print(f"embedded {', '.join(name for name, _ in FIGURES.values())} in {SOURCE}")
