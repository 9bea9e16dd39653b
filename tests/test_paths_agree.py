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
from autograder.course_grading import course_checks, grade_path
from autograder.notebook import grade_cell
from conftest import EXAMPLES, PATIENT, SEED, SUBMISSIONS, graded

IN_PROCESS_UNSAFE = {"exits.py", "crashes.py", "eats_memory.py", "monkeypatches_numpy.py",
                     # attacks on the grader itself (tests/test_hostile.py): in this process they would kill
                     # the test run, fork-bomb it or leave processes behind. The in-kernel path has no
                     # defence against them; that is the nbgrader-trust issue's to fix.
                     *(path.name for path in (SUBMISSIONS / "hostile").glob("*.py")
                       if "Attack" in path.read_text().split('"""')[1])}
FILES = sorted(
    str(path.relative_to(SUBMISSIONS)) for path in SUBMISSIONS.rglob("*.py")
    if path.name not in IN_PROCESS_UNSAFE
    and not path.name.startswith("loading_")  # scripts a notebook exported: a kernel ran them cell by cell
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


OLD_NUMPY = """import warnings
import numpy as np
def old_float(b):  # what float(b) does on numpy 2.0 to 2.3: it warns where numpy 2.4 raises
    warnings.warn("Conversion of an array with ndim > 0 to a scalar is deprecated", DeprecationWarning)
    return float(b.sum())
def conv_single_step(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + old_float(b)
"""


def test_float_b_fails_in_the_kernel_as_in_the_sandbox_whatever_numpy_does(tmp_path):
    path = tmp_path / "old_numpy.py"
    path.write_text(OLD_NUMPY)
    namespace = {"__name__": "__main__"}
    exec(compile(OLD_NUMPY, str(path), "exec"), namespace)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        kernel = grade_cell("conv_single_step", namespace, SEED, timeout=3.0)
    sandbox = next(e for e in grade_path(path, SEED, PATIENT).exercises if e.name == "conv_single_step")
    assert kernel == sandbox.score == 0
    assert "b.item()" in printed.getvalue() and any("b.item()" in sentence for sentence in sandbox.feedback)
