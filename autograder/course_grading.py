"""Grading with the course's own assignments (instructors, CI, Gradescope): reference, catalogue, hidden seed."""
from __future__ import annotations

import functools
from pathlib import Path

from .checks import AssignmentChecks
from .course import Assignment
from .grading import grade_cells, grade_file
from .model import Report
from .registry import all_assignments
from .sandbox import Cell, Isolation, Limits
from .submission import MAX_SUBMISSION_BYTES


def course_checks(hidden_seed: int | None) -> list[AssignmentChecks]:
    """Every known assignment's checks for a grading with ``hidden_seed`` (None: public cases only)."""
    return [checks_of(assignment, hidden_seed) for assignment in all_assignments().values()]


def checks_of(assignment: Assignment, hidden_seed: int | None) -> AssignmentChecks:
    """``assignment.checks(hidden_seed)``, made once per process for a registered assignment: its cases,
    right outcomes and evidence of mistakes serve every grading after the first (a batch worker's)."""
    if all_assignments().get(assignment.name) is assignment:
        return _registered_checks(assignment.name, hidden_seed)
    return assignment.checks(hidden_seed)


@functools.lru_cache(maxsize=8)
def _registered_checks(name: str, hidden_seed: int | None) -> AssignmentChecks:
    return all_assignments()[name].checks(hidden_seed)


def grade_path(path: str | Path, hidden_seed: int | None = None, limits: Limits = Limits(),
               assignment: Assignment | None = None, isolation: Isolation | None = None,
               max_bytes: int = MAX_SUBMISSION_BYTES) -> Report:
    """Grade a .ipynb or .py file as ``assignment`` (pinned), or else as the assignment it looks like;
    raises SubmissionError when it cannot be read."""
    pinned = checks_of(assignment, hidden_seed) if assignment else None
    return grade_file(path, course_checks(hidden_seed), pinned, limits, isolation, max_bytes)


def grade_course_cells(cells: list[Cell], name: str, hidden_seed: int | None, limits: Limits = Limits(),
                       assignment: Assignment | None = None, isolation: Isolation | None = None) -> Report:
    """``grade_path`` for cells already read."""
    pinned = checks_of(assignment, hidden_seed) if assignment else None
    return grade_cells(cells, name, course_checks(hidden_seed), pinned, limits, isolation)
