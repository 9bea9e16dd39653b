"""Write a release's public checks (instructor side): what the student kit judges against.

For each exercise of a course ``Assignment``: its spec, its public cases with the reference's outcome,
the evidence of every catalogued mistake and pair of mistakes on them, and the answers to every helper call
the course's readable algorithm (the assignment's ``call_sources``) makes on them. The file goes into
``solutions/<assignment>/``, so ``nbgrader generate_assignment`` copies it into the release.
"""
from __future__ import annotations

import copy
import json
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from . import public_checks
from .course import Assignment, CourseExerciseChecks, Exercise
from .files import write_atomically
from .sandbox import codec


def public_checks_data(assignment: Assignment) -> dict:
    """The public checks of ``assignment`` as JSON-ready data."""
    checks = assignment.checks(hidden_seed=None)
    arrays: dict[str, dict] = {}
    exercises = [public_checks.pack(_exercise_data(assignment, exercise), arrays) for exercise in checks.exercises]
    return {"format": public_checks.FORMAT, "version": public_checks.VERSION, "assignment": assignment.name,
            "exercises": exercises, "arrays": arrays}


def _exercise_data(assignment: Assignment, checks: CourseExerciseChecks) -> dict:
    spec = checks.spec
    cases = []
    for case in checks.cases():
        expected = checks.expected(case)
        cases.append({
            "id": case.id, "description": case.description, "args": codec.encode(case.args),
            "expected": ({"rejection": expected.rejection} if expected.rejection is not None
                         else {"outputs": codec.encode(expected.outputs)}),
            "evidence": [public_checks.evidence_to_data(item) for item in checks.evidence(case)],
            "error_evidence": [public_checks.evidence_to_data(item) for item in checks.error_evidence(case)],
            "pair_evidence": [public_checks.evidence_to_data(item) for item in checks.pair_evidence(case)],
        })
    return {"spec": {"name": spec.name, "points": spec.points, "arg_names": list(spec.arg_names),
                     "outputs": list(spec.outputs), "cache_items": list(spec.cache_items), "rtol": spec.rtol,
                     "atol": spec.atol, "helpers": list(spec.helpers)},
            "cases": cases, "helper_answers": _helper_answers(assignment, checks.exercise, checks.cases())}


def _helper_answers(assignment: Assignment, exercise: Exercise, cases) -> dict[str, list]:
    """name -> sorted [call key, answer] for every helper call the call sources make on the cases."""
    answers: dict[str, dict[str, dict]] = {name: {} for name in exercise.helpers}
    for module in assignment.call_sources:
        solution = getattr(module, exercise.name, None)
        if solution is None:
            continue
        with _recording(module, assignment, exercise.helpers, answers):
            for case in cases:
                try:
                    solution(*copy.deepcopy(case.args))
                except ValueError:  # a case whose input must be rejected
                    pass
    return {name: sorted(calls.items()) for name, calls in answers.items()}


@contextmanager
def _recording(module: ModuleType, assignment: Assignment, helpers: tuple[str, ...], answers: dict):
    """Inside: the module's helpers answer with the reference and record each call's answer."""
    saved = {name: getattr(module, name) for name in helpers}

    def recorder(name):
        reference = assignment.exercise(name).reference

        def call(*args):
            try:
                value = reference(*args)
            except ValueError as error:
                answers[name][public_checks.call_key(args)] = {"error": {"type": "ValueError", "message": str(error)}}
                raise
            answers[name][public_checks.call_key(args)] = {"value": codec.encode(value)}
            return value
        return call

    try:
        for name in helpers:
            setattr(module, name, recorder(name))
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def write(assignment: Assignment, folder: Path) -> Path:
    """Write ``folder/<assignment>.checks.json``; returns its path."""
    path = folder / public_checks.file_name(assignment.name)
    write_atomically(path, json.dumps(public_checks_data(assignment), separators=(",", ":"), sort_keys=True) + "\n")
    return path
