"""Grade the submissions that have no current report, in parallel, writing each report as it arrives.

Reports are written one at a time by this process, atomically, as soon as each grading finishes: killing
the batch at any moment loses only the gradings in flight, and a rerun grades exactly those.
"""
from __future__ import annotations

import sys
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from autograder.assignments import ASSIGNMENTS, DEFAULT, Assignment
from autograder.grading import grade_cells
from autograder.model import ExerciseResult, Report
from autograder.reports import render
from autograder.sandbox import Limits
from autograder.submission import SubmissionError, read_cells

from .discover import Submission
from ..files import write_atomically
from .results import UNREADABLE, is_current, report_path


@dataclass
class Summary:
    submissions: int
    skipped: int
    graded: int = 0
    failed: list[str] = field(default_factory=list)  # "<submission>: <why>" for those left without a report

    def line(self) -> str:
        return (f"{self.submissions} submissions: {self.graded} graded, {self.skipped} skipped, "
                f"{len(self.failed)} not graded")


def grade_one(path: str, name: str, hidden_seed: int | None, limits: Limits, assignment: str | None) -> Report:
    """Grade one file (in a pool or dask worker) as ``assignment`` when it is a known assignment's name, else
    as the assignment its functions belong to; an unreadable file gets a report saying so."""
    known = ASSIGNMENTS.get(assignment)
    try:
        return grade_cells(read_cells(path), name, hidden_seed, limits, known)
    except SubmissionError as error:
        return unreadable_report(name, str(error), hidden_seed is None, known or DEFAULT)


def unreadable_report(name: str, reason: str, public_only: bool, assignment: Assignment) -> Report:
    """Zero points out of the assignment's maximum, every exercise an error that says why."""
    feedback = [f"Your submission could not be read: {reason}"]
    exercises = [ExerciseResult(e.name, 0.0, e.points, "error", [], feedback) for e in assignment.exercises]
    return Report(name, exercises, errors=[f"{UNREADABLE}: {reason}"], public_only=public_only,
                  assignment=assignment.name)


def run_batch(submissions: list[Submission], results_dir: Path, executor: Executor, hidden_seed: int | None,
              limits: Limits, force: bool = False, progress: bool = False) -> Summary:
    """Grade every submission without a current report (all of them with ``force``) on ``executor``."""
    public_only = hidden_seed is None
    todo = [s for s in submissions
            if force or not is_current(report_path(results_dir, s.relative), s.path, public_only)]
    summary = Summary(len(submissions), skipped=len(submissions) - len(todo))
    futures = {executor.submit(grade_one, str(s.path), str(s.relative), hidden_seed, limits, s.assignment): s
               for s in todo}
    try:
        with tqdm(total=len(todo), unit="submission", file=sys.stderr, disable=not progress) as bar:
            for future in as_completed(futures):
                submission = futures[future]
                try:
                    report = future.result()
                    write_atomically(report_path(results_dir, submission.relative), render(report, "json"))
                    summary.graded += 1
                except Exception as error:  # the grader itself failed: no report, so a rerun retries it
                    summary.failed.append(f"{submission.relative}: {type(error).__name__}: {error}")
                    bar.write(f"convgrade batch: not graded: {summary.failed[-1]}", file=sys.stderr)
                bar.update()
    except BaseException:  # interrupted: do not let the executor grade what nobody will write
        for future in futures:
            future.cancel()
        raise
    return summary
