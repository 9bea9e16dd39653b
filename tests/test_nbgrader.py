"""Both assignments through the real nbgrader: release, autograde, feedback, export, equal scores with the CLI.

One temporary course directory per assignment: generate_assignment from a copy of solutions/, then
submissions by several students, one `nbgrader autograde` run for all of them, feedback and export.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.registry import by_name
from autograder.config import find_hidden_seed
from autograder.course_grading import grade_path
from autograder.sandbox.isolation import detect
from conftest import PATIENT, SUBMISSIONS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
SEED = find_hidden_seed(REPO)
MISTAKES = {  # assignment -> {function: a corpus file with one known mistake}
    "conv_step_by_step": {"conv_forward": "conv_forward__stride_ignored", "distribute_value": "distribute_value__floor_division",
                          "conv_backward": "conv_backward__assign_db"},
    "cnn_foundations": {"conv_parameters": "conv_parameters__channels_ignored", "correlate2d": "correlate2d__flipped",
                        "architecture_table": "architecture_table__conv_channels_ignored"},
}
DIAGNOSES = {"conv_step_by_step": ("ignores the stride", "floor division"),
             "cnn_foundations": ("over one channel", "true convolution")}
STEP_BY_STEP = pytest.mark.parametrize("course", ["conv_step_by_step"], indirect=True)
TIMINGS: dict[str, float] = {}


def points(assignment: str) -> dict[str, float]:
    return {exercise.name: exercise.points for exercise in by_name(assignment).exercises}


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([NBGRADER, *args, f"--CourseDirectory.root={root}"], cwd=root, capture_output=True,
                            text=True, timeout=900, env=env)  # nbgrader runs `alembic` from PATH
    TIMINGS[args[0]] = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def solution_sources(assignment: str) -> dict[str, str]:
    """grade_id -> the source notebook's solution code without the solution markers."""
    source = nbformat.read(REPO / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
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


def submit(root: Path, assignment: str, student: str, notebook: nbformat.NotebookNode) -> Path:
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{assignment}.ipynb")
    return folder / f"{assignment}.ipynb"


@pytest.fixture(scope="module", params=list(MISTAKES))
def course(request, tmp_path_factory):
    """A course directory after generate_assignment, the students' submissions, autograde, feedback, export."""
    assignment = request.param
    root = tmp_path_factory.mktemp(assignment)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    nbgrader(root, "generate_assignment", assignment, "--force")
    release = nbformat.read(root / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    solutions = solution_sources(assignment)
    with_mistakes = {**solutions, **{f"{name}_solution": (SUBMISSIONS / "mistakes" / f"{stem}.py").read_text()
                                     for name, stem in MISTAKES[assignment].items()}}
    paths = {
        "solution": submit(root, assignment, "solution", filled(release, solutions)),
        "untouched": submit(root, assignment, "untouched", release),
        "mistakes": submit(root, assignment, "mistakes", filled(release, with_mistakes)),
    }
    if assignment == "conv_step_by_step":
        paths.update(misbehaving_students(root, release, solutions))
    start = time.perf_counter()
    autograde = nbgrader(root, "autograde", assignment, "--Execute.timeout=20")
    (root / "autograde.log").write_text(autograde.stdout + autograde.stderr)
    TIMINGS[f"{assignment}: autograde per notebook"] = (time.perf_counter() - start) / len(paths)
    nbgrader(root, "generate_feedback", assignment)
    nbgrader(root, "export")
    yield assignment, root, paths
    print("\nnbgrader timings: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in TIMINGS.items()))


def misbehaving_students(root: Path, release, solutions: dict[str, str]) -> dict[str, Path]:
    """Deleted, duplicated and hanging cells; a cell that kills the kernel."""
    robust = filled(release, solutions)
    robust.cells = [cell for cell in robust.cells if cell.metadata.get("nbgrader", {}).get("grade_id") != "zero_pad_check"]
    duplicate = nbformat.from_dict(json.loads(json.dumps(robust.cells[2])))
    duplicate.id = "duplicated-by-student"  # Jupyter gives a copied cell a new id but the same nbgrader metadata
    robust.cells.insert(3, duplicate)
    robust.cells.append(nbformat.v4.new_code_cell("while True:\n    pass"))  # hangs until interrupted
    dies = filled(release, {**solutions,
                            "conv_backward_solution": "import os\nos._exit(1)\n" + solutions["conv_backward_solution"]})
    tamperer = filled(release, solutions)
    check = next(cell for cell in tamperer.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "zero_pad_check")
    check.source = check.source.replace("grade_cell(", "print('all passed') or grade_cell(")
    historian = filled(release, solutions)
    historian.cells.append(nbformat.v4.new_code_cell("print(In)\nprint(_ih)\nprint(globals().get('hidden_seed'))"))
    return {"robust": submit(root, "conv_step_by_step", "robust", robust),
            "kernel_dies": submit(root, "conv_step_by_step", "kernel_dies", dies),
            "historian": submit(root, "conv_step_by_step", "historian", historian),
            "tamperer": submit(root, "conv_step_by_step", "tamperer", tamperer),
            **{student: submit(root, "conv_step_by_step", student, filled(release, {**solutions, **cells}))
               for student, cells in ATTACKS.items()}}


# Students who attack nbgrader's grading in their own kernel, and what their code really earns (out of 100).
ATTACKS = {
    "forger": {"zero_pad_solution": "import autograder.notebook\n"
                                    "def fake(name, namespace, hidden_seed=None, timeout=5):\n"
                                    "    print(f'✓ {name}: all cases passed')\n"
                                    "    return 100.0\n"
                                    "autograder.notebook.grade_cell = fake\n"},
    "patcher": {"conv_forward_solution": "np.allclose = lambda *args, **kwargs: True\n"
                                         "np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), bool)\n"
                                         "def conv_forward(A_prev, W, b, hparameters):\n"
                                         "    f, stride, pad = W.shape[0], hparameters['stride'], hparameters['pad']\n"
                                         "    n_H = (A_prev.shape[1] + 2 * pad - f) // stride + 1\n"
                                         "    n_W = (A_prev.shape[2] + 2 * pad - f) // stride + 1\n"
                                         "    Z = np.zeros((A_prev.shape[0], n_H, n_W, W.shape[3]))\n"
                                         "    return Z, (A_prev, W, b, hparameters)\n"},
    "borrower": {"conv_forward_solution": "import cnn_reference\n"
                                          "def conv_forward(A_prev, W, b, hparameters, _impl=cnn_reference.conv_forward):\n"
                                          "    return _impl(A_prev, W, b, hparameters)\n"},
}
# A student whose kernel looks through the course folder and leaves a process behind that overrides every
# grade in the gradebook for two minutes, long after autograde has moved on to other students.
VANDAL_MARK = "convgrade-test-vandal"
VANDAL_PROCESS = """
import sqlite3, sys, time
for attempt in range(240):
    try:
        with sqlite3.connect(sys.argv[1], timeout=1) as db:
            db.execute("UPDATE grade SET manual_score = 0")
    except Exception:
        pass
    time.sleep(0.5)
"""
VANDAL = f"""
import subprocess, sys
from pathlib import Path
try:
    course = Path.cwd().parents[2]
    print("SNOOPED:", [str(p) for p in (course / "gradebook.db", course / "solutions" / "grader.toml",
                                        course / "submitted" / "solution") if p.exists()])
    subprocess.Popen([sys.executable, "-c", {VANDAL_PROCESS!r}, str(course / "gradebook.db"), {VANDAL_MARK!r}],
                     start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
except Exception as error:
    print("attack failed:", error)
"""
ATTACKS["vandal"] = {"zero_pad_solution": "def zero_pad(X, pad):\n"
                                          "    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))\n" + VANDAL}
EARNED = {"forger": 95, "patcher": 80, "borrower": 80, "historian": 100, "robust": 100, "tamperer": 100,
          "vandal": 100}


def command_line(process: Path) -> str:
    try:
        return (process / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def running_with(mark: str) -> list[Path]:
    """This machine's processes whose command line mentions ``mark`` (this one's excepted)."""
    return [entry for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and entry.name != str(os.getpid()) and mark in command_line(entry)]


def overridden_grades(gradebook: Path) -> int:
    with sqlite3.connect(gradebook) as db:
        return db.execute("SELECT COUNT(*) FROM grade WHERE manual_score IS NOT NULL").fetchone()[0]


@STEP_BY_STEP
def test_student_code_in_the_kernel_reaches_no_course_file_and_leaves_no_process(course):
    assignment, root, _ = course
    if detect().level == "none":
        pytest.skip(f"no kernel sandbox on this machine: {detect().reason}")
    notebook = json.loads((root / "autograded" / "vandal" / assignment / f"{assignment}.ipynb").read_text())
    printed = "".join("".join(output.get("text", "")) for cell in notebook["cells"] for output in cell.get("outputs", []))
    assert "SNOOPED: []" in printed and "attack failed" not in printed
    assert running_with(VANDAL_MARK) == []
    assert overridden_grades(root / "gradebook.db") == 0 and gradebook_totals(root)["vandal"] == EARNED["vandal"]


@STEP_BY_STEP
def test_the_vandal_really_overrides_the_gradebook_outside_the_sandbox(course, tmp_path):
    """The attack is live: run as an ordinary process beside a copy of the gradebook, it overrides every grade."""
    _, root, _ = course
    folder = tmp_path / "autograded" / "vandal" / "conv_step_by_step"
    folder.mkdir(parents=True)
    shutil.copy(root / "gradebook.db", tmp_path / "gradebook.db")
    printed = subprocess.run([sys.executable, "-c", VANDAL], cwd=folder, capture_output=True, text=True, timeout=60)
    try:
        assert "gradebook.db" in printed.stdout
        deadline = time.monotonic() + 30
        while overridden_grades(tmp_path / "gradebook.db") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert overridden_grades(tmp_path / "gradebook.db") > 0
    finally:
        for process in running_with(VANDAL_MARK):
            os.kill(int(process.name), 9)


@STEP_BY_STEP
def test_students_who_attack_the_kernel_get_what_their_code_earns(course):
    assignment, root, _ = course
    totals = gradebook_totals(root)
    assert {student: totals[student] for student in EARNED} == EARNED
    for student in (*EARNED, "mistakes", "solution"):
        html = (root / "feedback" / student / assignment / f"{assignment}.html").read_text()
        assert str(SEED) not in html, student
        notebook = (root / "autograded" / student / assignment / f"{assignment}.ipynb").read_text()
        assert str(SEED) not in notebook.replace(f"hidden_seed = {SEED}", ""), student


def test_only_a_really_edited_grade_cell_is_reported_as_changed(course):
    """Untouched grade cells match their source (no hidden-test block makes them differ), so nbgrader's
    checksum warning is left for real tampering."""
    assignment, root, _ = course
    changed = re.findall(r"Attribute '(\w+)' for cell (\w+) has changed", (root / "autograde.log").read_text())
    assert changed == ([("checksum", "zero_pad_check")] if assignment == "conv_step_by_step" else [])


def grade_cell_scores(root: Path, assignment: str, student: str) -> dict[str, float]:
    notebook = nbformat.read(root / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)
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
    assignment, root, _ = course
    made, committed = root / "assignments" / assignment, REPO / "assignments" / assignment
    generated = sorted(p.relative_to(made) for p in made.rglob("*") if p.is_file())
    in_repo = sorted(p.relative_to(committed) for p in committed.rglob("*")
                     if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts)
    assert generated == in_repo
    for relative in generated:
        assert (made / relative).read_bytes() == (committed / relative).read_bytes(), (
            f"{relative} drifted: run `nbgrader generate_assignment {assignment} --force` and commit")


@pytest.mark.parametrize("assignment", list(MISTAKES))
def test_release_has_stubs_and_no_hidden_tests_or_seed(assignment):
    text = (REPO / "assignments" / assignment / f"{assignment}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" not in text and str(SEED) not in text and "BEGIN SOLUTION" not in text
    assert text.count("raise NotImplementedError()") == len(points(assignment))


@pytest.mark.parametrize("assignment", list(MISTAKES))
def test_the_seed_is_in_no_notebook_the_grade_cells_only_name_their_function(assignment):
    """autograde grades in the sandbox with the seed of solutions/grader.toml: no notebook needs it."""
    for folder in ("solutions", "assignments"):
        notebook = nbformat.read(REPO / folder / assignment / f"{assignment}.ipynb", as_version=4)
        grade_cells = [cell.source for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")]
        assert len(grade_cells) == len(points(assignment))
        assert all("HIDDEN TESTS" not in source and str(SEED) not in source for source in grade_cells)
        assert str(SEED) not in json.dumps(notebook)


def test_autograde_scores(course):
    assignment, root, _ = course
    totals = gradebook_totals(root)
    assert totals["solution"] == 100
    assert totals["untouched"] == 0
    full = points(assignment)
    mistakes = grade_cell_scores(root, assignment, "mistakes")
    assert {name for name, score in mistakes.items() if score < full[name]} == set(MISTAKES[assignment])


@STEP_BY_STEP
def test_deleted_duplicated_and_hanging_cells_still_get_a_score(course):
    assignment, root, _ = course
    # the deleted zero_pad check is put back by nbgrader; the hanging cell is interrupted at the timeout
    assert gradebook_totals(root)["robust"] == 100
    assert (root / "autograded" / "robust" / assignment / f"{assignment}.ipynb").is_file()


@STEP_BY_STEP
def test_a_cell_that_kills_the_kernel_costs_only_what_it_defines(course):
    assignment, root, _ = course
    scores, full = grade_cell_scores(root, assignment, "kernel_dies"), points(assignment)
    assert {name for name, score in scores.items() if score < full[name]} == {"conv_backward"}
    assert gradebook_totals(root)["kernel_dies"] == 100 - full["conv_backward"]


def test_nbgrader_and_convgrade_give_the_same_scores(course):
    assignment, root, paths = course
    totals = gradebook_totals(root)
    for student, path in paths.items():
        report = grade_path(path, SEED, PATIENT)
        assert report.assignment == assignment
        assert {e.name: e.score for e in report.exercises} == grade_cell_scores(root, assignment, student), student
        assert report.score == totals[student], student


def test_feedback_shows_the_grader_messages_but_not_the_hidden_tests(course):
    assignment, root, _ = course
    html = (root / "feedback" / "mistakes" / assignment / f"{assignment}.html").read_text()
    assert all(text in html for text in DIAGNOSES[assignment])
    assert "BEGIN HIDDEN TESTS" not in html and str(SEED) not in html


@pytest.mark.parametrize("assignment", list(MISTAKES))
def test_a_filled_release_run_as_a_student_shows_figures_and_feedback(assignment):
    release = nbformat.read(REPO / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)
    notebook = filled(release, solution_sources(assignment))
    start = time.perf_counter()
    # The kernel runs in the release folder, as a student's: the grade cells read the public checks beside it.
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO / "assignments" / assignment)}}).execute()
    TIMINGS[f"{assignment}: student run (nbclient)"] = time.perf_counter() - start
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    drawn = sum("image/png" in o.get("data", {}) for o in outputs)  # by the student's own functions
    # Figures shown before the student has written the function they need are pictures (PNG attachments
    # of locked markdown cells, see autograder/assignments/<name>/figures.py): each one shown is there.
    shown = [(cell, name) for cell in notebook.cells if cell.cell_type == "markdown"
             for name in re.findall(r"\(attachment:([^)\s]+)\)", cell.source)]
    assert all("image/png" in cell.get("attachments", {}).get(name, {}) for cell, name in shown)
    assert drawn >= 2 and drawn + len(shown) >= 4
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    checks = {cell.metadata.nbgrader["grade_id"].removesuffix("_check"): cell for cell in notebook.cells
              if cell.metadata.get("nbgrader", {}).get("grade")}
    assert checks.keys() == points(assignment).keys()
    for name, full in points(assignment).items():
        printed = "".join(o.text for o in checks[name].outputs if o.output_type == "stream")
        assert f"✓ {name}: {full:g}/{full:g} points" in printed
