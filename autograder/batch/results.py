"""The results folder: one JSON report per submission, written atomically, and scores.csv built from them.

RESULTS_DIR/reports/<path of the submission under DIR>.json holds exactly ``Report.to_dict()``
(``convgrade grade --format json``); a file name too long for the file system is shortened (see
``report_name``). A report is current when it is newer than its submission, graded the same cases (public
only or not) and refuses the submission exactly when it is refused; a batch rerun grades only submissions
without a current report.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.model import Report
from autograder.reports.scores import points

from .discover import Submission

REPORTS = "reports"
REPORT_SUFFIX = ".json"
NAME_MAX = 255  # bytes in a file name on the usual file systems (ext4, xfs, btrfs, apfs)
UNREADABLE = "unreadable submission"  # how an unreadable submission's report error starts
REFUSED = "refused submission"  # how a refused submission's (a link's) report error starts
NOT_READ = {UNREADABLE: "unreadable", REFUSED: "refused"}  # report error prefix -> status in scores.csv
NOT_GRADED = "not graded"  # the status of a submission the grader itself failed on

Entry = tuple[str, Report]  # (student, the report of one of their submissions)


@dataclass(frozen=True)
class NotGraded:
    """A submission the grader itself failed on: a row in scores.csv but no report, so a rerun retries it."""
    submission: Submission
    reason: str


def report_path(results_dir: Path, relative: PurePosixPath) -> Path:
    """Where the report of the submission at ``relative`` (under the batch folder) lives."""
    return results_dir / REPORTS / relative.parent / report_name(relative.name)


def report_name(name: str, suffix: str = REPORT_SUFFIX) -> str:
    """``name`` + ``suffix``; when that is over NAME_MAX bytes, as much of ``name`` as fits, '~' and a hash
    of the whole name: still readable, and as distinct as the names."""
    encoded = os.fsencode(name)
    if len(encoded) + len(suffix) <= NAME_MAX:
        return name + suffix
    digest = hashlib.sha256(encoded).hexdigest()[:16]
    start = encoded[:NAME_MAX - len(suffix) - len(digest) - 1].decode("utf-8", "ignore")
    return f"{start}~{digest}{suffix}"


def load_report(path: Path) -> Report | None:
    """The report in ``path``, or None when there is none (or it is not a report)."""
    try:
        return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def is_current(report_file: Path, submission: Submission, public_only: bool) -> bool:
    """True when ``report_file`` is newer than the submission (a link's own time, not its target's), graded
    the same cases, and refuses the submission exactly when it is refused."""
    try:
        if report_file.stat().st_mtime_ns <= submission.path.lstat().st_mtime_ns:
            return False
    except OSError:
        return False
    report = load_report(report_file)
    return (report is not None and report.public_only == public_only
            and (submission_status(report)[0] == "refused") == (submission.refused is not None))


def submission_status(report: Report) -> tuple[str, str]:
    """The status and note of a report's row: 'unreadable' or 'refused' and why, else 'passed' (full marks)
    or 'failed' and no note."""
    for error in report.errors:
        start, _, reason = error.partition(": ")
        if start in NOT_READ:
            return NOT_READ[start], reason
    return ("passed" if all(e.status == "passed" for e in report.exercises) else "failed"), ""


def scores_csv(entries: list[Entry], not_graded: list[NotGraded]) -> str:
    """scores.csv from (student, report) pairs and the submissions the grader failed on: student, one column
    per exercise, total, max, status, assignment, submission (a student may hand in several files) and note
    (why a submission was not graded), one row per submission, by student."""
    exercises = list(dict.fromkeys(e.name for _, report in entries for e in report.exercises))
    rows = []
    for student, report in entries:
        scores = {e.name: points(e.score) for e in report.exercises}
        status, note = submission_status(report)
        rows.append([student, *(scores.get(name, "") for name in exercises), points(report.score),
                     points(report.max_score), status, report.assignment, report.submission, note])
    for failure in not_graded:
        rows.append([failure.submission.student, *[""] * len(exercises), "", "", NOT_GRADED, "",
                     str(failure.submission.relative), failure.reason])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *exercises, "total", "max", "status", "assignment", "submission", "note"])
    writer.writerows(sorted(rows, key=lambda row: (row[0], row[-2])))  # by student, then submission
    return out.getvalue()
