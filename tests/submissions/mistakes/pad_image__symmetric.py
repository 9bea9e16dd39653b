"""pad_image uses top and left for both sides of their axes."""
import numpy as np


def pad_image(image, top, bottom, left, right):
    widths = [(top, top), (left, left)] + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, widths)
