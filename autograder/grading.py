"""Grade a submission: run each exercise's cases in the sandbox, judge, diagnose, score.

Everything here is pure except ``grade_cells``, which owns the sandbox. ``judge_case`` turns one raw
outcome into a CaseResult; ``score_exercise`` and ``summarize`` are pure functions of the case results.
"""
from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .assignments import Assignment, detect, mismatch
from .cases import Case
from .compare import compare, short_repr
from .diagnose import diagnose_error, diagnose_value
from .exercises import Exercise
from .model import CaseResult, ExerciseResult, Report
from .sandbox import Cell, ExerciseRun, Isolation, Limits, LoadResult, Sandbox
from .submission import read_cells

PAIR_SEARCHES = 3  # failing cases per exercise searched for two mistakes at once (singles: all cases)
MAX_HELPER_WORK = 1 << 20  # array elements one helper call may make the grader touch


def grade_path(path: str | Path, hidden_seed: int | None = None, limits: Limits = Limits(),
               assignment: Assignment | None = None, isolation: Isolation | None = None) -> Report:
    """Grade a .ipynb or .py file; raises SubmissionError when it cannot be read.

    Without ``assignment``, the submission is graded as the assignment whose functions it defines.
    """
    return grade_cells(read_cells(path), str(path), hidden_seed, limits, assignment, isolation)


def grade_cells(cells: list[Cell], name: str, hidden_seed: int | None, limits: Limits = Limits(),
                assignment: Assignment | None = None, isolation: Isolation | None = None) -> Report:
    """Grade ``cells`` in one sandbox as ``assignment`` (pinned), or else as the assignment they look like.
    Always returns a report, whatever the code does; only a grader that cannot start raises SandboxError."""
    pinned = assignment
    with Sandbox(cells, limits, isolation) as sandbox:
        load = sandbox.load()
        assignment = pinned or detect(load.functions)
        results = []
        for exercise in assignment.exercises:
            cases = exercise.cases(hidden_seed)
            if exercise.name in load.functions:
                run = sandbox.run(exercise.name, [(case.id, case.args) for case in cases],
                                  helper_answers(assignment, exercise))
            else:
                run = ExerciseRun("missing")
            results.append(grade_exercise(exercise, cases, run, load, limits))
        isolation = sandbox.isolation
    errors = [format_error(error) for error in load.errors if not _unfinished(error)]
    wrong_assignment = mismatch(pinned, load.functions) if pinned else ""
    return Report(name, results, errors=[wrong_assignment] * bool(wrong_assignment) + errors,
                  public_only=hidden_seed is None, assignment=assignment.name, isolation=isolation.to_dict())


def helper_answers(assignment: Assignment, exercise: Exercise) -> dict[str, Callable]:
    """The grader's answers to the helper calls ``exercise`` may make: the reference, on inputs of bounded size."""
    return {name: _bounded(assignment.exercise(name)) for name in exercise.helpers}


def _bounded(helper: Exercise) -> Callable:
    def answer(*args):
        if helper.work(args) > MAX_HELPER_WORK:
            raise ValueError(f"{helper.name} was called on inputs far larger than any case needs")
        return helper.reference(*args)
    return answer


def grade_exercise(exercise: Exercise, cases: list[Case], run: ExerciseRun, load: LoadResult,
                   limits: Limits) -> ExerciseResult:
    if run.status == "missing":
        feedback = [f"{exercise.name} is not defined in your submission."]
        problems = [error for error in load.errors if not _unfinished(error)]
        if problems:
            feedback.append(f"A cell failed while loading, which may be why: {format_error(problems[0])}")
        results = [CaseResult(case.id, case.description, case.public, "missing", "not defined") for case in cases]
        return ExerciseResult(exercise.name, 0.0, exercise.points, "missing", results, feedback)
    results, pair_searches_left = [], PAIR_SEARCHES
    for case in cases:
        result = judge_safely(exercise, case, run.cases.get(case.id), run, limits, pairs=pair_searches_left > 0)
        pair_searches_left -= result.status == "failed" and not result.diagnosis
        results.append(result)
    score, status = score_exercise(exercise.points, results)
    return ExerciseResult(exercise.name, score, exercise.points, status, results,
                          summarize(exercise.name, results, run, limits), run.output)


def judge_safely(exercise: Exercise, case: Case, outcome: dict | None, run: ExerciseRun, limits: Limits,
                 pairs: bool = True) -> CaseResult:
    """judge_case, except that an answer the grader cannot even judge costs that case and nothing more."""
    try:
        return judge_case(exercise, case, outcome, run, limits, pairs)
    except Exception as error:
        return CaseResult(case.id, case.description, case.public, "error",
                          f"the grader could not judge this answer ({type(error).__name__}: {str(error)[:200]})")


def judge_case(exercise: Exercise, case: Case, outcome: dict | None, run: ExerciseRun, limits: Limits,
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
    try:
        expected, rejection = exercise.expected(case), None
    except ValueError as error:  # the input is invalid: the right answer is to raise ValueError too
        expected, rejection = None, str(error)
    if "error" in outcome:
        error = outcome["error"]
        if error["type"] == "NotImplementedError":
            return result("missing", "not implemented yet")
        if rejection is not None and error["type"] == "ValueError":
            return result("passed")
        if error["type"] == "MemoryError":
            return result("error", f"ran out of memory: it needed more than the {limits.memory >> 20} MiB limit "
                                   f"({format_error(error)})")
        return result("error", format_error(error), diagnose_error(exercise, case.args, error))
    changed = _changed_inputs(exercise, case.args, outcome.get("args_after"))
    if changed:
        return result("failed", f"your function changed its input {changed}: work on a copy (np.copy) or a new "
                                "array, callers still need their data")
    if rejection is not None:
        return result("failed", f"this input must be rejected with a ValueError ({rejection}), but your function "
                                f"returned {short_repr(outcome['value'])}",
                      diagnose_value(exercise, case.args, _named_or_none(exercise, outcome["value"]), None))
    try:
        got = exercise.named(outcome["value"])
    except ValueError as error:
        return result("failed", str(error))
    mismatch = compare(expected, got, exercise.rtol, exercise.atol)
    if mismatch is None:
        return result("passed")
    return result("failed", mismatch.message, diagnose_value(exercise, case.args, got, expected, pairs=pairs))


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


def _unfinished(error: dict) -> bool:
    """A cell that failed only because it calls a function the student has not written yet."""
    return error["type"] == "NotImplementedError"


def format_error(error: dict) -> str:
    """'TypeError: message (cell 4, line 7: `Z = float(b)`)'."""
    text = f"{error['type']}: {error['message']}"
    where = error.get("where")
    if where and where.get("label"):
        place = where["label"] + (f", line {where['line']}" if where.get("line") else "")
        code = f": `{where['text']}`" if where.get("text") else ""
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


def _named_or_none(exercise: Exercise, value) -> dict | None:
    try:
        return exercise.named(value)
    except ValueError:
        return None


def _changed_inputs(exercise: Exercise, args: tuple, after) -> str:
    """Names of the arguments whose contents the student's code changed, or ""."""
    if not isinstance(after, tuple) or len(after) != len(args):
        return ""
    changed = [name for name, before, now in zip(exercise.arg_names, args, after)
               if compare(before, now, rtol=0, atol=0) is not None]
    return ", ".join(changed)
