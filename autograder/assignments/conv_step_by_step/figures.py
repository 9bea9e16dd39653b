"""Instructor-only: the static figures of conv_step_by_step, section 1 (edge detection).

Section 1 shows what a filter does before the student has written any convolution, so its two figures
cannot be computed in the student's notebook without handing out a 2-D convolution (the graded
``correlate2d`` of cnn_foundations). They are drawn here, once, with the reference, and embedded as PNG
attachments of two locked markdown cells of the source notebook. This module is never shipped: nbgrader
copies only solutions/conv_step_by_step/ into the release, and the student kit holds no course package.

Re-render after changing a figure, then regenerate the release::

    .venv/bin/python -m autograder.assignments.conv_step_by_step.figures
    .venv/bin/nbgrader generate_assignment conv_step_by_step --force
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from cnn_reference.concepts import correlate2d

from ...figures import embed

SOURCE = Path(__file__).resolve().parents[3] / "solutions" / "conv_step_by_step" / "conv_step_by_step.ipynb"


def edge_6x6():
    """The 6x6 half-bright image, the vertical edge filter and their 4x4 output, numbers written on top."""
    import matplotlib.pyplot as plt

    edge_image = np.zeros((6, 6))
    edge_image[:, :3] = 10.0                                    # bright left half, dark right half
    vertical_filter = np.array([[1.0, 0.0, -1.0]] * 3)
    edge_output = correlate2d(edge_image, vertical_filter)       # (4, 4)

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), layout="constrained")
    panels = [(edge_image, "image 6x6"), (vertical_filter, "vertical filter 3x3"), (edge_output, "output 4x4")]
    for ax, (values, title) in zip(axes, panels):
        ax.imshow(values, vmin=values.min(), vmax=values.max() if values.max() > values.min() else 1)
        middle = (values.min() + values.max()) / 2
        for (row, col), value in np.ndenumerate(values):
            ax.text(col, row, f"{value:g}", ha="center", va="center",
                    color="black" if value > middle else "white")
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def grace_hopper(step: int) -> np.ndarray:
    """matplotlib's sample photo in grayscale, keeping every ``step``-th row and column."""
    import matplotlib.cbook as cbook
    import matplotlib.pyplot as plt

    with cbook.get_sample_data("grace_hopper.jpg") as file:
        rgb = plt.imread(file).astype(np.float64) / 255.0        # (600, 512, 3)
    return (rgb @ np.array([0.299, 0.587, 0.114]))[::step, ::step]


def edges_picture():
    """The photo filtered by the vertical, horizontal, Sobel and Scharr kernels, and Sobel in both directions."""
    import matplotlib.pyplot as plt

    picture = grace_hopper(2)                                    # (300, 256)
    kernels = {
        "vertical": np.array([[1.0, 0.0, -1.0]] * 3),
        "horizontal": np.array([[1.0, 0.0, -1.0]] * 3).T,
        "Sobel (vertical)": np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]),
        "Scharr (vertical)": np.array([[3.0, 0.0, -3.0], [10.0, 0.0, -10.0], [3.0, 0.0, -3.0]]),
    }
    fig, axes = plt.subplots(2, 3, figsize=(11, 8), layout="constrained")
    axes = axes.ravel()
    axes[0].imshow(picture)
    axes[0].set_title(f"original {picture.shape[0]}x{picture.shape[1]}")
    for ax, (name, kernel) in zip(axes[1:], kernels.items()):
        ax.imshow(np.abs(correlate2d(picture, kernel)))
        ax.set_title(name)
    sobel = kernels["Sobel (vertical)"]
    axes[5].imshow(np.hypot(correlate2d(picture, sobel), correlate2d(picture, sobel.T)))
    axes[5].set_title("Sobel, both directions")
    for ax in axes:
        ax.axis("off")
    return fig


# grade_id of the locked markdown cell -> (attachment name, figure)
FIGURES: dict[str, tuple[str, Callable]] = {
    "md_figure_edge_6x6": ("edge_6x6.png", edge_6x6),
    "md_figure_edges_picture": ("edges_picture.png", edges_picture),
}


if __name__ == "__main__":
    embed(SOURCE, FIGURES)
    print(f"embedded {', '.join(name for name, _ in FIGURES.values())} in {SOURCE}")
