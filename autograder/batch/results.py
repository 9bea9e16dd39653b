"""The results folder: one JSON report per submission, written atomically, and scores.csv built from them.

RESULTS_DIR/reports/<path of the submission under DIR>.json holds exactly ``Report.to_dict()``
(``convgrade grade --format json``). A report is current when it is newer than its submission and graded
the same cases (public only or not); a batch rerun grades only submissions without a current report.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path, PurePosixPath

from autograder.reports.scores import points

REPORTS = "reports"
UNREADABLE = "unreadable submission"  # how an unreadable submission's report error starts


def report_path(results_dir: Path, relative: PurePosixPath) -> Path:
    """Where the report of the submission at ``relative`` (under the batch folder) lives."""
    return results_dir / REPORTS / f"{relative}.json"


def load_report(path: Path) -> dict | None:
    """The report in ``path``, or None when there is none (or it is not a report)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and "exercises" in report else None


def is_current(report_file: Path, submission: Path, public_only: bool) -> bool:
    """True when ``report_file`` is newer than ``submission`` and graded the same cases."""
    try:
        if report_file.stat().st_mtime_ns <= submission.stat().st_mtime_ns:
            return False
    except OSError:
        return False
    report = load_report(report_file)
    return report is not None and report.get("public_only") == public_only


def submission_status(report: dict) -> str:
    """'unreadable' (the file could not be read), 'passed' (full marks) or 'failed'."""
    if any(error.startswith(UNREADABLE) for error in report.get("errors", [])):
        return "unreadable"
    return "passed" if all(e["status"] == "passed" for e in report["exercises"]) else "failed"


def scores_csv(entries: list[tuple[str, dict]]) -> str:
    """scores.csv from (student, report) pairs: student, one column per exercise, total, max, status,
    assignment and submission (a student may hand in several files), one row per report, by student."""
    exercises = list(dict.fromkeys(e["name"] for _, report in entries for e in report["exercises"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *exercises, "total", "max", "status", "assignment", "submission"])
    for student, report in sorted(entries, key=lambda entry: (entry[0], entry[1]["submission"])):
        scores = {e["name"]: points(e["score"]) for e in report["exercises"]}
        writer.writerow([student, *(scores.get(name, "") for name in exercises), points(report["score"]),
                         points(report["max_score"]), submission_status(report), report.get("assignment", ""),
                         report["submission"]])
    return out.getvalue()
