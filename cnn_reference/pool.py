"""Pooling layer (max and average, no padding), forward and backward, and the course's two helpers.

Shapes (NHWC): A_prev (m, n_H_prev, n_W_prev, n_C); A (m, n_H, n_W, n_C) with
n_H = floor((n_H_prev - f) / stride) + 1, likewise n_W; hparameters {"f": f >= 1, "stride": s >= 1}.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_array, float_dtype, hyperparameter, integer, pool_mode
from ._split import split_batch
from .windows import output_size, sliding_windows, window_block


def _pool_shapes(A_prev, hparameters) -> tuple[int, int, int, int]:
    """Validate pool inputs; return (f, stride, n_H, n_W)."""
    A_prev = as_array("A_prev", A_prev, 4)
    f = hyperparameter(hparameters, "f", 1)
    stride = hyperparameter(hparameters, "stride", 1)
    return f, stride, output_size(A_prev.shape[1], f, 0, stride), output_size(A_prev.shape[2], f, 0, stride)


def pool_forward(A_prev: np.ndarray, hparameters: dict, mode: str = "max"):
    """Forward pass of a pooling layer.

    A_prev (m, n_H_prev, n_W_prev, n_C) -> A (m, n_H, n_W, n_C), the max or mean of every f x f window;
    cache = (A_prev, hparameters). A large batch runs in chunks of examples on two threads.
    """
    f, stride, n_H, n_W = _pool_shapes(A_prev, hparameters)
    mode = pool_mode(mode)
    dtype = float_dtype(A_prev)
    m, _, _, n_C = A_prev.shape
    A = np.empty((m, n_H, n_W, n_C), dtype=dtype)

    def forward(batch: slice) -> None:
        windows = sliding_windows(A_prev[batch].astype(dtype, copy=False), f, stride)
        if mode == "max":
            _reduce_windows(windows, np.maximum, out=A[batch])
        else:
            np.divide(_reduce_windows(windows, np.add), f * f, out=A[batch])

    split_batch(forward, m, A_prev.size * dtype.itemsize)
    return A, (A_prev, hparameters)


def _reduce_windows(windows: np.ndarray, ufunc: np.ufunc, out: np.ndarray | None = None) -> np.ndarray:
    """Fold every window of windows (m, n_H, n_W, f, f, n_C) with ufunc: (m, n_H, n_W, n_C), into ``out``.

    Separable, window rows first, one in-place ufunc call per offset: the first pass runs over whole
    window rows (long contiguous runs when stride == f), the second over an array f times smaller.
    """
    rows = _fold(windows, ufunc, axis=3)
    return _fold(rows, ufunc, axis=3, out=out)


def _fold(x: np.ndarray, ufunc: np.ufunc, axis: int, out: np.ndarray | None = None) -> np.ndarray:
    """ufunc.reduce(x, axis) as a copy of the first slice combined in place with the others, in order."""
    slices = np.moveaxis(x, axis, 0)
    if out is None:
        out = np.empty(slices.shape[1:], dtype=x.dtype)
    out[...] = slices[0]
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
    A large batch runs in chunks of examples on two threads.
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
    dA = dA.astype(dtype, copy=False)
    dA_prev = np.empty(A_prev.shape, dtype=dtype)

    def backward(batch: slice) -> None:
        _pool_gradient(A_prev[batch], dA[batch], f, stride, mode, out=dA_prev[batch])

    split_batch(backward, dA.shape[0], dA_prev.nbytes)
    return dA_prev


def _pool_gradient(A_prev: np.ndarray, dA: np.ndarray, f: int, stride: int, mode: str, out: np.ndarray) -> None:
    """Write the gradient every entry of A_prev (m, n_H_prev, n_W_prev, n_C) gets from its windows into out.

    dA: (m, n_H, n_W, n_C); out: A_prev's shape, every entry written (0 where no window reaches). Max
    recomputes the window maxima (the cache holds no argmax). Window offsets go by blocks of at most
    stride x stride (no element twice).
    """
    windows = sliding_windows(A_prev, f, stride)
    grads = sliding_windows(out, f, stride, writeable=True)
    if not (stride == f and windows.shape[1] * f == A_prev.shape[1] and windows.shape[2] * f == A_prev.shape[2]):
        out[...] = 0  # some entries are in no window, or in several (accumulated)
    maxima = _reduce_windows(windows, np.maximum) if mode == "max" else None
    share = dA if mode == "max" else dA / (f * f)
    for i in range(0, f, stride):
        for j in range(0, f, stride):
            offsets = (slice(None),) * 3 + (slice(i, i + stride), slice(j, j + stride))
            block = window_block(grads[offsets])
            if stride >= f:  # the windows do not overlap: write the shares in place
                _window_share(window_block(windows[offsets]), maxima, share, out=block)
            else:
                np.add(block, _window_share(window_block(windows[offsets]), maxima, share), out=block)


def _window_share(block: np.ndarray, maxima, share: np.ndarray, out=None) -> np.ndarray:
    """The gradient each entry of a block of offsets (m, n_H, rows, n_W, cols, n_C) gets from its window.

    share: (m, n_H, n_W, n_C). Max (maxima, the window maxima, same shape): share at every maximal
    entry (each tied maximum gets all of it), 0 elsewhere. Average (maxima None): share everywhere.
    """
    spread = _widen(share, block.shape[4])
    if maxima is not None:
        return np.multiply(block == _widen(maxima, block.shape[4]), spread, out=out)
    if out is None:
        return spread
    out[...] = spread
    return out


def _widen(x: np.ndarray, cols: int) -> np.ndarray:
    """One value per window (m, n_H, n_W, n_C) repeated over ``cols`` columns: (m, n_H, 1, n_W, cols, n_C).

    Against a block stride wide, whose (n_W, cols, n_C) axes are one contiguous run of the image, the
    ufuncs then loop over whole runs rather than n_C values at a time (2x faster for 3 channels).
    """
    m, n_H, n_W, n_C = x.shape
    return np.repeat(x, cols, axis=2).reshape(m, n_H, 1, n_W, cols, n_C)
