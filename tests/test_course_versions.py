"""Whole solved notebooks written the course's way, each with one real mistake: every function's true score
and status, and the mistake named, with its fix, where it is made.

``tests/submissions/course_versions/course_<exercise>__<key>.py`` holds every function of its assignment in
the course template's style (its variable names and ``(≈ 2 lines)`` comments), all right but one, which makes
the catalogued mistake ``<exercise>/<key>``. Which cases the mistake loses is stated below from the case's
inputs alone (a 1x1 filter, a batch of one example, ...), not from what the grader says; the score follows:
the exercise's points times the share of the other cases. On the public cases the student kit says the same.
"""
from __future__ import annotations

import pytest

from autograder import public_checks
from autograder.course_grading import course_checks
from autograder.registry import all_assignments, find_exercise
from conftest import SEED, SUBMISSIONS, graded
from test_public_checks import assert_same_verdicts, released

VERSIONS = SUBMISSIONS / "course_versions"


def everywhere(args) -> bool:
    return True


def one_by_one_filter(args) -> bool:
    """len(W[1]) raises for W of shape (1, 1, ...), and is f otherwise."""
    W = args[1] if len(args) == 4 else args[1][1]  # conv_forward's W, or conv_backward's cache (A_prev, W, b, hp)
    return W.shape[0] == 1


def several_channels(args) -> bool:
    return args[0].shape[3] > 1


def several_examples(args) -> bool:
    return args[0].shape[0] > 1


def mask_of_example_1(args) -> bool:
    """A batch of one has no example 1 (IndexError); otherwise only max pooling over windows larger than 1x1
    depends on which example the mask comes from."""
    dA, (A_prev, hparameters), mode = args
    return A_prev.shape[0] == 1 or (mode == "max" and hparameters["f"] > 1)


def valid_size(args) -> bool:
    """Inputs with an output size (the others must be rejected, which a float-returning version still does)."""
    n, f, p, s = args
    return s >= 1 and p >= 0 and f <= n + 2 * p


def odd_filter(args) -> bool:
    return args[0] % 2 == 1


def with_dense_layers(args) -> bool:
    return any(layer["type"] == "dense" for layer in args[1])


# file stem (without "course_") -> which cases of its exercise the mistake loses
LOSES = {
    "conv_single_step__float_b": everywhere,
    "conv_single_step__np_float": everywhere,
    "conv_forward__np_float": everywhere,
    "conv_forward__float_size": everywhere,
    "conv_forward__fixed_example": everywhere,  # example 0 is wrong, or a batch of one has no example 1
    "conv_forward__filter_size_from_W1": one_by_one_filter,
    "pool_forward__float_size": everywhere,
    "pool_forward__all_channels": several_channels,
    "pool_forward__fixed_example": everywhere,
    "conv_backward__unpad_after_loop": several_examples,
    "conv_backward__fixed_example": everywhere,  # dW mixes example 1's windows with every example's dZ
    "conv_backward__filter_size_from_W1": one_by_one_filter,
    "create_mask_from_window__max_value": everywhere,
    "pool_backward__fixed_example": mask_of_example_1,
    "conv_output_size__no_floor": valid_size,
    "conv_output_size__float_size": valid_size,
    "same_padding__even_not_rejected": odd_filter,  # returns 1.0 for f = 3 (and rejects an even f)
    "conv_output_shape__float_sizes": everywhere,
    "pool_output_shape__float_sizes": everywhere,
    "architecture_table__dense_one_bias": with_dense_layers,
    "architecture_table__float_sizes": everywhere,
}


def test_every_course_version_is_listed():
    assert sorted(path.stem.removeprefix("course_") for path in VERSIONS.glob("course_*.py")) == sorted(LOSES)


@pytest.mark.parametrize("version", sorted(LOSES))
def test_the_mistake_costs_exactly_its_cases_and_is_named(version):
    exercise_name, key = version.split("__")
    assignment, exercise = find_exercise(exercise_name)
    mistake = next(m for m in assignment.mistakes(exercise_name) if m.key == key)
    cases = exercise.cases(SEED)
    lost = {case.id for case in cases if LOSES[version](case.args)}
    assert lost, f"no case of {exercise_name} shows {key}"

    report = graded(f"course_versions/course_{version}.py")
    assert report.assignment == assignment.name and not report.errors, report.errors
    by_name = {result.name: result for result in report.exercises}
    assert set(by_name) == set(assignment.function_names)

    result = by_name.pop(exercise_name)
    failing = {case.id for case in result.cases if not case.passed}
    assert failing == lost, f"lost {sorted(failing)}, expected {sorted(lost)}"
    assert result.score == pytest.approx(exercise.points * (len(cases) - len(lost)) / len(cases), abs=1e-4)
    assert result.status == "failed"  # a wrong answer (an error the mistake explains is one too), not a crash
    assert any(mistake.message in sentence for sentence in result.feedback), result.feedback
    assert {case.diagnosis for case in result.cases if not case.passed} == {mistake.message}

    for other in by_name.values():
        assert (other.status, other.score) == ("passed", other.max_score), (other.name, other.feedback)


@pytest.fixture(scope="module")
def kit_and_grader():
    return {"grader": course_checks(None), "kit": [public_checks.read(released(name)) for name in all_assignments()]}


@pytest.mark.parametrize("version", sorted(LOSES))
def test_the_kit_gives_the_graders_public_verdicts(version, kit_and_grader):
    assert_same_verdicts(VERSIONS / f"course_{version}.py", kit_and_grader)
