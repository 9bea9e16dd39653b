"""JUnit XML for CI dashboards: one testsuite per exercise, one testcase per case."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from autograder.model import CaseResult, ExerciseResult, Report
from autograder.reports.scores import points

# Everything outside XML 1.0's Char production (C0 controls except tab/LF/CR, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)


def _problem(case: CaseResult) -> tuple[str, str] | None:
    """(tag, text) of the child element a case needs, or None when it passed."""
    if case.passed:
        return None
    tag = "failure" if case.status == "failed" else "error"
    return tag, "\n".join(part for part in (case.message, case.diagnosis) if part)


def _testcase(suite: ET.Element, classname: str, name: str, problem: tuple[str, str] | None, kind: str) -> None:
    """Append a <testcase>, with a <failure>/<error> child when ``problem`` is given."""
    testcase = ET.SubElement(suite, "testcase", classname=classname, name=_clean(name))
    if problem is not None:
        tag, text = problem
        child = ET.SubElement(testcase, tag, message=_clean(text.partition("\n")[0]), type=kind)
        child.text = _clean(text)


def _suite(exercise: ExerciseResult) -> ET.Element:
    """The <testsuite> of one exercise, with its counts, score properties and printed output."""
    classname = _clean(f"convgrade.{exercise.name}")
    suite = ET.Element("testsuite", name=classname)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="score", value=points(exercise.score))
    ET.SubElement(properties, "property", name="max_score", value=points(exercise.max_score))
    problems = []
    if exercise.cases:
        for case in exercise.cases:
            problem = _problem(case)
            problems.append(problem)
            _testcase(suite, classname, f"{case.id} {case.description}", problem, case.status)
    else:  # nothing ran (e.g. the function is missing): one testcase carries the exercise's feedback
        problem = None if exercise.status == "passed" else ("error", "\n".join(exercise.feedback) or exercise.status)
        problems.append(problem)
        _testcase(suite, classname, exercise.name, problem, exercise.status)
    if exercise.output:
        ET.SubElement(suite, "system-out").text = _clean(exercise.output)
    suite.set("tests", str(len(problems)))
    suite.set("failures", str(sum(p is not None and p[0] == "failure" for p in problems)))
    suite.set("errors", str(sum(p is not None and p[0] == "error" for p in problems)))
    suite.set("skipped", "0")
    return suite


def render(report: Report) -> str:
    """The report as a JUnit XML document (<testsuites> root, XML declaration included)."""
    root = ET.Element("testsuites", name=_clean(f"convgrade: {report.submission}"))
    suites = [_suite(exercise) for exercise in report.exercises]
    root.extend(suites)
    for attribute in ("tests", "failures", "errors"):
        root.set(attribute, str(sum(int(suite.get(attribute)) for suite in suites)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
