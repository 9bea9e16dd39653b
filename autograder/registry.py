"""The assignments the grader knows: the packages under ``autograder/assignments/`` and any installed package
registered under the ``convgrade.assignments`` entry point (its value: a ``course.Assignment``)."""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from . import assignments as bundled
from .course import Assignment, Exercise
from .sandbox.isolation import assignment_entry_points


@cache
def all_assignments() -> dict[str, Assignment]:
    """name -> Assignment, the default first, then the others by name."""
    found: dict[str, Assignment] = {}
    for module in pkgutil.iter_modules(bundled.__path__):
        assignment = importlib.import_module(f"{bundled.__name__}.{module.name}").ASSIGNMENT
        found[assignment.name] = assignment
    for entry in assignment_entry_points():
        assignment = entry.load()
        found.setdefault(assignment.name, assignment)
    return dict(sorted(found.items(), key=lambda item: (item[0] != bundled.DEFAULT, item[0])))


def default() -> Assignment:
    """What a submission defining none of the graded functions is graded as."""
    return next(iter(all_assignments().values()))


def names() -> list[str]:
    return list(all_assignments())


def by_name(name: str) -> Assignment:
    if name not in all_assignments():
        raise ValueError(f"unknown assignment {name!r}; known: {', '.join(all_assignments())}")
    return all_assignments()[name]


def find_exercise(name: str) -> tuple[Assignment, Exercise]:
    """The assignment and exercise graded under function name ``name``."""
    for assignment in all_assignments().values():
        if name in assignment.function_names:
            return assignment, assignment.exercise(name)
    known = ", ".join(n for a in all_assignments().values() for n in a.function_names)
    raise ValueError(f"no exercise is named {name!r}; known: {known}")
