"""conv_single_step forgets to add the bias."""
import numpy as np


def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    return Z
