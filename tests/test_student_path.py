"""The student's path: `pytest` in the assignment folder says exactly what the grader says on public cases."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat

from autograder.model import CaseResult, ExerciseResult
from autograder.reports.text import render_exercise
from conftest import SUBMISSIONS

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO / "assignments" / "conv_step_by_step"
NOTEBOOK = "conv_step_by_step.ipynb"
MISTAKES = {"conv_forward_solution": SUBMISSIONS / "mistakes" / "conv_forward__stride_ignored.py",
            "distribute_value_solution": SUBMISSIONS / "mistakes" / "distribute_value__floor_division.py"}


def solutions() -> dict[str, str]:
    source = nbformat.read(REPO / "solutions" / "conv_step_by_step" / NOTEBOOK, as_version=4)
    return {cell.metadata.nbgrader["grade_id"]: "\n".join(line for line in cell.source.splitlines()
                                                          if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
            for cell in source.cells if cell.metadata.get("nbgrader", {}).get("solution")}


def student_folder(tmp_path: Path, replacements: dict[str, str]) -> Path:
    """A copy of the release folder whose notebook's solution cells are filled in."""
    folder = tmp_path / "conv_step_by_step"
    shutil.copytree(RELEASE, folder)
    notebook = nbformat.read(folder / NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
    nbformat.write(notebook, folder / NOTEBOOK)
    return folder


def pytest_verdicts(folder: Path, python: str = sys.executable) -> dict[str, str | None]:
    """Run pytest in ``folder`` as a student would; function name -> failure message (None when it passed)."""
    subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", "local.xml"], cwd=folder,
                   capture_output=True, text=True, timeout=300)
    verdicts = {}
    for case in ET.parse(folder / "local.xml").getroot().iter("testcase"):
        failure = case.find("failure")
        verdicts[case.get("name").removeprefix("test_function[").removesuffix("]")] = (
            None if failure is None else failure.text)
    return verdicts


def cli_messages(notebook: Path, convgrade: list[str]) -> dict[str, str | None]:
    """`convgrade grade --public-only` on the same notebook, rendered as the plugin renders a failure."""
    result = subprocess.run([*convgrade, "grade", str(notebook), "--public-only", "--format", "json"],
                            capture_output=True, text=True, timeout=300)
    messages = {}
    for e in json.loads(result.stdout)["exercises"]:
        exercise = ExerciseResult(e["name"], e["score"], e["max_score"], e["status"],
                                  [CaseResult(**case) for case in e["cases"]], e["feedback"])
        messages[e["name"]] = None if e["status"] == "passed" else render_exercise(exercise)
    return messages


def test_local_pytest_says_what_the_grader_says_on_public_cases(tmp_path):
    replacements = {**solutions(), **{grade_id: path.read_text() for grade_id, path in MISTAKES.items()}}
    folder = student_folder(tmp_path, replacements)
    local = pytest_verdicts(folder)
    assert local == cli_messages(folder / NOTEBOOK, [sys.executable, "-m", "autograder.cli"])
    assert {name for name, message in local.items() if message} == {"conv_forward", "distribute_value"}
    assert "ignores the stride" in local["conv_forward"] and "Traceback" not in local["conv_forward"]


def test_unimplemented_functions_fail_with_not_implemented_yet(tmp_path):
    local = pytest_verdicts(student_folder(tmp_path, {}))
    assert len(local) == 8
    assert all(message and "not implemented yet" in message for message in local.values())
