"""The ``convgrade batch`` run: discover, grade what is not graded yet, then rebuild scores.csv and report.html."""
from __future__ import annotations

from pathlib import Path

from autograder.sandbox import Limits

from . import classreport
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
          limits: Limits, force: bool = False, progress: bool = False) -> Summary:
    """Grade the submissions under ``folder`` into ``results_dir``; scores.csv and report.html cover every
    submission that has a report, graded now or before."""
    submissions = discover(folder)
    with open_executor(executor, jobs) as pool:
        summary = run_batch(submissions, results_dir, pool, hidden_seed, limits, force, progress)
    entries = [(submission.student, report) for submission in submissions
               if (report := load_report(report_path(results_dir, submission.relative))) is not None]
    write_atomically(results_dir / "scores.csv", scores_csv(entries))
    write_atomically(results_dir / "report.html", classreport.render(entries))
    return summary
