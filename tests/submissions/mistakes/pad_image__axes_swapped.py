"""pad_image pads rows by left/right and columns by top/bottom."""
import numpy as np


def pad_image(image, top, bottom, left, right):
    widths = [(left, right), (top, bottom)] + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, widths)
