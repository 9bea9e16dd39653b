"""The course's assignments: which exercises each one grades, and which one a submission is."""
from __future__ import annotations

from dataclasses import dataclass

from .exercises import EXERCISES as STEP_BY_STEP
from .exercises import Exercise
from .foundations.exercises import EXERCISES as FOUNDATIONS


@dataclass(frozen=True)
class Assignment:
    """An assignment's exercises in grading order; an exercise's helpers are graded before it, so a
    helper's answers are only ever given out after the helper's own cases are done."""

    name: str
    exercises: tuple[Exercise, ...]

    def __post_init__(self):
        seen: set[str] = set()
        for exercise in self.exercises:
            early = [helper for helper in exercise.helpers if helper not in seen]
            if early:
                raise ValueError(f"{self.name}: {exercise.name} calls {', '.join(early)}, which must be graded before it")
            seen.add(exercise.name)

    @property
    def function_names(self) -> list[str]:
        return [exercise.name for exercise in self.exercises]

    def exercise(self, name: str) -> Exercise:
        return next(exercise for exercise in self.exercises if exercise.name == name)


ASSIGNMENTS = {a.name: a for a in (Assignment("conv_step_by_step", STEP_BY_STEP),
                                   Assignment("cnn_foundations", FOUNDATIONS))}
DEFAULT = ASSIGNMENTS["conv_step_by_step"]
_EXERCISES = {exercise.name: exercise for a in ASSIGNMENTS.values() for exercise in a.exercises}


def find_exercise(name: str) -> Exercise:
    """The exercise graded under function name ``name``, in any assignment."""
    if name not in _EXERCISES:
        raise ValueError(f"no exercise is named {name!r}; known: {', '.join(_EXERCISES)}")
    return _EXERCISES[name]


def detect(functions: set[str]) -> Assignment:
    """The assignment whose graded functions the submission defines most of (the default on a tie)."""
    return max(ASSIGNMENTS.values(), key=lambda a: (len(functions & set(a.function_names)), a is DEFAULT))


def mismatch(pinned: Assignment, functions: set[str]) -> str:
    """A sentence when a submission graded as ``pinned`` defines none of its functions but some of
    another assignment's; "" otherwise."""
    if functions & set(pinned.function_names):
        return ""
    other = detect(functions)
    defined = [name for name in other.function_names if name in functions]
    if other is pinned or not defined:
        return ""
    return (f"This grader grades {pinned.name}, but your submission defines the functions of {other.name} "
            f"({', '.join(defined[:3])}{', ...' if len(defined) > 3 else ''}): submit your {pinned.name} notebook.")


def by_name(name: str) -> Assignment:
    if name not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {name!r}; known: {', '.join(ASSIGNMENTS)}")
    return ASSIGNMENTS[name]
