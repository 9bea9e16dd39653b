"""Input validation shared by the reference layers: every problem becomes a ValueError naming it."""
from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np


def as_array(name: str, x, ndim: int) -> np.ndarray:
    """Return ``x`` as an ndarray with exactly ``ndim`` dimensions, else raise ValueError."""
    if not isinstance(x, np.ndarray):
        raise ValueError(f"{name} must be a numpy array, got {type(x).__name__}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {x.shape}")
    if x.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold numbers, got dtype {x.dtype}")
    return x


def integer(name: str, value, minimum: int) -> int:
    """Return ``value`` as an int >= ``minimum``; bools, floats and smaller values raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def hyperparameter(hparameters: Mapping, key: str, minimum: int) -> int:
    """Read integer ``hparameters[key]`` (>= ``minimum``), naming a missing key or a bad value."""
    if not isinstance(hparameters, Mapping):
        raise ValueError(f"hparameters must be a dict, got {type(hparameters).__name__}")
    if key not in hparameters:
        raise ValueError(f"hparameters is missing the key {key!r} (has {sorted(hparameters)})")
    return integer(f'hparameters["{key}"]', hparameters[key], minimum)


def float_dtype(*arrays) -> np.dtype:
    """The floating dtype results take: the inputs' common float type (integers become float64)."""
    return np.result_type(*arrays, np.float16)


def pool_mode(mode) -> str:
    if mode not in ("max", "average"):
        raise ValueError(f'mode must be "max" or "average", got {mode!r}')
    return mode
