"""Centred-difference numerical gradients, to check backward passes against their forward passes."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(fun: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """d fun / d x by centred differences, (fun(x + h e_k) - fun(x - h e_k)) / 2h for every entry k.

    fun maps an array shaped like x to a scalar; x (any shape, float64) is restored after each probe.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, grad_flat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        original = flat[k]
        flat[k] = original + h
        upper = fun(x)
        flat[k] = original - h
        lower = fun(x)
        flat[k] = original
        grad_flat[k] = (upper - lower) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a| + |b|, tiny): the usual gradient-check score (about 1e-7 or less is right)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12))
