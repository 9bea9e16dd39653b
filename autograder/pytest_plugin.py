"""pytest plugin (entry point ``pytest11``): local checks that say exactly what the grader will say.

It only declares an option and fixtures. The test file shipped in an assignment folder asks the
``convgrade_report`` fixture for one exercise at a time; the submission (the notebook named like the test
file, the folder's only notebook, or ``--convgrade-submission PATH``) is graded once per test module on the
public cases shipped beside it, in the same sandbox and with the same messages as ``convgrade check``
(and ``convgrade grade --public-only`` on the instructor's side). A failing function fails its test with
the grader's feedback and no traceback.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from . import public_checks
from .grading import grade_file
from .local import NoChecksError, local_checks
from .model import Report
from .reports.text import render_exercise
from .submission import SubmissionError


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convgrade", "convgrade local checks")
    group.addoption("--convgrade-submission", metavar="PATH",
                    help="the notebook or .py file to check (default: the one notebook beside the test file)")


class LocalReport:
    """The public-case report of one submission, checked exercise by exercise."""

    def __init__(self, report: Report):
        self.report = report

    def check(self, name: str) -> None:
        """Pass, or fail the calling test with the grader's feedback for exercise ``name``."""
        result = next(exercise for exercise in self.report.exercises if exercise.name == name)
        if result.status != "passed":
            pytest.fail(render_exercise(result), pytrace=False)


@pytest.fixture(scope="module")
def convgrade_report(request: pytest.FixtureRequest) -> LocalReport:
    """The submission graded once per test module, on the public cases only."""
    path = request.config.getoption("convgrade_submission") or _default_submission(request.path)
    try:
        return LocalReport(grade_file(path, local_checks(request.path.parent)))
    except SubmissionError as error:
        pytest.exit(f"convgrade: cannot read the submission: {error}", returncode=2)
    except (NoChecksError, public_checks.PublicChecksError) as error:
        pytest.exit(f"convgrade: {error}", returncode=2)


def _default_submission(test_file: Path) -> Path:
    """The notebook named like the test file (test_X.py checks X.ipynb), else the folder's only notebook."""
    folder = test_file.parent
    named = folder / (test_file.stem.removeprefix("test_") + ".ipynb")
    if named.is_file():
        return named
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if len(notebooks) != 1:
        found = ", ".join(p.name for p in notebooks) or "none"
        pytest.exit(f"convgrade: expected {named.name} or one notebook in {folder.name}/ (found {found}); "
                    "name one with --convgrade-submission PATH", returncode=2)
    return notebooks[0]
