"""conv_step_by_step's catalogue of known mistakes: what students get wrong, how it shows, how to say so.

Most mistakes are knobs of the course's algorithm (``mutants.py``); the rest show in the output's shape
(``shapes``: the shapes that give it away on a case) or in the exception raised (``signs``). Messages are
one plain sentence with the fix.
"""
from __future__ import annotations

import numpy as np

from ...course import Mistake
from ...diagnose import ErrorSigns, Shapes

WINDOW_ERRORS = ("ValueError", "IndexError")  # what numpy raises on a window cut short


# -- output sizes --------------------------------------------------------------------------------------
def _geometry(exercise: str, args: tuple):
    """(n_H_prev, n_W_prev, f, pad, stride) of a conv or pool case."""
    if exercise == "conv_forward":
        A_prev, W, _, hp = args
        return A_prev.shape[1], A_prev.shape[2], W.shape[0], hp["pad"], hp["stride"]
    A_prev, hp = args[0], args[1]
    return A_prev.shape[1], A_prev.shape[2], hp["f"], 0, hp["stride"]


def _size(n, f, pad, stride, rounding):
    return int(rounding((n + 2 * pad - f) / stride)) + 1


# ceil(x) + 1, round(x) + 1, and round(1 + x) (the course's int(1 + (n - f) / stride) with round for int):
# Python and numpy round halves to even, so round(1 + x) is not round(x) + 1 when x ends in .5.
_WRONG_ROUNDINGS = (np.ceil, round, lambda x: round(1 + x) - 1)


def _wrong_sizes(n, f, pad, stride) -> set[int]:
    """Output sizes along an axis of n that a wrong rounding gives (and the right floor does not)."""
    return {_size(n, f, pad, stride, rounding) for rounding in _WRONG_ROUNDINGS} - {_size(n, f, pad, stride, np.floor)}


def _rounding_shapes(exercise: str):
    """Outputs whose height or width comes from ceil or round instead of floor."""
    def shapes(args) -> Shapes | None:
        n_H, n_W, f, pad, stride = _geometry(exercise, args)
        sizes = {tuple(_size(n, f, pad, stride, rounding) for n in (n_H, n_W)) for rounding in _WRONG_ROUNDINGS}
        wrong = sizes - {tuple(_size(n, f, pad, stride, np.floor) for n in (n_H, n_W))}
        return Shapes(_first_output(exercise), frozenset((None, h, w, None) for h, w in wrong)) if wrong else None
    return shapes


def _rounding_signs(exercise: str):
    """Code that raised on a window cut short at the edge, exactly as a ceil/round output size would cut it."""
    def signs(args) -> ErrorSigns | None:
        n_H, n_W, f, pad, stride = _geometry(exercise, args)
        short_H, short_W = (_cut_window_sizes(n, f, pad, stride) | {f} for n in (n_H, n_W))
        windows = frozenset((h, w) for h in short_H for w in short_W if (h, w) != (f, f))
        return ErrorSigns(WINDOW_ERRORS, windows=windows) if windows else None
    return signs


def _cut_window_sizes(n, f, pad, stride) -> set[int]:
    """Sizes of the last window along an axis of n when a wrong rounding adds positions past the edge."""
    return {max(0, n + 2 * pad - (size - 1) * stride) for size in _wrong_sizes(n, f, pad, stride)}


def _unpadded_window_signs(args) -> ErrorSigns | None:
    """Code that raised on a window cut short because it was read from A_prev instead of the padded array."""
    n_H, n_W, f, pad, stride = _geometry("conv_forward", args)
    if pad == 0:
        return None
    cut_H, cut_W = ({max(0, n - k * stride) for k in range((n + 2 * pad - f) // stride + 1)} - {f} | {f}
                    for n in (n_H, n_W))
    windows = frozenset((h, w) for h in cut_H for w in cut_W if (h, w) != (f, f) and min(h, w) < f)
    return ErrorSigns(WINDOW_ERRORS, windows=windows) if windows else None


def _swapped_shapes(exercise: str):
    """Outputs whose height and width are each other's right size."""
    def shapes(args) -> Shapes | None:
        n_H, n_W, f, pad, stride = _geometry(exercise, args)
        right_H, right_W = (_size(n, f, pad, stride, np.floor) for n in (n_H, n_W))
        if n_H == n_W or right_H == right_W:
            return None
        return Shapes(_first_output(exercise), frozenset({(None, right_W, right_H, None)}))
    return shapes


def _first_output(exercise: str) -> str:
    return {"conv_forward": "Z", "pool_forward": "A"}[exercise]


ROUNDING = ("The output size is floor((n_prev + 2*pad - f) / stride) + 1: use integer division (//), not ceil or "
            "round, or the last window runs past the edge when the stride leaves rows over.")
SWAPPED = "Your output's height and width are swapped: n_H comes from n_H_prev (axis 1) and n_W from n_W_prev (axis 2)."
FLOAT_B = ("float(b) converts only a 0-dimensional array and b has shape (1, 1, 1): add the bias as a number with "
           "b.item() (or np.squeeze(b)).")
NP_FLOAT = ("np.float no longer exists (numpy 1.24 removed it), and the float(b) its error suggests fails too, because "
            "b has shape (1, 1, 1): add the bias as a number with b.item().")


def _float_b_signs(args) -> ErrorSigns:
    return ErrorSigns(("TypeError",), phrases=("0-dimensional arrays", "length-1 arrays", "size-1 arrays"))


def _np_float_signs(args) -> ErrorSigns:
    return ErrorSigns(("AttributeError",), phrases=("has no attribute 'float'",))


def _float_size_signs(args) -> ErrorSigns:
    """np.zeros or range given a size computed with / (a float)."""
    return ErrorSigns(("TypeError",), phrases=("'float' object cannot be interpreted as an integer",
                                               "'numpy.float64' object cannot be interpreted as an integer"))


def _float_size(formula: str) -> str:
    return (f"Your output size is a float (/ gives one) and np.zeros and range need integers: use int(...) or "
            f"integer division, {formula}.")


# -- indexing with a fixed number: A_prev[1] for A_prev[i], len(W[1]) for f ---------------------------------
INDEX_1 = "index 1 is out of bounds for axis 0 with size 1"  # numpy's IndexError for x[1] when len(x) == 1


def _batch_and_filter(exercise: str, args: tuple) -> tuple[int, int | None]:
    """(m, f) of a case; f is None for pooling."""
    if exercise == "conv_forward":
        return args[0].shape[0], args[1].shape[0]
    if exercise == "conv_backward":
        return args[0].shape[0], args[1][1].shape[0]
    return args[0].shape[0], None


def _fixed_example_signs(exercise: str):
    """Example 1 read from a batch of one example (where a 1x1 filter cannot raise the same IndexError)."""
    def signs(args) -> ErrorSigns | None:
        m, f = _batch_and_filter(exercise, args)
        return ErrorSigns(("IndexError",), phrases=(INDEX_1,)) if m == 1 and f != 1 else None
    return signs


def _fixed_example(exercise: str, fix: str) -> Mistake:
    return Mistake(exercise, "fixed_example", f"You read example 1 (A_prev[1]) for every i: each example has its own "
                   f"input, {fix}.", {"example": 1}, signs=_fixed_example_signs(exercise))


def _filter_row_signs(exercise: str):
    """W[1] read from a 1x1 filter, which has one row (where a batch of one cannot raise the same IndexError)."""
    def signs(args) -> ErrorSigns | None:
        m, f = _batch_and_filter(exercise, args)
        return ErrorSigns(("IndexError",), phrases=(INDEX_1,)) if f == 1 and m != 1 else None
    return signs


W_ROW = ("len(W[1]) is f only by luck (the length of W's second row) and a 1x1 filter has no second row: use f from "
         "(f, f, n_C_prev, n_C) = W.shape, e.g. horiz_end = horiz_start + f.")


# -- unpadding dA_prev in conv_backward ----------------------------------------------------------------------
def _negative_unpad_signs(args) -> ErrorSigns | None:
    """The course's hint ``X[pad:-pad, pad:-pad, :]`` is empty at pad 0: storing it in dA_prev[i] cannot broadcast."""
    A_prev, hparameters = args[1][0], args[1][3]
    if hparameters["pad"] != 0:
        return None
    return ErrorSigns(("ValueError",), broadcast=((0, 0), tuple(A_prev.shape[1:3])))


def _not_unpadded_signs(args) -> ErrorSigns | None:
    """Storing the padded da_prev_pad in dA_prev[i] (no unpadding) cannot broadcast when pad > 0."""
    A_prev, pad = args[1][0], args[1][3]["pad"]
    if pad <= 0:
        return None
    n_H_prev, n_W_prev = A_prev.shape[1:3]
    return ErrorSigns(("ValueError",), broadcast=((n_H_prev + 2 * pad, n_W_prev + 2 * pad), (n_H_prev, n_W_prev)))


def _sequence_signs(args) -> ErrorSigns:
    return ErrorSigns(("ValueError",), phrases=("setting an array element with a sequence",))


def _array_not_scalar_shapes(args) -> Shapes:
    """A Z returned as an array holding one number (of up to 8 dimensions)."""
    return Shapes("Z", frozenset((1,) * ndim for ndim in range(1, 9)))


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
            "e.g. Z = np.sum(a_slice_prev * W) + b.item().", shapes=_array_not_scalar_shapes),
    Mistake("conv_single_step", "float_b", FLOAT_B, signs=_float_b_signs),
    Mistake("conv_single_step", "np_float", NP_FLOAT, signs=_np_float_signs),
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
    Mistake("conv_forward", "rounding", ROUNDING, shapes=_rounding_shapes("conv_forward"),
            signs=_rounding_signs("conv_forward")),
    Mistake("conv_forward", "hw_swapped", SWAPPED, shapes=_swapped_shapes("conv_forward")),
    Mistake("conv_forward", "unpadded_windows", "Your windows are cut short at the edge because they come from the "
            "unpadded input: slice them from A_prev_pad = zero_pad(A_prev, pad), i.e. a_prev_pad = A_prev_pad[i].",
            signs=_unpadded_window_signs),
    Mistake("conv_forward", "float_b", FLOAT_B, signs=_float_b_signs),
    Mistake("conv_forward", "np_float", NP_FLOAT, signs=_np_float_signs),
    Mistake("conv_forward", "float_size", _float_size("n_H = (n_H_prev + 2 * pad - f) // stride + 1"),
            signs=_float_size_signs),
    _fixed_example("conv_forward", "a_prev_pad = A_prev_pad[i]"),
    Mistake("conv_forward", "filter_size_from_W1", W_ROW, signs=_filter_row_signs("conv_forward")),
    Mistake("conv_forward", "array_into_element", "Z[i, h, w, c] must receive a number, but your expression is an "
            "array: b[:, :, :, c] has shape (1, 1, 1), so add it as a number (b[0, 0, 0, c], or .item()), or let "
            "conv_single_step do it.", signs=_sequence_signs),
    # pool_forward
    Mistake("pool_forward", "average_as_sum", "Your average pooling returns the sum of each window: divide by f*f "
            "(np.mean).", {"average_as_sum": True}),
    Mistake("pool_forward", "stride_ignored", "Your output matches pooling that ignores the stride: use "
            "vert_start = h * stride and horiz_start = w * stride.", {"stride_ignored": True}),
    Mistake("pool_forward", "mode_ignored", 'Your pool_forward always takes the max: use np.mean when mode == "average".',
            {"mode_ignored": True}),
    Mistake("pool_forward", "rounding", ROUNDING, shapes=_rounding_shapes("pool_forward"),
            signs=_rounding_signs("pool_forward")),
    Mistake("pool_forward", "hw_swapped", SWAPPED, shapes=_swapped_shapes("pool_forward")),
    Mistake("pool_forward", "all_channels", "You pooled each window over all channels at once: pool every channel on "
            "its own, a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c].",
            {"all_channels": True}),
    Mistake("pool_forward", "float_size", _float_size("n_H = (n_H_prev - f) // stride + 1"), signs=_float_size_signs),
    _fixed_example("pool_forward", "a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]"),
    # conv_backward
    Mistake("conv_backward", "negative_unpad", "You removed the padding with [pad:-pad], which is empty when pad = 0: "
            "use [pad:pad + n_H_prev] (or return dA_prev_pad itself when pad = 0).", {"unpad": "negative"},
            signs=_negative_unpad_signs),
    Mistake("conv_backward", "not_unpadded", "Your dA_prev still has the padding: return "
            "dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :].", {"unpad": "none"},
            signs=_not_unpadded_signs),
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
    Mistake("conv_backward", "unpad_after_loop", "Only the last example has a dA_prev: you unpad after the loop over "
            "i, so move dA_prev[i, :, :, :] = da_prev_pad[pad:pad + n_H_prev, pad:pad + n_W_prev, :] into it.",
            {"unpad_last_only": True}),
    _fixed_example("conv_backward", "a_prev_pad = A_prev_pad[i]"),
    Mistake("conv_backward", "filter_size_from_W1", W_ROW, signs=_filter_row_signs("conv_backward")),
    # create_mask_from_window
    Mistake("create_mask_from_window", "columns", "Your mask marks the maximum of each column: compare with the "
            "maximum of the whole window, x == np.max(x).", {"reduce": "columns"}),
    Mistake("create_mask_from_window", "rows", "Your mask marks the maximum of each row: compare with the maximum "
            "of the whole window, x == np.max(x).", {"reduce": "rows"}),
    Mistake("create_mask_from_window", "argmax", "Your mask marks only one maximum (argmax): when several entries tie "
            "for the maximum, all of them are True, x == np.max(x).", {"reduce": "argmax"}),
    Mistake("create_mask_from_window", "max_value", "You returned the maximum value itself: return a boolean mask of "
            "where it is, mask = (x == np.max(x)).", {"reduce": "max_value"}),
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
    _fixed_example("pool_backward", "a_prev = A_prev[i]"),
)
