"""Gradescope's autograder ``results.json``: per exercise a public test and a hidden one.

The public test tells the student what went wrong on the public cases, with their inputs. The hidden test
has its own visibility (by default ``after_published``, as otter does) and even then shows no input, no
value and no message of a hidden case: how many passed, and the names of the known mistakes seen.
"""
from __future__ import annotations

import json
from collections import Counter

from autograder.model import CaseResult, ExerciseResult, Report
from autograder.reports.scores import headline

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_HIDDEN_VISIBILITY = "after_published"


def _summary(report: Report) -> str:
    """Total score, then the problems loading the submission and the notes, if any."""
    lines = [headline(report)]
    if report.errors:
        lines.append("Problems loading your submission:")
        lines.extend(report.errors)
    if report.notes:
        lines.append("Notes:")
        lines.extend(report.notes)
    return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _public_output(cases: list[CaseResult]) -> str:
    """How many public cases passed, then each distinct problem once with the first case it was seen in."""
    failing = [case for case in cases if case.status != "passed"]
    lines = [f"{len(cases) - len(failing)} of {_plural(len(cases), 'public case')} passed."]
    seen: dict[str, CaseResult] = {}
    for case in failing:
        seen.setdefault(case.diagnosis or case.message or case.status, case)
    lines += [f"{problem} (e.g. {case.description})" for problem, case in seen.items()]
    return "\n".join(lines)


def _hidden_output(cases: list[CaseResult]) -> str:
    """How many hidden cases passed and the known mistakes seen: no inputs, values or messages."""
    failing = [case for case in cases if case.status != "passed"]
    lines = [f"{len(cases) - len(failing)} of {_plural(len(cases), 'hidden case')} passed."]
    mistakes = Counter(case.diagnosis for case in failing if case.diagnosis)
    lines += [f"{diagnosis} (in {_plural(count, 'hidden case')})" for diagnosis, count in mistakes.items()]
    others = Counter(case.status for case in failing if not case.diagnosis)
    lines += [f"{_plural(count, 'other hidden case')}: {status}" for status, count in others.items()]
    return "\n".join(lines)


def _tests(exercise: ExerciseResult, hidden_visibility: str) -> list[dict]:
    """The exercise's public test and, when it has hidden cases, its hidden test: the maximum is shared in
    proportion to cases, the score in proportion to passed cases, so both add up to the exercise's."""
    groups = [(True, [case for case in exercise.cases if case.public]),
              (False, [case for case in exercise.cases if not case.public])]
    total = len(exercise.cases)
    passed_in_all = sum(case.status == "passed" for case in exercise.cases)
    if not total:  # nothing ran (an unreadable or refused submission): the exercise's own feedback
        return [{"name": exercise.name, "score": exercise.score, "max_score": exercise.max_score,
                 "status": "failed", "output": "\n".join(exercise.feedback), "visibility": "visible"}]
    tests = []
    for public, cases in groups:
        if not cases:
            continue
        passed = sum(case.status == "passed" for case in cases)
        tests.append({
            "name": f"{exercise.name}: {'public' if public else 'hidden'} cases",
            "score": round(exercise.score * passed / passed_in_all, 4) if passed_in_all else 0.0,
            "max_score": round(exercise.max_score * len(cases) / total, 4),
            "status": "passed" if passed == len(cases) else "failed",
            "output": _public_output(cases) if public else _hidden_output(cases),
            "visibility": "visible" if public else hidden_visibility,
        })
    return tests


def render(report: Report, hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY) -> str:
    """The results.json document Gradescope reads, as indented JSON."""
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"unknown visibility {hidden_visibility!r}; choose one of {', '.join(VISIBILITIES)}")
    return json.dumps(
        {
            "score": report.score,
            "output": _summary(report),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [test for exercise in report.exercises for test in _tests(exercise, hidden_visibility)],
        },
        indent=2,
    )
