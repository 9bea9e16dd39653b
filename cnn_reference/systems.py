"""Convolution with TensorFlow's ``tf.nn.conv2d`` and Keras's ``Conv2D`` semantics, next to the course's.

Shapes (NHWC): x (m, H, W, c_in); kernel (f_h, f_w, c_in, c_out), rectangular allowed; bias (c_out,);
output (m, out_h, out_w, c_out). Cross-correlation (no kernel flip), like the course's conv_forward.
"VALID": no padding, out = ceil((n - f + 1) / s). "SAME": out = ceil(n / s), total padding
max((out - 1) * s + f - n, 0) per axis, the smaller half before and the extra row/column after.
The course pads (f - 1) // 2 on every side instead: for odd f the two agree exactly when TF's "before"
equals (f - 1) // 2 (always at stride 1; at stride s > 1 when f = 1 or s divides n - 1).
"""
from __future__ import annotations

import numbers

import numpy as np

from ._checks import as_array, float_dtype, integer
from .windows import sliding_windows


def same_padding_amounts(n: int, f: int, s: int) -> tuple[int, int]:
    """TF's "SAME" split along one axis of size n, filter size f, stride s: (before, after), after - before in {0, 1}."""
    n, f, s = integer("n", n, 1), integer("f", f, 1), integer("s", s, 1)
    out = -(-n // s)  # ceil(n / s)
    total = max((out - 1) * s + f - n, 0)
    return total // 2, total - total // 2


def _strides(strides, allow_four: bool = True) -> tuple[int, int]:
    """int s, pair (s_h, s_w), length-1 [s] or (if allow_four) TF's [1, s_h, s_w, 1] -> (s_h, s_w), each >= 1."""
    accepted = "an int, a pair (s_h, s_w)" + (" or [1, s_h, s_w, 1]" if allow_four else "")
    if isinstance(strides, np.ndarray):
        strides = strides.tolist()
    if isinstance(strides, numbers.Integral):
        strides = [strides]
    if not isinstance(strides, (list, tuple)) or len(strides) not in ((1, 2, 4) if allow_four else (1, 2)):
        raise ValueError(f"strides must be {accepted}, got {strides!r}")
    if len(strides) == 4:
        if not (integer("strides[0]", strides[0], 1) == 1 and integer("strides[3]", strides[3], 1) == 1):
            raise ValueError(f"strides [1, s_h, s_w, 1]: the batch and channel strides must be 1, got {list(strides)}")
        strides = strides[1:3]
    s_h, s_w = strides * 2 if len(strides) == 1 else strides
    return integer("strides (s_h)", s_h, 1), integer("strides (s_w)", s_w, 1)


def _padding(padding, accepted: tuple[str, str]) -> str:
    if not isinstance(padding, str) or padding not in accepted:
        raise ValueError(f"padding must be {accepted[0]!r} or {accepted[1]!r}, got {padding!r}")
    return padding.upper()


def _conv2d(x, kernel, s_h: int, s_w: int, padding: str) -> np.ndarray:
    """conv2d after strides and padding are parsed: x (m, H, W, c_in), kernel (f_h, f_w, c_in, c_out)."""
    x = as_array("x", x, 4)
    kernel = as_array("kernel", kernel, 4)
    m, H, W, c_in = x.shape
    f_h, f_w, k_in, c_out = kernel.shape
    if H < 1 or W < 1:
        raise ValueError(f"x must have non-empty height and width, got shape {x.shape}")
    if f_h < 1 or f_w < 1:
        raise ValueError(f"kernel must have non-empty height and width (f_h, f_w, c_in, c_out), got shape {kernel.shape}")
    if k_in != c_in:
        raise ValueError(f"channel mismatch: x has {c_in} channels, kernel expects {k_in} (kernel {kernel.shape})")
    if padding == "VALID":
        if f_h > H or f_w > W:
            raise ValueError(f"kernel ({f_h}, {f_w}) is larger than the input ({H}, {W}) under VALID padding")
        (top, bottom), (left, right) = (0, 0), (0, 0)
    else:
        (top, bottom), (left, right) = same_padding_amounts(H, f_h, s_h), same_padding_amounts(W, f_w, s_w)
    # The shared primitive takes square windows and one stride: take f x f windows at stride 1
    # (f = max(f_h, f_w); f - f_h extra zero rows and f - f_w extra zero columns after keep the window
    # count right), then keep every s_h-th / s_w-th window and only its first f_h x f_w offsets.
    # The extra zeros are never read into the result.
    f = max(f_h, f_w)
    dtype = float_dtype(x, kernel)
    x_pad = np.pad(x.astype(dtype, copy=False), ((0, 0), (top, bottom + f - f_h), (left, right + f - f_w), (0, 0)))
    windows = sliding_windows(x_pad, f, 1)[:, ::s_h, ::s_w, :f_h, :f_w, :]
    out_h, out_w = windows.shape[1:3]
    cols = np.ascontiguousarray(windows).reshape(m * out_h * out_w, f_h * f_w * c_in)  # im2col
    Z = cols @ kernel.reshape(-1, c_out).astype(dtype, copy=False)
    return Z.reshape(m, out_h, out_w, c_out)


def conv2d(x: np.ndarray, kernel: np.ndarray, strides, padding: str = "VALID") -> np.ndarray:
    """``tf.nn.conv2d``: x (m, H, W, c_in), kernel (f_h, f_w, c_in, c_out) -> (m, out_h, out_w, c_out).

    strides: int s, pair (s_h, s_w) or TF's [1, s_h, s_w, 1]. padding: "VALID" or "SAME" (TF's split,
    see :func:`same_padding_amounts`). No bias. Result dtype is the inputs' common float dtype.
    """
    s_h, s_w = _strides(strides)
    return _conv2d(x, kernel, s_h, s_w, _padding(padding, ("VALID", "SAME")))


def keras_conv2d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, strides=1, padding: str = "valid") -> np.ndarray:
    """Keras ``Conv2D`` forward: x (m, H, W, c_in), kernel (f_h, f_w, c_in, c_out), bias (c_out,).

    strides: int or pair (s_h, s_w); padding "valid" or "same". Returns conv2d(x, kernel) + bias,
    shape (m, out_h, out_w, c_out).
    """
    s_h, s_w = _strides(strides, allow_four=False)
    padding = _padding(padding, ("valid", "same"))
    bias = as_array("bias", bias, 1)
    kernel = as_array("kernel", kernel, 4)
    if bias.shape != (kernel.shape[3],):
        raise ValueError(f"bias must have shape ({kernel.shape[3]},) to match kernel {kernel.shape}, got {bias.shape}")
    Z = _conv2d(x, kernel, s_h, s_w, padding)
    dtype = float_dtype(Z, bias)
    return Z.astype(dtype, copy=False) + bias.astype(dtype, copy=False)


def course_params_to_keras(W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Course W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C) -> Keras kernel (f, f, n_C_prev, n_C), bias (n_C,); copies."""
    W = as_array("W", W, 4)
    b = as_array("b", b, 4)
    if b.shape != (1, 1, 1, W.shape[3]):
        raise ValueError(f"b must have shape (1, 1, 1, {W.shape[3]}) to match W {W.shape}, got {b.shape}")
    return W.copy(), b.reshape(-1).copy()


def keras_params_to_course(kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras kernel (f, f, c_in, c_out), bias (c_out,) -> course W (f, f, c_in, c_out), b (1, 1, 1, c_out); copies.

    The course uses square filters only, so f_h must equal f_w.
    """
    kernel = as_array("kernel", kernel, 4)
    bias = as_array("bias", bias, 1)
    if kernel.shape[0] != kernel.shape[1]:
        raise ValueError(f"the course uses square filters: kernel must be (f, f, c_in, c_out), got shape {kernel.shape}")
    if bias.shape != (kernel.shape[3],):
        raise ValueError(f"bias must have shape ({kernel.shape[3]},) to match kernel {kernel.shape}, got {bias.shape}")
    return kernel.copy(), bias.reshape(1, 1, 1, -1).copy()
