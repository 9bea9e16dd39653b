"""Static figures for released notebooks (instructor side): a figure drawn with the reference, embedded as a
PNG attachment of a locked markdown cell, where computing it in the student's notebook would hand out a
graded function. Each assignment's ``figures.py`` draws its own; this module renders and embeds them."""
from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np

STYLE = {"image.interpolation": "nearest", "image.cmap": "gray"}  # the notebooks' setup cell
DPI = 100  # matplotlib's default, as the notebooks' inline figures


def png(draw: Callable) -> bytes:
    """The figure as the notebook would show it (tight bounding box), as a compact, reproducible PNG:
    8-bit grayscale when the figure has no colour, no metadata."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    with matplotlib.rc_context(STYLE):
        fig = draw()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
        plt.close(fig)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    red, green, blue = (np.asarray(channel) for channel in image.split())
    if np.array_equal(red, green) and np.array_equal(green, blue):
        image = image.convert("L")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def embed(notebook: Path, figures: dict[str, tuple[str, Callable]]) -> None:
    """Put each figure into its markdown cell's attachments; the cell's text must show it as
    ``![...](attachment:<name>)``."""
    import nbformat

    source = nbformat.read(notebook, as_version=4)
    cells = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in source.cells}
    for grade_id, (name, draw) in figures.items():
        cell = cells.get(grade_id)
        if cell is None or cell.cell_type != "markdown" or f"(attachment:{name})" not in cell.source:
            raise ValueError(f"{notebook.name}: no markdown cell {grade_id!r} showing attachment:{name}")
        cell["attachments"] = {name: {"image/png": base64.b64encode(png(draw)).decode("ascii")}}
    nbformat.write(source, notebook)
