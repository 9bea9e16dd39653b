"""Gradescope's autograder ``results.json``: one visible test per exercise."""
from __future__ import annotations

import json

from autograder.model import Report
from autograder.reports.scores import headline


def _summary(report: Report) -> str:
    """Total score, then the problems loading the submission, if any."""
    lines = [headline(report)]
    if report.errors:
        lines.append("Problems loading your submission:")
        lines.extend(report.errors)
    return "\n".join(lines)


def render(report: Report) -> str:
    """The results.json document Gradescope reads, as indented JSON."""
    return json.dumps(
        {
            "score": report.score,
            "output": _summary(report),
            "visibility": "visible",
            "stdout_visibility": "visible",
            "tests": [
                {
                    "name": exercise.name,
                    "score": exercise.score,
                    "max_score": exercise.max_score,
                    "status": "passed" if exercise.status == "passed" else "failed",
                    "output": "\n".join(exercise.feedback),
                    "visibility": "visible",
                }
                for exercise in report.exercises
            ],
        },
        indent=2,
    )
