"""Convolution layer (the course's cross-correlation), forward and backward, vectorized with im2col.

Shapes (NHWC): A_prev (m, n_H_prev, n_W_prev, n_C_prev); W (f, f, n_C_prev, n_C); b (1, 1, 1, n_C);
Z (m, n_H, n_W, n_C) with n_H = floor((n_H_prev + 2*pad - f) / stride) + 1, likewise n_W.
"""
from __future__ import annotations

import functools

import numpy as np

from ._checks import as_array, float_dtype, hyperparameter
from ._split import split_batch
from .padding import unpad, zero_pad
from .windows import im2col, output_size, sliding_windows

SHORT_RUN = 16  # input-gradient runs (elements) below which the phase split is faster (conv B: 6)


def conv_single_step(a_slice_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.floating:
    """One filter applied to one window: sum(a_slice_prev * W) + b.

    a_slice_prev, W: (f, f, n_C_prev); b: (1, 1, 1) (any single-element array).
    Returns a numpy float scalar (np.float64 for float64 inputs); never calls float() on an array.
    """
    a_slice_prev = as_array("a_slice_prev", a_slice_prev, 3)
    W = as_array("W", W, 3)
    if a_slice_prev.shape != W.shape:
        raise ValueError(f"a_slice_prev {a_slice_prev.shape} and W {W.shape} must have the same shape")
    b = np.asarray(b)
    if b.size != 1:
        raise ValueError(f"b must hold a single number, got shape {b.shape}")
    dtype = float_dtype(a_slice_prev, W, b)
    return np.sum(a_slice_prev * W, dtype=dtype) + b.reshape(-1)[0].astype(dtype)


def _conv_shapes(A_prev, W, b, hparameters) -> tuple[int, int, int, int]:
    """Validate conv inputs; return (stride, pad, n_H, n_W)."""
    A_prev = as_array("A_prev", A_prev, 4)
    W = as_array("W", W, 4)
    b = as_array("b", b, 4)
    f, f_w, n_C_prev, n_C = W.shape
    if f != f_w:
        raise ValueError(f"W must hold square filters (f, f, n_C_prev, n_C), got shape {W.shape}")
    if A_prev.shape[3] != n_C_prev:
        raise ValueError(f"channel mismatch: A_prev has {A_prev.shape[3]} channels, W expects {n_C_prev} (W {W.shape})")
    if b.shape != (1, 1, 1, n_C):
        raise ValueError(f"b must have shape (1, 1, 1, {n_C}) to match W {W.shape}, got {b.shape}")
    stride = hyperparameter(hparameters, "stride", 1)
    pad = hyperparameter(hparameters, "pad", 0)
    n_H = output_size(A_prev.shape[1], f, pad, stride)
    n_W = output_size(A_prev.shape[2], f, pad, stride)
    return stride, pad, n_H, n_W


def conv_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, hparameters: dict):
    """Forward pass of a convolution layer.

    A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C),
    hparameters {"stride": s >= 1, "pad": p >= 0}.
    Returns Z (m, n_H, n_W, n_C) and cache = (A_prev, W, b, hparameters) with A_prev unpadded.
    A large batch runs in chunks of examples on two threads (see ``_split``), with the same results.
    """
    stride, pad, n_H, n_W = _conv_shapes(A_prev, W, b, hparameters)
    m = A_prev.shape[0]
    f, _, n_C_prev, n_C = W.shape
    dtype = float_dtype(A_prev, W, b)
    W_cols = W.reshape(-1, n_C).astype(dtype, copy=False)
    Z = np.empty((m, n_H, n_W, n_C), dtype=dtype)

    def forward(batch: slice) -> None:
        cols = im2col(zero_pad(A_prev[batch], pad).astype(dtype, copy=False), f, stride)
        np.matmul(cols, W_cols, out=Z[batch].reshape(-1, n_C))

    split_batch(forward, m, m * n_H * n_W * f * f * n_C_prev * dtype.itemsize, blas=True)  # im2col's bytes
    Z += b.reshape(n_C).astype(dtype, copy=False)
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ: np.ndarray, cache: tuple):
    """Backward pass of a convolution layer.

    dZ: (m, n_H, n_W, n_C), the gradient of the cost with respect to Z; cache from conv_forward.
    Returns dA_prev (m, n_H_prev, n_W_prev, n_C_prev), dW (f, f, n_C_prev, n_C), db (1, 1, 1, n_C).
    A large batch runs in chunks of examples on two threads; dW then adds the chunks' sums in batch order.
    """
    if not isinstance(cache, tuple) or len(cache) != 4:
        raise ValueError("cache must be the tuple (A_prev, W, b, hparameters) returned by conv_forward")
    A_prev, W, b, hparameters = cache
    stride, pad, n_H, n_W = _conv_shapes(A_prev, W, b, hparameters)
    dZ = as_array("dZ", dZ, 4)
    m = A_prev.shape[0]
    f, _, n_C_prev, n_C = W.shape
    if dZ.shape != (m, n_H, n_W, n_C):
        raise ValueError(f"dZ must have the shape of Z, {(m, n_H, n_W, n_C)}, got {dZ.shape}")
    dtype = float_dtype(A_prev, W, b, dZ)
    W = W.astype(dtype, copy=False)
    dZ = dZ.astype(dtype, copy=False)
    dA_prev = np.empty(A_prev.shape, dtype=dtype)

    def backward(batch: slice) -> np.ndarray:
        """Fill dA_prev[batch]; return the chunk's dW as (f * f * n_C_prev, n_C)."""
        A_pad = zero_pad(A_prev[batch], pad).astype(dtype, copy=False)
        dZ_rows = dZ[batch].reshape(-1, n_C)
        dA_prev[batch] = unpad(_input_gradient(dZ_rows, W, A_pad.shape, stride), pad)
        return im2col(A_pad, f, stride).T @ dZ_rows

    dW_parts = split_batch(backward, m, m * n_H * n_W * f * f * n_C_prev * dtype.itemsize, blas=True)
    dW = functools.reduce(np.add, dW_parts).reshape(W.shape)
    db = np.einsum("rc->c", dZ.reshape(-1, n_C)).reshape(1, 1, 1, n_C)
    return dA_prev, dW, db


def _input_gradient(dZ_rows: np.ndarray, W: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """Gradient (m, n_H_prev + 2*pad, n_W_prev + 2*pad, n_C_prev) of the padded input, ``shape``: by window
    blocks (``_by_blocks``), or by phases (``_by_phases``) where a block's runs would be short."""
    if min(stride, W.shape[0]) * W.shape[2] < SHORT_RUN:
        return _by_phases(dZ_rows, W, shape, stride)
    return _by_blocks(dZ_rows, W, shape, stride)


def _by_phases(dZ_rows: np.ndarray, W: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """``_input_gradient`` for few input channels: one GEMM gives every window offset's contribution,
    channels first, (f, f, n_C_prev, m, n_H, n_W); offset (i, j) adds into the padded input's phase
    (i % stride, j % stride), the elements whose row and column leave those remainders, which is kept
    contiguous and channels first, so each addition runs along whole rows of n_W elements. The phases are
    then interleaved into the result. (m, n_H, n_W) runs are long where (f, n_C_prev) ones are short.
    """
    f, _, n_C_prev, n_C = W.shape
    m, height, width, _ = shape
    n_H, n_W = (height - f) // stride + 1, (width - f) // stride + 1
    columns = (W.reshape(f * f * n_C_prev, n_C) @ dZ_rows.T).reshape(f, f, n_C_prev, m, n_H, n_W)
    rows, cols = -(-height // stride), -(-width // stride)
    phases = np.zeros((stride, stride, n_C_prev, m, rows, cols), dtype=dZ_rows.dtype)
    for i in range(f):
        for j in range(f):
            top, left = i // stride, j // stride
            target = phases[i % stride, j % stride, :, :, top: top + n_H, left: left + n_W]
            np.add(target, columns[i, j], out=target)
    dA_pad = np.empty(shape, dtype=dZ_rows.dtype)
    for a in range(stride):
        for b in range(stride):
            part = dA_pad[:, a::stride, b::stride, :]
            part[...] = phases[a, b, :, :, : part.shape[1], : part.shape[2]].transpose(1, 2, 3, 0)
    return dA_pad


def _by_blocks(dZ_rows: np.ndarray, W: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """``_input_gradient`` for many input channels.

    dZ_rows: (m * n_H * n_W, n_C). One small GEMM per block of window offsets, added straight into that
    block's windows: a block is one filter row i and b = min(stride, f) adjacent columns j, whose
    windows never share an element, so each (window, j, channel) run is contiguous on both sides.
    Zero filter columns (e < b) make f divisible by b; the buffer grows by e rows and columns for them.
    """
    f, _, n_C_prev, n_C = W.shape
    b = min(stride, f)
    e = -f % b
    m, n_H_prev, n_W_prev, _ = shape
    dA_pad = np.zeros((m, n_H_prev + e, n_W_prev + e, n_C_prev), dtype=dZ_rows.dtype)
    windows = sliding_windows(dA_pad, f + e, stride, writeable=True)
    W_blocks = np.pad(W, ((0, 0), (0, e), (0, 0), (0, 0))).reshape(f, (f + e) // b, b * n_C_prev, n_C)
    W_blocks = np.ascontiguousarray(W_blocks.transpose(0, 1, 3, 2))  # (f, blocks, n_C, b * n_C_prev)
    for i in range(f):
        for k in range(W_blocks.shape[1]):
            block = windows[:, :, :, i, k * b : (k + 1) * b, :]
            np.add(block, (dZ_rows @ W_blocks[i, k]).reshape(block.shape), out=block)
    return dA_pad[:, :n_H_prev, :n_W_prev, :]
