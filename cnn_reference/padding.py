"""Zero padding of the spatial axes and its inverse."""
from __future__ import annotations

import numpy as np

from ._checks import as_array, integer


def zero_pad(X: np.ndarray, pad: int) -> np.ndarray:
    """Pad the height and width axes of a batch of images with ``pad`` zeros on every side.

    X: (m, n_H, n_W, n_C) -> X_pad: (m, n_H + 2*pad, n_W + 2*pad, n_C), same dtype; X is not modified.
    """
    X = as_array("X", X, 4)
    pad = integer("pad", pad, 0)
    m, n_H, n_W, n_C = X.shape
    X_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype=X.dtype)
    X_pad[:, pad : pad + n_H, pad : pad + n_W, :] = X  # faster than np.pad, which is general-purpose
    return X_pad


def unpad(X_pad: np.ndarray, pad: int) -> np.ndarray:
    """Inverse of :func:`zero_pad`: (m, n_H + 2*pad, n_W + 2*pad, n_C) -> view (m, n_H, n_W, n_C).

    Unlike ``X_pad[:, pad:-pad, pad:-pad, :]`` this is also right for pad = 0.
    """
    _, n_H, n_W, _ = X_pad.shape
    return X_pad[:, pad : n_H - pad, pad : n_W - pad, :]
