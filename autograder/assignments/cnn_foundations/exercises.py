"""cnn_foundations' exercises as data: the lecture's numbers as public cases, seeded hidden ones.

``helpers`` name the earlier exercises a solution naturally calls (convolve2d calls correlate2d, the shape
functions call conv_output_size, ...): while an exercise is graded they are the reference's, so a mistake
costs points only where it is made.
"""
from __future__ import annotations

import numpy as np

from cnn_reference import concepts as ref

from ...course import Exercise, Family, normal


def _int(rng: np.random.Generator, low: int, high: int) -> int:
    return int(rng.integers(low, high + 1))


def _odd(rng: np.random.Generator) -> int:
    return 2 * _int(rng, 0, 4) + 1


def _shape(rng: np.random.Generator, low: int = 5, high: int = 40, channels: int = 16) -> tuple[int, int, int]:
    return (_int(rng, low, high), _int(rng, low, high), _int(rng, 1, channels))


def _bright_left(size: int = 6) -> np.ndarray:
    image = np.zeros((size, size))
    image[:, : size // 2] = 10.0
    return image


def _random_network(rng: np.random.Generator) -> tuple:
    """A small conv/pool/dense stack on a random input, every layer valid."""
    shape = _shape(rng, 24, 48, 3)
    layers = [{"name": "CONV1", "type": "conv", "f": _odd(rng), "n_C": _int(rng, 2, 12), "s": _int(rng, 1, 2)},
              {"name": "POOL1", "type": "pool", "f": 2, "s": 2},
              {"name": "CONV2", "type": "conv", "f": 3, "n_C": _int(rng, 4, 16), "p": 1},
              {"name": "FLATTEN", "type": "flatten"},
              {"name": "FC", "type": "dense", "units": _int(rng, 10, 100)}]
    return shape, layers


EXACT = {"rtol": 0.0, "atol": 0.0}  # counts, shapes, filters and padded copies must be exactly right

SIMPLE_NETWORK = [{"name": "CONV1", "type": "conv", "f": 3, "n_C": 10},
                  {"name": "CONV2", "type": "conv", "f": 5, "s": 2, "n_C": 20},
                  {"name": "CONV3", "type": "conv", "f": 5, "s": 2, "n_C": 40},
                  {"name": "FLATTEN", "type": "flatten"}]

EXERCISES: tuple[Exercise, ...] = (
    Exercise("input_features", 5, ref.input_features, ("height", "width", "channels"), ("features",),
             lambda: [("a 64x64 RGB image", (64, 64, 3)), ("a 1000x1000 RGB image", (1000, 1000, 3))],
             (Family("rectangular", "a rectangular image", lambda r: _shape(r, 10, 500, 4)),
              Family("grayscale", "one channel", lambda r: (_int(r, 8, 300), _int(r, 8, 300), 1))),
             **EXACT),
    Exercise("dense_parameters", 5, ref.dense_parameters, ("n_inputs", "n_units", "bias"), ("parameters",),
             lambda: [("weights of 1000 units on a 1000x1000x3 image", (3_000_000, 1000, False)),
                      ("the fully connected alternative to a 28x28x6 conv output", (3072, 4704, False)),
                      ("LeNet-5's FC3 with biases", (400, 120, True))],
             (Family("with_bias", "weights and biases", lambda r: (_int(r, 10, 5000), _int(r, 2, 500), True)),
              Family("weights_only", "weights only", lambda r: (_int(r, 10, 5000), _int(r, 2, 500), False))),
             **EXACT),
    Exercise("conv_parameters", 10, ref.conv_parameters, ("f", "n_C_prev", "n_C"), ("parameters",),
             lambda: [("six 5x5 filters on an RGB input", (5, 3, 6)), ("ten 3x3x3 filters", (3, 3, 10))],
             (Family("deep", "filters over many channels", lambda r: (_odd(r), _int(r, 4, 64), _int(r, 2, 64))),
              Family("one_channel", "filters over one channel", lambda r: (_odd(r), 1, _int(r, 2, 32)))),
             **EXACT),
    Exercise("edge_filter", 5, ref.edge_filter, ("name",), ("filter",),
             lambda: [(f"the {name} filter", (name,)) for name in ref.FILTER_NAMES],
             (Family("unknown", "an unknown filter name is rejected", lambda r: ("laplacian",)),),
             **EXACT),
    Exercise("correlate2d", 10, ref.correlate2d, ("image", "kernel"), ("output",),
             lambda: [("the 6x6 bright-left image and the vertical filter", (_bright_left(), ref.edge_filter("vertical"))),
                      ("the same image and the horizontal filter", (_bright_left(), ref.edge_filter("horizontal")))],
             (Family("random", "a random image and an asymmetric kernel",
                     lambda r: (normal(r, _int(r, 5, 9), _int(r, 5, 9)), normal(r, 3, 3))),
              Family("rectangular_kernel", "a rectangular kernel", lambda r: (normal(r, 7, 6), normal(r, 2, 4))),
              Family("kernel_size_of_image", "a kernel as large as the image",
                     lambda r: (normal(r, 4, 5), normal(r, 4, 5)))),
             cost=lambda image, kernel: int(np.size(image)) * int(np.size(kernel))),
    Exercise("convolve2d", 5, ref.convolve2d, ("image", "kernel"), ("output",),
             lambda: [("a ramp image and an asymmetric kernel",
                       (np.arange(36.0).reshape(6, 6) % 7, np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [-2.0, 0.0, 1.0]])))],
             (Family("random", "a random image and an asymmetric kernel",
                     lambda r: (normal(r, _int(r, 5, 9), _int(r, 5, 9)), normal(r, 3, 3))),
              Family("rectangular_kernel", "a rectangular kernel", lambda r: (normal(r, 6, 7), normal(r, 3, 2)))),
             helpers=("correlate2d",)),
    Exercise("conv_output_size", 10, ref.conv_output_size, ("n", "f", "p", "s"), ("size",),
             lambda: [("6x6 image, 3x3 filter", (6, 3, 0, 1)), ("39 with f=3", (39, 3, 0, 1)),
                      ("37 with f=5, stride 2", (37, 5, 0, 2)),
                      ("8 with f=3, stride 2 (a row left over)", (8, 3, 0, 2)),
                      ("a filter larger than the padded input is rejected", (3, 7, 1, 1))],
             (Family("third_left", "stride 3 leaving a third of a step", lambda r: (3 * _int(r, 4, 20) + 1, 3, 0, 3)),
              Family("three_quarters_left", "stride 4 leaving three quarters of a step",
                     lambda r: (4 * _int(r, 3, 15) + 4, 1, 0, 4)),
              Family("padded", "padding 3, stride 2", lambda r: (2 * _int(r, 5, 30) + 1, 5, 3, 2)),
              Family("same", "'same' padding at stride 1", lambda r: (_int(r, 5, 60), 5, 2, 1)),
              Family("too_large", "a filter larger than the padded input is rejected", lambda r: (_int(r, 2, 5), 9, 1, 1)),
              Family("zero_stride", "stride 0 is rejected", lambda r: (_int(r, 5, 30), 3, 0, 0)),
              Family("negative_pad", "negative padding is rejected", lambda r: (_int(r, 5, 30), 3, -1, 1))),
             **EXACT),
    Exercise("same_padding", 5, ref.same_padding, ("f",), ("padding",),
             lambda: [("f = 3", (3,)), ("f = 5", (5,)), ("an even filter is rejected", (4,))],
             (Family("odd", "odd f", lambda r: (_odd(r) + 2,)),
              Family("even", "even f is rejected", lambda r: (2 * _int(r, 1, 5),))),
             **EXACT),
    Exercise("pad_image", 5, ref.pad_image, ("image", "top", "bottom", "left", "right"), ("padded",),
             lambda: [("a 3x4 image", (np.arange(12.0).reshape(3, 4), 1, 2, 0, 3))],
             (Family("rgb", "an RGB image (channels are not padded)", lambda r: (normal(r, 4, 5, 3), 2, 0, 1, 1)),
              Family("asymmetric", "four different widths", lambda r: (normal(r, 3, 3), 0, 3, 2, 1))),
             **EXACT),
    Exercise("conv_output_shape", 5, ref.conv_output_shape, ("input_shape", "f", "n_filters", "p", "s"), ("shape",),
             lambda: [("an RGB 6x6 input, two 3x3x3 filters", ((6, 6, 3), 3, 2, 0, 1)),
                      ("39x39x3, ten 3x3 filters", ((39, 39, 3), 3, 10, 0, 1))],
             (Family("strided", "padding and stride", lambda r: (_shape(r), 3, _int(r, 2, 64), 1, 2)),),
             helpers=("conv_output_size",), **EXACT),
    Exercise("pool_output_shape", 5, ref.pool_output_shape, ("input_shape", "f", "s"), ("shape",),
             lambda: [("LeNet-5's first pooling", ((28, 28, 8), 2, 2))],
             (Family("overlapping", "overlapping windows", lambda r: (_shape(r), 3, 1)),
              Family("halving", "f 2 stride 2 on an odd size",
                     lambda r: ((2 * _int(r, 5, 20) + 1, 2 * _int(r, 5, 20), 4), 2, 2))),
             helpers=("conv_output_size",), **EXACT),
    Exercise("layer_shapes", 5, ref.layer_shapes, ("input_shape", "f", "n_C", "p", "s"), ("shapes",),
             lambda: [("ten 3x3 filters on 6x6x3", ((6, 6, 3), 3, 10, 0, 1))],
             (Family("strided", "padding and stride", lambda r: (_shape(r), 3, _int(r, 2, 32), 1, 2)),),
             helpers=("conv_output_shape", "conv_output_size"), **EXACT),
    Exercise("architecture_table", 25, ref.architecture_table, ("input_shape", "layers"), ("table",),
             lambda: [("LeNet-5 (the lecture's variant, 32x32x3)", ((32, 32, 3), ref.LENET5)),
                      ("the simple network 39x39x3 -> 7x7x40", ((39, 39, 3), SIMPLE_NETWORK))],
             (Family("random", "a small conv/pool/dense network", _random_network, count=2),),
             helpers=("conv_output_shape", "conv_output_size", "conv_parameters", "dense_parameters", "input_features",
                      "pool_output_shape"), **EXACT),
)
