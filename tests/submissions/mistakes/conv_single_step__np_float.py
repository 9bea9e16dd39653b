"""conv_single_step adds the bias with np.float(b), which numpy removed in 1.24."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + np.float(b)
    return Z
