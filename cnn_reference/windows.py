"""The one windowing primitive shared by convolution and pooling.

:func:`sliding_windows` views an array A (m, n_H_prev, n_W_prev, n_C) as every f x f window at stride s:
a strided view W6 of shape (m, n_H, n_W, f, f, n_C) where ``W6[:, h, w]`` is window (h, w), without copying.
Convolution copies W6 into a matrix (im2col) for one BLAS matmul; pooling folds the window axes.
Backward passes add into a writable W6 one block of offsets ``W6[:, :, :, i:i+b, j:j+b, :]`` at a time
with b <= stride: such a block holds no element twice, so overlapping windows accumulate correctly;
:func:`window_block` puts such a block's axes in memory order.
Only window offsets are ever looped over; batch, height, width and channels are vectorized.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def output_size(n: int, f: int, pad: int, stride: int) -> int:
    """floor((n + 2*pad - f) / stride) + 1, the number of window positions along one axis.

    Raises ValueError when the filter is larger than the padded input.
    """
    if f > n + 2 * pad:
        raise ValueError(f"filter size f={f} is larger than the padded input ({n} + 2*{pad} = {n + 2 * pad})")
    return (n + 2 * pad - f) // stride + 1


def sliding_windows(A: np.ndarray, f: int, stride: int, writeable: bool = False) -> np.ndarray:
    """View A (m, n_H_prev, n_W_prev, n_C), already padded, as its windows (m, n_H, n_W, f, f, n_C).

    With ``writeable=True`` write through blocks of at most stride x stride offsets at a time:
    windows overlap when stride < f, so a write to the whole view would alias.
    """
    m, n_H_prev, n_W_prev, n_C = A.shape
    n_H = output_size(n_H_prev, f, 0, stride)
    n_W = output_size(n_W_prev, f, 0, stride)
    s_m, s_h, s_w, s_c = A.strides
    return as_strided(
        A,
        shape=(m, n_H, n_W, f, f, n_C),
        strides=(s_m, s_h * stride, s_w * stride, s_h, s_w, s_c),
        writeable=writeable,
    )


def im2col(A: np.ndarray, f: int, stride: int) -> np.ndarray:
    """Every window of A (m, n_H_prev, n_W_prev, n_C) as rows: (m * n_H * n_W, f * f * n_C), contiguous."""
    windows = sliding_windows(A, f, stride)
    return np.ascontiguousarray(windows).reshape(-1, f * f * A.shape[3])


def window_block(block: np.ndarray) -> np.ndarray:
    """A block of window offsets (m, n_H, n_W, rows, cols, n_C) in memory order: (m, n_H, rows, n_W, cols, n_C).

    A view. When cols == stride, its trailing axes (n_W, cols, n_C) are one contiguous run along an image row.
    """
    return block.transpose(0, 1, 3, 2, 4, 5)
