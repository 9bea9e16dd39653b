"""What a student receives (assignments/<name>/) gives away no answer.

Each released notebook's locked cells (every code cell that is neither a solution nor a grade cell) run in
a fresh Python process, as a student who has written nothing yet would run them: matplotlib on Agg,
IPython magics dropped, going on past a cell that raises (most call a function the student has not written
yet). Every function those cells define is then called on the public cases of every graded exercise of
every assignment whose arguments it can take: none may pass all the cases of any exercise. Two controls
show that this probe can fail: it finds each graded function in the solutions, and it catches the helper
cells the releases used to ship (a 2-D cross-correlation, exactly the graded ``correlate2d`` of
cnn_foundations). And no file of a release holds the hidden seed.

This file is also the probe: ``python test_release_gives_no_answers.py NOTEBOOK RESULT.json [--with-solutions]``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from autograder.notebook import time_limit
from autograder.submission import plain_python

REPO = Path(__file__).resolve().parents[1]
RELEASES = sorted(path for path in (REPO / "assignments").glob("*/*.ipynb") if path.stem == path.parent.name)
CELL_PREFIX = "<notebook cell "
CELL_SECONDS = 120  # a locked cell (the figures run the student's own functions)
CALL_SECONDS = 10  # one call of a candidate function on one case

# The helper cells the releases shipped before this test (issue: "the release gives away correlate2d").
OLD_HELPER_CELLS = {
    "correlate2d_helper": (
        "from numpy.lib.stride_tricks import sliding_window_view\n\n\n"
        "def correlate2d(image, kernel):\n"
        '    # "valid" 2-D convolution (no flip, no padding, stride 1), used only to draw the figures of section 1.\n'
        "    windows = sliding_window_view(image, kernel.shape)   # (n_H - f + 1, n_W - f + 1, f, f)\n"
        '    return np.einsum("hwij,ij->hw", windows, kernel)'),
    "figure_helpers": (
        "from numpy.lib.stride_tricks import sliding_window_view\n\n\n"
        "def slide_filter(image, kernel):\n"
        "    windows = sliding_window_view(image, kernel.shape)\n"
        '    return np.einsum("hwij,ij->hw", windows, kernel)'),
}


# ----------------------------------------------------------------------------------------------- the tests

def probe(notebook: Path, tmp_path: Path, with_solutions: bool = False) -> dict:
    """Run the probe on ``notebook`` in a fresh process, in the notebook's folder; its findings."""
    result = tmp_path / f"{notebook.stem}.probe.json"
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH"))))}
    command = [sys.executable, str(Path(__file__).resolve()), str(notebook), str(result)]
    done = subprocess.run(command + (["--with-solutions"] if with_solutions else []), cwd=notebook.parent,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0 and result.is_file(), done.stdout + done.stderr
    return json.loads(result.read_text())


def answered(findings: dict) -> set[tuple[str, str]]:
    return {(answer["function"], answer["exercise"]) for answer in findings["answers"]}


def test_both_assignments_are_released():
    assert {path.stem for path in RELEASES} == {"conv_step_by_step", "cnn_foundations"}


@pytest.mark.parametrize("notebook", RELEASES, ids=lambda path: path.stem)
def test_no_locked_cell_of_a_release_answers_any_exercise_of_any_assignment(notebook, tmp_path):
    findings = probe(notebook, tmp_path)
    probed = {exercise.split("/")[0] for exercise in findings["exercises"]}
    assert {path.stem for path in RELEASES} <= probed, findings["exercises"]
    assert findings["cells_run"] > 0, findings
    assert not findings["answers"], (
        f"{notebook.relative_to(REPO)} gives answers away: "
        + "; ".join(f"{a['function']} ({a['where']}) passes every public case of {a['exercise']}"
                    for a in findings["answers"]))


@pytest.mark.parametrize("notebook", RELEASES, ids=lambda path: path.stem)
def test_the_probe_finds_every_graded_function_in_the_solutions(notebook, tmp_path):
    """Control: with the solution cells run too, each graded function answers its own exercise."""
    findings = probe(REPO / "solutions" / notebook.stem / notebook.name, tmp_path, with_solutions=True)
    own = [exercise for exercise in findings["exercises"] if exercise.startswith(f"{notebook.stem}/")]
    assert len(own) >= 8, findings["exercises"]
    missing = {exercise for exercise in own if (exercise.split("/")[1], exercise) not in answered(findings)}
    assert not missing, f"the probe did not recognise the solution of {sorted(missing)}: {findings}"


def test_the_probe_catches_the_helper_cells_the_releases_used_to_ship(tmp_path):
    """Control: the current release with the old locked helper cells put back fails the probe."""
    notebook = json.loads((REPO / "assignments" / "conv_step_by_step" / "conv_step_by_step.ipynb").read_text())
    for grade_id, source in OLD_HELPER_CELLS.items():
        notebook["cells"].insert(3, {
            "cell_type": "code", "execution_count": None, "id": grade_id.replace("_", "-"), "outputs": [],
            "metadata": {"deletable": False, "editable": False, "nbgrader": {
                "grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False,
                "task": False}},
            "source": source})
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "conv_step_by_step.ipynb").write_text(json.dumps(notebook))
    found = answered(probe(folder / "conv_step_by_step.ipynb", tmp_path))
    assert {("correlate2d", "cnn_foundations/correlate2d"), ("slide_filter", "cnn_foundations/correlate2d")} <= found


def test_no_file_of_a_release_holds_the_hidden_seed():
    seed = str(tomllib.loads((REPO / "solutions" / "grader.toml").read_text())["hidden_seed"])
    files = [path for path in (REPO / "assignments").rglob("*") if path.is_file()]
    assert len(files) >= 2 * len(RELEASES)
    assert [str(path.relative_to(REPO)) for path in files if seed.encode() in path.read_bytes()] == []


# ----------------------------------------------------------------------------------------------- the probe

def _main(notebook: str, result: str, with_solutions: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")

    namespace = {"__name__": "__main__"}
    cells_run, raised = _run_cells(Path(notebook), namespace, with_solutions)
    candidates = _defined_functions(namespace)

    from autograder.registry import all_assignments

    exercises, answers = [], []
    for assignment in all_assignments().values():
        for exercise in assignment.checks(None).exercises:
            label = f"{assignment.name}/{exercise.spec.name}"
            exercises.append(label)
            cases = [case for case in exercise.cases() if case.public]
            if not cases or all(exercise.expected(case).rejection is not None for case in cases):
                raise AssertionError(f"{label}: no public case with outputs, a probe would prove nothing")
            for function, where in candidates:
                if all(_fits(function, len(case.args)) for case in cases) and _passes(function, exercise, cases):
                    answers.append({"function": _name(function), "where": where, "exercise": label})
    Path(result).write_text(json.dumps({
        "cells_run": cells_run, "cells_raised": raised, "exercises": exercises,
        "candidates": [f"{_name(function)} ({where})" for function, where in candidates],
        "answers": answers}, indent=1))


def _name(function) -> str:
    return getattr(function, "__qualname__", None) or repr(function)


def _run_cells(notebook: Path, namespace: dict, with_solutions: bool) -> tuple[int, list[str]]:
    """Run the notebook's code cells but its grade cells (and its solution cells unless asked) in
    ``namespace``, as plain Python; go on past a cell that raises."""
    import matplotlib.pyplot as plt

    cells_run, raised = 0, []
    for index, cell in enumerate(json.loads(notebook.read_text())["cells"]):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("grade") or (meta.get("solution") and not with_solutions):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        code = plain_python(source)
        if code is None:  # a cell magic that is not Python
            continue
        where = f"{CELL_PREFIX}{index}: {meta.get('grade_id', '?')}>"
        cells_run += 1
        try:
            with _quiet(), time_limit(CELL_SECONDS):
                exec(compile(code, where, "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 -- a student's view: the next cell runs anyway
            raised.append(f"{where} {type(error).__name__}: {str(error)[:200]}")
        plt.close("all")
    return cells_run, raised


def _defined_functions(namespace: dict) -> list[tuple[object, str]]:
    """Every function the cells defined (even nested, or no longer bound to a name), and whatever else
    callable they left in the namespace (an imported function would be an answer as well)."""
    import gc
    import types

    found = {}
    for thing in gc.get_objects():
        if isinstance(thing, types.FunctionType) and thing.__code__.co_filename.startswith(CELL_PREFIX):
            found[id(thing)] = (thing, thing.__code__.co_filename)
    for name, thing in namespace.items():
        if (not name.startswith("__") and callable(thing) and not isinstance(thing, type | types.ModuleType)
                and id(thing) not in found):
            found[id(thing)] = (thing, f"bound to {name!r} by the cells")
    return list(found.values())


def _fits(function, arity: int) -> bool:
    import inspect

    try:
        inspect.signature(function).bind(*range(arity))
    except TypeError:
        return False
    except ValueError:  # no signature to read: just try it
        pass
    return True


def _passes(function, exercise, cases) -> bool:
    """Whether ``function`` passes every case: the expected outputs, or a ValueError for a rejection."""
    import copy

    from autograder.compare import compare

    spec = exercise.spec
    for case in cases:
        expected = exercise.expected(case)
        try:
            with _quiet(), time_limit(CALL_SECONDS):
                value = function(*copy.deepcopy(case.args))
        except ValueError:
            if expected.rejection is None:
                return False
            continue
        except BaseException:  # noqa: BLE001 -- anything else (an error, out of time): not an answer
            return False
        if expected.rejection is not None:
            return False
        try:
            if compare(expected.outputs, spec.named(value), spec.rtol, spec.atol) is not None:
                return False
        except Exception:  # noqa: BLE001 -- a value the comparator cannot even read is no answer
            return False
    return True


def _quiet():
    import contextlib
    import io
    import warnings

    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2], "--with-solutions" in sys.argv[3:])
