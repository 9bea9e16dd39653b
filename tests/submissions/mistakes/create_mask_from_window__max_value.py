"""create_mask_from_window returns the maximum value instead of a boolean mask."""
import numpy as np


def create_mask_from_window(x):
    mask = np.max(x)
    return mask
