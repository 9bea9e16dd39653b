"""Name a known mistake from evidence: what a catalogued mistake gives on one case, as data.

An assignment's catalogue (course side) turns each mistake into ``Evidence`` for a case: the outputs the
mistake produces (``Outputs``), the output shapes that give it away (``Shapes``), or signs in the exception
it raises (``ErrorSigns``). The grader computes evidence from the catalogue; the student kit reads the same
evidence for the public cases from the release. Matching is here, once, for both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .compare import compare
from .spec import ErrorInfo


@dataclass(frozen=True)
class Outputs:
    """The mistake returns these named outputs."""

    values: dict


@dataclass(frozen=True)
class Shapes:
    """The mistake makes output ``output`` an array of one of these shapes (None in a pattern: any size)."""

    output: str
    patterns: frozenset[tuple[int | None, ...]]


@dataclass(frozen=True)
class ErrorSigns:
    """The mistake raises one of ``types`` whose message holds one of ``phrases`` (when given), a shape whose
    first two sizes are one of ``windows`` (when given), or numpy's "could not broadcast" from a (height,
    width) into another (``broadcast``, when given)."""

    types: tuple[str, ...]
    phrases: tuple[str, ...] = ()
    windows: frozenset[tuple[int, int]] = frozenset()
    broadcast: tuple[tuple[int, int], tuple[int, int]] | None = None


Sign = Outputs | Shapes | ErrorSigns


@dataclass(frozen=True)
class Evidence:
    """One sentence naming a mistake (with its fix) and the sign that shows it on one case."""

    message: str
    sign: Sign


def diagnose_value(evidence: list[Evidence], got: dict, rtol: float, atol: float) -> str:
    """The message of the first evidence whose outputs or shapes ``got`` shows; "" when none does."""
    for item in evidence:
        if _shows(item.sign, got, rtol, atol):
            return item.message
    return ""


def diagnose_error(evidence: list[Evidence], error: ErrorInfo) -> str:
    """The message of the first evidence whose error signs ``error`` shows, or ""."""
    for item in evidence:
        if isinstance(item.sign, ErrorSigns) and _raised(item.sign, error):
            return item.message
    return ""


def _shows(sign: Sign, got: dict, rtol: float, atol: float) -> bool:
    if isinstance(sign, Outputs):
        return compare(sign.values, got, rtol, atol) is None
    if isinstance(sign, Shapes):
        value = got.get(sign.output)
        return isinstance(value, np.ndarray) and any(_fits(value.shape, pattern) for pattern in sign.patterns)
    return False


def _fits(shape: tuple[int, ...], pattern: tuple[int | None, ...]) -> bool:
    return len(shape) == len(pattern) and all(want is None or want == size for want, size in zip(pattern, shape))


def _raised(sign: ErrorSigns, error: ErrorInfo) -> bool:
    if error.type not in sign.types:
        return False
    if sign.phrases and not any(phrase in error.message for phrase in sign.phrases):
        return False
    if sign.windows and not any(pair in sign.windows for pair in leading_pairs(error.message)):
        return False
    return sign.broadcast is None or broadcast_shapes(error.message) == sign.broadcast


def leading_pairs(text: str) -> list[tuple[int, int]]:
    """The first two numbers of every shape tuple in an error message, e.g. (2, 3) from '(2,3,4)'."""
    return [(int(a), int(b)) for a, b in re.findall(r"\((\d+),\s*(\d+)(?:,\s*\d+)*\)", text)]


def broadcast_shapes(message: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(height, width) of the array numpy could not store and of the slot it went to, from numpy's
    "could not broadcast input array from shape (...) into shape (...)"; None for other messages."""
    found = re.search(r"could not broadcast input array from shape \(([\d, ]*)\) into shape \(([\d, ]*)\)", message)
    if not found:
        return None
    source, target = ([int(d) for d in group.split(",") if d.strip()] for group in found.groups())
    if len(source) < 3 or len(target) < 3:
        return None
    return tuple(source[-3:-1]), tuple(target[-3:-1])
