"""Report adapters: text for students, JSON, Gradescope results.json and JUnit XML."""
import json
import platform
import xml.etree.ElementTree as ET
from importlib import metadata

import numpy as np
import pytest

from autograder.course_grading import grade_path
from autograder.model import CaseResult, ExerciseResult, Report
from autograder.reports import FORMATS, gradescope, json_report, junit, render, text
from conftest import EXAMPLES, PATIENT

NASTY = 'got <array> & "quotes" \'too\'\x00\x07\x1b[31m\ufffe end'
NASTY_CLEAN = 'got <array> & "quotes" \'too\'[31m end'
DIAGNOSIS = "Your output matches a pooling loop that ignores the stride."


def _case(id, status, message="", diagnosis="", public=True):
    return CaseResult(id, f"{id} case, A_prev (2, 5, 7, 3)", public, status, message, diagnosis)


@pytest.fixture
def report():
    return Report(
        submission="student.ipynb",
        exercises=[
            ExerciseResult("zero_pad", 10, 10, "passed", [_case("public:1", "passed")], ["All good here."]),
            ExerciseResult(
                "pool_forward", 7.5, 20, "failed",
                [
                    _case("public:1", "passed"),
                    _case("hidden:stride3_leftover:1", "failed", "shape (2, 2, 3, 3) != (2, 1, 2, 3)", DIAGNOSIS,
                          public=False),
                    _case("public:2", "failed", NASTY),
                ],
                [DIAGNOSIS, "Check how n_H is computed when (n_H_prev - f) is not divisible by stride."],
                output="debug: 3\n",
            ),
            ExerciseResult(
                "conv_forward", 0, 30, "error", [_case("public:1", "error", "IndexError: index 5 is out of bounds")],
                ["Your function raised IndexError: index 5 is out of bounds."],
            ),
            ExerciseResult("conv_backward", 0, 25, "timeout", [_case("public:1", "timeout", "took longer than 10 s")],
                           ["Your function did not finish within 10 s; look for a loop that never ends."]),
            ExerciseResult("pool_backward", 0, 15, "missing", [], ["No function named pool_backward was found."]),
        ],
        errors=["Cell 4 raised NameError: name 'np' is not defined"],
    )


def test_formats_map_names_to_renderers(report):
    renderers = {"text": text.render, "json": json_report.render, "gradescope": gradescope.render,
                 "junit": junit.render}
    assert FORMATS.keys() == renderers.keys()
    for name, renderer in renderers.items():
        assert render(report, name) == renderer(report), name
    with pytest.raises(ValueError, match="unknown report format 'html'"):
        render(report, "html")


def test_json_round_trips_to_dict(report):
    assert json.loads(json_report.render(report)) == report.to_dict()


def test_gradescope_results_json(report):
    results = json.loads(gradescope.render(report))
    assert {"score", "output", "visibility", "stdout_visibility", "tests"} <= results.keys()
    assert results["score"] == report.score == 17.5
    assert sum(test["score"] for test in results["tests"]) == pytest.approx(results["score"])
    tests = {test["name"]: test for test in results["tests"]}
    assert list(tests) == ["zero_pad: public cases", "pool_forward: public cases", "pool_forward: hidden cases",
                           "conv_forward: public cases", "conv_backward: public cases", "pool_backward"]
    assert [test["status"] for test in results["tests"]] == ["passed", "failed", "failed", "failed", "failed", "failed"]
    assert all(test.keys() == {"name", "score", "max_score", "status", "output", "visibility"} for test in tests.values())
    public, hidden = tests["pool_forward: public cases"], tests["pool_forward: hidden cases"]
    assert (public["max_score"], hidden["max_score"]) == pytest.approx((20 * 2 / 3, 20 / 3), abs=1e-4)
    assert (public["score"], hidden["score"]) == (7.5, 0.0)
    assert public["visibility"] == "visible" and hidden["visibility"] == "after_published"
    assert public["output"] == f"1 of 2 public cases passed.\n{NASTY} (e.g. public:2 case, A_prev (2, 5, 7, 3))"
    assert hidden["output"] == f"0 of 1 hidden case passed.\n{DIAGNOSIS} (in 1 hidden case)"
    assert tests["pool_backward"]["output"] == "No function named pool_backward was found."
    assert "student.ipynb: 17.5/100 points" in results["output"]
    assert report.errors[0] in results["output"]
    report.notes = ["Not in the grader: h5py (its import was skipped; nothing graded uses it)."]
    assert json.loads(gradescope.render(report))["output"].endswith("\nNotes:\n" + report.notes[0])


def _parse_junit(report):
    root = ET.fromstring(junit.render(report))
    assert root.tag == "testsuites"
    return root, {suite.get("name"): suite for suite in root.findall("testsuite")}


def test_junit_structure_and_counts(report):
    root, suites = _parse_junit(report)
    assert list(suites) == [f"convgrade.{e.name}" for e in report.exercises]
    expected = {  # name: (tests, failures, errors)
        "zero_pad": (1, 0, 0), "pool_forward": (3, 2, 0), "conv_forward": (1, 0, 1),
        "conv_backward": (1, 0, 1), "pool_backward": (1, 0, 1),
    }
    for name, (tests, failures, errors) in expected.items():
        suite = suites[f"convgrade.{name}"]
        cases = suite.findall("testcase")
        assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
            str(tests), str(failures), str(errors), "0")
        assert len(cases) == tests
        assert len(suite.findall("testcase/failure")) == failures
        assert len(suite.findall("testcase/error")) == errors
        assert all(case.get("classname") == f"convgrade.{name}" for case in cases)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "2", "3")
    props = {p.get("name"): p.get("value") for p in suites["convgrade.pool_forward"].iter("property")}
    assert props == {"score": "7.5", "max_score": "20"}


def test_junit_case_content(report):
    _, suites = _parse_junit(report)
    pool = suites["convgrade.pool_forward"].findall("testcase")
    assert pool[1].get("name") == "hidden:stride3_leftover:1 hidden:stride3_leftover:1 case, A_prev (2, 5, 7, 3)"
    failure = pool[1].find("failure")
    assert failure.get("message") == "shape (2, 2, 3, 3) != (2, 1, 2, 3)"
    assert failure.text == f"shape (2, 2, 3, 3) != (2, 1, 2, 3)\n{DIAGNOSIS}"
    assert pool[0].find("failure") is None and pool[0].find("error") is None
    assert suites["convgrade.pool_forward"].findtext("system-out") == "debug: 3\n"
    missing = suites["convgrade.pool_backward"].find("testcase")
    assert missing.get("name") == "pool_backward"
    assert missing.find("error").text == "No function named pool_backward was found."


def test_junit_survives_nasty_characters(report):
    report.submission = "a&b<\x01>.ipynb"
    report.exercises[2].cases[0].message = "line one \x0b<tag attr='x'>\nline two & more"
    _, suites = _parse_junit(report)
    nasty = suites["convgrade.pool_forward"].findall("testcase")[2].find("failure")
    assert nasty.get("message") == nasty.text == NASTY_CLEAN
    error = suites["convgrade.conv_forward"].find("testcase/error")
    assert error.get("message") == "line one <tag attr='x'>"
    assert error.text == "line one <tag attr='x'>\nline two & more"


def test_text_header_lines_and_feedback(report):
    out = text.render(report)
    lines = out.splitlines()
    assert lines[0] == "convgrade: student.ipynb: 17.5/100 points"
    for exercise in report.exercises:
        line = next(line for line in lines if f" {exercise.name} " in line)
        assert f"{exercise.score:g}/{exercise.max_score:g}" in line and exercise.status in line
        assert line.lstrip().startswith("✓" if exercise.status == "passed" else "✗")
    assert "failed, 1 of 3 cases passed" in out
    for exercise in report.exercises[1:]:
        assert all(sentence in out for sentence in exercise.feedback)
    assert "All good here." not in out
    assert NASTY not in out  # case messages are summarised by the feedback, not repeated
    assert report.errors[0] in out
    assert lines[-1] == "Fix first: the loading problems above, then pool_forward."
    assert all(len(line) <= 100 for line in lines)
    assert "\033[" not in out


def test_text_colour_wraps_and_closing_hints():
    long = " ".join(["word"] * 60)
    report = Report("s.py", [ExerciseResult("relu", 1 / 3, 1, "failed", [], [long])])
    plain = text.render(report)
    assert plain.splitlines()[0] == "convgrade: s.py: 0.33/1 points"
    assert all(len(line) <= 100 for line in plain.splitlines())
    assert " ".join(plain.split()).count(long) == 1
    assert plain.splitlines()[-1] == "Fix first: relu."
    assert "\033[31m✗\033[0m" in text.render(report, color=True)
    report.exercises[0].status, report.exercises[0].score = "passed", 1
    assert text.render(report).splitlines()[-1] == "All exercises passed."
    assert long not in text.render(report)


def test_the_report_says_which_python_numpy_and_convgrade_graded_it():
    report = grade_path(EXAMPLES / "course_loops.py", None, PATIENT)
    assert report.versions == {"python": platform.python_version(), "numpy": np.__version__,
                               "convgrade": metadata.version("convgrade")}
    assert render(report, "text").splitlines()[-2] == (f"Graded with python {platform.python_version()}, numpy "
                                                       f"{np.__version__}, convgrade {metadata.version('convgrade')}.")
    assert Report.from_dict(report.to_dict()) == report
