"""Grading with the course's own assignments (instructors, CI, Gradescope): reference, catalogue, hidden seed."""
from __future__ import annotations

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
    return [assignment.checks(hidden_seed) for assignment in all_assignments().values()]


def grade_path(path: str | Path, hidden_seed: int | None = None, limits: Limits = Limits(),
               assignment: Assignment | None = None, isolation: Isolation | None = None,
               max_bytes: int = MAX_SUBMISSION_BYTES) -> Report:
    """Grade a .ipynb or .py file as ``assignment`` (pinned), or else as the assignment it looks like;
    raises SubmissionError when it cannot be read."""
    pinned = assignment.checks(hidden_seed) if assignment else None
    return grade_file(path, course_checks(hidden_seed), pinned, limits, isolation, max_bytes)


def grade_course_cells(cells: list[Cell], name: str, hidden_seed: int | None, limits: Limits = Limits(),
                       assignment: Assignment | None = None, isolation: Isolation | None = None) -> Report:
    """``grade_path`` for cells already read."""
    pinned = assignment.checks(hidden_seed) if assignment else None
    return grade_cells(cells, name, course_checks(hidden_seed), pinned, limits, isolation)
