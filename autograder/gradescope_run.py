"""``convgrade gradescope-run``: what Gradescope's ``run_autograder`` does for one submission.

Choose the file to grade from the submission folder by the assignment's expected name, grade it (pinned
to the assignment), and write ``results.json``; when no file can be chosen or read, a results.json with 0
points that tells the student why. Student-visible text names files relative to the submission folder.
"""
from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from .batch.discover import skipped
from .config import find_hidden_seed
from .course import Assignment
from .course_grading import grade_path
from .files import write_atomically
from .reports import gradescope
from .sandbox import Limits
from .submission import SubmissionError

KINDS = {".ipynb": "notebook", ".py": "Python file"}  # a notebook first, else a Python file


class NoSubmission(Exception):
    """No file of the submission can be graded; the message is for the student."""


def choose(folder: Path, assignment: str) -> Path:
    """The file to grade: ``<assignment>.ipynb`` anywhere in ``folder`` (hidden folders skipped), else the
    only notebook, else ``<assignment>.py`` or the only Python file. Raises NoSubmission saying why not."""
    for suffix, kind in KINDS.items():
        found = _files(folder, suffix)
        expected = [path for path in found if path.name == assignment + suffix]
        if len(expected) == 1 or len(found) == 1:
            return (expected or found)[0]
        names = ", ".join(path.relative_to(folder).as_posix() for path in (expected or found))
        if expected:
            raise NoSubmission(f"Your submission has {len(expected)} {kind}s named {assignment}{suffix} ({names}): "
                               "upload only one.")
        if found:
            raise NoSubmission(f"Your submission has {len(found)} {kind}s and none is named {assignment}{suffix} "
                               f"({names}): name the one to grade {assignment}{suffix}, or upload only that one.")
    raise NoSubmission(f"No notebook was found in your submission: upload {assignment}.ipynb.")


def _files(folder: Path, suffix: str) -> list[Path]:
    found = []
    for root, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if not skipped(name))
        found += [Path(root, name) for name in sorted(names) if name.endswith(suffix) and not skipped(name)]
    return found


def results(folder: Path, assignment: Assignment, hidden_visibility: str, limits: Limits = Limits()) -> str:
    """results.json for the submission in ``folder``, graded as ``assignment`` with the hidden seed in force."""
    try:
        path = choose(folder, assignment.name)
        report = grade_path(path, find_hidden_seed(), limits, assignment)
    except NoSubmission as reason:
        return _zero(str(reason))
    except SubmissionError as error:
        return _zero(f"Your submission could not be graded: {error}")
    return gradescope.render(replace(report, submission=path.relative_to(folder).as_posix()), hidden_visibility)


def _zero(output: str) -> str:
    return json.dumps({"score": 0, "output": output, "visibility": "visible", "stdout_visibility": "hidden",
                       "tests": []}, indent=2)


def run(folder: Path, assignment: Assignment, out: Path, hidden_visibility: str, limits: Limits = Limits()) -> None:
    write_atomically(out, results(folder, assignment, hidden_visibility, limits))
