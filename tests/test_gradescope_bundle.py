"""CI integrations: the Gradescope autograder zip (built, unpacked into a temporary root, run on
submissions) and the GitHub Classroom workflow template (its commands run, its points added up)."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from autograder.course_grading import grade_path
from autograder.gradescope_bundle import GRADING_REQUIREMENTS, build_wheel, render_script
from autograder.reports import gradescope, render

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
WITH_MISTAKES = REPO / "autograder" / "assignments" / "conv_step_by_step" / "examples" / "with_mistakes.py"
BIN = str(Path(sys.executable).parent)


def environment(**extra: str) -> dict:
    """This environment (convgrade on PATH) without a hidden seed of its own."""
    env = {key: value for key, value in os.environ.items() if key != "CONVGRADE_HIDDEN_SEED"}
    return {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", **extra}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """`convgrade gradescope-bundle` run inside the repository, where it finds the hidden seed."""
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    result = subprocess.run([sys.executable, "-m", "autograder.cli", "gradescope-bundle", "--out", str(out)],
                            cwd=REPO, env=environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "public and hidden cases" in result.stdout
    return out


def seed_in(bundle: Path) -> int:
    with zipfile.ZipFile(bundle) as archive:
        found = re.search(r'^export CONVGRADE_HIDDEN_SEED="(\d+)"$', archive.read("run_autograder").decode(), re.M)
    assert found, "run_autograder does not set the hidden seed"
    return int(found.group(1))


def gradescope_root(bundle: Path, root: Path) -> Path:
    """Gradescope's layout under ``root``: the zip unpacked in source/ (modes kept, as unzip does),
    run_autograder copied beside it, an empty submission/ folder."""
    with zipfile.ZipFile(bundle) as archive:
        for entry in archive.infolist():
            path = Path(archive.extract(entry, root / "source"))
            path.chmod((entry.external_attr >> 16) & 0o777 or 0o644)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path, cwd: Path) -> dict:
    result = subprocess.run([str(root / "run_autograder")], cwd=cwd, capture_output=True, text=True, timeout=300,
                            env=environment(CONVGRADE_AUTOGRADER_ROOT=str(root)))
    assert result.returncode == 0, result.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_holds_executable_scripts_and_a_wheel_without_the_seed_file(bundle):
    with zipfile.ZipFile(bundle) as archive:
        entries = {entry.filename: entry for entry in archive.infolist()}
        wheels = [name for name in entries if name.endswith(".whl")]
        assert sorted(entries) == sorted(["setup.sh", "run_autograder", *wheels]) and len(wheels) == 1
        for script in ("setup.sh", "run_autograder"):
            assert (entries[script].external_attr >> 16) & 0o111 == 0o111, f"{script} is not executable"
        setup = archive.read("setup.sh").decode()
        archive.extract(wheels[0], bundle.parent)
    assert f'pip install --quiet --no-deps "$HERE/{wheels[0]}"' in setup
    with zipfile.ZipFile(bundle.parent / wheels[0]) as wheel:
        names = wheel.namelist()
        assert {"autograder/cli.py", "cnn_reference/__init__.py", "autograder/templates/github-classroom.yml",
                "autograder/templates/gradescope/run_autograder"} <= set(names)
        assert not any("grader.toml" in name or name.startswith("solutions/") for name in names)
        seed = str(seed_in(bundle)).encode()
        assert not any(seed in wheel.read(name) for name in names)  # the seed is only in run_autograder


def test_run_autograder_grades_the_submission_with_the_baked_in_seed(bundle, tmp_path):
    root = gradescope_root(bundle, tmp_path / "autograder")
    submission = root / "submission" / "conv_step_by_step.py"
    shutil.copy(WITH_MISTAKES, submission)
    (root / "submission" / "notes.txt").write_text("not graded")
    seed = seed_in(bundle)
    hidden, public = grade_path(submission, seed), grade_path(submission, None)
    assert hidden.score != public.score  # so the score tells which cases were graded

    results = run_autograder(root, cwd=tmp_path)  # outside the repository: the seed comes from the bundle
    assert results == json.loads(render(replace(hidden, submission="conv_step_by_step.py"), "gradescope"))
    assert str(root) not in json.dumps(results)  # no absolute path in what students see


def test_run_autograder_prefers_the_notebook(bundle, tmp_path):
    root = gradescope_root(bundle, tmp_path / "autograder")
    (root / "submission" / "helpers.py").write_text("x = 1\n")
    cell = {"cell_type": "code", "metadata": {}, "source": WITH_MISTAKES.read_text(), "outputs": [],
            "execution_count": None}
    (root / "submission" / "work.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                                "cells": [cell]}))
    checkpoint = root / "submission" / ".ipynb_checkpoints" / "a-checkpoint.ipynb"
    checkpoint.parent.mkdir()
    checkpoint.write_text("{}")
    results = run_autograder(root, cwd=tmp_path)
    assert results["score"] == grade_path(root / "submission" / "work.ipynb", seed_in(bundle)).score > 0


def test_run_autograder_grades_the_notebook_named_after_the_assignment_not_a_copy(bundle, tmp_path):
    root = gradescope_root(bundle, tmp_path / "autograder")
    write_notebook(root / "submission" / "conv_step_by_step-Copy1.ipynb", "")  # unfilled, sorts first
    write_notebook(root / "submission" / "conv_step_by_step.ipynb", WITH_MISTAKES.read_text())
    results = run_autograder(root, cwd=tmp_path)
    graded = grade_path(root / "submission" / "conv_step_by_step.ipynb", seed_in(bundle))
    assert results["score"] == graded.score > 0
    assert results["output"].startswith("convgrade: conv_step_by_step.ipynb: ")


def test_run_autograder_says_which_notebooks_it_cannot_choose_between(bundle, tmp_path):
    root = gradescope_root(bundle, tmp_path / "autograder")
    for name in ("mine.ipynb", "final.ipynb"):
        write_notebook(root / "submission" / name, WITH_MISTAKES.read_text())
    results = run_autograder(root, cwd=tmp_path)
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"] == ("Your submission has 2 notebooks and none is named conv_step_by_step.ipynb "
                                 "(final.ipynb, mine.ipynb): name the one to grade conv_step_by_step.ipynb, or "
                                 "upload only that one.")


def test_hidden_cases_are_their_own_tests_shown_after_publishing_without_inputs(bundle, tmp_path):
    root = gradescope_root(bundle, tmp_path / "autograder")
    shutil.copy(WITH_MISTAKES, root / "submission" / "conv_step_by_step.py")
    results = run_autograder(root, cwd=tmp_path)
    hidden = grade_path(root / "submission" / "conv_step_by_step.py", seed_in(bundle))
    tests = {test["name"]: test for test in results["tests"]}
    for exercise in hidden.exercises:
        public, secret = tests[f"{exercise.name}: public cases"], tests[f"{exercise.name}: hidden cases"]
        assert public["visibility"] == "visible" and secret["visibility"] == "after_published"
        assert public["max_score"] + secret["max_score"] == pytest.approx(exercise.max_score)
        assert public["score"] + secret["score"] == pytest.approx(exercise.score)
        for case in exercise.cases:
            if not case.public:
                assert case.description not in json.dumps(results), case.description
                assert not case.message or case.message not in secret["output"]
    assert "ignores the stride" in tests["conv_forward: hidden cases"]["output"]
    assert sum(test["score"] for test in results["tests"]) == pytest.approx(results["score"])


def test_the_hidden_visibility_is_the_instructors_choice(tmp_path):
    script = render_script("run_autograder", "convgrade.whl", 1, "conv_step_by_step", "after_due_date")
    assert '--hidden-visibility "after_due_date"' in script
    report = grade_path(WITH_MISTAKES, 7)
    assert {test["visibility"] for test in json.loads(gradescope.render(report, "hidden"))["tests"]} == {"visible",
                                                                                                       "hidden"}
    with pytest.raises(ValueError, match="unknown visibility"):
        gradescope.render(report, "sometimes")


def test_the_image_installs_only_what_grading_needs(tmp_path):
    """setup.sh's two pip commands in a fresh environment: convgrade grades, nbgrader and Jupyter are absent."""
    wheel = build_wheel(REPO, tmp_path)
    setup = render_script("setup.sh", wheel.name, None)
    assert "--no-deps" in setup and "nbgrader" not in setup.replace("nbgrader, Jupyter", "")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    for command in ([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                    [python, "-m", "pip", "install", "--quiet", *GRADING_REQUIREMENTS]):
        result = subprocess.run(command, capture_output=True, text=True, timeout=400)
        assert result.returncode == 0, result.stderr[-2000:]
    installed = subprocess.run([python, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True,
                               check=True).stdout
    assert not {"nbgrader", "jupyterlab", "notebook", "nbclient"} & {p["name"].lower() for p in json.loads(installed)}
    shutil.copy(WITH_MISTAKES, tmp_path / "conv_step_by_step.py")
    graded = subprocess.run([str(venv / "bin" / "convgrade"), "grade", "conv_step_by_step.py", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, env=environment())
    assert graded.returncode == 0, graded.stderr
    assert json.loads(graded.stdout)["score"] == grade_path(WITH_MISTAKES).score


def write_notebook(path: Path, source: str) -> None:
    cell = {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}))


@pytest.mark.parametrize("content, says", [
    (None, "No notebook was found in your submission: upload conv_step_by_step.ipynb."),
    ('{"cells": [', "not a readable notebook"),
])
def test_run_autograder_explains_a_submission_it_cannot_grade(bundle, tmp_path, content, says):
    root = gradescope_root(bundle, tmp_path / "autograder")
    if content is not None:
        (root / "submission" / "broken.ipynb").write_text(content)
    results = run_autograder(root, cwd=tmp_path)
    assert results["score"] == 0 and says in results["output"]


# -- GitHub Classroom ---------------------------------------------------------------------------------------

COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"


def classroom_workflow() -> dict:
    return yaml.safe_load((files("autograder") / "templates" / "github-classroom.yml").read_text())


def test_the_classroom_workflow_reports_every_graded_step_and_100_points():
    job = classroom_workflow()["jobs"]["run-autograding-tests"]
    graders = [step for step in job["steps"] if step.get("uses") == COMMAND_GRADER]
    reporter = next(step for step in job["steps"] if "autograding-grading-reporter" in step.get("uses", ""))
    assert reporter["with"]["runners"].split(",") == [step["id"] for step in graders]
    for step in graders:
        assert reporter["env"][f"{step['id'].upper()}_RESULTS"] == f"${{{{ steps.{step['id']}.outputs.result }}}}"
    assert sum(step["with"]["max-score"] for step in graders) == 100


def test_the_classroom_commands_give_points_for_the_score_reached(tmp_path):
    """Run each grading step's command as the command runner does (no shell, exit 0 earns its points)."""
    job = classroom_workflow()["jobs"]["run-autograding-tests"]
    graders = [step for step in job["steps"] if step.get("uses") == COMMAND_GRADER]
    notebook = shlex.split(graders[0]["with"]["command"])[2]
    cell = {"cell_type": "code", "metadata": {}, "source": WITH_MISTAKES.read_text(), "outputs": [],
            "execution_count": None}
    (tmp_path / notebook).write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}))
    score = grade_path(tmp_path / notebook).score  # public cases: the workflow without the secret
    earned = 0
    for step in graders:
        arguments = shlex.split(step["with"]["command"])
        assert arguments[:2] == ["convgrade", "grade"]
        assert {"--format", "junit", "--output", "--fail-under"} <= set(arguments)
        result = subprocess.run(arguments, cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120)
        assert result.returncode in (0, 1) and result.stdout == result.stderr == ""  # the runner fails on stderr
        earned += step["with"]["max-score"] if result.returncode == 0 else 0
    assert 0 < earned < 100
    assert earned == 25 * (score // 25)
    junit = (tmp_path / "convgrade-junit.xml").read_text()
    assert junit.startswith("<?xml") and "<testsuites" in junit


def test_the_gradescope_scripts_are_valid_bash():
    for name in ("setup.sh", "run_autograder"):
        script = files("autograder") / "templates" / "gradescope" / name
        assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0, name
