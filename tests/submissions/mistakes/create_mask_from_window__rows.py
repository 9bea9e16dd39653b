"""create_mask_from_window compares with the maximum of each row."""
import numpy as np


def create_mask_from_window(x):
    mask = x == np.max(x, axis=1, keepdims=True)
    return mask
