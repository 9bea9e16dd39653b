"""zero_pad puts 2*pad zeros on each side instead of pad."""
import numpy as np


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (2 * pad, 2 * pad), (2 * pad, 2 * pad), (0, 0)), mode="constant", constant_values=(0, 0))
