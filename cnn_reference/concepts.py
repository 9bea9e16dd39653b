"""The lecture's concepts as pure functions: sizes, parameter counts, edge filters, 2-D filtering.

These are the answers of the "CNN foundations" assignment. Shapes are (height, width, channels).
Parameter counts are the true ones: a conv filter spans all input channels, and every filter or unit
has one bias. (The lecture's slides sometimes count a 5x5 filter over one channel: 156 instead of 456.)
"""
from __future__ import annotations

import numpy as np

from ._checks import integer
from .windows import output_size

EDGE_FILTERS = {
    "vertical": np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float64),
    "sobel": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float64),
    "scharr": np.array([[3, 0, -3], [10, 0, -10], [3, 0, -3]], dtype=np.float64),
}


def input_features(height: int, width: int, channels: int) -> int:
    """Number of input values of an image: height * width * channels (64x64x3 -> 12288)."""
    return integer("height", height, 1) * integer("width", width, 1) * integer("channels", channels, 1)


def dense_parameters(n_inputs: int, n_units: int, bias: bool = True) -> int:
    """Parameters of a fully connected layer: one weight per (input, unit) pair, plus one bias per unit."""
    n_inputs, n_units = integer("n_inputs", n_inputs, 1), integer("n_units", n_units, 1)
    return n_inputs * n_units + (n_units if bias else 0)


def conv_parameters(f: int, n_C_prev: int, n_C: int) -> int:
    """Parameters of a conv layer of n_C filters f x f over n_C_prev channels: (f*f*n_C_prev + 1) * n_C."""
    f, n_C_prev, n_C = integer("f", f, 1), integer("n_C_prev", n_C_prev, 1), integer("n_C", n_C, 1)
    return (f * f * n_C_prev + 1) * n_C


FILTER_NAMES = {f"{prefix}{direction}": (family, direction == "horizontal")
                for family, prefix in (("vertical", ""), ("sobel", "sobel_"), ("scharr", "scharr_"))
                for direction in ("vertical", "horizontal")}


def edge_filter(name: str) -> np.ndarray:
    """A 3x3 edge-detection filter by name (see FILTER_NAMES): vertical filters respond to light-left,
    dark-right edges; each horizontal filter is its vertical twin transposed (light top, dark bottom)."""
    if name not in FILTER_NAMES:
        raise ValueError(f"unknown filter {name!r}; known: {', '.join(FILTER_NAMES)}")
    family, transposed = FILTER_NAMES[name]
    base = EDGE_FILTERS[family]
    return base.T.copy() if transposed else base.copy()


def correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid 2-D filtering as CNNs do it (cross-correlation): image (H, W), kernel (f_h, f_w) ->
    (H - f_h + 1, W - f_w + 1), out[i, j] = sum(image[i:i+f_h, j:j+f_w] * kernel)."""
    image, kernel = _matrix("image", image), _matrix("kernel", kernel)
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"kernel {kernel.shape} is larger than image {image.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("hwij,ij->hw", windows, kernel)


def convolve2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid 2-D convolution in the mathematical sense: cross-correlation with the kernel flipped on both axes."""
    return correlate2d(image, _matrix("kernel", kernel)[::-1, ::-1])


def conv_output_size(n: int, f: int, p: int, s: int) -> int:
    """floor((n + 2p - f) / s) + 1; ValueError for n < 1, f < 1, p < 0, s < 1 or f > n + 2p."""
    n, f, p, s = integer("n", n, 1), integer("f", f, 1), integer("p", p, 0), integer("s", s, 1)
    return output_size(n, f, p, s)


def same_padding(f: int) -> int:
    """The padding that keeps the size at stride 1: p = (f - 1) / 2, which is whole only for odd f."""
    f = integer("f", f, 1)
    if f % 2 == 0:
        raise ValueError(f"an even filter (f={f}) has no symmetric 'same' padding: (f - 1) / 2 = {(f - 1) / 2}")
    return (f - 1) // 2


def pad_image(image: np.ndarray, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    """Zero-pad the first two axes of image (H, W) or (H, W, C) by different amounts on each side."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise ValueError("image must be a numpy array of shape (H, W) or (H, W, C)")
    widths = [(integer("top", top, 0), integer("bottom", bottom, 0)), (integer("left", left, 0), integer("right", right, 0))]
    return np.pad(image, widths + [(0, 0)] * (image.ndim - 2))


def conv_output_shape(input_shape: tuple, f: int, n_filters: int, p: int = 0, s: int = 1) -> tuple[int, int, int]:
    """(n_H, n_W, n_filters) of a conv layer on an input (n_H_prev, n_W_prev, n_C_prev): 6x6x3, two 3x3 -> 4x4x2."""
    n_H_prev, n_W_prev, _ = _shape(input_shape)
    return (conv_output_size(n_H_prev, f, p, s), conv_output_size(n_W_prev, f, p, s), integer("n_filters", n_filters, 1))


def pool_output_shape(input_shape: tuple, f: int, s: int) -> tuple[int, int, int]:
    """(n_H, n_W, n_C) after pooling (no padding; the channels stay)."""
    n_H_prev, n_W_prev, n_C = _shape(input_shape)
    return conv_output_size(n_H_prev, f, 0, s), conv_output_size(n_W_prev, f, 0, s), n_C


def layer_shapes(input_shape: tuple, f: int, n_C: int, p: int = 0, s: int = 1) -> dict[str, tuple]:
    """The shapes of layer l in the course's notation: one filter (f, f, n_C_prev), the weights
    (f, f, n_C_prev, n_C), the bias (1, 1, 1, n_C) and the activation (n_H, n_W, n_C)."""
    n_C_prev = _shape(input_shape)[2]
    return {"filter": (f, f, n_C_prev), "weights": (f, f, n_C_prev, n_C), "bias": (1, 1, 1, n_C),
            "activation": conv_output_shape(input_shape, f, n_C, p, s)}


def architecture_table(input_shape: tuple, layers: list[dict]) -> list[tuple[str, tuple, int, int]]:
    """Rows (name, activation shape, activation size, parameters) for a network, starting with the input.

    layers: dicts with "name" and "type": "conv" (f, n_C, optional p and s), "pool" (f, s), "flatten",
    or "dense" (units; used for fully connected and softmax layers).
    """
    shape = _shape(input_shape)
    rows = [("input", shape, int(np.prod(shape)), 0)]
    for layer in layers:
        kind = layer["type"]
        if kind == "conv":
            params = conv_parameters(layer["f"], shape[-1], layer["n_C"])
            shape = conv_output_shape(shape, layer["f"], layer["n_C"], layer.get("p", 0), layer.get("s", 1))
        elif kind == "pool":
            params, shape = 0, pool_output_shape(shape, layer["f"], layer["s"])
        elif kind == "flatten":
            params, shape = 0, (int(np.prod(shape)),)
        elif kind == "dense":
            params = dense_parameters(int(np.prod(shape)), layer["units"])
            shape = (layer["units"],)
        else:
            raise ValueError(f"unknown layer type {kind!r} (conv, pool, flatten or dense)")
        rows.append((layer["name"], tuple(shape), int(np.prod(shape)), params))
    return rows


LENET5 = [
    {"name": "CONV1", "type": "conv", "f": 5, "n_C": 8},
    {"name": "POOL1", "type": "pool", "f": 2, "s": 2},
    {"name": "CONV2", "type": "conv", "f": 5, "n_C": 16},
    {"name": "POOL2", "type": "pool", "f": 2, "s": 2},
    {"name": "FLATTEN", "type": "flatten"},
    {"name": "FC3", "type": "dense", "units": 120},
    {"name": "FC4", "type": "dense", "units": 84},
    {"name": "SOFTMAX", "type": "dense", "units": 10},
]
"""The lecture's LeNet-5 variant on a 32x32x3 input."""


def _matrix(name: str, x) -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D numpy array")
    return x


def _shape(shape) -> tuple[int, int, int]:
    if not isinstance(shape, tuple | list) or len(shape) != 3:
        raise ValueError(f"a shape must be (height, width, channels), got {shape!r}")
    return tuple(integer("shape entry", n, 1) for n in shape)
