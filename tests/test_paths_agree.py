"""The notebook path (grade cells in the kernel) and the sandboxed CLI give every submission the same score.

Each file is executed into a fresh namespace, as a kernel holds a notebook's definitions, and graded cell by
cell with ``grade_cell``. Files whose misbehaviour would take down this test process itself (os._exit, a
segfault, unbounded memory, monkeypatching numpy) are graded through a real kernel in the nbgrader tests.
"""
import contextlib
import io
from pathlib import Path

import pytest

from autograder.checks import detect
from autograder.course_grading import course_checks
from autograder.notebook import grade_cell
from conftest import EXAMPLES, SEED, SUBMISSIONS, graded

IN_PROCESS_UNSAFE = {"exits.py", "crashes.py", "eats_memory.py", "monkeypatches_numpy.py",
                     # attacks on the grader itself (tests/test_hostile.py): in this process they would kill
                     # the test run, fork-bomb it or leave processes behind. The in-kernel path has no
                     # defence against them; that is the nbgrader-trust issue's to fix.
                     *(path.name for path in (SUBMISSIONS / "hostile").glob("*.py")
                       if "Attack" in path.read_text().split('"""')[1])}
FILES = sorted(
    str(path.relative_to(SUBMISSIONS)) for path in SUBMISSIONS.rglob("*.py") if path.name not in IN_PROCESS_UNSAFE
) + sorted(str(path) for path in EXAMPLES.glob("*.py"))


def kernel_scores(path: Path) -> dict[str, float]:
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(compile(path.read_text(), str(path), "exec"), namespace)
        except Exception:  # a file that stops half way keeps what it defined, as a notebook would
            pass
        defined = {name for name, value in namespace.items() if callable(value)}
        return {name: grade_cell(name, namespace, SEED, timeout=3.0) for name in detect(course_checks(None), defined).function_names}


@pytest.mark.parametrize("relative", FILES)
def test_kernel_and_sandbox_scores_are_equal(relative):
    sandbox = {e.name: e.score for e in graded(relative).exercises}
    assert kernel_scores(SUBMISSIONS / relative) == sandbox


def test_a_function_using_the_reference_scores_zero_in_the_kernel_too():
    namespace = {"__name__": "__main__"}
    exec("import cnn_reference\ndef zero_pad(X, pad):\n    return cnn_reference.zero_pad(X, pad)\n", namespace)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert grade_cell("zero_pad", namespace, None) == 0
    assert "uses the grader's own code (cnn_reference)" in printed.getvalue()
