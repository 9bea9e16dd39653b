"""The course through the real nbgrader: release, autograde, feedback, export, and equal scores with the CLI.

One temporary course directory per module: generate_assignment from a copy of solutions/, then submissions
by several students, one `nbgrader autograde` run for all of them, feedback and export.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.config import find_hidden_seed
from autograder.exercises import EXERCISES
from autograder.grading import grade_path
from conftest import FAST, SUBMISSIONS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "conv_step_by_step"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
SEED = find_hidden_seed(REPO)
MISTAKES = {  # solution cell -> a corpus file with one known mistake
    "conv_forward": SUBMISSIONS / "mistakes" / "conv_forward__stride_ignored.py",
    "distribute_value": SUBMISSIONS / "mistakes" / "distribute_value__floor_division.py",
    "conv_backward": SUBMISSIONS / "mistakes" / "conv_backward__assign_db.py",
}
TIMINGS: dict[str, float] = {}


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([NBGRADER, *args, f"--CourseDirectory.root={root}"], cwd=root, capture_output=True,
                            text=True, timeout=900, env=env)  # nbgrader runs `alembic` from PATH
    TIMINGS[args[0]] = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def solution_sources() -> dict[str, str]:
    """grade_id -> the source notebook's solution code without the solution markers."""
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return {cell.metadata.nbgrader["grade_id"]: "\n".join(
                line for line in cell.source.splitlines() if "### BEGIN SOLUTION" not in line
                and "### END SOLUTION" not in line)
            for cell in source.cells if cell.metadata.get("nbgrader", {}).get("solution")}


def filled(release: nbformat.NotebookNode, replacements: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the release whose solution cells (by grade_id) get the given sources."""
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
    return notebook


def submit(root: Path, student: str, notebook: nbformat.NotebookNode) -> Path:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / NOTEBOOK)
    return folder / NOTEBOOK


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course directory after generate_assignment, five students' submissions, autograde, feedback, export."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    release = nbformat.read(root / "assignments" / ASSIGNMENT / NOTEBOOK, as_version=4)
    solutions = solution_sources()
    with_mistakes = {**solutions, **{f"{name}_solution": path.read_text() for name, path in MISTAKES.items()}}
    robust = filled(release, solutions)
    robust.cells = [cell for cell in robust.cells if cell.metadata.get("nbgrader", {}).get("grade_id") != "zero_pad_check"]
    duplicate = nbformat.from_dict(json.loads(json.dumps(robust.cells[2])))
    duplicate.id = "duplicated-by-student"  # Jupyter gives a copied cell a new id but the same nbgrader metadata
    robust.cells.insert(3, duplicate)
    robust.cells.append(nbformat.v4.new_code_cell("while True:\n    pass"))  # hangs until interrupted
    paths = {
        "solution": submit(root, "solution", filled(release, solutions)),
        "untouched": submit(root, "untouched", release),
        "mistakes": submit(root, "mistakes", filled(release, with_mistakes)),
        "robust": submit(root, "robust", robust),
        "kernel_dies": submit(root, "kernel_dies", filled(release, {
            **solutions, "conv_backward_solution": "import os\nos._exit(1)\n" + solutions["conv_backward_solution"]})),
    }
    start = time.perf_counter()
    nbgrader(root, "autograde", ASSIGNMENT, "--Execute.timeout=20")
    TIMINGS["autograde per notebook"] = (time.perf_counter() - start) / len(paths)
    nbgrader(root, "generate_feedback", ASSIGNMENT)
    nbgrader(root, "export")
    yield root, paths
    print("\nnbgrader timings: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in TIMINGS.items()))


def grade_cell_scores(root: Path, student: str) -> dict[str, float]:
    notebook = nbformat.read(root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)
    scores = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            results = [o for o in cell.outputs if o.output_type == "execute_result"]
            scores[meta["grade_id"].removesuffix("_check")] = float(results[0].data["text/plain"]) if results else 0.0
    return scores


def gradebook_totals(root: Path) -> dict[str, float]:
    with open(root / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle)}


def test_the_committed_release_is_exactly_what_generate_assignment_makes(course):
    root, _ = course
    generated = sorted(p.relative_to(root / "assignments") for p in (root / "assignments").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(REPO / "assignments") for p in (REPO / "assignments").rglob("*")
                       if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts)
    assert generated == committed
    for relative in generated:
        assert (root / "assignments" / relative).read_bytes() == (REPO / "assignments" / relative).read_bytes(), (
            f"{relative} drifted: run `nbgrader generate_assignment {ASSIGNMENT} --force` and commit")


def test_release_has_stubs_and_no_hidden_tests_or_seed():
    text = (REPO / "assignments" / ASSIGNMENT / NOTEBOOK).read_text()
    assert "BEGIN HIDDEN TESTS" not in text and str(SEED) not in text and "BEGIN SOLUTION" not in text
    assert text.count("raise NotImplementedError()") == len(EXERCISES)


def test_the_notebook_grade_cells_use_the_instructors_seed():
    text = (REPO / "solutions" / ASSIGNMENT / NOTEBOOK).read_text()
    assert text.count(f"hidden_seed = {SEED}") == len(EXERCISES)


def test_autograde_scores(course):
    root, _ = course
    totals = gradebook_totals(root)
    assert totals["solution"] == 100
    assert totals["untouched"] == 0
    mistakes = grade_cell_scores(root, "mistakes")
    assert {name for name, score in mistakes.items() if score < BY_POINTS[name]} == set(MISTAKES)
    assert all(0 <= mistakes[name] < BY_POINTS[name] for name in MISTAKES)


def test_deleted_duplicated_and_hanging_cells_still_get_a_score(course):
    root, _ = course
    # the deleted zero_pad check is put back by nbgrader; the hanging cell is interrupted at the timeout
    assert gradebook_totals(root)["robust"] == 100
    assert (root / "autograded" / "robust" / ASSIGNMENT / NOTEBOOK).is_file()


def test_a_cell_that_kills_the_kernel_costs_only_what_it_defines(course):
    root, _ = course
    scores = grade_cell_scores(root, "kernel_dies")
    assert {name for name, score in scores.items() if score < BY_POINTS[name]} == {"conv_backward"}
    assert gradebook_totals(root)["kernel_dies"] == 100 - BY_POINTS["conv_backward"]


@pytest.mark.parametrize("student", ["solution", "untouched", "mistakes", "robust", "kernel_dies"])
def test_nbgrader_and_convgrade_give_the_same_scores(course, student):
    root, paths = course
    report = grade_path(paths[student], SEED, FAST)
    assert {e.name: e.score for e in report.exercises} == grade_cell_scores(root, student)
    assert report.score == gradebook_totals(root)[student]


def test_feedback_shows_the_grader_messages_but_not_the_hidden_tests(course):
    root, _ = course
    html = (root / "feedback" / "mistakes" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "ignores the stride" in html and "floor division" in html
    assert "BEGIN HIDDEN TESTS" not in html and str(SEED) not in html


def test_a_filled_release_run_as_a_student_shows_figures_and_feedback():
    release = nbformat.read(REPO / "assignments" / ASSIGNMENT / NOTEBOOK, as_version=4)
    notebook = filled(release, solution_sources())
    start = time.perf_counter()
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}).execute()
    TIMINGS["student run (nbclient)"] = time.perf_counter() - start
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 4
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    checks = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    for cell, exercise in zip(checks, EXERCISES):
        printed = "".join(o.text for o in cell.outputs if o.output_type == "stream")
        assert f"✓ {exercise.name}: {exercise.points:g}/{exercise.points:g} points" in printed


BY_POINTS = {exercise.name: exercise.points for exercise in EXERCISES}
