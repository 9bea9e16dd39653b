"""The checks one grading runs: per exercise its spec, cases, right outcomes, mistake evidence and the
answers to its helper calls. Two sources provide them: a course assignment with its reference
(``course.py``, instructors and graders) and the public checks shipped in a release (``public_checks.py``,
the student kit). Judging (``judging.py``) cannot tell them apart.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .diagnose import Evidence
from .spec import Case, ExerciseSpec, Expected

Helpers = Mapping[str, Callable[..., object]]  # helper name -> the grader's answer to a call of it


@runtime_checkable
class StackedAnswer(Protocol):
    """A helper's answer that can also answer many calls at once: ``stacked(columns)`` takes one column per
    argument for N calls of one signature (arrays stacked on a new leading axis, other arguments as lists)
    and returns the N answers stacked, row k exactly (dtype, shape, bits) what ``answer(*call_k)`` returns;
    it raises ValueError when it cannot answer them all (then each is answered alone)."""

    def __call__(self, *args) -> object: ...

    def stacked(self, columns: list) -> object: ...


class AnswerWithOwn(Exception):
    """Raised by a helper answer that has no answer for these arguments: the student's own helper is called."""


class ExerciseChecks(ABC):
    """The checks of one exercise."""

    spec: ExerciseSpec

    @abstractmethod
    def cases(self) -> list[Case]:
        """Public cases, then hidden ones (if this grading has them)."""

    @abstractmethod
    def expected(self, case: Case) -> Expected:
        """The right outcome of ``case``."""

    @abstractmethod
    def evidence(self, case: Case) -> list[Evidence]:
        """Evidence (outputs, shapes) of each single known mistake on ``case``, in catalogue order."""

    @abstractmethod
    def error_evidence(self, case: Case) -> list[Evidence]:
        """The signs in a raised exception that name a known mistake on ``case``, in catalogue order."""

    @abstractmethod
    def pair_evidence(self, case: Case) -> list[Evidence]:
        """Evidence of two known mistakes made together on ``case``."""

    @abstractmethod
    def helpers(self) -> Helpers:
        """The answers to the calls this exercise's function may make to its helpers."""


@dataclass(frozen=True)
class AssignmentChecks:
    """An assignment's checks in grading order; ``public_only`` when no hidden case is among them."""

    name: str
    exercises: tuple[ExerciseChecks, ...]
    public_only: bool

    @property
    def function_names(self) -> list[str]:
        return [exercise.spec.name for exercise in self.exercises]

    def exercise(self, name: str) -> ExerciseChecks:
        return next(exercise for exercise in self.exercises if exercise.spec.name == name)


def detect(candidates: Sequence[AssignmentChecks], functions: set[str]) -> AssignmentChecks:
    """The candidate whose graded functions the submission defines most of (the first one on a tie)."""
    return max(candidates, key=lambda a: len(functions & set(a.function_names)))


def mismatch(pinned: AssignmentChecks, candidates: Sequence[AssignmentChecks], functions: set[str]) -> str:
    """A sentence when a submission graded as ``pinned`` defines none of its functions but some of another
    candidate's; "" otherwise."""
    if functions & set(pinned.function_names):
        return ""
    other = detect(candidates, functions)
    defined = [name for name in other.function_names if name in functions]
    if other.name == pinned.name or not defined:
        return ""
    return (f"This grader grades {pinned.name}, but your submission defines the functions of {other.name} "
            f"({', '.join(defined[:3])}{', ...' if len(defined) > 3 else ''}): submit your {pinned.name} notebook.")
