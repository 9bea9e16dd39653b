"""Attack: raise each soft limit to its hard limit, then take 3 GiB of memory, write 50 MiB, and spin
forever. zero_pad is the student's own, right."""
import resource

import numpy as np


def _lift(kind):
    soft, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (hard, hard))
    try:
        resource.setrlimit(kind, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_single_step(a_slice_prev, W, b):
    _lift(resource.RLIMIT_AS)
    hog = np.ones(3 << 27)  # 3 GiB of float64
    return float(hog[0])


def create_mask_from_window(x):
    _lift(resource.RLIMIT_FSIZE)
    with open("big.bin", "wb") as handle:
        for _ in range(50):
            handle.write(b"x" * (1 << 20))
    return x == np.max(x)


def distribute_value(dz, shape):
    _lift(resource.RLIMIT_CPU)
    while True:
        pass
