"""`convgrade grade`: formats, exit codes, hidden vs public cases, unreadable submissions."""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import SUBMISSIONS

REPO = Path(__file__).resolve().parents[1]
MISTAKES = REPO / "autograder" / "assignments" / "conv_step_by_step" / "examples" / "with_mistakes.py"
NAMES = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
         "create_mask_from_window", "distribute_value", "pool_backward"]


def convgrade(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "autograder.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_json_is_exactly_one_object_with_the_contract_keys():
    result = convgrade("grade", MISTAKES, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # raises if anything but one JSON document was printed
    assert {"submission", "score", "max_score", "exercises"} <= report.keys()
    assert [e["name"] for e in report["exercises"]] == NAMES
    for e in report["exercises"]:
        assert {"name", "score", "max_score", "status", "cases", "feedback"} <= e.keys()
        assert e["max_score"] > 0 and e["status"] in ("passed", "failed", "error", "timeout", "missing")
    assert report["score"] == sum(e["score"] for e in report["exercises"])
    assert {e["name"] for e in report["exercises"] if e["status"] != "passed"} == {
        "conv_forward", "conv_backward", "distribute_value"}


def test_inside_the_repository_hidden_cases_are_graded_and_public_only_removes_them(tmp_path):
    full = json.loads(convgrade("grade", MISTAKES, "--format", "json").stdout)
    public = json.loads(convgrade("grade", MISTAKES, "--format", "json", "--public-only").stdout)
    outside = json.loads(convgrade("grade", MISTAKES, "--format", "json", cwd=tmp_path).stdout)
    ids = lambda report: {c["id"] for e in report["exercises"] for c in e["cases"]}  # noqa: E731
    assert any(i.startswith("hidden:") for i in ids(full))
    assert all(i.startswith("public:") for i in ids(public))
    assert ids(outside) == ids(public) and outside["score"] == public["score"]
    assert public["public_only"] and not full["public_only"]


def test_gradescope_output_file(tmp_path):
    out = tmp_path / "results" / "results.json"
    result = convgrade("grade", MISTAKES, "--format", "gradescope", "--output", out)
    assert result.returncode == 0 and result.stdout == ""
    results = json.loads(out.read_text())
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert [t["name"] for t in results["tests"]] == [f"{name}: {kind} cases" for name in NAMES for kind in ("public", "hidden")]


def test_junit_output_parses():
    result = convgrade("grade", MISTAKES, "--format", "junit")
    root = ET.fromstring(result.stdout.encode())
    assert root.tag == "testsuites" and len(root.findall("testsuite")) == len(NAMES)
    assert int(root.get("failures")) > 0


def test_text_report_names_the_diagnosed_mistakes():
    result = convgrade("grade", MISTAKES)
    assert result.returncode == 0
    assert "62.5/100 points" in result.stdout
    assert "ignores the stride" in result.stdout and "floor division" in result.stdout
    assert "db keeps only the last dZ value" in result.stdout


@pytest.mark.parametrize("threshold, code", [(62.5, 0), (62.6, 1), (100, 1), (0, 0)])
def test_fail_under(threshold, code):
    assert convgrade("grade", MISTAKES, "--fail-under", threshold, "--format", "json").returncode == code


@pytest.mark.parametrize("make, reason", [
    (lambda d: d / "absent.py", "no such file"),
    (lambda d: (d / "broken.ipynb").write_text("{not json") and d / "broken.ipynb", "not a readable notebook"),
    (lambda d: (d / "notes.txt").write_text("hi") and d / "notes.txt", "expected a .ipynb notebook or a .py file"),
    (lambda d: (d / "latin.py").write_bytes(b"x = '\xe9'") and d / "latin.py", "not UTF-8"),
])
def test_unreadable_submissions_exit_2_with_one_line_on_stderr(tmp_path, make, reason):
    result = convgrade("grade", make(tmp_path), "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and reason in result.stderr


def test_student_prints_never_reach_the_json_stream():
    result = convgrade("grade", SUBMISSIONS / "hostile" / "prints_fake_results.py", "--format", "json")
    assert json.loads(result.stdout)["score"] == 100
    assert "All tests passed" not in result.stdout + result.stderr


def test_the_program_is_main_with_its_objects_left_to_the_process_end(tmp_path):
    """`convgrade` (``cli.command``, the script pyproject.toml installs) returns main's exit code with every
    object frozen out of the garbage collector: the interpreter's teardown then does not walk them all."""
    import tomllib
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["convgrade"] == "autograder.cli:command"
    script = ("import gc, sys; from autograder import cli; sys.argv[1:] = ['check', sys.argv[1]]; "
              "print(cli.command(), gc.get_freeze_count() > 0)")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "absent.py")], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["2", "True"], result.stderr
    assert "cannot read the submission" in result.stderr
