"""Judge what the sandbox returned: one case's verdict, an exercise's score and feedback, the loading
problems a student can fix and the notes on what the grader did for them. Pure functions.

``judge_case`` turns a ``CaseOutcome`` into a ``CaseResult`` against an ``ExerciseChecks`` (a course's or a
release's: judging cannot tell them apart), with a picture of where a public case's array output is wrong;
``score_exercise`` and ``summarize`` are pure functions of the case results. What is left of the course's
template in a function (``Definition``) turns its errors into "not finished yet".
"""
from __future__ import annotations

import re
import signal
from collections import Counter
from collections.abc import Sequence

from .checks import ExerciseChecks
from .compare import compare, identical, short_repr
from .diagnose import diagnose_error, diagnose_value
from .model import CaseResult, ExerciseResult
from .pictures import first_wrong
from .sandbox import Limits
from .spec import Case, CaseOutcome, ErrorInfo, ExerciseRun, ExerciseSpec, LoadResult
from .submission import Definition, definitions, placeholder_names

PAIR_SEARCHES = 3  # failing cases per exercise searched for two mistakes at once (singles: all cases)
NOT_IMPLEMENTED = "not implemented yet"


def grade_exercise(checks: ExerciseChecks, cases: list[Case], run: ExerciseRun, load: LoadResult,
                   limits: Limits) -> ExerciseResult:
    """Every case of one exercise judged, scored and summed up in feedback."""
    spec = checks.spec
    if run.status == "missing":
        results = [CaseResult(case.id, case.description, case.public, "missing", "not defined") for case in cases]
        return ExerciseResult(spec.name, 0.0, spec.points, "missing", results, [why_missing(spec.name, load)])
    found = [definition for definition in definitions(load.cells, spec.name)  # a cell that did not compile
             if getattr(load.failed.get(definition.cell), "type", "") != "SyntaxError"]  # defines nothing
    results, pair_searches_left = [], PAIR_SEARCHES
    for case in cases:
        result = judge_safely(checks, case, run.cases.get(case.id), run, limits, pairs=pair_searches_left > 0,
                              template=found)
        pair_searches_left -= result.status == "failed" and not result.diagnosis
        results.append(result)
    score, status = score_exercise(spec.points, results)
    return ExerciseResult(spec.name, score, spec.points, status, results,
                          summarize(spec.name, results, run, limits), run.output)


def why_missing(name: str, load: LoadResult) -> str:
    """Why function ``name`` is not defined: the error of the failed cell that holds its `def`, or that no
    cell has one, or why loading stopped, or that its `def` is not at a cell's top level."""
    found = definitions(load.cells, name)
    failed = [definition for definition in found if definition.cell in load.failed]
    if failed:
        error = load.failed[failed[-1].cell]
        return f"{name} is not defined because the cell that defines it failed: {format_error(error)}"
    if not found:
        return f"{name} is not defined: your submission has no `def {name}(`; write the function with this exact name."
    if load.stopped:
        return f"{name} is not defined: {format_error(load.stopped)}"
    return (f"{name} is not defined although {found[-1].label} has `def {name}(` (line {found[-1].first}): put the "
            "`def` at the top level of the cell, not inside another block or function.")


def judge_safely(checks: ExerciseChecks, case: Case, outcome: CaseOutcome | None, run: ExerciseRun,
                 limits: Limits, pairs: bool = True, template: Sequence[Definition] = ()) -> CaseResult:
    """judge_case, except that an answer the grader cannot even judge costs that case and nothing more."""
    try:
        return judge_case(checks, case, outcome, run, limits, pairs, template)
    except Exception as error:
        return CaseResult(case.id, case.description, case.public, "error",
                          f"the grader could not judge this answer ({type(error).__name__}: {str(error)[:200]})")


def judge_case(checks: ExerciseChecks, case: Case, outcome: CaseOutcome | None, run: ExerciseRun, limits: Limits,
               pairs: bool = True, template: Sequence[Definition] = ()) -> CaseResult:
    """One case's verdict from what the sandbox returned for it (None: the run ended before it).

    ``pairs``: also look for two known mistakes at once when no single one explains a wrong answer.
    ``template``: the function's `def`s in the submission, to tell an unfinished course template ("missing",
    "... is not finished yet") from a wrong answer. An error a known mistake explains is a wrong answer too.
    """
    def result(status, message="", diagnosis=""):
        return CaseResult(case.id, case.description, case.public, status, message, diagnosis)

    if outcome is None:
        if run.status == "timeout":
            return result("timeout", f"did not finish within {limits.timeout:g} s")
        return result("error", _ended(run))
    spec, expected = checks.spec, checks.expected(case)
    if outcome.error is not None:
        error = outcome.error
        if error.type == "NotImplementedError":
            return result("missing", NOT_IMPLEMENTED)
        where = error.where
        unfinished = next((sentence for definition in reversed(template)
                           if where and definition.holds(where.label, where.line)
                           and (sentence := not_finished(definition, error))), "")
        if unfinished:
            return result("missing", unfinished)
        if expected.rejection is not None and error.type == "ValueError":
            return result("passed")
        if error.type == "MemoryError":
            return result("error", f"ran out of memory: it needed more than the {limits.memory >> 20} MiB limit "
                                   f"({format_error(error)})")
        diagnosis = diagnose_error(checks.error_evidence(case), error)
        return result("failed" if diagnosis else "error", format_error(error), diagnosis)
    if template and _returns_none(spec, outcome.value) and (unfinished := not_finished(template[-1], None)):
        return result("missing", unfinished)
    changed = _changed_inputs(spec, case.args, outcome.args_after)
    if changed:
        return result("failed", f"your function changed its input {changed}: work on a copy (np.copy) or a new "
                                "array, callers still need their data")
    if expected.rejection is not None:
        return result("failed", f"this input must be rejected with a ValueError ({expected.rejection}), but your "
                                f"function returned {short_repr(outcome.value)}",
                      _diagnose(checks, case, _named_or_none(spec, outcome.value), pairs))
    try:
        got = spec.named(outcome.value)
    except ValueError as error:
        return result("failed", str(error))
    mismatch = compare(expected.outputs, got, spec.rtol, spec.atol)
    if mismatch is None:
        return result("passed")
    picture = (first_wrong(expected.outputs, got, spec.rtol, spec.atol)  # hidden inputs stay hidden
               if case.public and mismatch.stage == "values" else None)
    return CaseResult(case.id, case.description, case.public, "failed", mismatch.message,
                      _diagnose(checks, case, got, pairs), picture)


def _diagnose(checks: ExerciseChecks, case: Case, got: dict | None, pairs: bool) -> str:
    """The known mistake (or pair of mistakes, when ``pairs``) that reproduces ``got``, or ""."""
    if got is None:
        return ""
    spec = checks.spec
    found = diagnose_value(checks.evidence(case), got, spec.rtol, spec.atol)
    if found or not pairs:
        return found
    return diagnose_value(checks.pair_evidence(case), got, spec.rtol, spec.atol)


def score_exercise(points: float, results: list[CaseResult]) -> tuple[float, str]:
    """Points in proportion to passed cases, and the exercise's status."""
    statuses = Counter(result.status for result in results)
    score = round(points * statuses["passed"] / len(results), 4) if results else 0.0
    if statuses["passed"] == len(results):
        return score, "passed"
    if statuses["timeout"]:
        return score, "timeout"
    if statuses["missing"] == len(results):
        return score, "missing"
    if statuses["error"]:
        return score, "error"
    return score, "failed"


def summarize(name: str, results: list[CaseResult], run: ExerciseRun, limits: Limits) -> list[str]:
    """Feedback sentences: "not finished yet" first, then diagnosed mistakes (once each), then undiagnosed
    failures, at most 3."""
    total = len(results)
    passed = sum(result.passed for result in results)
    if passed == total:
        return ["The 1 case passed." if total == 1 else f"All {total} cases passed."]
    unfinished = list(dict.fromkeys(result.message for result in results if _unfinished(name, result)))
    if all(result.status == "missing" for result in results):
        return unfinished or [f"{name} is {NOT_IMPLEMENTED}: replace `raise NotImplementedError()` with your code."]
    feedback = unfinished
    if run.status == "timeout":
        feedback.append(f"{name} did not finish within {limits.timeout:g} s: look for a loop that never ends "
                        "or one over far more items than the output has.")
    failing = [result for result in results
               if not result.passed and result.status != "timeout" and not _unfinished(name, result)]
    groups: dict[str, list[CaseResult]] = {}  # diagnosis, or else the message itself
    for result in failing:
        groups.setdefault(result.diagnosis or result.message, []).append(result)
    shown = 0
    for key, group in groups.items():
        first = group[0]
        if first.diagnosis:
            feedback.append(f"{key} Seen in {len(group)} of {total} cases, e.g. {first.description}.")
        elif len(group) > 1:
            feedback.append(f"{key[0].upper()}{key[1:]} (in {len(group)} of {total} cases, e.g. {first.description}).")
        elif shown < 3:
            feedback.append(f"{'Public' if first.public else 'Hidden'} case {first.description}: {key}")
            shown += 1
    hidden_singles = sum(1 for group in groups.values() if len(group) == 1 and not group[0].diagnosis) - shown
    if hidden_singles > 0:
        feedback.append(f"... and {hidden_singles} more failing cases.")
    return feedback


def _unfinished(name: str, result: CaseResult) -> bool:
    return result.status == "missing" and result.message.startswith(f"{name} is not finished yet")


def not_finished(definition: Definition, error: ErrorInfo | None) -> str:
    """"<name> is not finished yet: ..." when what the function did comes from the course template's blanks it
    still has: ``error`` (raised within it) was raised by a `x = None` blank, or involves None on a line
    that uses a name a blank sets, or is a NameError for a name only a commented-out blank sets; or
    (``error`` None) it returned None and still has blanks, or no code at all. "" otherwise."""
    blanks, commented = definition.placeholders(), definition.placeholders(commented=True)
    blank_names = {name for _, text in blanks for name in placeholder_names(text)}
    where = error.where if error else None
    if error is None:
        shown = blanks or commented
        if not shown and definition.has_code():
            return ""
    elif where and (where.line in dict(blanks) or ("NoneType" in error.message
                                                  and blank_names & set(re.findall(r"[A-Za-z_]\w*", where.text)))):
        shown = blanks
    elif (error.type in ("NameError", "UnboundLocalError") and (missing := re.search(r"'(\w+)'", error.message))
          and any(missing[1] in placeholder_names(text) for _, text in commented)):
        shown = commented
    else:
        return ""
    name = definition.name
    if not shown:
        return f"{name} is not finished yet: it has no code, so it returns None; write its code."
    line, text = shown[0]
    if text.startswith("#"):
        return (f"{name} is not finished yet: its code is still commented out, e.g. `{text}` ({definition.label}, "
                f"line {line}); write the code those comments describe.")
    return (f"{name} is not finished yet: replace the `None` placeholders with your code, starting with `{text}` "
            f"({definition.label}, line {line}).")


def student_problems(load: LoadResult, results: list[ExerciseResult]) -> list[ErrorInfo]:
    """The loading errors the student has to fix, in cell order: not a call of a function not written yet
    (NotImplementedError), not a template blank within a function, not a None-related error of a cell that
    calls a graded function that is not finished (its own feedback says so)."""
    unfinished = {result.name for result in results if any(_unfinished(result.name, case) for case in result.cases)}
    calls = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(unfinished))) + r")\s*\(") if unfinished else None
    functions = definitions(load.cells)

    def theirs(index: int, error: ErrorInfo) -> bool:
        if error.type == "NotImplementedError":
            return False
        where = error.where
        if where and any(f.holds(where.label, where.line) and not_finished(f, error) for f in functions):
            return False
        return not (calls and "NoneType" in error.message and calls.search(load.cells[index].source))

    stopped = [load.stopped] if load.stopped else []
    return [error for index, error in load.failed.items() if theirs(index, error)] + stopped


def loading_problems(errors: list[ErrorInfo]) -> list[str]:
    """Each distinct error once, at its first place, with how many more times it happened."""
    counts = Counter((error.type, error.message) for error in errors)
    shown, lines = set(), []
    for error in errors:
        key = (error.type, error.message)
        if key not in shown:
            shown.add(key)
            more = counts[key] - 1
            lines.append(format_error(error) + (f"; the same error {more} more time{'s' * (more > 1)}" if more else ""))
    return lines


def notes(load: LoadResult, results: list[ExerciseResult]) -> list[str]:
    """What the grader did for the student: the modules it does not have, whose imports it skipped (those a
    graded function uses are in that function's feedback instead), and the statements skipped for them."""
    used = {name for name in load.stand_ins for result in results for case in result.cases
            if f"No module named '{name}'" in case.message}
    unused = [name for name in load.stand_ins if name not in used]
    found = []
    if unused:
        their, them = ("its import was", "it") if len(unused) == 1 else ("their imports were", "them")
        found.append(f"Not in the grader: {', '.join(unused)} ({their} skipped; nothing graded uses {them}).")
    if load.skipped:
        first = load.skipped[0]
        count = len(load.skipped)
        found.append(f"Skipped {count} statement{'s' * (count > 1)} that need{'s' * (count == 1)} a module the grader "
                     f"does not have, e.g. `{first.text}` ({first.label}, line {first.line}).")
    return found


def format_error(error: ErrorInfo) -> str:
    """'TypeError: message (cell 4, line 7: `Z = float(b)`)', and what to do about a character Python refuses."""
    text = f"{error.type}: {error.message}"
    where = error.where
    if where and where.label:
        place = where.label + (f", line {where.line}" if where.line else "")
        code = f": `{where.text}`" if where.text else ""
        text += f" ({place}{code})"
    if error.type == "SyntaxError" and "U+00A0" in error.message:
        text += (": that line has a non-breaking space (copied from a web page or a PDF), which Python does not "
                 "accept; delete the spaces on that line and type them again")
    elif error.type == "SyntaxError" and error.message.startswith("invalid character"):
        text += ": delete that character, or type the plain character it stands for"
    return text


def _ended(run: ExerciseRun) -> str:
    if run.status == "signal":
        number = int(run.detail) if run.detail.isdigit() else 0
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else run.detail
        return f"the process running this function crashed (signal {name})"
    if run.status == "exited":
        return f"the code ended the process (exit code {run.detail or 0}), e.g. with os._exit or exit()"
    if run.status == "protocol":
        return f"the code interfered with the grader's channel ({run.detail})"
    return f"the process running this function stopped ({run.detail})"


def _returns_none(spec: ExerciseSpec, value) -> bool:
    """Whether the function returned None, or None for one of its outputs."""
    return value is None or (len(spec.outputs) > 1 and isinstance(value, tuple | list)
                             and any(item is None for item in value))


def _named_or_none(spec: ExerciseSpec, value) -> dict | None:
    try:
        return spec.named(value)
    except ValueError:
        return None


def _changed_inputs(spec: ExerciseSpec, args: tuple, after: tuple | None) -> str:
    """Names of the arguments whose contents the student's code changed, or ""."""
    if after is args or not isinstance(after, tuple) or len(after) != len(args):
        return ""
    changed = [name for name, before, now in zip(spec.arg_names, args, after)
               if not identical(before, now) and compare(before, now, rtol=0, atol=0) is not None]
    return ", ".join(changed)
