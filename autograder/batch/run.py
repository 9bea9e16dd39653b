"""Grade the submissions that have no current report, in parallel, writing each report as it arrives.

Reports are written one at a time by this process, atomically, as soon as each grading finishes: killing
the batch at any moment loses only the gradings in flight, and a rerun grades exactly those. A worker
returns its report already rendered, as JSON and as the student's feedback page, so that rendering runs in
parallel too; the page is written before the report, which is what marks a submission graded. A refused
submission (a link) is never read: its report and page, saying why, are made here.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from autograder.course import Assignment
from autograder.course_grading import grade_course_cells
from autograder.model import ExerciseResult, Report
from autograder.registry import all_assignments, default
from autograder.reports import render
from autograder.sandbox import Limits
from autograder.submission import MAX_SUBMISSION_BYTES, SubmissionError, read_cells

from ..files import write_atomically
from . import feedback_pages
from .discover import Submission
from .results import REFUSED, UNREADABLE, NotGraded, is_current, report_path


@dataclass
class Summary:
    submissions: int
    skipped: int
    graded: int = 0
    failed: list[NotGraded] = field(default_factory=list)  # those left without a report, and why
    reports: dict[PurePosixPath, Report] = field(default_factory=dict)  # written now (with their pages), by path

    def line(self) -> str:
        return (f"{self.submissions} submissions: {self.graded} graded, {self.skipped} skipped, "
                f"{len(self.failed)} not graded")


@dataclass(frozen=True)
class Graded:
    """One grading as a worker returns it: the report, rendered as its JSON file and as its feedback page."""
    report: Report
    json: str
    page: str


def rendered(student: str, report: Report) -> Graded:
    return Graded(report, render(report, "json"), feedback_pages.render(student, report))


def grade_one(path: str, name: str, student: str, hidden_seed: int | None, limits: Limits,
              assignment: str | None, max_bytes: int = MAX_SUBMISSION_BYTES) -> Graded:
    """Grade one file (in a pool or dask worker) as ``assignment`` when it is a known assignment's name, else
    as the assignment its functions belong to; an unreadable file, or one over ``max_bytes``, gets a report
    saying so. ``name``: the file's path under the batch folder; ``student``: whose it is (for the page)."""
    known = all_assignments().get(assignment)
    try:
        report = grade_course_cells(read_cells(path, max_bytes), name, hidden_seed, limits, known)
    except SubmissionError as error:
        report = unreadable_report(name, str(error), hidden_seed is None, known or default())
    return rendered(student, report)


def unreadable_report(name: str, reason: str, public_only: bool, assignment: Assignment) -> Report:
    """Zero points out of the assignment's maximum, every exercise an error that says why."""
    return _zero_report(name, f"{UNREADABLE}: {reason}", f"Your submission could not be read: {reason}",
                        public_only, assignment)


def refused_report(submission: Submission, public_only: bool) -> Report:
    """Zero points for a refused submission, every exercise an error that says why."""
    assignment = all_assignments().get(submission.assignment) or default()
    return _zero_report(str(submission.relative), f"{REFUSED}: {submission.refused}",
                        f"Your submission was not read: it is {submission.refused}. {submission.advice}",
                        public_only, assignment)


def refused_graded(submission: Submission, public_only: bool) -> Graded:
    return rendered(submission.student, refused_report(submission, public_only))


def _zero_report(name: str, error: str, feedback: str, public_only: bool, assignment: Assignment) -> Report:
    exercises = [ExerciseResult(e.name, 0.0, e.points, "error", [], [feedback]) for e in assignment.exercises]
    return Report(name, exercises, errors=[error], public_only=public_only, assignment=assignment.name)


def run_batch(submissions: list[Submission], results_dir: Path, executor: Executor, hidden_seed: int | None,
              limits: Limits, force: bool = False, progress: bool = False,
              max_bytes: int = MAX_SUBMISSION_BYTES) -> Summary:
    """Grade every submission without a current report (all of them with ``force``) on ``executor``, but
    for the refused ones, whose reports are written unread."""
    public_only = hidden_seed is None
    todo = [s for s in submissions
            if force or not is_current(report_path(results_dir, s.relative), s, public_only)]
    summary = Summary(len(submissions), skipped=len(submissions) - len(todo))
    futures = {executor.submit(grade_one, str(s.path), str(s.relative), s.student, hidden_seed, limits,
                               s.assignment, max_bytes): s
               for s in todo if s.refused is None}
    try:
        with tqdm(total=len(todo), unit="submission", file=sys.stderr, disable=not progress) as bar:
            def record(submission: Submission, graded: Callable[[], Graded]) -> None:
                try:
                    made = graded()
                    write_atomically(results_dir / feedback_pages.page_path(made.report.submission), made.page)
                    write_atomically(report_path(results_dir, submission.relative), made.json)
                    summary.reports[submission.relative] = made.report
                    summary.graded += 1
                except Exception as error:  # the grader itself failed: no report, so a rerun retries it
                    summary.failed.append(NotGraded(submission, f"{type(error).__name__}: {error}"))
                    bar.write(f"convgrade batch: not graded: {submission.relative}: {summary.failed[-1].reason}",
                              file=sys.stderr)
                bar.update()

            for submission in todo:
                if submission.refused is not None:
                    record(submission, partial(refused_graded, submission, public_only))
            for future in as_completed(futures):
                record(futures[future], future.result)
    except BaseException:  # interrupted: do not let the executor grade what nobody will write
        for future in futures:
            future.cancel()
        raise
    return summary
