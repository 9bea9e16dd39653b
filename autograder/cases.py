"""Case inputs: the course's published examples (public) and seeded edge-case families (hidden).

A family is a named generator ``rng -> args``; hidden cases are drawn from it with a generator seeded by
(hidden seed, exercise, family), so the same seed always gives the same cases and no seed ships to students.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import cnn_reference as ref


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    args: tuple
    public: bool


@dataclass(frozen=True)
class Family:
    """A kind of hidden case: ``make(rng)`` returns the call's args."""

    name: str
    description: str
    make: Callable[[np.random.Generator], tuple]
    count: int = 1


def course_rng() -> np.random.RandomState:
    """The course's ``np.random.seed(1)`` stream, without touching numpy's global state."""
    return np.random.RandomState(1)


def describe_args(args: tuple, names: tuple[str, ...]) -> str:
    parts = []
    for name, value in zip(names, args):
        if isinstance(value, np.ndarray):
            parts.append(f"{name} {value.shape}")
        elif isinstance(value, tuple) and name == "cache":
            parts.append(f"cache with A_prev {value[0].shape}, {value[-1]}")
        else:
            parts.append(f"{name}={value!r}")
    return ", ".join(parts)


def hidden_cases(seed: int, exercise_index: int, families: tuple[Family, ...], arg_names) -> list[Case]:
    cases = []
    for family_index, family in enumerate(families):
        rng = np.random.default_rng([seed, exercise_index, family_index])
        for k in range(family.count):
            args = family.make(rng)
            cases.append(Case(f"hidden:{family.name}:{k + 1}", f"{family.description}: {describe_args(args, arg_names)}",
                              args, public=False))
    return cases


# -- building blocks for families ------------------------------------------------------------------------
def normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape)


def tied(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Small integers as floats: windows often hold several equal maxima."""
    return rng.integers(-2, 3, size=shape).astype(np.float64)


def conv_args(rng, m, n_H, n_W, n_C_prev, n_C, f, stride, pad):
    return (normal(rng, m, n_H, n_W, n_C_prev), normal(rng, f, f, n_C_prev, n_C), normal(rng, 1, 1, 1, n_C),
            {"stride": stride, "pad": pad})


def conv_backward_args(rng, m, n_H, n_W, n_C_prev, n_C, f, stride, pad):
    A_prev, W, b, hparameters = conv_args(rng, m, n_H, n_W, n_C_prev, n_C, f, stride, pad)
    Z, cache = ref.conv_forward(A_prev, W, b, hparameters)
    return normal(rng, *Z.shape), cache


def pool_backward_args(A_prev, f, stride, mode, rng):
    A, cache = ref.pool_forward(A_prev, {"f": f, "stride": stride}, mode)
    return normal(rng, *A.shape), cache, mode
