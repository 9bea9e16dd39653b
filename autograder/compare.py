"""The one comparator: keys -> type -> shape -> values, with a message a student can act on.

``compare(expected, got, rtol, atol, name)`` returns None when ``got`` matches, else a Mismatch whose
``message`` names what differs: a missing key, a wrong type (a float where an integer is expected is one),
a wrong shape, or for values the first differing index, how many elements differ (count and share), the
largest absolute and relative errors, and a short expected-vs-got excerpt.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mismatch:
    stage: str  # "keys", "type", "shape" or "values"
    message: str


def compare(expected, got, rtol: float, atol: float, name: str = "") -> Mismatch | None:
    """Compare a student's value with the expected one; None when they agree.

    ``name`` labels the value in messages; a dict compared with no name labels its entries by key.
    """
    if isinstance(expected, dict):
        return _compare_dict(expected, got, rtol, atol, name)
    if isinstance(expected, tuple | list):
        return _compare_sequence(expected, got, rtol, atol, name)
    if isinstance(expected, np.ndarray):
        return _compare_array(expected, got, rtol, atol, name)
    if isinstance(expected, bool | np.bool_):
        if isinstance(got, bool | np.bool_) and bool(got) == bool(expected):
            return None
        return Mismatch("values", f"{_at(name)}expected {bool(expected)}, got {short_repr(got)}")
    if isinstance(expected, numbers.Number):
        return _compare_scalar(expected, got, rtol, atol, name)
    if got != expected:
        return Mismatch("values", f"{_at(name)}expected {expected!r}, got {short_repr(got)}")
    return None


def _compare_dict(expected: dict, got, rtol, atol, name):
    if not isinstance(got, dict):
        return Mismatch("type", f"{_at(name)}expected a dict, got {_kind(got)}")
    missing = [key for key in expected if key not in got]
    extra = [key for key in got if key not in expected]
    if missing or extra:
        parts = ([f"missing keys {missing}"] if missing else []) + ([f"unexpected keys {extra}"] if extra else [])
        return Mismatch("keys", f"{_at(name)}{', '.join(parts)}")
    for key, value in expected.items():
        mismatch = compare(value, got[key], rtol, atol, f"{name}[{key!r}]" if name else key)
        if mismatch:
            return mismatch
    return None


def _compare_sequence(expected, got, rtol, atol, name):
    if not isinstance(got, tuple | list):
        return Mismatch("type", f"{_at(name)}expected a tuple of {len(expected)}, got {_kind(got)}")
    if len(got) != len(expected):
        return Mismatch("shape", f"{_at(name)}expected {len(expected)} items, got {len(got)}")
    for index, (want, have) in enumerate(zip(expected, got)):
        mismatch = compare(want, have, rtol, atol, f"{name}[{index}]")
        if mismatch:
            return mismatch
    return None


def _compare_scalar(expected, got, rtol, atol, name):
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, np.ndarray):
        return Mismatch("type", f"{_at(name)}expected a single number, got an array of shape {got.shape}")
    if isinstance(got, bool | np.bool_) or not isinstance(got, numbers.Number):
        return Mismatch("type", f"{_at(name)}expected a number, got {_kind(got)}")
    if isinstance(expected, numbers.Integral) and not isinstance(got, numbers.Integral):
        return Mismatch("type", f"{_at(name)}expected an integer, got {_kind(got)}")
    if not _scalar_close(got, expected, rtol, atol):
        error = abs(float(got) - float(expected))
        return Mismatch("values", f"{_at(name)}expected {_num(expected)}, got {_num(got)} (off by {error:.3g})")
    return None


def _compare_array(expected: np.ndarray, got, rtol, atol, name):
    if not isinstance(got, np.ndarray):
        return Mismatch("type", f"{_at(name)}expected a numpy array of shape {expected.shape}, got {_kind(got)}")
    if got.dtype.kind not in "biuf":
        return Mismatch("type", f"{_at(name)}expected numbers, got an array of dtype {got.dtype}")
    if expected.dtype.kind == "b" and got.dtype.kind != "b" and not np.isin(got, (0, 1)).all():
        return Mismatch("type", f"{_at(name)}expected a boolean mask, got values other than True/False")
    if got.shape != expected.shape:
        return Mismatch("shape", f"{_at(name)}expected shape {expected.shape}, got {got.shape}")
    with np.errstate(all="ignore"):  # nothing may reach stderr: nbgrader zeroes a cell that writes there
        return _compare_values(expected, got, rtol, atol, name)


def _compare_values(expected: np.ndarray, got: np.ndarray, rtol, atol, name):
    want, have = expected.astype(np.float64), got.astype(np.float64)
    wrong = ~is_close(have, want, rtol, atol)
    if not wrong.any():
        return None
    count = int(wrong.sum())
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    abs_error = np.abs(have - want)
    rel_error = abs_error / np.maximum(np.abs(want), np.finfo(np.float64).tiny)
    max_abs = np.nanmax(np.where(wrong, abs_error, 0)) if not np.isnan(abs_error[wrong]).all() else float("nan")
    max_rel = np.nanmax(np.where(wrong, rel_error, 0)) if not np.isnan(rel_error[wrong]).all() else float("nan")
    index = first if len(first) != 1 else first[0]
    return Mismatch(
        "values",
        f"{_at(name)}{count} of {wrong.size} values differ ({100 * count / wrong.size:.1f}%); first at index {index}: "
        f"expected {_num(expected[first])}, got {_num(got[first])}; max abs error {max_abs:.3g}, "
        f"max rel error {max_rel:.3g}. {_excerpt(name, expected, got, first)}",
    )


def _scalar_close(got, expected, rtol: float, atol: float) -> bool:
    """``np.isclose(got, expected, rtol, atol)`` for two real numbers: by ``is_close`` when both are float64
    (python or numpy floats, the usual case: numpy computes in float64 then too), else by numpy itself."""
    with np.errstate(all="ignore"):  # nothing may reach stderr (see _compare_array)
        if type(got) in (float, np.float64) and type(expected) in (float, np.float64):
            return bool(is_close(np.float64(got), np.float64(expected), rtol, atol))
        return bool(np.isclose(got, expected, rtol=rtol, atol=atol))


def identical(a, b) -> bool:
    """``a`` and ``b`` hold the same thing bit for bit: the same types and, for arrays (in tuples, lists and
    dicts too), the same dtype, shape and bytes. False where unsure."""
    if type(a) is not type(b):
        return False
    if type(a) is np.ndarray:
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(identical(a[key], b[key]) for key in a)
    if type(a) in (bool, int, str, type(None)):
        return a == b
    if type(a) is float or isinstance(a, np.generic):
        return np.asarray(a).tobytes() == np.asarray(b).tobytes()
    return False


def is_close(have: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """``np.isclose(have, want, rtol, atol, equal_nan=False)`` for float64 arrays of one shape, by numpy's own
    formula without its checks and conversions (a third of its time on the small arrays of a grading)."""
    with np.errstate(invalid="ignore"):
        return ((np.abs(have - want) <= atol + rtol * np.abs(want)) & np.isfinite(want)) | (have == want)


def _at(name: str) -> str:
    """The message prefix naming what differs ("Z: "), or nothing for an unnamed value."""
    return f"{name}: " if name else ""


def _excerpt(name: str, expected: np.ndarray, got: np.ndarray, index: tuple) -> str:
    """Up to 4 neighbouring values along the last axis, e.g. 'Z[1, 2, 0:4]: expected [...], got [...]'."""
    length = expected.shape[-1]
    start = max(0, min(index[-1] - 1, length - 4))
    stop = min(start + 4, length)
    where = ", ".join([str(i) for i in index[:-1]] + [f"{start}:{stop}"])
    row = index[:-1] + (slice(start, stop),)

    def show(array: np.ndarray) -> str:
        return "[" + ", ".join(_num(v) for v in array[row]) + "]"

    return f"{name}[{where}]: expected {show(expected)}, got {show(got)}"


def _num(value) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    return f"{float(value):.6g}"


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {short_repr(value)}"


def short_repr(value) -> str:
    """repr(value), cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
