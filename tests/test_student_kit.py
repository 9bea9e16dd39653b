"""The student kit alone: built, installed in a fresh venv, no answer inside, local checks as good as the grader's.

`convgrade kit` builds the convgrade-student wheel; it is installed alone (with only its declared
dependencies) in a new virtual environment, the release folder is copied somewhere else, and a student's
`pytest` and `convgrade check` run there, with no repository in sight.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from autograder.config import find_hidden_seed
from autograder.kit import DISTRIBUTION, KIT_MODULES, build_kit
from autograder.registry import all_assignments
from autograder.submission import plain_python
from test_student_path import MISTAKES, NOTEBOOK, cli_messages, pytest_verdicts, solutions, student_folder

REPO = Path(__file__).resolve().parents[1]
GRADED = {name for assignment in all_assignments().values() for name in assignment.function_names}


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """A venv holding only the kit and what it depends on; returns its bin/ folder."""
    root = tmp_path_factory.mktemp("kit")
    wheel = build_kit(root / "wheels")
    environment = root / "student-env"
    venv.create(environment, with_pip=True)
    subprocess.run([str(environment / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                   check=True, capture_output=True, timeout=900)
    return environment / "bin"


def installed_files(bin_folder: Path) -> list[Path]:
    """Every file the kit's distribution installed, from its RECORD."""
    record = next((bin_folder.parent / "lib").glob(f"python3*/site-packages/{DISTRIBUTION.replace('-', '_')}-*.dist-info/RECORD"))
    site = record.parent.parent
    return [(site / line.split(",")[0]).resolve() for line in record.read_text().splitlines() if line]


def defined_functions(source: str) -> set[str]:
    """Names of the functions ``source`` defines that do more than raise NotImplementedError (a stub)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = [stmt for stmt in node.body if not isinstance(stmt, ast.Expr)]
            stub = len(body) == 1 and isinstance(body[0], ast.Raise) and "NotImplementedError" in ast.unparse(body[0])
            if not stub:
                names.add(node.name)
    return names


def code_of(path: Path) -> str:
    if path.suffix == ".py":
        return path.read_text()
    notebook = json.loads(path.read_text())
    sources = (plain_python("".join(cell["source"])) for cell in notebook["cells"] if cell["cell_type"] == "code")
    return "\n\n".join(source for source in sources if source is not None)


@pytest.mark.slow
def test_the_kit_holds_the_engine_and_no_answer(kit):
    files = installed_files(kit)
    assert sorted(f"autograder/{module}" for module in KIT_MODULES) == sorted(
        "/".join(path.parts[path.parts.index("autograder"):]) for path in files if path.suffix == ".py")
    seed = str(find_hidden_seed(REPO))
    for path in files:
        text = path.read_text(errors="replace")
        assert seed not in text, f"{path.name} holds the hidden seed"
        if path.suffix == ".py":
            assert not defined_functions(text) & GRADED, f"{path.name} defines a graded function"
    python = str(kit / "python")
    for module in ("cnn_reference", "autograder.course", "autograder.registry", "autograder.assignments",
                   "autograder.release", "autograder.batch", "nbgrader", "nbformat", "jupyterlab"):
        found = subprocess.run([python, "-c", f"import {module}"], cwd=kit, capture_output=True, text=True)
        assert found.returncode != 0 and "ModuleNotFoundError" in found.stderr, f"{module} is importable in the kit"
    help_text = subprocess.run([str(kit / "convgrade"), "--help"], capture_output=True, text=True).stdout
    assert "{check}" in help_text, help_text


@pytest.mark.slow
def test_a_student_with_only_the_kit_and_the_release_checks_their_notebook(kit, tmp_path):
    elsewhere = tmp_path / "home" / "student"
    correct = student_folder(elsewhere / "correct", solutions())
    for path in correct.iterdir():  # what the student received defines no graded function outside their own cells
        if path.suffix in (".py", ".ipynb"):
            assert not (defined_functions(code_of(path)) - defined_in_solution_cells(path)) & GRADED, path.name
    local = pytest_verdicts(correct, str(kit / "python"))
    assert len(local) == 8 and all(message is None for message in local.values()), local

    mistaken = student_folder(elsewhere / "mistaken",
                              {**solutions(), "conv_forward_solution": MISTAKES["conv_forward_solution"].read_text()})
    (mistaken / "conv_step_by_step-Copy1.ipynb").write_text((REPO / "assignments" / "conv_step_by_step" / NOTEBOOK).read_text())
    local = pytest_verdicts(mistaken, str(kit / "python"))
    assert [name for name, message in local.items() if message] == ["conv_forward"]
    assert "ignores the stride" in local["conv_forward"]
    assert str(elsewhere) not in local["conv_forward"]
    assert local == cli_messages(mistaken / NOTEBOOK, [sys.executable, "-m", "autograder.cli"])
    check = subprocess.run([str(kit / "convgrade"), "check", NOTEBOOK], cwd=mistaken, capture_output=True, text=True,
                           timeout=300)
    assert check.returncode == 1 and "93.33/100 points (public cases only)" in check.stdout, check.stdout


def defined_in_solution_cells(path: Path) -> set[str]:
    """The functions a notebook's solution cells define (the student's own work), none for other files."""
    if path.suffix != ".ipynb":
        return set()
    notebook = json.loads(path.read_text())
    return {name for cell in notebook["cells"] if cell.get("metadata", {}).get("nbgrader", {}).get("solution")
            for name in defined_functions("".join(cell["source"]))}


@pytest.mark.slow
def test_without_public_checks_the_kit_says_where_to_run(kit, tmp_path):
    (tmp_path / "mine.py").write_text("def zero_pad(X, pad):\n    return X\n")
    check = subprocess.run([str(kit / "convgrade"), "check", "mine.py"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 2 and "no public checks" in check.stderr and str(tmp_path.parent) not in check.stderr
