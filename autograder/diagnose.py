"""Match a wrong answer or an error against the catalogue of known mistakes."""
from __future__ import annotations

import copy
from itertools import combinations

import numpy as np

from . import mutants
from .catalogue import CATALOGUE, Mistake
from .foundations.catalogue import CATALOGUE as FOUNDATIONS_CATALOGUE
from .compare import compare
from .exercises import Exercise

BY_EXERCISE: dict[str, tuple[Mistake, ...]] = {}
for _mistake in CATALOGUE + FOUNDATIONS_CATALOGUE:
    BY_EXERCISE[_mistake.exercise] = BY_EXERCISE.get(_mistake.exercise, ()) + (_mistake,)


def diagnose_value(exercise: Exercise, args: tuple, got: dict | None, expected: dict | None,
                   pairs: bool = True) -> str:
    """The sentence naming the known mistake (or pair of mistakes) that reproduces ``got``, or "".

    ``expected`` None: the right answer was to reject the input, so any value a variant returns is wrong.
    """
    if got is None:
        return ""
    mistakes = BY_EXERCISE.get(exercise.name, ())
    for mistake in mistakes:
        if mistake.shape_rule and _safe(mistake.shape_rule, args, got):
            return mistake.message
        if mistake.knobs and _reproduces(exercise, _mutant(exercise, mistake.knobs), args, got, expected):
            return mistake.message
        if mistake.variant and _reproduces(exercise, mistake.variant, args, got, expected):
            return mistake.message
    if pairs:
        with_knobs = [m for m in mistakes if m.knobs]
        for first, second in combinations(with_knobs, 2):
            if first.knobs.keys().isdisjoint(second.knobs) and _reproduces(
                    exercise, _mutant(exercise, {**first.knobs, **second.knobs}), args, got, expected):
                return f"Your output matches two known mistakes together. {first.message} {second.message}"
    return ""


def diagnose_error(exercise: Exercise, args: tuple, error: dict) -> str:
    """The sentence naming the known mistake that explains the exception ``error``, or ""."""
    for mistake in BY_EXERCISE.get(exercise.name, ()):
        if mistake.error_rule and _safe(mistake.error_rule, args, error):
            return mistake.message
    return ""


def _mutant(exercise: Exercise, knobs: dict):
    """The exercise's course algorithm with ``knobs`` switched on."""
    mutant = exercise.mutant or getattr(mutants, exercise.name)
    return lambda *args: mutant(*args, **knobs)


def _reproduces(exercise: Exercise, wrong, args: tuple, got: dict, expected: dict | None) -> bool:
    """True when the wrong function gives ``got`` and differs from the right answer on this case."""
    try:
        with np.errstate(all="ignore"):
            variant = exercise.named(wrong(*copy.deepcopy(args)))
    except Exception:  # a mutant may fail where the student's code did not; then it explains nothing
        return False
    if expected is not None and compare(expected, variant, exercise.rtol, exercise.atol) is None:
        return False
    return compare(variant, got, exercise.rtol, exercise.atol) is None


def _safe(rule, *args) -> bool:
    try:
        return bool(rule(*args))
    except Exception:
        return False
