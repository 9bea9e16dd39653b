"""The catalogue of known mistakes: for each exercise, what students get wrong and how to say so.

A Mistake is recognised in one of four ways: ``knobs`` (the exercise's mutant, e.g. in ``mutants.py``,
with those knobs reproduces the student's output), ``variant`` (a wrong function with the exercise's
signature reproduces it), ``shape_rule`` (the output's shape or type gives it away), or
``error_rule`` (the exception the code raised gives it away). Messages are one plain sentence with the fix.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Mistake:
    exercise: str
    key: str
    message: str
    knobs: dict = field(default_factory=dict)
    variant: Callable | None = None  # a wrong implementation with the exercise's signature
    shape_rule: Callable[[tuple, dict], bool] | None = None  # (args, student's named outputs) -> bool
    error_rule: Callable[[tuple, dict], bool] | None = None  # (args, error {"type","message"}) -> bool


# -- rules about output sizes -----------------------------------------------------------------------------
def _geometry(exercise: str, args: tuple):
    """(n_H_prev, n_W_prev, f, pad, stride) of a conv or pool case."""
    if exercise == "conv_forward":
        A_prev, W, _, hp = args
        return A_prev.shape[1], A_prev.shape[2], W.shape[0], hp["pad"], hp["stride"]
    A_prev, hp = args[0], args[1]
    return A_prev.shape[1], A_prev.shape[2], hp["f"], 0, hp["stride"]


def _sizes(n_H, n_W, f, pad, stride, rounding):
    return tuple(int(rounding((n + 2 * pad - f) / stride)) + 1 for n in (n_H, n_W))


# ceil(x) + 1, round(x) + 1, and round(1 + x) (the course's int(1 + (n - f) / stride) with round for int):
# Python and numpy round halves to even, so round(1 + x) is not round(x) + 1 when x ends in .5.
_WRONG_ROUNDINGS = (np.ceil, round, lambda x: round(1 + x) - 1)


def _rounding_shape_rule(exercise):
    def rule(args, got):
        first = next(iter(got.values()))
        n_H, n_W, f, pad, stride = _geometry(exercise, args)
        right = _sizes(n_H, n_W, f, pad, stride, np.floor)
        wrong = {_sizes(n_H, n_W, f, pad, stride, r) for r in _WRONG_ROUNDINGS} - {right}
        return isinstance(first, np.ndarray) and first.ndim == 4 and first.shape[1:3] in wrong
    return rule


def _rounding_error_rule(exercise):
    """The code raised on a window cut short at the edge, exactly as a ceil/round output size would cut it."""
    def rule(args, error):
        if error["type"] not in ("ValueError", "IndexError"):
            return False
        n_H, n_W, f, pad, stride = _geometry(exercise, args)
        short_H, short_W = (_cut_window_sizes(n, f, pad, stride) for n in (n_H, n_W))
        return any((h, w) != (f, f) and h in short_H | {f} and w in short_W | {f}
                   for h, w in _leading_pairs(error["message"]))
    return rule


def _unpadded_window_rule(args, error):
    """The code raised on a window cut short because it was read from A_prev instead of the padded array."""
    if error["type"] not in ("ValueError", "IndexError"):
        return False
    n_H, n_W, f, pad, stride = _geometry("conv_forward", args)
    if pad == 0:
        return False
    cut_H, cut_W = ({max(0, n - k * stride) for k in range((n + 2 * pad - f) // stride + 1)} - {f}
                    for n in (n_H, n_W))
    return any((h, w) != (f, f) and h in cut_H | {f} and w in cut_W | {f} and min(h, w) < f
               for h, w in _leading_pairs(error["message"]))


def _cut_window_sizes(n, f, pad, stride) -> set[int]:
    """Sizes of the last window along an axis of n when a wrong rounding adds positions past the edge."""
    right = int(np.floor((n + 2 * pad - f) / stride)) + 1
    sizes = {int(rounding((n + 2 * pad - f) / stride)) + 1 for rounding in _WRONG_ROUNDINGS} - {right}
    return {max(0, n + 2 * pad - (size - 1) * stride) for size in sizes}


def _leading_pairs(text: str) -> list[tuple[int, int]]:
    """The first two numbers of every shape tuple in an error message, e.g. (2, 3) from '(2,3,4)'."""
    return [(int(a), int(b)) for a, b in re.findall(r"\((\d+),\s*(\d+)(?:,\s*\d+)*\)", text)]


def _swapped_rule(args, got):
    first, A_prev = next(iter(got.values())), args[0]
    n_H, n_W = A_prev.shape[1], A_prev.shape[2]
    return (n_H != n_W and isinstance(first, np.ndarray) and first.ndim == 4
            and first.shape[1:3] != first.shape[2:0:-1] and _is_transposed_hw(first.shape, args))


def _is_transposed_hw(shape, args):
    """True when the output's height and width are each other's right size."""
    A_prev = args[0]
    if len(args) == 4:  # conv_forward
        f, pad, stride = args[1].shape[0], args[3]["pad"], args[3]["stride"]
    else:
        f, pad, stride = args[1]["f"], 0, args[1]["stride"]
    right = _sizes(A_prev.shape[1], A_prev.shape[2], f, pad, stride, np.floor)
    return shape[1:3] == right[::-1]


ROUNDING = ("The output size is floor((n_prev + 2*pad - f) / stride) + 1: use integer division (//), not ceil or "
            "round, or the last window runs past the edge when the stride leaves rows over.")
SWAPPED = "Your output's height and width are swapped: n_H comes from n_H_prev (axis 1) and n_W from n_W_prev (axis 2)."
FLOAT_B = ("float(b) fails on numpy >= 2.4 because b has shape (1, 1, 1): add the bias as a number with b.item() "
           "(or np.squeeze(b)).")


def _float_b_rule(args, error):
    return error["type"] == "TypeError" and (
        "0-dimensional arrays" in error["message"] or "length-1 arrays" in error["message"])


def _unpad_broadcast(error):
    """(height, width) of the array numpy could not store in dA_prev and of dA_prev's slot, or None."""
    found = re.search(r"could not broadcast input array from shape \(([\d, ]*)\) into shape \(([\d, ]*)\)",
                      error["message"])
    if error["type"] != "ValueError" or not found:
        return None
    source, target = ([int(d) for d in group.split(",") if d.strip()] for group in found.groups())
    if len(source) < 3 or len(target) < 3:
        return None
    return tuple(source[-3:-1]), tuple(target[-3:-1])


def _negative_unpad_rule(args, error):
    """The course's hint ``X[pad:-pad, pad:-pad, :]`` is empty at pad 0: storing it in dA_prev[i] cannot broadcast."""
    A_prev, hparameters = args[1][0], args[1][3]
    shapes = _unpad_broadcast(error)
    return hparameters["pad"] == 0 and shapes == ((0, 0), A_prev.shape[1:3])


def _not_unpadded_rule(args, error):
    """Storing the padded da_prev_pad in dA_prev[i] (no unpadding) cannot broadcast when pad > 0."""
    A_prev, pad = args[1][0], args[1][3]["pad"]
    n_H_prev, n_W_prev = A_prev.shape[1:3]
    shapes = _unpad_broadcast(error)
    return pad > 0 and shapes == ((n_H_prev + 2 * pad, n_W_prev + 2 * pad), (n_H_prev, n_W_prev))


def _sequence_rule(args, error):
    return error["type"] == "ValueError" and "setting an array element with a sequence" in error["message"]


def _array_not_scalar_rule(args, got):
    Z = got["Z"]
    return isinstance(Z, np.ndarray) and Z.ndim > 0 and Z.size == 1


CATALOGUE: tuple[Mistake, ...] = (
    # zero_pad
    Mistake("zero_pad", "all_axes", "You padded every axis: pad only height and width, "
            "pad_width=((0, 0), (pad, pad), (pad, pad), (0, 0)).", {"widths": "all_axes"}),
    Mistake("zero_pad", "batch_height", "You padded the batch and height axes: the padded axes are 1 (height) and "
            "2 (width), pad_width=((0, 0), (pad, pad), (pad, pad), (0, 0)).", {"widths": "batch_height"}),
    Mistake("zero_pad", "width_channels", "You padded the width and channel axes: the padded axes are 1 (height) "
            "and 2 (width), pad_width=((0, 0), (pad, pad), (pad, pad), (0, 0)).", {"widths": "width_channels"}),
    Mistake("zero_pad", "one_side", "You padded only one side of each axis: pad both, (pad, pad) for height and width.",
            {"widths": "before"}),
    Mistake("zero_pad", "one_side_after", "You padded only one side of each axis: pad both, (pad, pad) for height "
            "and width.", {"widths": "after"}),
    Mistake("zero_pad", "double", "You padded 2*pad on each side: each side gets pad zeros, so the size grows by 2*pad.",
            {"widths": "double"}),
    # conv_single_step
    Mistake("conv_single_step", "bias_missing", "Your result is missing the bias: add b once, after the sum.",
            {"bias": "missing"}),
    Mistake("conv_single_step", "bias_per_element", "You added b to every element before summing (f*f*n_C times): "
            "sum a_slice_prev * W first, then add b once.", {"bias": "per_element"}),
    Mistake("conv_single_step", "array_not_scalar", "You returned an array with one element: return a number, "
            "e.g. Z = np.sum(a_slice_prev * W) + b.item().", shape_rule=_array_not_scalar_rule),
    Mistake("conv_single_step", "float_b", FLOAT_B, error_rule=_float_b_rule),
    # conv_forward
    Mistake("conv_forward", "stride_ignored", "Your output matches a convolution that ignores the stride: "
            "use vert_start = h * stride and horiz_start = w * stride.", {"stride_ignored": True}),
    Mistake("conv_forward", "flipped_kernel", "Your output matches a true convolution (kernel flipped): the course's "
            "convolution is a cross-correlation, multiply each window by W as it is, without flipping.",
            {"flip_kernel": True}),
    Mistake("conv_forward", "bias_missing", "Your Z is missing the bias: add b[:, :, :, c] once per output value.",
            {"bias": "missing"}),
    Mistake("conv_forward", "bias_per_element", "You added the bias to every element of the window before summing: "
            "add b once per output value.", {"bias": "per_element"}),
    Mistake("conv_forward", "cache_padded", "Your cache holds the padded A_prev: cache the original, unpadded A_prev "
            "(conv_backward pads it again).", {"cache_padded": True}),
    Mistake("conv_forward", "rounding", ROUNDING, shape_rule=_rounding_shape_rule("conv_forward"),
            error_rule=_rounding_error_rule("conv_forward")),
    Mistake("conv_forward", "hw_swapped", SWAPPED, shape_rule=_swapped_rule),
    Mistake("conv_forward", "unpadded_windows", "Your windows are cut short at the edge because they come from the "
            "unpadded input: slice them from A_prev_pad = zero_pad(A_prev, pad), i.e. a_prev_pad = A_prev_pad[i].",
            error_rule=_unpadded_window_rule),
    Mistake("conv_forward", "float_b", FLOAT_B, error_rule=_float_b_rule),
    Mistake("conv_forward", "array_into_element", "Z[i, h, w, c] must receive a number, but your expression is an "
            "array: b[:, :, :, c] has shape (1, 1, 1), so add it as a number (b[0, 0, 0, c], or .item()), or let "
            "conv_single_step do it.", error_rule=_sequence_rule),
    # pool_forward
    Mistake("pool_forward", "average_as_sum", "Your average pooling returns the sum of each window: divide by f*f "
            "(np.mean).", {"average_as_sum": True}),
    Mistake("pool_forward", "stride_ignored", "Your output matches pooling that ignores the stride: use "
            "vert_start = h * stride and horiz_start = w * stride.", {"stride_ignored": True}),
    Mistake("pool_forward", "mode_ignored", 'Your pool_forward always takes the max: use np.mean when mode == "average".',
            {"mode_ignored": True}),
    Mistake("pool_forward", "rounding", ROUNDING, shape_rule=_rounding_shape_rule("pool_forward"),
            error_rule=_rounding_error_rule("pool_forward")),
    Mistake("pool_forward", "hw_swapped", SWAPPED, shape_rule=_swapped_rule),
    # conv_backward
    Mistake("conv_backward", "negative_unpad", "You removed the padding with [pad:-pad], which is empty when pad = 0: "
            "use [pad:pad + n_H_prev] (or return dA_prev_pad itself when pad = 0).", {"unpad": "negative"},
            error_rule=_negative_unpad_rule),
    Mistake("conv_backward", "not_unpadded", "Your dA_prev still has the padding: return "
            "dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :].", {"unpad": "none"},
            error_rule=_not_unpadded_rule),
    Mistake("conv_backward", "flipped_kernel_dA", "Your dA_prev uses a flipped W: add W[:, :, :, c] * dZ[i, h, w, c] "
            "to the window as it is.", {"flip_kernel_dA": True}),
    Mistake("conv_backward", "assign_dA", "Your dA_prev keeps only the last contribution to each position: "
            "accumulate with += (windows and channels overlap), not =.", {"assign_dA": True}),
    Mistake("conv_backward", "assign_dW", "Your dW keeps only the last window's contribution: accumulate "
            "dW[:, :, :, c] += a_slice * dZ[i, h, w, c], not =.", {"assign_dW": True}),
    Mistake("conv_backward", "assign_db", "Your db keeps only the last dZ value: accumulate "
            "db[:, :, :, c] += dZ[i, h, w, c], not =.", {"assign_db": True}),
    Mistake("conv_backward", "divide_by_m", "You divided dW and db by m: this layer's gradients are plain sums over "
            "the batch (any averaging belongs in the cost).", {"divide_by_m": True}),
    Mistake("conv_backward", "stride_ignored", "Your gradients match a backward pass that ignores the stride: "
            "use vert_start = h * stride and horiz_start = w * stride.", {"stride_ignored": True}),
    # create_mask_from_window
    Mistake("create_mask_from_window", "columns", "Your mask marks the maximum of each column: compare with the "
            "maximum of the whole window, x == np.max(x).", {"reduce": "columns"}),
    Mistake("create_mask_from_window", "rows", "Your mask marks the maximum of each row: compare with the maximum "
            "of the whole window, x == np.max(x).", {"reduce": "rows"}),
    Mistake("create_mask_from_window", "argmax", "Your mask marks only one maximum (argmax): when several entries tie "
            "for the maximum, all of them are True, x == np.max(x).", {"reduce": "argmax"}),
    # distribute_value
    Mistake("distribute_value", "floor_division", "You used // (floor division): use / so that dz / (n_H * n_W) "
            "keeps its fraction.", {"spread": "floor_division"}),
    Mistake("distribute_value", "undivided", "You put all of dz in every entry: each entry gets dz / (n_H * n_W).",
            {"spread": "undivided"}),
    Mistake("distribute_value", "by_rows", "You divided dz by n_H only: divide by the number of entries, n_H * n_W.",
            {"spread": "by_rows"}),
    Mistake("distribute_value", "corner", "You put all of dz in one entry: spread it evenly, dz / (n_H * n_W) "
            "in every entry.", {"spread": "corner"}),
    # pool_backward
    Mistake("pool_backward", "stride_ignored", "Your dA_prev matches a backward pass that ignores the stride: "
            "use vert_start = h * stride and horiz_start = w * stride.", {"stride_ignored": True}),
    Mistake("pool_backward", "average_undivided", "For average pooling each input gets an equal share: "
            "distribute dA[i, h, w, c] over the window with distribute_value (divide by f*f).",
            {"average_undivided": True}),
    Mistake("pool_backward", "assign", "Your dA_prev keeps only the last window's gradient: accumulate with += "
            "because windows can overlap.", {"assign": True}),
    Mistake("pool_backward", "mask_from_gradient", "Your mask comes from the wrong array: build it from the input "
            "window a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c], not from dA_prev.",
            {"mask_from_gradient": True}),
    Mistake("pool_backward", "mode_ignored", 'Your pool_backward always routes the gradient as for max pooling: '
            'use distribute_value when mode == "average".', {"mode_ignored": True}),
)
