"""The graded exercises of conv_step_by_step: points, reference, outputs, helpers, public cases, hidden families.

Points sum to 100. The public cases are the course's published examples; the hidden families are the
edge cases those examples miss.
"""
from __future__ import annotations

import math

import numpy as np

import cnn_reference as ref
from cnn_reference import stacked

from ...course import Exercise, Family, course_rng, normal
from .cases import conv_args, conv_backward_args, pool_backward_args, tied


# -- public cases: the course's published examples ------------------------------------------------------
def _zero_pad_public():
    rs = course_rng()
    return [("course example", (rs.randn(4, 3, 3, 2), 3)),
            ("n_H != n_W, pad 1", (np.random.RandomState(2).randn(2, 4, 5, 3), 1))]


def _conv_single_step_public():
    rs = course_rng()
    return [("course example", (rs.randn(4, 4, 3), rs.randn(4, 4, 3), rs.randn(1, 1, 1)))]


def _conv_forward_public():
    rs = course_rng()
    course = (rs.randn(2, 5, 7, 4), rs.randn(3, 3, 4, 8), rs.randn(1, 1, 1, 8), {"pad": 1, "stride": 2})
    rs = np.random.RandomState(3)
    plain = (rs.randn(1, 4, 4, 2), rs.randn(2, 2, 2, 3), rs.randn(1, 1, 1, 3), {"pad": 0, "stride": 1})
    rs = np.random.RandomState(4)
    one_by_one = (rs.randn(2, 3, 4, 3), rs.randn(1, 1, 3, 2), rs.randn(1, 1, 1, 2), {"pad": 0, "stride": 1})
    return [("course example", course), ("pad 0, stride 1", plain), ("1x1 filter", one_by_one)]


def _pool_forward_public():
    rs = course_rng()
    A_prev = rs.randn(2, 5, 5, 3)
    return [(f"course example, stride {s}, {mode}", (A_prev, {"stride": s, "f": 3}, mode))
            for s in (1, 2) for mode in ("max", "average")]


def _conv_backward_public():
    rs = course_rng()
    A_prev, W, b = rs.randn(10, 4, 4, 3), rs.randn(2, 2, 3, 8), rs.randn(1, 1, 1, 8)
    Z, cache = ref.conv_forward(A_prev, W, b, {"pad": 2, "stride": 2})
    rs = np.random.RandomState(5)
    A_prev, W, b = rs.randn(2, 3, 4, 3), rs.randn(1, 1, 3, 2), rs.randn(1, 1, 1, 2)
    Z_1x1, cache_1x1 = ref.conv_forward(A_prev, W, b, {"pad": 1, "stride": 2})
    return [("course example (dZ = Z)", (Z, cache)), ("1x1 filter, pad 1, stride 2 (dZ = Z)", (Z_1x1, cache_1x1))]


def _create_mask_public():
    rs = course_rng()
    return [("course example", (rs.randn(2, 3),)),
            ("a window with two equal maxima (both are True)", (np.array([[1.0, 3.0], [3.0, 2.0]]),))]


def _distribute_value_public():
    return [("course example", (2, (2, 2)))]


def _pool_backward_public():
    rs = course_rng()
    A_prev = rs.randn(5, 5, 3, 2)
    A, cache = ref.pool_forward(A_prev, {"stride": 1, "f": 2})
    dA = rs.randn(5, 4, 2, 2)
    return [(f"course example, {mode}", (dA, cache, mode)) for mode in ("max", "average")]


# -- hidden families: the edge cases the course's examples miss ------------------------------------------
def _pool_forward_case(A_prev, f, stride, mode):
    return A_prev, {"f": f, "stride": stride}, mode


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "zero_pad", 5, ref.zero_pad, ("X", "pad"), ("X_pad",), _zero_pad_public,
        (Family("pad0", "pad 0 leaves X unchanged", lambda r: (normal(r, 2, 3, 4, 2), 0)),
         Family("rectangular", "n_H != n_W, pad 2", lambda r: (normal(r, 3, 2, 5, 3), 2)),
         Family("one_channel", "one channel, pad 1", lambda r: (normal(r, 1, 4, 3, 1), 1))),
        cost=lambda X, pad: int(np.prod(X.shape)) * (1 + 2 * abs(int(pad))) ** 2,
    ),
    Exercise(
        "conv_single_step", 5, ref.conv_single_step, ("a_slice_prev", "W", "b"), ("Z",), _conv_single_step_public,
        (Family("f1", "1x1 window, one channel", lambda r: (normal(r, 1, 1, 1), normal(r, 1, 1, 1), normal(r, 1, 1, 1))),
         Family("even_f", "even f, many channels", lambda r: (normal(r, 2, 2, 7), normal(r, 2, 2, 7), normal(r, 1, 1, 1))),
         Family("large_bias", "large bias", lambda r: (normal(r, 3, 3, 2), normal(r, 3, 3, 2), normal(r, 1, 1, 1) * 50))),
        stacked=stacked.conv_single_step,
    ),
    Exercise(
        "conv_forward", 20, ref.conv_forward, ("A_prev", "W", "b", "hparameters"), ("Z", "cache"), _conv_forward_public,
        (Family("pad0", "pad 0", lambda r: conv_args(r, 2, 5, 5, 2, 3, 3, 1, 0)),
         Family("stride2_leftover", "stride 2 leaving a leftover row and column", lambda r: conv_args(r, 2, 8, 6, 3, 2, 3, 2, 0)),
         Family("stride3_leftover", "stride 3 leaving leftover rows and columns", lambda r: conv_args(r, 1, 9, 10, 2, 2, 2, 3, 1)),
         Family("even_f", "even f = 4", lambda r: conv_args(r, 2, 6, 5, 2, 2, 4, 1, 1)),
         Family("rectangular", "n_H != n_W, n_C_prev != n_C", lambda r: conv_args(r, 3, 4, 7, 1, 5, 3, 1, 1)),
         Family("same", "'same' padding, f = 5, pad 2", lambda r: conv_args(r, 1, 6, 6, 3, 2, 5, 1, 2)),
         Family("f1_stride2", "1x1 filter, stride 2 > f, pad 1 >= f", lambda r: conv_args(r, 2, 5, 7, 3, 2, 1, 2, 1)),
         Family("pad_over_f", "pad 3 > f = 2, stride 2", lambda r: conv_args(r, 2, 4, 6, 2, 3, 2, 2, 3)),
         Family("rectangular_stride2", "n_H != n_W, n_C_prev != n_C, stride 2",
                lambda r: conv_args(r, 2, 7, 5, 3, 4, 3, 2, 1)),
         Family("one_pixel", "f equal to the input (one output pixel)", lambda r: conv_args(r, 2, 4, 4, 3, 2, 4, 1, 0)),
         Family("one_pixel_padded", "f equal to the padded height, a column left over (one output pixel)",
                lambda r: conv_args(r, 2, 3, 4, 2, 3, 5, 2, 1)),
         Family("one_channel", "one example, one channel in and out", lambda r: conv_args(r, 1, 5, 4, 1, 1, 3, 1, 1)),
         Family("one_filter", "4 channels into one filter, n_H != n_W",
                lambda r: conv_args(r, 2, 6, 4, 4, 1, 3, 1, 0))),
        helpers=("zero_pad", "conv_single_step"), cache_items=("A_prev", "W", "b", "hparameters"),
    ),
    Exercise(
        "pool_forward", 15, ref.pool_forward, ("A_prev", "hparameters", "mode"), ("A", "cache"), _pool_forward_public,
        tuple(Family(f"{name}_{mode}", f"{text}, {mode}", (lambda r, f=f, s=s, shape=shape, mode=mode:
                                                             _pool_forward_case(normal(r, *shape), f, s, mode)))
              for name, text, shape, f, s in (
                  ("overlap", "overlapping windows (f 3, stride 1)", (2, 6, 7, 2), 3, 1),
                  ("leftover", "stride 2 leaving a leftover row and column", (1, 7, 5, 3), 2, 2),
                  ("gaps", "stride 3 > f skipping pixels", (2, 8, 8, 1), 2, 3),
                  ("f1", "1x1 windows (the output is the input)", (2, 3, 4, 2), 1, 1),
                  ("one_pixel", "one window, a column left over", (2, 4, 5, 3), 4, 2),
                  ("one_channel", "one example, one channel, n_H != n_W", (1, 5, 3, 1), 2, 1))
              for mode in ("max", "average")),
        cache_items=("A_prev", "hparameters"),
    ),
    Exercise(
        "conv_backward", 25, ref.conv_backward, ("dZ", "cache"), ("dA_prev", "dW", "db"), _conv_backward_public,
        (Family("pad0", "pad 0", lambda r: conv_backward_args(r, 2, 5, 4, 2, 3, 3, 1, 0)),
         Family("pad1_stride1", "pad 1, stride 1 (overlapping windows)", lambda r: conv_backward_args(r, 2, 4, 5, 3, 2, 3, 1, 1)),
         Family("stride3_leftover", "stride 3 leaving leftover rows", lambda r: conv_backward_args(r, 1, 8, 7, 2, 2, 2, 3, 1)),
         Family("even_f", "even f = 4, n_H != n_W", lambda r: conv_backward_args(r, 2, 6, 5, 1, 3, 4, 2, 2)),
         Family("f1_stride2", "1x1 filter, stride 2 > f, pad 1 >= f",
                lambda r: conv_backward_args(r, 2, 5, 4, 3, 2, 1, 2, 1)),
         Family("one_pixel", "f equal to the padded height, a column left over (one output pixel)",
                lambda r: conv_backward_args(r, 2, 3, 4, 2, 3, 5, 2, 1)),
         Family("one_channel", "one example, one channel in and out",
                lambda r: conv_backward_args(r, 1, 4, 5, 1, 1, 3, 1, 1)),
         Family("pad_over_f", "pad 3 > f = 2", lambda r: conv_backward_args(r, 2, 3, 4, 2, 2, 2, 1, 3))),
        helpers=("zero_pad",),
    ),
    Exercise(
        "create_mask_from_window", 5, ref.create_mask_from_window, ("x",), ("mask",), _create_mask_public,
        (Family("random", "a random 3x3 window", lambda r: (normal(r, 3, 3),)),
         Family("ties", "windows with tied maxima (every maximum is True)", lambda r: (tied(r, 3, 3),), count=2),
         Family("negative", "all values negative", lambda r: (-np.abs(normal(r, 2, 4)) - 1,))),
        stacked=stacked.create_mask_from_window,
    ),
    Exercise(
        "distribute_value", 5, ref.distribute_value, ("dz", "shape"), ("a",), _distribute_value_public,
        (Family("odd", "an odd dz over a 3x2 window", lambda r: (5, (3, 2))),
         Family("float", "a negative float dz, 4x3 window", lambda r: (float(normal(r, 1)[0]) - 1, (4, 3))),
         Family("single", "a 1x1 window", lambda r: (float(normal(r, 1)[0]), (1, 1)))),
        cost=lambda dz, shape: math.prod(abs(int(n)) for n in shape),
        stacked=stacked.distribute_value,
    ),
    Exercise(
        "pool_backward", 20, ref.pool_backward, ("dA", "cache", "mode"), ("dA_prev",), _pool_backward_public,
        tuple(Family(f"{name}_{mode}", f"{text}, {mode}", (lambda r, f=f, s=s, shape=shape, mode=mode, fill=fill:
                                                             pool_backward_args(fill(r, *shape), f, s, mode, r)))
              for name, text, shape, f, s, fill in (
                  ("overlap", "overlapping windows (f 3, stride 1)", (2, 5, 6, 2), 3, 1, normal),
                  ("stride2", "f 2, stride 2, leftover row", (1, 5, 4, 3), 2, 2, normal),
                  ("gaps", "stride 3 > f", (2, 7, 7, 1), 2, 3, normal),
                  ("ties", "tied maxima in windows (each gets the gradient)", (1, 4, 4, 2), 2, 2, tied),
                  ("f1", "1x1 windows", (2, 3, 4, 2), 1, 1, normal),
                  ("one_pixel", "one window, a column left over", (2, 4, 5, 3), 4, 2, normal),
                  ("one_channel", "one example, one channel, n_H != n_W", (1, 4, 3, 1), 2, 1, normal))
              for mode in ("max", "average") if not (name == "ties" and mode == "average")),
        helpers=("create_mask_from_window", "distribute_value"),
    ),
)
