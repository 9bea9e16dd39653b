"""The terminal report a student reads: one line per exercise, feedback under the ones to fix, and under it
a grid of where the first pictured public case's array output is wrong."""
from __future__ import annotations

import textwrap

from autograder.model import CaseResult, ExerciseResult, Report
from autograder.pictures import grid
from autograder.reports.scores import headline, points

WIDTH = 100
INDENT = " " * 6
_GREEN, _RED, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[1m", "\033[0m"


def _wrap(text: str, indent: str) -> list[str]:
    """``text`` wrapped to WIDTH under ``indent``, keeping its own line breaks."""
    return [
        wrapped
        for line in text.splitlines() or [""]
        for wrapped in textwrap.wrap(
            line, WIDTH, initial_indent=indent, subsequent_indent=indent,
            break_long_words=False, break_on_hyphens=False,
        ) or [indent.rstrip()]
    ]


def _status(exercise: ExerciseResult) -> str:
    """The status word, with how many cases passed when the answers were wrong."""
    if exercise.status != "failed" or not exercise.cases:
        return exercise.status
    passed = sum(case.passed for case in exercise.cases)
    return f"failed, {passed} of {len(exercise.cases)} cases passed"


def _next_step(report: Report) -> str:
    """The closing hint: load errors first, then the first exercise that did not pass."""
    todo = next((e.name for e in report.exercises if e.status != "passed"), None)
    if report.errors:
        return "Fix first: the loading problems above" + (f", then {todo}." if todo else ".")
    return f"Fix first: {todo}." if todo else "All exercises passed."


def pictured_case(exercise: ExerciseResult) -> CaseResult | None:
    """The first case with a picture (a failing public case whose array output is wrong), if any."""
    return next((case for case in exercise.cases if case.picture), None)


def picture_title(case: CaseResult) -> str:
    """What a pictured case's picture shows, e.g. "Z[0, :, :, 3] (rows 0-4, columns 0-6) of public case ..."."""
    return f"{case.picture.caption} of public case {case.description}"


def picture_lines(exercise: ExerciseResult, indent: str) -> list[str]:
    """Under ``indent``: what the picture of the first pictured case shows, then its grid of x and ."""
    case = pictured_case(exercise)
    if case is None:
        return []
    return _wrap(f"x = wrong, . = right in {picture_title(case)}:", indent) + [
        indent + "  " + row for row in grid(case.picture)]


def render_exercise(exercise: ExerciseResult) -> str:
    """One exercise as a notebook grade cell prints it: its line, its feedback, then its picture's grid."""
    line = f"{'✓' if exercise.status == 'passed' else '✗'} {exercise.name}: {points(exercise.score)}/" \
           f"{points(exercise.max_score)} points, {_status(exercise)}"
    return "\n".join([line] + [wrapped for sentence in exercise.feedback for wrapped in _wrap(sentence, "  ")]
                     + picture_lines(exercise, "  "))


def render(report: Report, color: bool = False) -> str:
    """The report as plain text (ANSI colours only when ``color`` is true)."""
    paint = (lambda code, text: f"{code}{text}{_RESET}") if color else (lambda code, text: text)
    name_width = max((len(exercise.name) for exercise in report.exercises), default=0)
    scores = [f"{points(e.score)}/{points(e.max_score)}" for e in report.exercises]
    score_width = max(map(len, scores), default=0)
    lines = [paint(_BOLD, headline(report))]
    for exercise, score in zip(report.exercises, scores):
        mark = paint(_GREEN, "✓") if exercise.status == "passed" else paint(_RED, "✗")
        lines.append(f"  {mark} {exercise.name:<{name_width}}  {score:>{score_width}}  {_status(exercise)}")
        if exercise.status != "passed":
            lines.extend(line for sentence in exercise.feedback for line in _wrap(sentence, INDENT))
            lines.extend(picture_lines(exercise, INDENT))
    if report.errors:
        lines.append("Problems loading your submission:")
        lines.extend(line for error in report.errors for line in _wrap(error, "  "))
    if report.notes:
        lines.append("Notes:")
        lines.extend(line for note in report.notes for line in _wrap(note, "  "))
    lines.append(_next_step(report))
    if report.isolation:  # the footer of a real grading: what graded it and what held
        if report.versions:
            lines.append("Graded with " + ", ".join(f"{name} {version}" for name, version in report.versions.items()) + ".")
        lines.append(isolation_line(report.isolation))
    return "\n".join(lines)


def isolation_line(isolation: dict) -> str:
    """Which protections held while grading: short when all did, the whole warning when they did not."""
    if isolation["level"] == "root":
        return "Isolation: root (separate user, own namespaces, hard limits)."
    held = "; ".join(isolation["protections"])
    reason = f" ({isolation['reason']})" if isolation.get("reason") else ""
    return f"Isolation: {isolation['level']}{reason}: {held}."

