"""Pooling layer (max and average, no padding), forward and backward, and the course's two helpers.

Shapes (NHWC): A_prev (m, n_H_prev, n_W_prev, n_C); A (m, n_H, n_W, n_C) with
n_H = floor((n_H_prev - f) / stride) + 1, likewise n_W; hparameters {"f": f >= 1, "stride": s >= 1}.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_array, float_dtype, hyperparameter, integer, pool_mode
from .windows import output_size, sliding_windows


def _pool_shapes(A_prev, hparameters) -> tuple[int, int, int, int]:
    """Validate pool inputs; return (f, stride, n_H, n_W)."""
    A_prev = as_array("A_prev", A_prev, 4)
    f = hyperparameter(hparameters, "f", 1)
    stride = hyperparameter(hparameters, "stride", 1)
    return f, stride, output_size(A_prev.shape[1], f, 0, stride), output_size(A_prev.shape[2], f, 0, stride)


def pool_forward(A_prev: np.ndarray, hparameters: dict, mode: str = "max"):
    """Forward pass of a pooling layer.

    A_prev (m, n_H_prev, n_W_prev, n_C) -> A (m, n_H, n_W, n_C), the max or mean of every f x f window;
    cache = (A_prev, hparameters).
    """
    f, stride, _, _ = _pool_shapes(A_prev, hparameters)
    mode = pool_mode(mode)
    windows = sliding_windows(A_prev.astype(float_dtype(A_prev), copy=False), f, stride)
    if mode == "max":
        return _reduce_windows(windows, np.maximum), (A_prev, hparameters)
    return _reduce_windows(windows, np.add) / (f * f), (A_prev, hparameters)


def _reduce_windows(windows: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """Fold every window of windows (m, n_H, n_W, f, f, n_C) with ufunc: (m, n_H, n_W, n_C).

    Separable, window rows first, one in-place ufunc call per offset: the first pass runs over whole
    window rows (long contiguous runs when stride == f), the second over an array f times smaller.
    """
    rows = _fold(windows, ufunc, axis=3)
    return _fold(rows, ufunc, axis=3)


def _fold(x: np.ndarray, ufunc: np.ufunc, axis: int) -> np.ndarray:
    """ufunc.reduce(x, axis) as a copy of the first slice combined in place with the others."""
    slices = np.moveaxis(x, axis, 0)
    out = slices[0].copy()
    for part in slices[1:]:
        ufunc(out, part, out=out)
    return out


def create_mask_from_window(x: np.ndarray) -> np.ndarray:
    """Boolean mask of the maximal entries of x (any shape): ``x == max(x)``.

    Ties: every maximal position is True (the course's convention), so each receives the full gradient.
    """
    if not isinstance(x, np.ndarray) or x.size == 0:
        raise ValueError(f"x must be a non-empty numpy array, got {type(x).__name__}")
    return x == np.max(x)


def distribute_value(dz, shape: tuple[int, int]) -> np.ndarray:
    """Spread dz evenly over a window: an array of ``shape`` (n_H, n_W), every entry dz / (n_H * n_W)."""
    if not isinstance(shape, tuple | list) or len(shape) != 2:
        raise ValueError(f"shape must be a pair (n_H, n_W), got {shape!r}")
    n_H, n_W = (integer("shape entry", n, 1) for n in shape)
    average = np.asarray(dz) / (n_H * n_W)
    if average.ndim != 0:
        raise ValueError(f"dz must be a single number, got shape {average.shape}")
    return np.full((n_H, n_W), average, dtype=average.dtype)


def pool_backward(dA: np.ndarray, cache: tuple, mode: str = "max") -> np.ndarray:
    """Backward pass of a pooling layer.

    dA: (m, n_H, n_W, n_C), the gradient with respect to the pool output; cache = (A_prev, hparameters).
    Returns dA_prev (m, n_H_prev, n_W_prev, n_C). Max: each window's gradient goes to every maximal
    entry of that window. Average: spread evenly. Overlapping windows accumulate.
    """
    if not isinstance(cache, tuple) or len(cache) != 2:
        raise ValueError("cache must be the tuple (A_prev, hparameters) returned by pool_forward")
    A_prev, hparameters = cache
    f, stride, n_H, n_W = _pool_shapes(A_prev, hparameters)
    mode = pool_mode(mode)
    dA = as_array("dA", dA, 4)
    expected = (A_prev.shape[0], n_H, n_W, A_prev.shape[3])
    if dA.shape != expected:
        raise ValueError(f"dA must have the shape of the pool output, {expected}, got {dA.shape}")
    dtype = float_dtype(A_prev, dA)
    dA6 = dA.astype(dtype, copy=False)[:, :, :, None, None, :]
    windows = sliding_windows(A_prev, f, stride)
    A6 = _reduce_windows(windows, np.maximum)[:, :, :, None, None, :] if mode == "max" else None
    dA_prev = np.zeros(A_prev.shape, dtype=dtype)
    grads = sliding_windows(dA_prev, f, stride, writeable=True)
    if stride >= f:  # the windows do not overlap: write every offset at once
        _window_share(windows, A6, dA6, f, out=grads)
        return dA_prev
    for i in range(0, f, stride):  # a stride x stride block of offsets holds no element twice
        for j in range(0, f, stride):
            block = (slice(None),) * 3 + (slice(i, i + stride), slice(j, j + stride))
            np.add(grads[block], _window_share(windows[block], A6, dA6, f), out=grads[block])
    return dA_prev


def _window_share(windows: np.ndarray, A6, dA6: np.ndarray, f: int, out=None) -> np.ndarray:
    """The gradient each entry of windows (m, n_H, n_W, b, b, n_C) receives from its window.

    Max (A6, the window maxima (m, n_H, n_W, 1, 1, n_C)): dA at every maximal entry, 0 elsewhere.
    Average (A6 None): dA / f**2 everywhere.
    """
    if A6 is None:
        return np.divide(dA6, f * f, out=out)
    return np.multiply(windows == A6, dA6, out=out)
