"""conv_single_step converts b with float(b), a TypeError on numpy >= 2.4."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + float(b)
    return Z
