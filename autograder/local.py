"""What a local check (``convgrade check``, ``pytest``, a grade cell without a hidden seed) judges against."""
from __future__ import annotations

from pathlib import Path

from . import public_checks
from .checks import AssignmentChecks


class NoChecksError(Exception):
    """Nothing to check against: no public checks beside the submission, and no course installed."""


def local_checks(folder: Path) -> list[AssignmentChecks]:
    """The public checks of the releases in ``folder`` (the student's assignment folder). Outside a release
    folder, the instructor's install falls back to its course's public cases; the student kit cannot."""
    found = public_checks.beside(folder)
    if found:
        return found
    try:
        from .course_grading import course_checks
    except ImportError:  # the student kit: it holds no course, only what a release ships
        raise NoChecksError(f"no public checks (*{public_checks.SUFFIX}) beside your work in {folder.name or '.'}/: "
                            "run the check in the assignment folder your course released, which holds them") from None
    return course_checks(None)
