"""The ``convgrade batch`` run: discover, grade what is not graded yet, then rebuild scores.csv, the feedback
pages and report.html, unless nothing they are made from changed since report.html was written (it ends
with a digest of those inputs)."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from autograder.sandbox import Limits
from autograder.submission import MAX_SUBMISSION_BYTES

from . import classreport, feedback_pages
from .discover import Submission, discover
from .executors import open_executor
from ..files import write_atomically
from .results import NotGraded, load_report, report_path, scores_csv
from .run import Summary, run_batch

RESULTS_NAME = "convgrade-results"
REPORT_HTML = "report.html"
INPUTS_MARK = "<!-- convgrade inputs "  # report.html ends with it: what the class report was made from
PACKAGE = Path(__file__).resolve().parents[1]  # autograder/: its code and templates render the outputs
RENDERING = ("*.py", "batch/*.py", "reports/*.py", "templates/report/*")


def default_results_dir(folder: Path) -> Path:
    """``convgrade-results`` beside the submissions folder: tied to the data, not to where the command runs,
    so a rerun from anywhere resumes."""
    return folder.resolve().parent / RESULTS_NAME


def batch(folder: Path, results_dir: Path, *, jobs: int, executor: str | None, hidden_seed: int | None,
          limits: Limits, max_bytes: int = MAX_SUBMISSION_BYTES, assignment: str | None = None,
          force: bool = False, progress: bool = False) -> Summary:
    """Grade the submissions under ``folder`` (none over ``max_bytes``) into ``results_dir`` (each graded one's
    feedback page written with its report; the others' pages remade here when needed); scores.csv and
    report.html cover every submission that has a report, graded now or before, and scores.csv also those
    the grader failed on now (instead of their older reports). ``assignment`` pins what every submission is
    graded as (otherwise nbgrader's folder names it, or else its functions do) and, in an nbgrader course
    folder, which assignment's folders are graded."""
    submissions = discover(folder, assignment)
    if assignment:
        submissions = [replace(submission, assignment=assignment) for submission in submissions]
    with open_executor(executor, jobs) as pool:
        summary = run_batch(submissions, results_dir, pool, hidden_seed, limits, force, progress, max_bytes)
    failed = {failure.submission.relative for failure in summary.failed}
    kept = [submission for submission in submissions if submission.relative not in failed]
    key = inputs_key(results_dir, kept, summary.failed)
    if not force and written_key(results_dir) == key and all(
            path.is_file() for path in [results_dir / "scores.csv", *(
                results_dir / feedback_pages.page_path(str(submission.relative)) for submission in kept)]):
        return summary  # nothing changed since these were written: no report read, no chart drawn
    found = [(submission, summary.reports.get(submission.relative)
              or load_report(report_path(results_dir, submission.relative))) for submission in kept]
    entries = [(submission.student, report) for submission, report in found if report is not None]
    write_atomically(results_dir / "scores.csv", scores_csv(entries, summary.failed))
    feedback_pages.write_pages(results_dir, [(submission.student, report) for submission, report in found
                                             if report is not None and submission.relative not in summary.reports])
    html = classreport.render(entries, summary.failed) + f"{INPUTS_MARK}{key} -->\n"
    write_atomically(results_dir / REPORT_HTML, html)
    return summary


def inputs_key(results_dir: Path, kept: Sequence[Submission], failed: Sequence[NotGraded]) -> str:
    """A digest of what scores.csv, the feedback pages and report.html are made from: each submission's student,
    path and report file (size and time), the failures and their reasons, and the code and templates that
    render them."""
    digest = hashlib.sha256()
    for submission in kept:
        digest.update(repr((submission.student, str(submission.relative),
                            _stamp(report_path(results_dir, submission.relative)))).encode())
    for failure in failed:
        digest.update(repr(("failed", failure.submission.student, str(failure.submission.relative),
                            failure.reason)).encode())
    for path in sorted(path for pattern in RENDERING for path in PACKAGE.glob(pattern)):
        digest.update(repr((str(path.relative_to(PACKAGE)), _stamp(path))).encode())
    return digest.hexdigest()


def written_key(results_dir: Path) -> str | None:
    """The inputs key at the end of report.html, if it has one."""
    try:
        with open(results_dir / REPORT_HTML, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 200))
            tail = handle.read().decode("ascii", errors="replace")
    except OSError:
        return None
    start = tail.rfind(INPUTS_MARK)
    return tail[start + len(INPUTS_MARK):].split(" ", 1)[0] if start >= 0 else None


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns
