"""The course's readable loop algorithms: a second, independent oracle for the vectorized layers.

Same contracts and shapes as the vectorized functions; written the way the course teaches them
(explicit loops over examples, output rows, columns and channels). Slow, meant for small inputs.
"""
from __future__ import annotations

import numpy as np


def zero_pad(X, pad):
    """X (m, n_H, n_W, n_C) -> (m, n_H + 2*pad, n_W + 2*pad, n_C), zeros around the spatial axes."""
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype=X.dtype)
    X_pad[:, pad : pad + n_H, pad : pad + n_W, :] = X
    return X_pad


def conv_single_step(a_slice_prev, W, b):
    """a_slice_prev, W (f, f, n_C_prev), b (1, 1, 1) -> scalar sum(a_slice_prev * W) + b."""
    return np.sum(a_slice_prev * W) + b[0, 0, 0]


def conv_forward(A_prev, W, b, hparameters):
    """A_prev (m, n_H_prev, n_W_prev, n_C_prev) -> Z (m, n_H, n_W, n_C), cache (A_prev, W, b, hparameters)."""
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            for w in range(n_W):
                horiz_start = w * stride
                a_slice = A_prev_pad[i, vert_start : vert_start + f, horiz_start : horiz_start + f, :]
                for c in range(n_C):
                    Z[i, h, w, c] = conv_single_step(a_slice, W[:, :, :, c], b[:, :, :, c])
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ, cache):
    """dZ (m, n_H, n_W, n_C) -> dA_prev (shape of A_prev), dW (shape of W), db (shape of b)."""
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    _, n_H, n_W, _ = dZ.shape
    dA_prev_pad = zero_pad(np.zeros(A_prev.shape), pad)
    dW = np.zeros(W.shape)
    db = np.zeros(b.shape)
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            for w in range(n_W):
                horiz_start = w * stride
                a_slice = A_prev_pad[i, vert_start : vert_start + f, horiz_start : horiz_start + f, :]
                for c in range(n_C):
                    dA_prev_pad[i, vert_start : vert_start + f, horiz_start : horiz_start + f, :] += (
                        W[:, :, :, c] * dZ[i, h, w, c]
                    )
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
    dA_prev = dA_prev_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :]
    return dA_prev, dW, db


def pool_forward(A_prev, hparameters, mode="max"):
    """A_prev (m, n_H_prev, n_W_prev, n_C) -> A (m, n_H, n_W, n_C), cache (A_prev, hparameters)."""
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            for w in range(n_W):
                horiz_start = w * stride
                for c in range(n_C):
                    window = A_prev[i, vert_start : vert_start + f, horiz_start : horiz_start + f, c]
                    A[i, h, w, c] = np.max(window) if mode == "max" else np.mean(window)
    return A, (A_prev, hparameters)


def create_mask_from_window(x):
    """x (f, f) -> boolean mask, True where x is maximal (every tied maximum)."""
    return x == np.max(x)


def distribute_value(dz, shape):
    """dz scalar, shape (n_H, n_W) -> array of that shape filled with dz / (n_H * n_W)."""
    n_H, n_W = shape
    return np.ones(shape) * dz / (n_H * n_W)


def pool_backward(dA, cache, mode="max"):
    """dA (m, n_H, n_W, n_C) -> dA_prev (shape of A_prev), accumulating over overlapping windows."""
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            for w in range(n_W):
                horiz_start = w * stride
                for c in range(n_C):
                    rows = slice(vert_start, vert_start + f)
                    cols = slice(horiz_start, horiz_start + f)
                    if mode == "max":
                        mask = create_mask_from_window(A_prev[i, rows, cols, c])
                        dA_prev[i, rows, cols, c] += mask * dA[i, h, w, c]
                    else:
                        dA_prev[i, rows, cols, c] += distribute_value(dA[i, h, w, c], (f, f))
    return dA_prev
