"""The course's helpers on many calls at once, each call's answer exactly (bit for bit) the helper's.

The grader checks a student's own helper calls against the reference; a loop-based ``conv_forward`` makes
over a thousand ``conv_single_step`` calls per grading, so it checks them stacked. Each function takes one
column per argument for N calls that share argument types, dtypes and shapes: an array argument stacked
along a new leading axis (N, ...), any other argument as the list of its N values. It returns the N
answers stacked: ``result[k]`` equals, in dtype, shape and bits, the helper's answer to call ``k``.
Inputs must be ones the helper accepts (the caller checks one call with the helper first).
"""
from __future__ import annotations

import numpy as np

from ._checks import float_dtype

MAX_ROW = 4096  # elements in one call's window: beyond this numpy's reduction may block the sum differently


def conv_single_step(a_slice_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a_slice_prev, W: (N, f, f, n_C_prev); b: (N, 1, 1, 1) -> (N,) of the common float dtype.

    Row k is summed over one contiguous run, as ``np.sum`` sums one call's product, so each total is the
    helper's to the bit. Raises ValueError for windows over ``MAX_ROW`` elements.
    """
    count = a_slice_prev.shape[0]
    if a_slice_prev[0].size > MAX_ROW:
        raise ValueError(f"windows over {MAX_ROW} elements are checked one call at a time")
    dtype = float_dtype(a_slice_prev[0], W[0], b[0])
    products = np.ascontiguousarray(a_slice_prev * W).reshape(count, -1)
    return np.sum(products, axis=1, dtype=dtype) + b.reshape(count, -1)[:, 0].astype(dtype)


def create_mask_from_window(x: np.ndarray) -> np.ndarray:
    """x: (N, ...) -> (N, ...) booleans, True where x[k] is maximal within its window."""
    count = x.shape[0]
    largest = np.max(x.reshape(count, -1), axis=1)
    return x == largest.reshape((count,) + (1,) * (x.ndim - 1))


def distribute_value(dz, shape) -> np.ndarray:
    """dz: N numbers of one type (a list, or an (N,) array); shape: N equal pairs (n_H, n_W)
    -> (N, n_H, n_W), window k filled with dz[k] / (n_H * n_W)."""
    n_H, n_W = (int(n) for n in shape[0])
    average = np.asarray(dz) / (n_H * n_W)
    return np.broadcast_to(average.reshape(-1, 1, 1), (len(average), n_H, n_W)).astype(average.dtype)
