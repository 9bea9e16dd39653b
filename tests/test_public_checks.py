"""The release's public checks: current, answer-free data, and judging against them gives the grader's verdicts.

The student kit judges against ``assignments/<name>/<name>.checks.json``; the grader judges the public cases
against the reference and the catalogue. Every corpus submission must get the same report both ways.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from autograder import public_checks, release
from autograder.course_grading import course_checks
from autograder.grading import grade_file
from autograder.registry import all_assignments
from autograder.sandbox import codec
from conftest import EXAMPLES, PATIENT, SUBMISSIONS

REPO = Path(__file__).resolve().parents[1]
NAMES = list(all_assignments())
WHOLE = sorted([*SUBMISSIONS.glob("correct/*.py"), *SUBMISSIONS.glob("mistakes/*.py"), SUBMISSIONS / "stub.py", SUBMISSIONS / "helpers_broken.py",
                *EXAMPLES.glob("*.py")])
MISTAKES = sorted(SUBMISSIONS.glob("mistakes/*.py"))


def released(name: str, folder: str = "assignments") -> Path:
    return REPO / folder / name / public_checks.file_name(name)


def _close(made, committed, where="") -> list[str]:
    """Where two decoded values differ beyond float rounding (numpy versions may differ in the last bit)."""
    if isinstance(made, np.ndarray):
        same = (isinstance(committed, np.ndarray) and made.shape == committed.shape and made.dtype == committed.dtype
                and np.allclose(made, committed, rtol=1e-12, atol=1e-12, equal_nan=True))
        return [] if same else [where]
    if isinstance(made, dict):
        if not isinstance(committed, dict) or made.keys() != committed.keys():
            return [where]
        return [diff for key in made for diff in _close(made[key], committed[key], f"{where}.{key}")]
    if isinstance(made, list | tuple):
        if type(made) is not type(committed) or len(made) != len(committed):
            return [where]
        return [diff for k, (a, b) in enumerate(zip(made, committed)) for diff in _close(a, b, f"{where}[{k}]")]
    return [] if made == committed else [where]


def _decoded(data: dict):
    """The file's data with every array (and numpy scalar) decoded, everything else as it is."""
    def walk(value):
        if isinstance(value, dict) and ("__ndarray__" in value or "__npscalar__" in value):
            return codec.decode(value)
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value
    return walk(public_checks.unpack(data["exercises"], data["arrays"]))


@pytest.mark.parametrize("name", NAMES)
def test_the_released_checks_are_current_and_the_same_in_solutions_and_assignments(name):
    assert released(name).read_bytes() == released(name, "solutions").read_bytes(), (
        f"run `nbgrader generate_assignment {name} --force`")
    committed = json.loads(released(name).read_text())
    made = json.loads(json.dumps(release.public_checks_data(all_assignments()[name])))
    assert _close(_decoded(made), _decoded(committed)) == [], f"run `convgrade release {name}` and regenerate the release"


@pytest.mark.parametrize("name", NAMES)
def test_the_released_checks_hold_values_only(name):
    text = released(name).read_text()
    data = json.loads(text)
    assert set(data) == {"format", "version", "assignment", "exercises", "arrays"}
    assert "__unsupported__" not in text and "def " not in text and "lambda" not in text
    assert all(case["id"].startswith("public:") for exercise in data["exercises"] for case in exercise["cases"])


@pytest.fixture(scope="module")
def candidates():
    return {"grader": course_checks(None), "kit": [public_checks.read(released(name)) for name in NAMES]}


def solved(name: str) -> str:
    """Every function of assignment ``name`` solved: the solution cells of its source notebook."""
    notebook = json.loads((REPO / "solutions" / name / f"{name}.ipynb").read_text())
    return "\n\n".join("".join(cell["source"]) for cell in notebook["cells"]
                        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and cell["cell_type"] == "code")


def assert_same_verdicts(path: Path, candidates) -> None:
    grader = grade_file(path, candidates["grader"], limits=PATIENT).to_dict()
    kit = grade_file(path, candidates["kit"], limits=PATIENT).to_dict()
    differing = [(ours, theirs) for ours, theirs in zip(kit["exercises"], grader["exercises"]) if ours != theirs]
    assert not differing, "kit vs grader: " + "; ".join(
        f"{ours['name']}: {ours['status']} {ours['score']} {ours['feedback']} vs {theirs['status']} {theirs['score']} "
        f"{theirs['feedback']}" for ours, theirs in differing)
    assert kit == grader


@pytest.mark.parametrize("path", WHOLE, ids=[path.name for path in WHOLE])
def test_the_kit_gives_the_graders_verdicts_and_messages(path, candidates):
    assert_same_verdicts(path, candidates)


@pytest.mark.parametrize("path", MISTAKES, ids=[path.stem for path in MISTAKES])
def test_the_kit_names_every_catalogued_mistake_as_the_grader_does(path, candidates, tmp_path):
    """Each corpus mistake in an otherwise solved notebook, as a student checks it: all the same both ways."""
    exercise = path.stem.split("__")[0]
    name = next(n for n, assignment in all_assignments().items() if exercise in assignment.function_names)
    submission = tmp_path / path.name
    submission.write_text(solved(name).replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
                          + "\n\n" + path.read_text())
    assert_same_verdicts(submission, candidates)


def test_a_helper_call_the_checks_did_not_record_is_answered_by_the_students_own_helper(tmp_path, candidates):
    """A vectorized conv_forward calls zero_pad once, as the course does; one that pads each example on its own
    makes calls the release never saw: they go to the student's (right) zero_pad and still pass."""
    source = (EXAMPLES / "course_loops.py").read_text().replace(
        "A_prev_pad = zero_pad(A_prev, pad)",
        "A_prev_pad = np.concatenate([zero_pad(A_prev[i:i + 1], pad) for i in range(A_prev.shape[0])])")
    assert "np.concatenate([zero_pad" in source
    path = tmp_path / "per_example.py"
    path.write_text(source)
    kit = grade_file(path, candidates["kit"], limits=PATIENT)
    assert {e.name: e.status for e in kit.exercises}["conv_forward"] == "passed"


def test_a_checks_file_of_another_version_is_refused_with_the_reason(tmp_path):
    data = json.loads(released(NAMES[0]).read_text())
    data["version"] = public_checks.VERSION + 1
    path = tmp_path / public_checks.file_name(NAMES[0])
    path.write_text(json.dumps(data))
    with pytest.raises(public_checks.PublicChecksError, match="install the kit your course gives"):
        public_checks.read(path)
