"""The known-mistake corpus: every catalogue entry is recognised in a real student-like submission.

``tests/submissions/mistakes/<exercise>__<key>.py`` defines only that exercise's function, written the
course's way (loops) with exactly that mistake. Grading it must fail the exercise and say the entry's
message there, and nowhere else. The knob mutants behind the entries must be detectable at all: each one
differs from the reference on some case, and with every knob off each equals the reference. On any conv
geometry, numpy's "index 1 is out of bounds" is named by its cause: A_prev[1] on a batch of one, or len(W[1])
on a 1x1 filter.
"""
import ast
import copy
from pathlib import Path

import cnn_reference as ref
import numpy as np
import pytest
from hypothesis import given, settings

from autograder.compare import compare
from autograder.course import CourseExerciseChecks
from autograder.course_grading import grade_path
from autograder.diagnose import diagnose_error
from autograder.registry import all_assignments, find_exercise
from autograder.sandbox import Limits
from autograder.spec import Case, ErrorInfo
from strategies import conv_configs

MISTAKES = Path(__file__).parent / "submissions" / "mistakes"
HIDDEN_SEED = 20240611
CATALOGUE = tuple(mistake for assignment in all_assignments().values() for mistake in assignment.catalogue)
WITH_MUTANTS = [(assignment, exercise) for assignment in all_assignments().values() if assignment.mutants
                for exercise in assignment.exercises]
IDS = [f"{mistake.exercise}__{mistake.key}" for mistake in CATALOGUE]
WRONG = [mistake for mistake in CATALOGUE if mistake.knobs or mistake.variant]


@pytest.fixture(scope="module")
def graded():
    """Grade each submission once per module: grading starts a child process."""
    reports = {}

    def report(path: Path):
        if path not in reports:
            reports[path] = grade_path(path, hidden_seed=HIDDEN_SEED, limits=Limits())
        return reports[path]

    return report


def test_catalogue_ids_are_unique():
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("mistake", CATALOGUE, ids=IDS)
def test_submission_is_one_function_with_a_docstring(mistake):
    path = MISTAKES / f"{mistake.exercise}__{mistake.key}.py"
    assert path.is_file(), f"no submission for {mistake.exercise}__{mistake.key}: add {path}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree)
    assert docstring and "\n" not in docstring.strip(), "start the file with a one-line docstring naming the mistake"
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert functions == [mistake.exercise]


@pytest.mark.parametrize("mistake", CATALOGUE, ids=IDS)
def test_mistake_is_diagnosed_in_its_exercise_only(mistake, graded):
    path = MISTAKES / f"{mistake.exercise}__{mistake.key}.py"
    assert path.is_file(), f"no submission for {mistake.exercise}__{mistake.key}: add {path}"
    report = graded(path)
    assert not report.errors, report.errors
    by_name = {result.name: result for result in report.exercises}
    result = by_name[mistake.exercise]
    assert result.status != "passed", f"{path.name} passes every case: it does not make the mistake on any case"

    said = result.feedback + [case.diagnosis for case in result.cases]
    assert any(mistake.message in text for text in said), (
        f"{mistake.exercise} feedback does not name the mistake:\n" + "\n".join(result.feedback))
    # a submission with exactly this mistake must not be told about a different one
    wrong = [(case.id, case.diagnosis) for case in result.cases if case.diagnosis and mistake.message not in case.diagnosis]
    assert not wrong, f"diagnosed as another mistake: {wrong}"

    for other in report.exercises:
        if other.name == mistake.exercise:
            continue
        assert other.status == "missing", f"{path.name} should define only {mistake.exercise}, not {other.name}"
        texts = other.feedback + [case.diagnosis for case in other.cases]
        assert not any(mistake.message in text for text in texts), f"the message appears under {other.name}"


def test_every_submission_has_a_catalogue_entry():
    files = {path.stem for path in MISTAKES.glob("*.py") if path.name != "__init__.py"}
    orphans = sorted(files - set(IDS))
    assert not orphans, f"files in {MISTAKES} with no catalogue entry: {orphans}"


def _cases(exercise):
    return exercise.cases(HIDDEN_SEED)


def _mutant_output(assignment, exercise, case, knobs):
    with np.errstate(all="ignore"):
        return exercise.spec.named(getattr(assignment.mutants, exercise.name)(*copy.deepcopy(case.args), **knobs))


def _wrong_output(assignment, exercise, case, mistake):
    if mistake.variant:
        return exercise.spec.named(mistake.variant(*copy.deepcopy(case.args)))
    return _mutant_output(assignment, exercise, case, mistake.knobs)


@pytest.mark.parametrize("mistake", WRONG, ids=[f"{m.exercise}__{m.key}" for m in WRONG])
def test_wrong_variant_differs_from_reference_on_some_case(mistake):
    """Otherwise diagnose could never report it (it only names a variant that differs from the answer)."""
    assignment, exercise = find_exercise(mistake.exercise)
    differing = []
    for case in _cases(exercise):
        try:
            variant = _wrong_output(assignment, exercise, case, mistake)
        except Exception:  # a variant that raises explains nothing on that case
            continue
        expected = exercise.expected(case)
        if expected.rejection is not None:  # the input must be rejected: returning anything differs
            differing.append(case.id)
            continue
        if compare(expected.outputs, variant, exercise.rtol, exercise.atol) is not None:
            differing.append(case.id)
    assert differing, f"{mistake.key} equals the reference on every case of {mistake.exercise}"


@pytest.mark.parametrize("assignment, exercise", WITH_MUTANTS, ids=[exercise.name for _, exercise in WITH_MUTANTS])
def test_knobs_off_mutant_equals_reference(assignment, exercise):
    for case in _cases(exercise):
        mismatch = compare(exercise.expected(case).outputs, _mutant_output(assignment, exercise, case, {}),
                           exercise.rtol, exercise.atol)
        assert mismatch is None, f"{case.id}: {mismatch.message}"


def _raised(read) -> ErrorInfo | None:
    try:
        read()
    except IndexError as error:
        return ErrorInfo("IndexError", str(error))
    return None


@pytest.mark.parametrize("exercise_name", ["conv_forward", "conv_backward"])
@settings(max_examples=60, deadline=None)
@given(config=conv_configs())
def test_index_1_is_named_by_what_was_indexed_on_any_geometry(exercise_name, config):
    """A batch of one has no A_prev[1], a 1x1 filter no W[1]: numpy says the same of both, so each error is
    named by the case's shapes; when both are 1 (the error could be either) neither name is given."""
    A_prev, W = config[0], config[1]
    args = config if exercise_name == "conv_forward" else ref.conv_forward(*config)
    assignment, exercise = find_exercise(exercise_name)
    evidence = CourseExerciseChecks(assignment, exercise, None).error_evidence(Case("any", "", args, public=False))
    messages = {mistake.key: mistake.message for mistake in assignment.mistakes(exercise_name)}
    m, f = A_prev.shape[0], W.shape[0]
    raised = {"fixed_example": _raised(lambda: A_prev[1]), "filter_size_from_W1": _raised(lambda: len(W[1]))}
    for key, error in raised.items():
        assert (error is not None) == (m == 1 if key == "fixed_example" else f == 1)
        if error is not None:
            assert diagnose_error(evidence, error) == ("" if m == f == 1 else messages[key])
