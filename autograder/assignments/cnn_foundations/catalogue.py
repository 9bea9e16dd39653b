"""Known mistakes in the concepts assignment, each a wrong variant with the exercise's signature."""
from __future__ import annotations

import math

import numpy as np

from cnn_reference import concepts as ref

from ...course import Mistake


def _size(rounding):
    return lambda n, f, p, s: rounding((n + 2 * p - f) / s) + 1


def _table(conv_channels=True, dense_biases="per_unit"):
    """architecture_table with a conv filter spanning one channel and/or dense layers with "none" or "one" bias."""
    missing_biases = {"per_unit": lambda units: 0, "none": lambda units: units, "one": lambda units: units - 1}

    def table(input_shape, layers):
        rows = ref.architecture_table(input_shape, layers)
        fixed = [rows[0]]
        for (name, shape, size, params), layer in zip(rows[1:], layers):
            if layer["type"] == "conv" and not conv_channels:
                params = (layer["f"] ** 2 + 1) * layer["n_C"]
            if layer["type"] == "dense":
                params -= missing_biases[dense_biases](layer["units"])
            fixed.append((name, shape, size, params))
        return fixed
    return table


def _float_sizes(n, f, p, s):
    """n_out computed with true division: a float, whole or not."""
    return (n + 2 * p - f) / s + 1


def _float_shape(input_shape, f, n_C, p=0, s=1):
    return _float_sizes(input_shape[0], f, p, s), _float_sizes(input_shape[1], f, p, s), n_C


def _float_table(input_shape, layers):
    """architecture_table with its output sizes computed with /: float shapes, sizes and dense counts."""
    shape = tuple(input_shape)
    rows = [("input", shape, math.prod(shape), 0)]
    for layer in layers:
        values, params = math.prod(shape), 0
        if layer["type"] == "conv":
            params = (layer["f"] ** 2 * shape[-1] + 1) * layer["n_C"]
            shape = _float_shape(shape, layer["f"], layer["n_C"], layer.get("p", 0), layer.get("s", 1))
        elif layer["type"] == "pool":
            shape = _float_shape(shape, layer["f"], shape[-1], 0, layer["s"])
        elif layer["type"] == "flatten":
            shape = (values,)
        else:
            params, shape = values * layer["units"] + layer["units"], (layer["units"],)
        rows.append((layer["name"], shape, math.prod(shape), params))
    return rows


FLOAT_SIZE = ("Your size is a float (/ and np.floor give floats, e.g. 17.0 or 17.5): return an int, with integer "
              "division: (n + 2 * p - f) // s + 1.")
FLOAT_SHAPE = ("Your n_H and n_W are floats (/ gives floats, e.g. 37.0): return ints, with integer division, "
               "(n_prev + 2 * p - f) // s + 1, or call conv_output_size.")


CATALOGUE: tuple[Mistake, ...] = (
    Mistake("input_features", "no_channels", "You counted pixels, not values: every pixel holds one value per "
            "channel, so multiply by the channels too (64x64x3 = 12288).", variant=lambda h, w, c: h * w),
    Mistake("input_features", "sum", "You added the dimensions: the number of values is their product, "
            "height * width * channels.", variant=lambda h, w, c: h + w + c),
    Mistake("dense_parameters", "bias_once", "You counted one bias for the whole layer: each unit has its own bias, "
            "n_inputs * n_units + n_units.", variant=lambda n, u, bias: n * u + (1 if bias else 0)),
    Mistake("dense_parameters", "bias_ignored", "With bias=True each unit adds one bias: n_inputs * n_units + n_units.",
            variant=lambda n, u, bias: n * u),
    Mistake("conv_parameters", "channels_ignored", "Your count treats each filter as f x f over one channel (the "
            "lecture's 156): a filter spans every input channel, so it has f*f*n_C_prev weights plus one bias.",
            variant=lambda f, c_prev, c: (f * f + 1) * c),
    Mistake("conv_parameters", "bias_per_layer", "You counted one bias for the layer: every filter has its own, "
            "(f*f*n_C_prev + 1) * n_C.", variant=lambda f, c_prev, c: f * f * c_prev * c + 1),
    Mistake("conv_parameters", "no_bias", "Your count is missing the biases: one per filter, (f*f*n_C_prev + 1) * n_C.",
            variant=lambda f, c_prev, c: f * f * c_prev * c),
    Mistake("edge_filter", "not_transposed", "Your horizontal filter is the vertical one: a horizontal filter is its "
            "vertical twin transposed (light rows on top, dark below).",
            variant=lambda name: ref.edge_filter(name.replace("horizontal", "vertical"))),
    Mistake("edge_filter", "sign_flipped", "Your filter has the opposite sign: the course's vertical filter has the "
            "positive column on the left, [[1, 0, -1], ...], and its horizontal twin the positive row on top.",
            variant=lambda name: -ref.edge_filter(name)),
    Mistake("correlate2d", "flipped", "Your output matches a true convolution (kernel flipped on both axes): CNN "
            "layers multiply each window by the kernel as it is (cross-correlation).", variant=ref.convolve2d),
    Mistake("correlate2d", "transposed_kernel", "Your output matches the transposed kernel: window[i, j] pairs with "
            "kernel[i, j].", variant=lambda image, kernel: ref.correlate2d(image, kernel.T)
            if kernel.shape[0] <= image.shape[0] and kernel.shape[1] <= image.shape[1] else None),
    Mistake("correlate2d", "one_short", "Your output is one row and column short: a valid filter fits "
            "n - f + 1 times along an axis.", variant=lambda image, kernel: ref.correlate2d(image, kernel)[:-1, :-1]),
    Mistake("convolve2d", "not_flipped", "Your output is the cross-correlation: a true convolution flips the kernel "
            "on both axes first, kernel[::-1, ::-1].", variant=ref.correlate2d),
    Mistake("convolve2d", "rows_flipped", "You flipped the kernel upside down only: flip both axes, kernel[::-1, ::-1].",
            variant=lambda image, kernel: ref.correlate2d(image, kernel[::-1])),
    Mistake("convolve2d", "columns_flipped", "You flipped the kernel left-right only: flip both axes, kernel[::-1, ::-1].",
            variant=lambda image, kernel: ref.correlate2d(image, kernel[:, ::-1])),
    # first: on inputs that must be rejected, the value-level variants below return a number too
    Mistake("conv_output_size", "not_validated", "Your function returns a size for an impossible combination: reject "
            "f > n + 2p, s < 1 and p < 0 with a ValueError (no window fits, or the windows never move).",
            variant=lambda n, f, p, s: (n + 2 * p - f) // s + 1 if s else 0),
    Mistake("conv_output_size", "rounds_up", "Your size rounds up (ceil, or round from .5): the last window must fit "
            "inside the padded input, so round down: (n + 2 * p - f) // s + 1.", variant=_size(math.ceil)),
    Mistake("conv_output_size", "no_floor", FLOAT_SIZE, variant=_float_sizes),
    Mistake("conv_output_size", "float_size", FLOAT_SIZE,
            variant=lambda n, f, p, s: float(ref.conv_output_size(n, f, p, s))),
    Mistake("conv_output_size", "no_plus_one", "Your size is one too small: the first window counts too, "
            "(n + 2 * p - f) // s + 1.", variant=lambda n, f, p, s: (n + 2 * p - f) // s),
    Mistake("conv_output_size", "pad_once", "You added the padding once: it is on both sides, n + 2p.",
            variant=lambda n, f, p, s: (n + p - f) // s + 1),
    Mistake("same_padding", "even_not_rejected", "(f - 1) / 2 is a float (1.0 for f = 3) and for an even f not a whole "
            "number of pixels, so no padding keeps the size on both sides equally: return (f - 1) // 2, and raise a "
            "ValueError for an even f.", variant=lambda f: (f - 1) / 2),
    Mistake("same_padding", "total_padding", "You returned the total padding f - 1: p is per side, (f - 1) / 2.",
            variant=lambda f: f - 1),
    Mistake("pad_image", "axes_swapped", "You padded rows by left/right and columns by top/bottom: the first axis "
            "is the height, pad_width=((top, bottom), (left, right)).",
            variant=lambda image, top, bottom, left, right: ref.pad_image(image, left, right, top, bottom)),
    Mistake("pad_image", "symmetric", "You padded both sides of an axis by the same amount: each side has its own "
            "width, ((top, bottom), (left, right)).",
            variant=lambda image, top, bottom, left, right: ref.pad_image(image, top, top, left, left)),
    Mistake("pad_image", "channels_padded", "You padded the channel axis too: pad only height and width, "
            "with (0, 0) for the channels.",
            variant=lambda image, top, bottom, left, right: np.pad(image, [(top, bottom), (left, right)]
                                                                    + [(top, bottom)] * (image.ndim - 2))),
    Mistake("conv_output_shape", "input_channels", "Your output keeps the input's channels: a conv layer outputs one "
            "channel per filter, (n_H, n_W, n_filters).",
            variant=lambda shape, f, n, p, s: ref.conv_output_shape(shape, f, shape[2], p, s)),
    Mistake("conv_output_shape", "float_sizes", FLOAT_SHAPE, variant=_float_shape),
    Mistake("pool_output_shape", "stride_ignored", "Your size ignores the stride: floor((n - f) / s) + 1.",
            variant=lambda shape, f, s: ref.pool_output_shape(shape, f, 1)),
    Mistake("pool_output_shape", "float_sizes", FLOAT_SHAPE,
            variant=lambda shape, f, s: _float_shape(shape, f, shape[2], 0, s)),
    Mistake("layer_shapes", "filter_without_channels", "A filter of layer l spans all n_C_prev input channels: "
            "(f, f, n_C_prev), and the weights (f, f, n_C_prev, n_C).",
            variant=lambda shape, f, n, p, s: {**ref.layer_shapes(shape, f, n, p, s), "filter": (f, f), "weights": (f, f, n)}),
    Mistake("layer_shapes", "keras_bias", "In the course's notation the bias is (1, 1, 1, n_C); (n_C,) is Keras's layout.",
            variant=lambda shape, f, n, p, s: {**ref.layer_shapes(shape, f, n, p, s), "bias": (n,)}),
    Mistake("architecture_table", "conv_channels_ignored", "Your conv parameter counts treat each filter as one "
            "channel deep (the lecture's 208 for CONV1): a 5x5 filter over 3 channels has 75 weights + 1 bias, "
            "(5*5*3 + 1) * 8 = 608.", variant=_table(conv_channels=False)),
    Mistake("architecture_table", "dense_without_bias", "Your fully connected layers have no biases: each unit adds "
            "one, e.g. FC3 has 400 * 120 + 120 = 48120 parameters.", variant=_table(dense_biases="none")),
    Mistake("architecture_table", "dense_one_bias", "Your fully connected layers have one bias each (the lecture's "
            "48,001 for FC3): every unit has its own, 400 * 120 + 120 = 48,120 (FC4 10,164, SOFTMAX 850).",
            variant=_table(dense_biases="one")),
    Mistake("architecture_table", "float_sizes", "Your shapes and sizes are floats (/ gives floats, e.g. 28.0): "
            "return ints, with integer division, (n_prev + 2 * p - f) // s + 1, or call conv_output_shape and "
            "pool_output_shape.", variant=_float_table),
)
