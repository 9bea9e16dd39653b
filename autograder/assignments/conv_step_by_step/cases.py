"""Building blocks of conv_step_by_step's hidden families: conv and pool inputs with any geometry."""
from __future__ import annotations

import numpy as np

import cnn_reference as ref

from ...course import normal


def tied(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Small integers as floats: windows often hold several equal maxima."""
    return rng.integers(-2, 3, size=shape).astype(np.float64)


def conv_args(rng, m, n_H, n_W, n_C_prev, n_C, f, stride, pad):
    return (normal(rng, m, n_H, n_W, n_C_prev), normal(rng, f, f, n_C_prev, n_C), normal(rng, 1, 1, 1, n_C),
            {"stride": stride, "pad": pad})


def conv_backward_args(rng, m, n_H, n_W, n_C_prev, n_C, f, stride, pad):
    A_prev, W, b, hparameters = conv_args(rng, m, n_H, n_W, n_C_prev, n_C, f, stride, pad)
    Z, cache = ref.conv_forward(A_prev, W, b, hparameters)
    return normal(rng, *Z.shape), cache


def pool_backward_args(A_prev, f, stride, mode, rng):
    A, cache = ref.pool_forward(A_prev, {"f": f, "stride": stride}, mode)
    return normal(rng, *A.shape), cache, mode
