"""Grade cells: grade one function of a running notebook, inside the notebook's own kernel.

nbgrader executes a submission in a kernel, reads each grade cell's value as its partial credit and
zeroes a cell that writes to stderr. ``grade_cell`` runs the same cases through the same judging and
scoring as ``convgrade grade`` (returned values even pass through the same codec), so a notebook earns
the same score on both paths; in Jupyter it also shows the picture of a wrong array inline. The kernel is
nbgrader's isolation; here each function call gets what is left of the exercise's time limit, what the
student's code prints is captured, and warnings are muted (but numpy's scalar-conversion warning fails as
on numpy 2.4, as in the sandbox).

A grade cell::

    from autograder.notebook import grade_cell
    hidden_seed = None
    ### BEGIN HIDDEN TESTS
    hidden_seed = 1234
    ### END HIDDEN TESTS
    grade_cell("conv_forward", globals(), hidden_seed)
"""
from __future__ import annotations

import contextlib
import copy
import io
import signal
import sys
import threading
import time
import types
import warnings
from pathlib import Path

import numpy as np

from .checks import AnswerWithOwn, ExerciseChecks
from .judging import grade_exercise
from .local import local_checks
from .model import ExerciseResult
from .pictures import png
from .reports.text import picture_title, pictured_case, render_exercise
from .sandbox import Limits, codec
from .sandbox import guard
from .sandbox.guard import BLOCKED, NUMPY_CONVERSION, describe_error, imports_blocked
from .spec import CaseOutcome, ErrorInfo, ExerciseRun, LoadResult, Where

_LIBRARIES = tuple(str(Path(module.__file__).parent) for module in (np, sys.modules[__package__]))
_LIBRARIES += (str(Path(contextlib.__file__).parent),)  # the standard library


class OutOfTime(BaseException):
    """Raised in the kernel's main thread when the exercise's time is up."""


def grade_cell(name: str, namespace: dict, hidden_seed: int | None = None, timeout: float = Limits.timeout) -> float:
    """Grade function ``name`` of ``namespace`` (a notebook's globals()); print the feedback; return the score."""
    checks = exercise_checks(name, hidden_seed)
    limits = Limits(timeout=timeout)
    cases = checks.cases()
    defined = callable(namespace.get(name))
    run = run_in_kernel(checks, namespace, cases, timeout) if defined else ExerciseRun("missing")
    result = grade_exercise(checks, cases, run, LoadResult({name} if defined else set()), limits)
    print(render_exercise(result))
    show_picture(result)
    return result.score


def show_picture(result: ExerciseResult) -> None:
    """Show the picture of the first pictured case inline (expected | got | where they differ) when this runs in
    an IPython kernel; nothing otherwise."""
    case = pictured_case(result)
    if case is None or "IPython" not in sys.modules:
        return
    from IPython import get_ipython
    from IPython.display import Image, display

    if get_ipython() is None:
        return
    with contextlib.redirect_stderr(io.StringIO()):  # matplotlib's first-use notices: stderr zeroes a grade cell
        drawn = png(case.picture, picture_title(case))
    display(Image(data=drawn, format="png"))


def exercise_checks(name: str, hidden_seed: int | None) -> ExerciseChecks:
    """The checks of exercise ``name``: the local public checks (the release's, in the notebook's folder) when
    there is no hidden seed, else the course's with its hidden cases (the instructor's grader only)."""
    if hidden_seed is None:
        for assignment in local_checks(Path.cwd()):
            if name in assignment.function_names:
                return assignment.exercise(name)
        raise LookupError(f"the public checks in this folder have no exercise named {name!r}")
    from .registry import find_exercise

    assignment, _ = find_exercise(name)
    return assignment.checks(hidden_seed).exercise(name)


def run_in_kernel(checks: ExerciseChecks, namespace: dict, cases, timeout: float) -> ExerciseRun:
    """Call the student's function on each case here, with the grader's helper answers injected.

    The helpers go into the function's own globals (where it looks names up), restored afterwards.
    """
    name = checks.spec.name
    run = ExerciseRun("exited")
    function = namespace[name]
    borrowed = _grader_names(function)
    if borrowed:  # the sandbox would refuse the import; here it already happened, so refuse the function
        error = ErrorInfo("ImportError", f"{name} uses the grader's own code ({', '.join(borrowed)}): write it yourself")
        run.cases = {case.id: CaseOutcome(error=error) for case in cases}
        return run
    scope = getattr(function, "__globals__", namespace)
    helpers = checks.helpers()
    saved = {helper: scope.get(helper) for helper in helpers}
    scope.update({helper: _kernel_helper(helper, answer, saved[helper]) for helper, answer in helpers.items()})
    printed = io.StringIO()
    deadline = time.monotonic() + timeout
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed), \
                warnings.catch_warnings(), np.errstate(all="ignore"), imports_blocked():
            warnings.simplefilter("ignore")
            warnings.filterwarnings("always", NUMPY_CONVERSION, DeprecationWarning)
            warnings.showwarning = _like_numpy_2_4  # restored with the filters when the block ends
            for case in cases:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    run.status = "timeout"
                    break
                try:
                    run.cases[case.id] = _call(function, case.args, remaining)
                except OutOfTime:
                    run.status = "timeout"
                    break
    finally:
        for helper, value in saved.items():
            if value is None:
                scope.pop(helper, None)
            else:
                scope[helper] = value
    run.output = printed.getvalue()[:2000]
    return run


def _like_numpy_2_4(message, category, *rest) -> None:
    """``warnings.showwarning`` while a function is graded: float(b) of a (1, 1, 1) array fails on every
    numpy, as it does in the grader's sandbox (where the child does the same)."""
    guard.raise_like_numpy_2_4(message, category)


def _kernel_helper(name: str, answer, own):
    """A helper call answered by the grader, or by the student's own ``own`` where the grader has no answer."""
    def call(*args):
        try:
            return answer(*args)
        except AnswerWithOwn:
            if not callable(own):
                raise NameError(f"name '{name}' is not defined") from None
            return own(*args)
    call.__name__ = name
    return call


def _call(function, args: tuple, seconds: float) -> CaseOutcome:
    """One call as the sandbox reports it: value and arguments afterwards (through the codec), or the error."""
    args = copy.deepcopy(args)
    try:
        with time_limit(seconds):
            value = function(*args)
    except (OutOfTime, KeyboardInterrupt):
        raise
    except BaseException as error:
        return CaseOutcome(error=_kernel_error(error))
    return CaseOutcome(value=codec.decode(codec.encode(value)), args_after=codec.decode(codec.encode(args)))


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise OutOfTime after ``seconds`` (main thread only: elsewhere there is no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OutOfTime(f"ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _grader_names(function) -> list[str]:
    """Global names the function (or any function nested in it) uses that hold the grader's own code."""
    code = getattr(function, "__code__", None)
    scope = getattr(function, "__globals__", {})
    names, codes = set(), [code] if code else []
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
    return sorted(name for name in names if _is_grader_object(scope.get(name)))


def _is_grader_object(value) -> bool:
    module = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
    return isinstance(module, str) and module.split(".")[0] in BLOCKED


def _kernel_error(error: BaseException) -> ErrorInfo:
    """The error as data; the notebook's cells all carry the label "your notebook"."""
    described = describe_error(error, lambda filename: not filename.startswith(_LIBRARIES))
    where = described["where"]
    return ErrorInfo(described["type"], described["message"],
                     Where("your notebook", where["line"], where["text"]) if where else None)
