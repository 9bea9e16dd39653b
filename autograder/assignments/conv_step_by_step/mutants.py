"""Known wrong variants of the course's functions, for diagnosing a student's output.

Each function is the course's algorithm with keyword "knobs"; every knob switched on reproduces one
mistake students make. With all knobs off it is the right algorithm (a test holds that against the
reference), so a knob's effect is exactly its mistake, and two knobs together model two mistakes.
Loops run over output positions only (batch and channels vectorized): they are called on small cases.
``example=k`` (conv_forward, pool_forward, conv_backward, pool_backward) reads example k of A_prev for every i,
as ``A_prev[1]`` written for ``A_prev[i]`` does; it raises IndexError where the batch has no example k.
"""
from __future__ import annotations

import numpy as np

import cnn_reference as ref


def zero_pad(X, pad, *, widths="both"):
    """widths: "both" (right), "all_axes", "batch_height", "width_channels", "before", "after", "double"."""
    p = pad
    pad_width = {
        "both": ((0, 0), (p, p), (p, p), (0, 0)),
        "all_axes": ((p, p),) * 4,
        "batch_height": ((p, p), (p, p), (0, 0), (0, 0)),
        "width_channels": ((0, 0), (0, 0), (p, p), (p, p)),
        "before": ((0, 0), (p, 0), (p, 0), (0, 0)),
        "after": ((0, 0), (0, p), (0, p), (0, 0)),
        "double": ((0, 0), (2 * p, 2 * p), (2 * p, 2 * p), (0, 0)),
    }[widths]
    return np.pad(X, pad_width)


def conv_single_step(a_slice_prev, W, b, *, bias="once"):
    """bias: "once" (right), "missing", "per_element" (b added inside the sum)."""
    total = np.sum(a_slice_prev * W)
    return {"once": total + b.reshape(-1)[0], "missing": total, "per_element": np.sum(a_slice_prev * W + b)}[bias]


def _size(n, f, pad, stride):
    return (n + 2 * pad - f) // stride + 1


def _examples(A, example):
    """A itself, or (``example`` given) its example ``example`` in every example's place."""
    return A if example is None else np.broadcast_to(A[example], A.shape)


def conv_forward(A_prev, W, b, hparameters, *, stride_ignored=False, flip_kernel=False, bias="once",
                 cache_padded=False, example=None):
    """The course's conv_forward; bias as in conv_single_step."""
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    n_H, n_W = _size(n_H_prev, f, pad, stride), _size(n_W_prev, f, pad, stride)
    step = 1 if stride_ignored else stride
    kernel = W[::-1, ::-1] if flip_kernel else W
    A_pad = ref.zero_pad(A_prev, pad)
    windows_from = _examples(A_pad, example)
    bias_term = {"once": b.reshape(n_C), "missing": 0.0, "per_element": b.reshape(n_C) * W[..., 0].size}[bias]
    Z = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            window = windows_from[:, h * step : h * step + f, w * step : w * step + f, :]
            Z[:, h, w, :] = np.tensordot(window, kernel, axes=3) + bias_term
    return Z, (A_pad if cache_padded else A_prev, W, b, hparameters)


def conv_backward(dZ, cache, *, stride_ignored=False, flip_kernel_dA=False, assign_dA=False, assign_dW=False,
                  assign_db=False, divide_by_m=False, unpad="slice", unpad_last_only=False, example=None):
    """unpad: "slice" (right), "negative" (``[pad:-pad]``, empty at pad 0), "none" (padded dA returned);
    unpad_last_only: dA_prev[i] = ... written after the loop over i, so only the last example is set;
    example: the windows of dW come from that example (``a_prev_pad = A_prev_pad[1]``)."""
    A_prev, W, b, hparameters = cache
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    _, n_H, n_W, _ = dZ.shape
    step = 1 if stride_ignored else stride
    kernel = W[::-1, ::-1] if flip_kernel_dA else W
    A_pad = _examples(ref.zero_pad(A_prev, pad), example)
    dA_pad = np.zeros(A_pad.shape)
    dW = np.zeros(W.shape)
    for h in range(n_H):
        for w in range(n_W):
            rows, cols = slice(h * step, h * step + f), slice(w * step, w * step + f)
            g = dZ[:, h, w, :]  # (m, n_C)
            if assign_dA:  # the channel loop's last write wins
                dA_pad[:, rows, cols, :] = kernel[None, ..., -1] * g[:, None, None, None, -1]
            else:
                dA_pad[:, rows, cols, :] += np.einsum("fgkc,mc->mfgk", kernel, g)
            dW += np.einsum("mfgk,mc->fgkc", A_pad[:, rows, cols, :], g)
    if assign_dW:  # the last example's last window
        last_window = A_pad[-1, (n_H - 1) * step : (n_H - 1) * step + f, (n_W - 1) * step : (n_W - 1) * step + f, :]
        dW = last_window[..., None] * dZ[-1, -1, -1, :]
    db = dZ[-1, -1, -1, :].reshape(1, 1, 1, n_C) if assign_db else dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    if divide_by_m:
        dW, db = dW / m, db / m
    dA_prev = {"slice": dA_pad[:, pad : pad + n_H_prev, pad : pad + n_W_prev, :],
               "negative": dA_pad[:, pad:-pad, pad:-pad, :], "none": dA_pad}[unpad]
    if unpad_last_only:
        last, dA_prev = dA_prev[-1], np.zeros(A_prev.shape)
        dA_prev[-1] = last
    return dA_prev, dW, db


def pool_forward(A_prev, hparameters, mode="max", *, stride_ignored=False, average_as_sum=False, mode_ignored=False,
                 all_channels=False, example=None):
    """mode_ignored: always max pooling; all_channels: each window reduced over every channel at once."""
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H, n_W = _size(n_H_prev, f, 0, stride), _size(n_W_prev, f, 0, stride)
    step = 1 if stride_ignored else stride
    source = _examples(A_prev, example)
    axes = (1, 2, 3) if all_channels else (1, 2)
    A = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            window = source[:, h * step : h * step + f, w * step : w * step + f, :]
            if mode == "max" or mode_ignored:
                pooled = window.max(axis=axes)
            else:
                pooled = window.sum(axis=axes) if average_as_sum else window.mean(axis=axes)
            A[:, h, w, :] = pooled[:, None] if all_channels else pooled
    return A, (A_prev, hparameters)


def create_mask_from_window(x, *, reduce="all"):
    """reduce: "all" (right), "columns" (max per column), "rows" (max per row), "argmax" (first maximum only),
    "max_value" (the maximum itself, not a mask)."""
    if reduce == "max_value":
        return np.max(x)
    if reduce == "argmax":
        mask = np.zeros(x.shape, dtype=bool)
        mask[np.unravel_index(np.argmax(x), x.shape)] = True
        return mask
    axis = {"all": None, "columns": 0, "rows": 1}[reduce]
    return x == np.max(x, axis=axis, keepdims=True)


def distribute_value(dz, shape, *, spread="even"):
    """spread: "even" (right), "floor_division", "undivided", "by_rows" (dz / n_H), "corner" (all of dz at [0, 0])."""
    n_H, n_W = shape
    if spread == "corner":
        a = np.zeros(shape)
        a[0, 0] = dz
        return a
    value = {"even": dz / (n_H * n_W), "floor_division": dz // (n_H * n_W), "undivided": dz, "by_rows": dz / n_H}[spread]
    return np.ones(shape) * value


def pool_backward(dA, cache, mode="max", *, stride_ignored=False, average_undivided=False, assign=False,
                  mask_from_gradient=False, mode_ignored=False, example=None):
    """The course's pool_backward; mode_ignored: always the max-pool gradient."""
    A_prev, hparameters = cache
    windows_from = _examples(A_prev, example)
    f, stride = hparameters["f"], hparameters["stride"]
    _, n_H, n_W, _ = dA.shape
    step = 1 if stride_ignored else stride
    dA_prev = np.zeros(A_prev.shape)
    for h in range(n_H):
        for w in range(n_W):
            rows, cols = slice(h * step, h * step + f), slice(w * step, w * step + f)
            g = dA[:, h, w, :][:, None, None, :]
            if mode == "max" or mode_ignored:
                source = dA_prev if mask_from_gradient else windows_from
                window = source[:, rows, cols, :]
                grad = (window == window.max(axis=(1, 2), keepdims=True)) * g
            else:
                grad = np.broadcast_to(g if average_undivided else g / (f * f), dA_prev[:, rows, cols, :].shape)
            if assign:
                dA_prev[:, rows, cols, :] = grad
            else:
                dA_prev[:, rows, cols, :] += grad
    return dA_prev
