"""The class report (report.html): who scored what, with a link to each one's feedback page; which mistakes
to reteach and who made them; pass rates and score distributions; who timed out, crashed or handed in a file
that could not be read.

Everything but the template is a pure function of (student, report) pairs, the charts too: charts.py computes
their geometry and the page draws them as inline SVG (no matplotlib). Counts are of distinct students: a
mistake seen in several cases of one student's work, or in two files a student handed in, counts once.
"""
from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import quote

from autograder.model import Report

from . import charts
from .feedback_pages import page_path
from .pages import render_page
from .results import NOT_GRADED, Entry, NotGraded, report_path, submission_status


class Mistake(NamedTuple):
    exercise: str
    diagnosis: str
    students: tuple[str, ...]  # who made it, sorted


class ErrorKind(NamedTuple):
    kind: str
    where: tuple[str, ...]  # exercises, or "loading" for cells that failed to load
    students: tuple[str, ...]  # who hit it, sorted


class Problem(NamedTuple):
    """Why some of a submission's code could not be judged: a timeout, an error, a file that was not read."""
    student: str
    submission: str
    what: str  # "timeout", "error", "loading", "unreadable", "refused" or "not graded"
    where: str  # the exercise, or "" for the whole submission
    detail: str
    page: str  # the submission's feedback page (URL relative to report.html), "" when it has none


class Row(NamedTuple):
    """One submission in the table of students."""
    student: str
    submission: str
    scores: tuple[float | None, ...]  # per function of its assignment, None when its report has no such one
    total: float
    max_score: float
    status: str  # "passed" (full marks), "failed", "unreadable" or "refused"
    page: str  # its feedback page, as a URL relative to report.html
    report: str  # its JSON report, likewise


class Function(NamedTuple):
    """How the submissions of one assignment did on one graded function."""
    name: str
    max_score: float
    mean: float
    passed: int
    submissions: int


class Section(NamedTuple):
    """One assignment: its functions, its submissions, and the mean and median of their totals."""
    assignment: str
    functions: list[Function]
    rows: list[Row]
    max_score: float
    mean: float
    median: float


def ranked_mistakes(entries: list[Entry]) -> list[Mistake]:
    """Each diagnosed mistake (per exercise) with the students who made it, most students first."""
    students: dict[tuple[str, str], set[str]] = {}
    for student, report in entries:
        for exercise in report.exercises:
            for case in exercise.cases:
                if case.diagnosis:
                    students.setdefault((exercise.name, case.diagnosis), set()).add(student)
    return sorted((Mistake(name, text, tuple(sorted(who))) for (name, text), who in students.items()),
                  key=lambda mistake: (-len(mistake.students), mistake.exercise, mistake.diagnosis))


def error_kind(status: str, message: str) -> str:
    """What kind of error a message reports: its leading name ('TypeError', 'the code ended the process',
    'ran out of memory'), or 'timeout'."""
    if status == "timeout":
        return "timeout"
    return re.split(r"[:(]", message, maxsplit=1)[0].strip() or status


def ranked_errors(entries: list[Entry]) -> list[ErrorKind]:
    """Kinds of errors (exceptions, crashes, timeouts, load failures) with the students who hit them, most
    students first."""
    students: dict[str, set[str]] = {}
    where: dict[str, dict[str, None]] = {}
    for student, report in entries:
        found = [(error_kind("error", message), "loading") for message in report.errors]
        found += [(error_kind(case.status, case.message), exercise.name)
                  for exercise in report.exercises for case in exercise.cases
                  if case.status in ("error", "timeout")]
        for kind, place in found:
            students.setdefault(kind, set()).add(student)
            where.setdefault(kind, {})[place] = None
    return sorted((ErrorKind(kind, tuple(where[kind]), tuple(sorted(who))) for kind, who in students.items()),
                  key=lambda error: (-len(error.students), error.kind))


def problems(entries: list[Entry], not_graded: Sequence[NotGraded] = ()) -> list[Problem]:
    """Every timeout, error and load failure, every file not read and every submission the grader failed
    on, by student and submission."""
    found = [Problem(failure.submission.student, str(failure.submission.relative), NOT_GRADED, "",
                     failure.reason, "") for failure in not_graded]
    for student, report in entries:
        found += [Problem(student, report.submission, what, where, detail, _page(report))
                  for what, where, detail in _problems_of(report)]
    return sorted(found, key=lambda problem: (problem.student, problem.submission))


def _problems_of(report: Report) -> list[tuple[str, str, str]]:
    """(what, where, detail) of each problem in one report: a file not read is that one problem alone."""
    status, note = submission_status(report)
    if status in ("unreadable", "refused"):
        return [(status, "", note)]
    found = [("loading", "", message) for message in report.errors]
    for exercise in report.exercises:
        timeouts = [case.message for case in exercise.cases if case.status == "timeout"]
        errors = dict.fromkeys(error_kind(case.status, case.message)
                               for case in exercise.cases if case.status == "error")
        if timeouts:
            found.append(("timeout", exercise.name, timeouts[0]))
        if errors:
            found.append(("error", exercise.name, "; ".join(errors)))
    return found


def by_assignment(entries: list[Entry]) -> dict[str, list[Entry]]:
    """The entries of each assignment, in order of first appearance."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry[1].assignment, []).append(entry)
    return groups


def section(assignment: str, entries: list[Entry]) -> Section:
    """The submissions of one assignment (``entries``, not empty), by student, and how they did."""
    names = list(dict.fromkeys(exercise.name for _, report in entries for exercise in report.exercises))
    functions = []
    for name in names:
        results = [e for _, report in entries for e in report.exercises if e.name == name]
        functions.append(Function(name, max(e.max_score for e in results), statistics.fmean(e.score for e in results),
                                  sum(e.status == "passed" for e in results), len(results)))
    rows = sorted((_row(student, report, names) for student, report in entries),
                  key=lambda row: (row.student, row.submission))
    totals = [row.total for row in rows]
    return Section(assignment, functions, rows, max(row.max_score for row in rows), statistics.fmean(totals),
                   statistics.median(totals))


def _row(student: str, report: Report, functions: list[str]) -> Row:
    scores = {exercise.name: exercise.score for exercise in report.exercises}
    return Row(student, report.submission, tuple(scores.get(name) for name in functions), report.score,
               report.max_score, submission_status(report)[0], _page(report),
               _url(PurePosixPath(report_path(Path(), PurePosixPath(report.submission)))))


def _page(report: Report) -> str:
    return _url(page_path(report.submission))


def _url(path: PurePosixPath) -> str:
    """A relative URL to ``path``: every character a browser would read as syntax (#, ?, %) escaped."""
    return quote(path.as_posix())


def render(entries: list[Entry], not_graded: Sequence[NotGraded] = ()) -> str:
    """The self-contained HTML class report (charts drawn inline as SVG) of the submissions that have a
    report, and of those the grader failed on."""
    sections = [section(name, group) for name, group in by_assignment(entries).items()]
    return render_page(
        "class_report.html.j2",
        students=len({student for student, _ in entries}),
        submissions=len(entries),
        not_graded=len(not_graded),
        mistakes=ranked_mistakes(entries),
        errors=ranked_errors(entries),
        problems=problems(entries, not_graded),
        sections=[(s, charts.distribution([row.total for row in s.rows], s.max_score, s.mean, s.median),
                   charts.pass_rates([(f.name, f.passed, f.submissions) for f in s.functions]))
                  for s in sections],
    )
