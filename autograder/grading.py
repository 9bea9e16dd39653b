"""Grade a submission: load it in the sandbox once, run each exercise's cases, judge each exercise while the
next one runs (judging is pure), report.

The checks come from the caller: a course's (``course.Assignment.checks``) or a release's public checks
(``public_checks.py``). With several candidates the submission is graded as the one whose functions it
defines; a pinned one is graded whatever the submission defines.
"""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .checks import AssignmentChecks, detect, mismatch
from .judging import grade_exercise, loading_problems, notes, student_problems
from .model import Report
from .sandbox import Cell, Isolation, Limits, Sandbox
from .spec import ExerciseRun
from .submission import MAX_SUBMISSION_BYTES, read_cells


def grade_file(path: str | Path, candidates: Sequence[AssignmentChecks], pinned: AssignmentChecks | None = None,
               limits: Limits = Limits(), isolation: Isolation | None = None,
               max_bytes: int = MAX_SUBMISSION_BYTES) -> Report:
    """Grade a .ipynb or .py file; raises SubmissionError when it cannot be read."""
    return grade_cells(read_cells(path, max_bytes), str(path), candidates, pinned, limits, isolation)


def grade_cells(cells: list[Cell], name: str, candidates: Sequence[AssignmentChecks],
                pinned: AssignmentChecks | None = None, limits: Limits = Limits(),
                isolation: Isolation | None = None) -> Report:
    """Grade ``cells`` in one sandbox as ``pinned``, or else as the candidate they look like.
    Always returns a report, whatever the code does; only a grader that cannot start raises SandboxError."""
    with Sandbox(cells, limits, isolation) as sandbox, ThreadPoolExecutor(1, "convgrade-judging") as judging:
        load = sandbox.load()
        checks = pinned or detect(candidates, load.functions)
        judged = []
        for exercise in checks.exercises:
            cases = exercise.cases()
            if exercise.spec.name in load.functions:
                run = sandbox.run(exercise.spec.name, [(case.id, case.args) for case in cases], exercise.helpers())
            else:
                run = ExerciseRun("missing")
            judged.append(judging.submit(grade_exercise, exercise, cases, run, load, limits))  # while the next runs
        results = [future.result() for future in judged]
        isolation = sandbox.isolation
    errors = loading_problems(student_problems(load, results))
    wrong_assignment = mismatch(pinned, candidates, load.functions) if pinned else ""
    return Report(name, results, errors=[wrong_assignment] * bool(wrong_assignment) + errors,
                  public_only=checks.public_only, assignment=checks.name, isolation=isolation.to_dict(),
                  notes=notes(load, results))
