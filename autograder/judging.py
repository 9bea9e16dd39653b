"""Judge what the sandbox returned: one case's verdict, an exercise's score and feedback. Pure functions.

``judge_case`` turns a ``CaseOutcome`` into a ``CaseResult`` against an ``ExerciseChecks`` (a course's or a
release's: judging cannot tell them apart); ``score_exercise`` and ``summarize`` are pure functions of the
case results.
"""
from __future__ import annotations

import signal
from collections import Counter

from .checks import ExerciseChecks
from .compare import compare, short_repr
from .diagnose import diagnose_error, diagnose_value
from .model import CaseResult, ExerciseResult
from .sandbox import Limits
from .spec import Case, CaseOutcome, ErrorInfo, ExerciseRun, ExerciseSpec, LoadResult

PAIR_SEARCHES = 3  # failing cases per exercise searched for two mistakes at once (singles: all cases)


def grade_exercise(checks: ExerciseChecks, cases: list[Case], run: ExerciseRun, load: LoadResult,
                   limits: Limits) -> ExerciseResult:
    """Every case of one exercise judged, scored and summed up in feedback."""
    spec = checks.spec
    if run.status == "missing":
        feedback = [f"{spec.name} is not defined in your submission."]
        problems = [error for error in load.errors if not unfinished(error)]
        if problems:
            feedback.append(f"A cell failed while loading, which may be why: {format_error(problems[0])}")
        results = [CaseResult(case.id, case.description, case.public, "missing", "not defined") for case in cases]
        return ExerciseResult(spec.name, 0.0, spec.points, "missing", results, feedback)
    results, pair_searches_left = [], PAIR_SEARCHES
    for case in cases:
        result = judge_safely(checks, case, run.cases.get(case.id), run, limits, pairs=pair_searches_left > 0)
        pair_searches_left -= result.status == "failed" and not result.diagnosis
        results.append(result)
    score, status = score_exercise(spec.points, results)
    return ExerciseResult(spec.name, score, spec.points, status, results,
                          summarize(spec.name, results, run, limits), run.output)


def judge_safely(checks: ExerciseChecks, case: Case, outcome: CaseOutcome | None, run: ExerciseRun,
                 limits: Limits, pairs: bool = True) -> CaseResult:
    """judge_case, except that an answer the grader cannot even judge costs that case and nothing more."""
    try:
        return judge_case(checks, case, outcome, run, limits, pairs)
    except Exception as error:
        return CaseResult(case.id, case.description, case.public, "error",
                          f"the grader could not judge this answer ({type(error).__name__}: {str(error)[:200]})")


def judge_case(checks: ExerciseChecks, case: Case, outcome: CaseOutcome | None, run: ExerciseRun, limits: Limits,
               pairs: bool = True) -> CaseResult:
    """One case's verdict from what the sandbox returned for it (None: the run ended before it).

    ``pairs``: also look for two known mistakes at once when no single one explains a wrong answer.
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
            return result("missing", "not implemented yet")
        if expected.rejection is not None and error.type == "ValueError":
            return result("passed")
        if error.type == "MemoryError":
            return result("error", f"ran out of memory: it needed more than the {limits.memory >> 20} MiB limit "
                                   f"({format_error(error)})")
        return result("error", format_error(error), diagnose_error(checks.error_evidence(case), error))
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
    return result("failed", mismatch.message, _diagnose(checks, case, got, pairs))


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
    """Feedback sentences: diagnosed mistakes first (once each), then undiagnosed failures, at most 3."""
    total = len(results)
    passed = sum(result.passed for result in results)
    if passed == total:
        return [f"All {total} cases passed."]
    if all(result.status == "missing" for result in results):
        return [f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code."]
    feedback = []
    if run.status == "timeout":
        feedback.append(f"{name} did not finish within {limits.timeout:g} s: look for a loop that never ends "
                        "or one over far more items than the output has.")
    failing = [result for result in results if not result.passed and result.status != "timeout"]
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


def unfinished(error: ErrorInfo) -> bool:
    """A cell that failed only because it calls a function the student has not written yet."""
    return error.type == "NotImplementedError"


def format_error(error: ErrorInfo) -> str:
    """'TypeError: message (cell 4, line 7: `Z = float(b)`)'."""
    text = f"{error.type}: {error.message}"
    where = error.where
    if where and where.label:
        place = where.label + (f", line {where.line}" if where.line else "")
        code = f": `{where.text}`" if where.text else ""
        text += f" ({place}{code})"
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


def _named_or_none(spec: ExerciseSpec, value) -> dict | None:
    try:
        return spec.named(value)
    except ValueError:
        return None


def _changed_inputs(spec: ExerciseSpec, args: tuple, after: tuple | None) -> str:
    """Names of the arguments whose contents the student's code changed, or ""."""
    if not isinstance(after, tuple) or len(after) != len(args):
        return ""
    changed = [name for name, before, now in zip(spec.arg_names, args, after)
               if compare(before, now, rtol=0, atol=0) is not None]
    return ", ".join(changed)
