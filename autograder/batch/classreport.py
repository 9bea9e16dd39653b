"""The class report (report.html): what the class scored and which mistakes to reteach first.

Everything but the chart drawing is a pure function of (student, report) pairs. Counts are of distinct
students: a mistake seen in several cases of one student's work, or in two files a student handed in,
counts once.
"""
from __future__ import annotations

import base64
import re
import statistics
from html import escape
from typing import NamedTuple

from autograder.model import STATUSES, ExerciseResult, Report
from autograder.reports.scores import points

from .charts import histograms

Entry = tuple[str, Report]  # (student, their report)


class Mistake(NamedTuple):
    students: int
    exercise: str
    diagnosis: str


class ErrorKind(NamedTuple):
    students: int
    kind: str
    where: tuple[str, ...]  # exercises, or "loading" for cells that failed to load


def ranked_mistakes(entries: list[Entry]) -> list[Mistake]:
    """Each diagnosed mistake (per exercise) with the number of students who made it, most first."""
    students: dict[tuple[str, str], set[str]] = {}
    for student, report in entries:
        for exercise in report.exercises:
            for case in exercise.cases:
                if case.diagnosis:
                    students.setdefault((exercise.name, case.diagnosis), set()).add(student)
    return sorted((Mistake(len(who), name, text) for (name, text), who in students.items()),
                  key=lambda mistake: (-mistake.students, mistake.exercise, mistake.diagnosis))


def error_kind(status: str, message: str) -> str:
    """What kind of error a message reports: its leading name ('TypeError', 'the code ended the process',
    'ran out of memory'), or 'timeout'."""
    if status == "timeout":
        return "timeout"
    return re.split(r"[:(]", message, maxsplit=1)[0].strip() or status


def ranked_errors(entries: list[Entry]) -> list[ErrorKind]:
    """Kinds of errors (exceptions, crashes, timeouts, load failures) by the number of students, most first."""
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
    return sorted((ErrorKind(len(who), kind, tuple(where[kind])) for kind, who in students.items()),
                  key=lambda error: (-error.students, error.kind))


def by_assignment(entries: list[Entry]) -> dict[str, list[Entry]]:
    """The entries of each assignment, in order of first appearance."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry[1].assignment, []).append(entry)
    return groups


def score_panels(entries: list[Entry]) -> list[tuple[str, list[float], float]]:
    """(title, scores, maximum) for the total and for each exercise, in the reports' order."""
    def panel(name: str, scores: list[float], maximum: float):
        return f"{name}: mean {points(statistics.fmean(scores))}/{points(maximum)}", scores, maximum

    panels = [panel("total", [r.score for _, r in entries], max(r.max_score for _, r in entries))]
    by_name: dict[str, list[ExerciseResult]] = {}
    for _, report in entries:
        for exercise in report.exercises:
            by_name.setdefault(exercise.name, []).append(exercise)
    for name, results in by_name.items():
        panels.append(panel(name, [e.score for e in results], max(e.max_score for e in results)))
    return panels


def status_counts(entries: list[Entry]) -> dict[str, dict[str, int]]:
    """exercise -> status -> number of submissions."""
    counts: dict[str, dict[str, int]] = {}
    for _, report in entries:
        for exercise in report.exercises:
            row = counts.setdefault(exercise.name, dict.fromkeys(STATUSES, 0))
            row[exercise.status] += 1
    return counts


def render(entries: list[Entry]) -> str:
    """The self-contained HTML class report (charts embedded as base64 PNG)."""
    students = len({student for student, _ in entries})
    body = [f"<h1>Class report</h1>\n<p>{students} students, {len(entries)} submissions.</p>"]
    if entries:
        body += [_mistakes_section(ranked_mistakes(entries), students), _errors_section(ranked_errors(entries))]
        body += [_scores_section(name, group) for name, group in by_assignment(entries).items()]
    return _PAGE.format(body="\n".join(body))


def _mistakes_section(mistakes: list[Mistake], students: int) -> str:
    rows = [(f"{m.students} ({100 * m.students / students:.0f}%)", m.exercise, m.diagnosis) for m in mistakes]
    return ("<h2>Diagnosed mistakes</h2>\n<p>The known mistakes the grader recognised, by how many students "
            "made them: reteach from the top.</p>\n" + _table(("students", "exercise", "mistake"), rows))


def _errors_section(errors: list[ErrorKind]) -> str:
    rows = [(str(e.students), e.kind, ", ".join(e.where)) for e in errors]
    return ("<h2>Most common errors</h2>\n<p>Exceptions, crashes and timeouts in the students' code, by how "
            "many students hit them.</p>\n" + _table(("students", "error", "where"), rows))


def _scores_section(assignment: str, entries: list[Entry]) -> str:
    png = base64.b64encode(histograms(score_panels(entries))).decode("ascii")
    rows = [(name, *(str(counts[status]) for status in STATUSES)) for name, counts in status_counts(entries).items()]
    return (f"<h2>Scores: {escape(assignment)}</h2>\n<p>{len(entries)} submissions.</p>\n"
            f'<img alt="score distribution, total and per exercise" src="data:image/png;base64,{png}">\n'
            + _table(("exercise", *STATUSES), rows))


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    if not rows:
        return "<p>None.</p>"
    return ("<table>\n<tr>" + _cells("th", header) + "</tr>\n"
            + "\n".join("<tr>" + _cells("td", row) + "</tr>" for row in rows) + "\n</table>")


def _cells(tag: str, row: tuple[str, ...]) -> str:
    return "".join(f"<{tag}>{escape(cell)}</{tag}>" for cell in row)


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>convgrade class report</title>
<style>
body {{ font-family: sans-serif; max-width: 75em; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
img {{ max-width: 100%; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
