"""The wrong ways students call the helpers, as the course writes its loops: the release records the
grader's answers to these calls too, so the student kit answers them as the grader does (and names the
mistake) where the student's own helper might answer differently. Each function runs every pattern for
its exercise; a pattern's first call the reference rejects ends it, as it ends the student's code."""
from __future__ import annotations

import numpy as np

from cnn_reference import conv_single_step, create_mask_from_window, distribute_value, zero_pad  # noqa: F401 (recorded)


def conv_forward(A_prev, W, b, hparameters):
    """Windows with the kernel flipped, the stride ignored, and windows sliced from the unpadded input."""
    for knobs in ({"flip": True}, {"stride_ignored": True}, {"unpadded": True}):
        try:
            _conv_forward(A_prev, W, b, hparameters, **knobs)
        except (ValueError, IndexError):
            pass


def _conv_forward(A_prev, W, b, hparameters, flip=False, stride_ignored=False, unpadded=False):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    step = 1 if stride_ignored else stride
    A_prev_pad = A_prev if unpadded else zero_pad(A_prev, pad)
    kernel = W[::-1, ::-1] if flip else W
    for i in range(m):
        for h in range((n_H_prev + 2 * pad - f) // stride + 1):
            for w in range((n_W_prev + 2 * pad - f) // stride + 1):
                a_slice = A_prev_pad[i, h * step:h * step + f, w * step:w * step + f, :]
                for c in range(n_C):
                    conv_single_step(a_slice, kernel[:, :, :, c], b[:, :, :, c])


def pool_backward(dA, cache, mode="max"):
    """The mask taken from the gradient being built (dA_prev) instead of the input window."""
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
                    if mode == "max":
                        dA_prev[i, rows, cols, c] += create_mask_from_window(dA_prev[i, rows, cols, c]) * dA[i, h, w, c]
