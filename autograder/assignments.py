"""The course's assignments: which exercises each one grades, and which one a submission is."""
from __future__ import annotations

from dataclasses import dataclass

from .exercises import EXERCISES as STEP_BY_STEP
from .exercises import Exercise
from .foundations.exercises import EXERCISES as FOUNDATIONS


@dataclass(frozen=True)
class Assignment:
    name: str
    exercises: tuple[Exercise, ...]

    @property
    def function_names(self) -> list[str]:
        return [exercise.name for exercise in self.exercises]


ASSIGNMENTS = {a.name: a for a in (Assignment("conv_step_by_step", STEP_BY_STEP),
                                   Assignment("cnn_foundations", FOUNDATIONS))}
DEFAULT = ASSIGNMENTS["conv_step_by_step"]
HELPERS = tuple(sorted({name for a in ASSIGNMENTS.values() for e in a.exercises for name in e.helpers}))
_EXERCISES = {exercise.name: exercise for a in ASSIGNMENTS.values() for exercise in a.exercises}


def find_exercise(name: str) -> Exercise:
    """The exercise graded under function name ``name``, in any assignment."""
    if name not in _EXERCISES:
        raise ValueError(f"no exercise is named {name!r}; known: {', '.join(_EXERCISES)}")
    return _EXERCISES[name]


def detect(functions: set[str]) -> Assignment:
    """The assignment whose graded functions the submission defines most of (the default on a tie)."""
    return max(ASSIGNMENTS.values(), key=lambda a: (len(functions & set(a.function_names)), a is DEFAULT))


def by_name(name: str) -> Assignment:
    if name not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {name!r}; known: {', '.join(ASSIGNMENTS)}")
    return ASSIGNMENTS[name]
