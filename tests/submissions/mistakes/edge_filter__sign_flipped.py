"""edge_filter puts the negative column on the left (dark-to-light)."""
import numpy as np


def edge_filter(name):
    weights = {"vertical": [1, 1, 1], "sobel": [1, 2, 1], "scharr": [3, 10, 3]}
    family, _, direction = name.rpartition("_")
    family = family or "vertical"
    if family not in weights or direction not in ("vertical", "horizontal"):
        raise ValueError(f"unknown filter {name}")
    column = np.array(weights[family], dtype=float)
    vertical = np.stack([-column, 0 * column, column], axis=1)
    return vertical if direction == "vertical" else vertical.T
