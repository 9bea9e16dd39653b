"""conv_single_step adds the (1, 1, 1) array b, so it returns an array."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + b
    return Z
