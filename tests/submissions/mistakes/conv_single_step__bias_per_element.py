"""conv_single_step adds b to every product before summing."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W) + b
    Z = np.sum(s)
    return Z
