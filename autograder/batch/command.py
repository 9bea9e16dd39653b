"""The ``convgrade batch`` run: discover, grade what is not graded yet, then rebuild scores.csv, the feedback
pages and report.html."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from autograder.sandbox import Limits
from autograder.submission import MAX_SUBMISSION_BYTES

from . import classreport, feedback_pages
from .discover import discover
from .executors import open_executor
from ..files import write_atomically
from .results import load_report, report_path, scores_csv
from .run import Summary, run_batch

RESULTS_NAME = "convgrade-results"


def default_results_dir(folder: Path) -> Path:
    """``convgrade-results`` beside the submissions folder: tied to the data, not to where the command runs,
    so a rerun from anywhere resumes."""
    return folder.resolve().parent / RESULTS_NAME


def batch(folder: Path, results_dir: Path, *, jobs: int, executor: str | None, hidden_seed: int | None,
          limits: Limits, max_bytes: int = MAX_SUBMISSION_BYTES, assignment: str | None = None,
          force: bool = False, progress: bool = False) -> Summary:
    """Grade the submissions under ``folder`` (none over ``max_bytes``) into ``results_dir``; scores.csv and
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
    entries = [(submission.student, report) for submission in submissions if submission.relative not in failed
               and (report := load_report(report_path(results_dir, submission.relative))) is not None]
    write_atomically(results_dir / "scores.csv", scores_csv(entries, summary.failed))
    feedback_pages.write_pages(results_dir, entries)
    write_atomically(results_dir / "report.html", classreport.render(entries, summary.failed))
    return summary
