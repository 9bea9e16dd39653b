"""Solved copies of the course notebook as students post them (tests/submissions/course_versions/loading_*):
the 2017 v1, 2018 v2 and 2020 v2a notebooks, the 2021+ nbgrader version, an nbconvert script export and a
jupytext pairing, with their outputs, magics, course-only imports and the course's own test calls.

What only the course's Jupyter has decides no grade; every function gets its true verdict, and the message
names the real problem, where the student can fix it. Verdicts do not depend on numpy's version.
"""
from __future__ import annotations

import numpy as np
import pytest

from autograder.assignments.conv_step_by_step.catalogue import CATALOGUE
from autograder.course_grading import grade_path
from autograder.judging import summarize
from autograder.model import CaseResult, ExerciseResult, Report
from autograder.registry import all_assignments
from autograder.reports import render
from autograder.sandbox import Cell, Limits, Sandbox
from autograder.spec import ExerciseRun, Where
from autograder.submission import read_cells
from conftest import EXAMPLES, PATIENT, SEED, SUBMISSIONS, graded

POINTS = {"zero_pad": 5, "conv_single_step": 5, "conv_forward": 20, "pool_forward": 15, "conv_backward": 25,
          "create_mask_from_window": 5, "distribute_value": 5, "pool_backward": 20}
# What numpy 2.0 to 2.3 warn when float(), int() or complex() gets an array of one element with ndim > 0
NUMPY_2_3_WARNING = ("Conversion of an array with ndim > 0 to a scalar is deprecated, and will error in future. Ensure "
                     "you extract a single element from your array before performing this operation. (Deprecated "
                     "NumPy 1.25.)")
NUMPY_2_4_ERROR = "only 0-dimensional arrays can be converted to Python scalars"
H5PY_NOTE = "Not in the grader: h5py (its import was skipped; nothing graded uses it)."
COURSE_NOTE = "Not in the grader: h5py, public_tests (their imports were skipped; nothing graded uses them)."


def loading(name: str) -> Report:
    return graded(f"course_versions/{name}")


def mistake(exercise: str, key: str) -> str:
    return next(m.message for m in CATALOGUE if (m.exercise, m.key) == (exercise, key))


def exercises(report: Report) -> dict[str, ExerciseResult]:
    return {exercise.name: exercise for exercise in report.exercises}


def assert_verdicts(report: Report, statuses: dict[str, str]) -> None:
    """The functions named have these statuses and scores in proportion to their passed cases; all others
    pass with full points."""
    for name, exercise in exercises(report).items():
        status = statuses.get(name, "passed")
        passed = sum(case.passed for case in exercise.cases)
        assert (name, exercise.status) == (name, status), exercise.feedback
        assert exercise.score == round(POINTS[name] * passed / len(exercise.cases), 4)
        assert (status == "passed") == (exercise.score == POINTS[name])


def assert_diagnosed(exercise: ExerciseResult, message: str, failing: set[str] | None = None) -> None:
    """The cases that do not pass (``failing``, by id; None: all) are the known mistake ``message`` (a wrong
    answer, even when it raised), and the feedback says so once."""
    wrong = [case for case in exercise.cases if not case.passed]
    assert [(case.status, case.diagnosis) for case in wrong] == [("failed", message)] * len(wrong)
    assert {case.id for case in wrong} == (failing or {case.id for case in exercise.cases})
    assert exercise.feedback == [f"{message} Seen in {len(wrong)} of {len(exercise.cases)} cases, e.g. "
                                 f"{wrong[0].description}."]


def assert_unfinished(exercise: ExerciseResult, sentence: str) -> None:
    wrong = [case for case in exercise.cases if not case.passed]
    assert wrong and all((case.status, case.message) == ("missing", sentence) for case in wrong)
    assert exercise.feedback == [sentence]


def cases(exercise: str) -> list:
    return all_assignments()["conv_step_by_step"].checks(SEED).exercise(exercise).cases()


def next_step(report: Report) -> str:
    lines = render(report, "text").splitlines()
    return next(line for line in lines if line.startswith(("Fix first", "All exercises")))


# -- the course versions --------------------------------------------------------------------------------------
def test_2017_v1_with_h5py_imported_before_numpy_keeps_its_points():
    report = loading("loading_v1_2017.ipynb")
    assert_verdicts(report, {"conv_single_step": "failed", "conv_backward": "failed"})
    found = exercises(report)
    assert report.score == 70 + found["conv_backward"].score  # 0 before: "np is not defined" everywhere
    assert_diagnosed(found["conv_single_step"], mistake("conv_single_step", "array_not_scalar"))
    # the course's own X[pad:-pad] hint: numpy raises on pad 0, and the catalogue names it, so a wrong answer
    assert_diagnosed(found["conv_backward"], mistake("conv_backward", "negative_unpad"),
                     {case.id for case in cases("conv_backward") if case.args[1][3]["pad"] == 0})
    assert report.errors == [
        "ValueError: setting an array element with a sequence. (cell 11, line 59: `Z[i, h, w, c] = "
        "conv_single_step(a_slice_prev, weights, biases)`)",
        "NameError: name 'cache_conv' is not defined (cell 18, line 2: `dA, dW, db = conv_backward(Z, cache_conv)`)"]
    assert report.notes == [H5PY_NOTE]
    assert next_step(report) == "Fix first: the loading problems above, then conv_single_step."


def test_2018_v2_a_non_breaking_space_is_named_as_why_its_function_is_missing():
    report = loading("loading_v2_2018.ipynb")
    assert report.score == 85
    assert_verdicts(report, {"pool_forward": "missing"})
    syntax_error = ("SyntaxError: invalid non-printable character U+00A0 (cell 14, line 26: `n_W\xa0= int(1 + "
                    "(n_W_prev - f) / stride)`): that line has a non-breaking space (copied from a web page or a "
                    "PDF), which Python does not accept; delete the spaces on that line and type them again")
    assert exercises(report)["pool_forward"].feedback == [
        f"pool_forward is not defined because the cell that defines it failed: {syntax_error}"]
    assert report.errors == [syntax_error, "NameError: name 'pool_forward' is not defined (cell 15, line 5: `A, "
                                           "cache = pool_forward(A_prev, hparameters)`); the same error 1 more time"]
    assert report.notes == [H5PY_NOTE]


def test_2020_v2a_template_blanks_are_not_finished_and_float_b_is_a_known_wrong_answer():
    report = loading("loading_v2a_2020.ipynb")
    assert report.score == 40
    unfinished = ["conv_backward", "create_mask_from_window", "distribute_value", "pool_backward"]
    assert_verdicts(report, {"conv_single_step": "failed", **dict.fromkeys(unfinished, "missing")})
    found = exercises(report)
    assert_diagnosed(found["conv_single_step"], mistake("conv_single_step", "float_b"))
    for name, blank, cell, line in [("conv_backward", "(A_prev, W, b, hparameters) = None", 17, 20),
                                    ("create_mask_from_window", "mask = None", 20, 12),
                                    ("distribute_value", "(n_H, n_W) = None", 23, 15),
                                    ("pool_backward", "(A_prev, hparameters) = None", 26, 17)]:
        assert_unfinished(found[name], f"{name} is not finished yet: replace the `None` placeholders with your "
                                       f"code, starting with `{blank}` (cell {cell}, line {line}).")
    # the test cells that call the unfinished functions are not loading problems; three cells failing on the
    # template's float(b) are one
    assert report.errors == [
        f"TypeError: {NUMPY_2_4_ERROR} (cell 8, line 23: `Z = Z + float(b)`); the same error 1 more time",
        "NameError: name 'Z' is not defined (cell 18, line 2: `dA, dW, db = conv_backward(Z, cache_conv)`)"]
    assert report.notes == [H5PY_NOTE]


def test_2021_nbgrader_version_public_tests_and_its_calls_are_notes_not_errors():
    report = loading("loading_nbgrader_2021.ipynb")
    assert report.score == 40
    commented = {"conv_backward": ("# (A_prev, W, b, hparameters) = None", 17, 20),
                 "create_mask_from_window": ("# mask = None", 20, 12),
                 "pool_backward": ("# (A_prev, hparameters) = None", 23, 14)}
    assert_verdicts(report, {"conv_single_step": "failed", "distribute_value": "missing",
                             **dict.fromkeys(commented, "missing")})
    found = exercises(report)
    assert_diagnosed(found["conv_single_step"], mistake("conv_single_step", "float_b"))
    for name, (hint, cell, line) in commented.items():
        assert_unfinished(found[name], f"{name} is not finished yet: its code is still commented out, e.g. `{hint}` "
                                       f"(cell {cell}, line {line}); write the code those comments describe.")
    assert found["distribute_value"].feedback == [
        "distribute_value is not defined: your submission has no `def distribute_value(`; write the function with "
        "this exact name."]
    assert report.errors == [
        f"TypeError: {NUMPY_2_4_ERROR} (cell 8, line 27: `Z = Z + float(b)`); the same error 2 more times"]
    assert report.notes == [COURSE_NOTE, "Skipped 2 statements that need a module the grader does not have, e.g. "
                                         "`zero_pad_test(zero_pad)` (cell 6, line 14)."]
    text = render(report, "text").splitlines()
    notes = text.index("Notes:")
    assert text[notes + 1:notes + 4] == ["  " + COURSE_NOTE, "  Skipped 2 statements that need a module the grader "
                                         "does not have, e.g. `zero_pad_test(zero_pad)`", "  (cell 6, line 14)."]
    assert text[notes + 4] == "Fix first: the loading problems above, then conv_single_step."


def test_an_nbconvert_export_is_graded_cell_by_cell_with_the_files_line_numbers():
    report = loading("loading_nbconvert_export.py")
    assert report.score == 65
    assert_verdicts(report, {"conv_single_step": "failed", "conv_backward": "missing", "distribute_value": "failed"})
    found = exercises(report)
    assert_diagnosed(found["conv_single_step"], mistake("conv_single_step", "float_b"))
    assert_diagnosed(found["distribute_value"], mistake("distribute_value", "floor_division"))
    stray = ("SyntaxError: invalid character '␣' (U+2423) (loading_nbconvert_export.py, line 431: `dW[:,:,:,c] += "
             "a_slice *␣dZ[i, h, w, c]`): delete that character, or type the plain character it stands for")
    assert found["conv_backward"].feedback == [
        f"conv_backward is not defined because the cell that defines it failed: {stray}"]
    assert report.errors == [
        "AttributeError: 'numpy.ndarray' object has no attribute 'shapee' (loading_nbconvert_export.py, line 93: "
        "`print(x_pad[1, 1].shapee)`)",
        f"TypeError: {NUMPY_2_4_ERROR} (loading_nbconvert_export.py, line 129: `Z = Z + float(b)`); the same error 2 "
        "more times", stray]
    assert report.notes == [COURSE_NOTE, "Skipped 2 statements that need a module the grader does not have, e.g. "
                                         "`zero_pad_test(zero_pad)` (loading_nbconvert_export.py, line 87)."]


def test_a_jupytext_pairing_half_finished_pool_backward_loses_only_its_unfinished_mode():
    report = loading("loading_jupytext_percent.py")
    assert_verdicts(report, {"pool_backward": "failed"})
    pool_backward = exercises(report)["pool_backward"]
    blank = "dA_prev[i, vert_start: vert_end, horiz_start: horiz_end, c] += None"
    assert_unfinished(pool_backward, "pool_backward is not finished yet: replace the `None` placeholders with your "
                                     f"code, starting with `{blank}` (loading_jupytext_percent.py, line 530).")
    modes = {case.id: case.args[2] for case in cases("pool_backward")}
    assert {case.passed for case in pool_backward.cases if modes[case.id] == "max"} == {True}
    assert {case.passed for case in pool_backward.cases if modes[case.id] == "average"} == {False}
    assert report.errors == ["NameError: name 'X_pad' is not defined (loading_jupytext_percent.py, line 49: "
                             "`print(X_pad.shape)`)"]
    assert report.notes == [H5PY_NOTE]


# -- scripts ----------------------------------------------------------------------------------------------------
def test_a_script_is_cut_at_its_cell_markers_and_keeps_its_line_numbers():
    path, paired = (SUBMISSIONS / "course_versions" / f"loading_{name}.py" for name in ("nbconvert_export",
                                                                                        "jupytext_percent"))
    lines = path.read_text().splitlines()
    cells = read_cells(path)
    assert len(cells) == 1 + sum(line.startswith("# In[") for line in lines)
    assert {cell.label for cell in cells} == {path.name}
    as_run = [line.replace("get_ipython().", "pass  # ", 1) for line in lines]  # magics, as nbconvert wrote them
    for cell in cells:
        own = [(number, line) for number, line in enumerate(cell.source.splitlines()) if line]
        assert own and all(line == as_run[number] for number, line in own)
    assert "pass  # run_line_magic('matplotlib', 'inline')" in cells[1].source.splitlines()
    assert len(read_cells(paired)) == 1 + paired.read_text().count("# %%")


def test_a_script_without_cell_markers_is_one_cell_as_before(tmp_path):
    text = "import numpy as np\n# In the course: pad with zeros\nx = np.ones(3)\n# %%time is a magic\n"
    path = tmp_path / "plain.py"
    path.write_text(text)
    assert read_cells(path) == [Cell("plain.py", text)]


# -- stand-ins for what only the course has -------------------------------------------------------------------
def test_a_module_the_grader_lacks_fails_only_when_used_and_guarded_imports_still_fail():
    cells = [Cell("cell 1", "import h5py\nimport numpy as np\nfrom h5py import File\nx = np.ones(2)"),
             Cell("cell 2", "def reads(path):\n    return h5py.File(path)\ndef uses_x(path):\n    return x.sum()"),
             Cell("cell 3", "try:\n    import no_such_module_anywhere\nexcept ImportError:\n"
                            "    no_such_module_anywhere = None\ndef guarded(path):\n"
                            "    return no_such_module_anywhere is None"),
             Cell("cell 4", "import cnn_reference")]
    with Sandbox(cells, PATIENT) as sandbox:
        load = sandbox.load()
        assert load.stand_ins == ["h5py"] and load.skipped == []
        assert [(error.type, error.message, error.where.label) for error in load.errors] == [
            ("ModuleNotFoundError", "No module named 'cnn_reference'", "cell 4")]
        assert {"reads", "uses_x", "guarded"} <= load.functions and "File" not in load.functions
        assert sandbox.run("uses_x", [("c", ("x",))]).cases["c"].value == 2.0
        assert sandbox.run("guarded", [("c", ("x",))]).cases["c"].value is True
        error = sandbox.run("reads", [("c", ("data.h5",))]).cases["c"].error
        assert (error.type, error.message, error.where) == (
            "ModuleNotFoundError", "No module named 'h5py' in the grader, which runs your code with numpy and "
            "Python's standard library only", Where("cell 2", 2, "return h5py.File(path)"))


def test_a_statement_that_needs_a_stand_in_is_skipped_and_the_cell_goes_on():
    cells = [Cell("cell 1", "from public_tests import *\nimport numpy as np\nx = np.ones(2)\nzero_pad_test(x)\n"
                            "figure = plotting.figure()\ny = x + 1\nfigure.show()\nz = y + 1"),
             Cell("cell 2", "def total(unused):\n    return float(z.sum())\nlater + 1"),
             Cell("cell 3", "later = 1")]
    with Sandbox(cells, PATIENT) as sandbox:
        load = sandbox.load()
        # a name no cell sets is taken to come from `import *` of the stand-in; one set by a skipped statement
        # is missing for that reason; one some cell sets is the student's own problem
        assert load.skipped == [Where("cell 1", 4, "zero_pad_test(x)"),
                                Where("cell 1", 5, "figure = plotting.figure()"), Where("cell 1", 7, "figure.show()")]
        assert [(error.type, error.message, error.where.label) for error in load.errors] == [
            ("NameError", "name 'later' is not defined", "cell 2")]
        assert sandbox.run("total", [("c", (0,))]).cases["c"].value == 6.0


def test_a_graded_function_that_uses_a_missing_module_says_so_and_the_note_leaves_it_out(tmp_path):
    source = (EXAMPLES / "course_loops.py").read_text().replace(
        "import numpy as np\n", "import numpy as np\nimport h5py\nfrom test_utils import comparator\n").replace(
        'return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(0, 0))',
        "return h5py.pad(X, pad)")
    path = tmp_path / "uses_h5py.py"
    path.write_text(source)
    report = grade_path(path, None, PATIENT)
    zero_pad = exercises(report)["zero_pad"]
    assert (zero_pad.status, zero_pad.score) == ("error", 0)
    assert zero_pad.feedback[0].startswith("ModuleNotFoundError: No module named 'h5py' in the grader, which runs your "
                                           "code with numpy and Python's standard library only (uses_h5py.py, line 8")
    assert report.notes == ["Not in the grader: test_utils (its import was skipped; nothing graded uses it)."]
    assert report.errors == []


# -- numpy 2.4 everywhere ---------------------------------------------------------------------------------------
def test_numpy_2_3s_deprecation_is_numpy_2_4s_type_error_whatever_the_student_does_with_warnings():
    """Simulated: this machine's numpy raises already; numpy 2.0 to 2.3 warn instead, as ``old_float`` does."""
    cells = [Cell("cell 1", f"import warnings\nimport numpy as np\nwarnings.filterwarnings('ignore')\n"
                            f"MESSAGE = {NUMPY_2_3_WARNING!r}\n"
                            "def old_float(b):\n"
                            "    warnings.warn(MESSAGE, DeprecationWarning)\n"
                            "    return float(b.sum())\n"),
             Cell("cell 2", "b = old_float(np.ones((1, 1, 1)))"),
             Cell("cell 3", "def conv_single_step(a_slice_prev, W, b):\n"
                            "    return np.sum(a_slice_prev * W) + old_float(b)\n"
                            "def quiet(b):\n"
                            "    with warnings.catch_warnings(record=True):\n"
                            "        warnings.simplefilter('ignore')\n"
                            "        return old_float(b)\n"
                            "def careful(b):\n"
                            "    try:\n"
                            "        return old_float(b)\n"
                            "    except TypeError:\n"
                            "        return b.item() + 1\n"
                            "def other(b):\n"
                            "    warnings.warn('another deprecation', DeprecationWarning)\n"
                            "    return 2.0\n")]
    b = np.ones((1, 1, 1))
    with Sandbox(cells, PATIENT) as sandbox:
        load = sandbox.load()
        assert {index: (error.type, error.message) for index, error in load.failed.items()} == {
            1: ("TypeError", NUMPY_2_4_ERROR)}
        single = sandbox.run("conv_single_step", [("c", (b, b, b))]).cases["c"].error
        assert (single.type, single.message) == ("TypeError", NUMPY_2_4_ERROR)
        quiet = sandbox.run("quiet", [("c", (b,))]).cases["c"].error
        assert (quiet.type, quiet.message) == ("TypeError", NUMPY_2_4_ERROR)
        assert sandbox.run("careful", [("c", (b,))]).cases["c"].value == 2.0
        assert sandbox.run("other", [("c", (b,))]).cases["c"].value == 2.0


# -- reports ----------------------------------------------------------------------------------------------------
def test_notes_are_in_the_json_contract_and_the_text_report():
    case = CaseResult("public:1", "one", True, "passed")
    report = Report("s.ipynb", [ExerciseResult("zero_pad", 5, 5, "passed", [case], ["The 1 case passed."])],
                    notes=[H5PY_NOTE])
    data = report.to_dict()
    assert data["notes"] == [H5PY_NOTE] and Report.from_dict(data) == report
    del data["notes"]
    assert Report.from_dict(data).notes == []
    assert render(report, "text").splitlines()[-3:] == ["Notes:", f"  {H5PY_NOTE}", "All exercises passed."]


@pytest.mark.parametrize("count, sentence", [(1, "The 1 case passed."), (3, "All 3 cases passed.")])
def test_all_passed_says_how_many_in_good_grammar(count, sentence):
    results = [CaseResult(f"public:{n}", "a case", True, "passed") for n in range(count)]
    assert summarize("zero_pad", results, ExerciseRun("exited"), Limits()) == [sentence]
