"""conv_output_size floors with np.floor, which returns a float (17.0)."""
import numpy as np


def conv_output_size(n, f, p, s):
    if s < 1 or p < 0 or f > n + 2 * p:
        raise ValueError("invalid combination")
    return np.floor((n + 2 * p - f) / s) + 1
