"""pad_image pads the channel axis of an RGB image too."""
import numpy as np


def pad_image(image, top, bottom, left, right):
    widths = [(top, bottom), (left, right), (top, bottom)][: image.ndim]
    return np.pad(image, widths)
