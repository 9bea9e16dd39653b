"""Speculated helper calls: a helper the student defined answers its calls in the sandbox at once, and the
parent checks every answer afterwards. The outcome must be exactly the one of a run where the parent answers
every call ("a mistake costs once"), whatever the student's helper does; only the time differs.

The sandbox tests use tiny helpers (``double``) whose grader answer is counted, so a test can see whether
the run was checked once (speculation held) or run again with every call answered by the parent. The corpus
test grades real submissions both ways and compares the whole reports.
"""
from pathlib import Path

import numpy as np
import pytest

from autograder.course_grading import grade_path
from autograder.sandbox import Cell, Limits, Sandbox, runner
from conftest import EXAMPLES, PATIENT, SUBMISSIONS

CASES = [("one", (np.arange(3.0),)), ("two", (np.ones((2, 2)),))]


class Counted:
    """The grader's answer to ``double``: 2 * x, counting the calls it answers."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return np.asarray(x) * 2.0


def run(source: str, function: str = "quad", speculate: bool = True, limits: Limits = PATIENT):
    answer = Counted()
    with Sandbox([Cell("cell 1", source)], limits) as sandbox:
        result = sandbox.run(function, CASES, {"double": answer}, speculate=speculate)
    return result, answer.calls


@pytest.fixture
def round_trips(monkeypatch) -> list:
    """The helper calls the parent answers over the channel (one entry each)."""
    trips = []
    answer = runner.answer_helper
    monkeypatch.setattr(runner, "answer_helper", lambda message, helpers: trips.append(1) or answer(message, helpers))
    return trips


def values(result):
    return {case_id: outcome.value for case_id, outcome in result.cases.items()}


def test_a_right_helper_is_checked_once_and_the_outcome_is_the_answered_one():
    source = "def double(x):\n    return x * 2.0\n\ndef quad(x):\n    return double(double(x))\n"
    speculated, checked = run(source)
    answered, asked = run(source, speculate=False)
    assert checked == asked == 4  # two calls per case, each answered once: no second run
    assert speculated.status == answered.status == "exited"
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 4 * x)
        np.testing.assert_array_equal(values(answered)[case_id], 4 * x)


@pytest.mark.parametrize("source", [
    # the caller changes what the helper returned, in place, and calls it again on the same array
    "def double(x):\n    return x * 2.0\n\ndef quad(x):\n    y = double(x)\n    y += 1.0\n    y -= 1.0\n"
    "    z = double(y)\n    y[...] = 7.0\n    return z\n",
    # the helper calls itself once, on the same argument: a call made while another of its signature runs
    "depth = [0]\n\ndef double(x):\n    depth[0] += 1\n    try:\n"
    "        return double(x) if depth[0] == 1 else x * 2.0\n    finally:\n        depth[0] -= 1\n\n"
    "def quad(x):\n    return double(double(x))\n",
], ids=["value-changed-after", "nested"])
def test_what_a_right_helper_answered_is_what_is_checked(source):
    """The check sees each call's arguments and value as they were when the helper returned, whatever the
    caller does with them afterwards: a right helper's run is checked once (each call, nested ones too), and
    stands."""
    speculated, checked = run(source)
    assert speculated.status == "exited" and checked == (8 if "depth" in source else 4)
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 4 * x)


@pytest.mark.parametrize("helper", [
    "def double(x):\n    return x * 3.0\n",  # wrong
    "def double(x):\n    return (x * 2.0).astype(np.float32)\n",  # right values, another dtype
    "def double(x):\n    return (x * 2.0).tolist()\n",  # right values, another type
    "def double(x):\n    out = x * 2.0\n    x[...] = 0\n    return out\n",  # right value, but it zeroes its input
    "def double(x):\n    raise ValueError('not yet')\n",  # raises where the grader answers
    "def double(x):\n    print('debugging', x)\n    return x * 3.0\n",  # wrong, and prints
], ids=["wrong", "float32", "list", "changes-its-argument", "raises", "prints"])
def test_a_helper_that_differs_in_any_way_gets_the_answered_outcome(helper):
    """``quad`` uses what ``double`` returns and its argument afterwards, so any difference would show."""
    source = f"import numpy as np\n{helper}\ndef quad(x):\n    y = double(x)\n    return double(y) + x\n"
    speculated, checked = run(source)
    answered, asked = run(source, speculate=False)
    assert asked == 4
    assert speculated.status == answered.status == "exited"
    assert speculated.output == answered.output == ""  # what the student's own helper printed is not shown
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 5 * x)
        np.testing.assert_array_equal(values(answered)[case_id], 5 * x)


def test_a_wrong_helper_is_corrected_ahead_without_a_round_trip_per_call(round_trips):
    """The second run gets the parent's answers to the calls that differed, the third those of the calls the
    corrected values led to: no call waits for the parent, and the outcome is the answered one."""
    source = "def double(x):\n    return x * 3.0\n\ndef quad(x):\n    return double(double(x))\n"
    speculated, checked = run(source)
    assert round_trips == [] and checked == 6  # 4 calls, then the 2 that the corrected first calls led to
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 4 * x)
    run(source, speculate=False)
    assert len(round_trips) == 4


def test_a_wrong_value_that_makes_the_caller_raise_is_answered_call_by_call(round_trips):
    """Correcting ahead would find one more call per run (the code stops at the first wrong value): the second
    run gets the answers to the calls the first one found and stops at the next; the third gets those too,
    and asks the parent for every other call of that helper (here the third call of each case)."""
    source = ("def double(x):\n    return (x * 2.0).tolist()\n\n"
              "def oct(x):\n    return double(double(double(x) * 1.0) * 1.0)\n")
    speculated, checked = run(source, "oct")
    assert len(round_trips) == 2 and speculated.status == "exited"
    assert checked == 2 + 2 + 2  # a call per case in each run: two runs check it, the third asks for it
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 8 * x)


def test_a_helper_stopped_by_another_helpers_wrong_value_is_not_asked(round_trips):
    """``check`` is right, but the wrong ``double`` feeds it values it turns into a list, which stops the code:
    the second run, with ``double`` corrected ahead, speculates ``check`` again instead of asking the parent
    for each of its calls, and stands."""
    source = ("import numpy as np\n\ndef double(x):\n    return x * 3.0\n\n"
              "def check(y):\n    return y if (y % 2 == 0).all() else y.tolist()\n\n"
              "def quad(x):\n    return check(double(x)) * 2.0\n")
    with Sandbox([Cell("cell 1", source)], PATIENT) as sandbox:
        result = sandbox.run("quad", CASES, {"double": Counted(), "check": lambda y: y})
    assert round_trips == [] and result.status == "exited"
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(result)[case_id], 4 * x)


def test_a_call_on_which_the_helper_raises_is_asked_and_the_run_stands(round_trips):
    """The student's helper raises on the second case only: its first call there is asked of the parent at
    once, the second gets a copy of that answer as a stand-in (recorded and checked: here it is right), and the
    other calls' records hold, so the exercise runs once."""
    source = ("def double(x):\n    if x.ndim == 2:\n        raise ValueError('2-D is not done yet')\n"
              "    return x * 2.0\n\n"
              "def quad(x):\n    return double(x) + double(x)\n")
    speculated, checked = run(source)
    answered, _ = run(source, speculate=False)
    assert len(round_trips) == 1 + 4  # the first call of the 2-D case; then the answered run's four
    assert checked == 4  # the two 1-D records and the stand-in checked, the first 2-D call answered: one run
    assert speculated.status == answered.status == "exited"
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 4 * x)
        np.testing.assert_array_equal(values(answered)[case_id], 4 * x)


def test_a_helper_that_always_raises_costs_one_more_run_not_a_round_trip_per_call(round_trips):
    """``float(b)`` on a (1, 1, 1) array raises on numpy 2.4 (and, as graded, on every numpy): the first call
    of each argument shape (one per case here) is asked, the 38 later ones get a stand-in that the parent finds
    wrong, and the next run has their right answers ahead (the first calls, asked before, are asked again).
    The outcome is the answered run's."""
    source = ("import numpy as np\n\ndef double(x):\n    return x * float(np.ones((1, 1, 1)))\n\n"
              "def many(x):\n    return sum(double(x + k) for k in range(20))\n")
    speculated, _ = run(source, "many")
    assert len(round_trips) == 2 + 2 and speculated.status == "exited"
    answered, _ = run(source, "many", speculate=False)
    for case_id, (x,) in CASES:
        want = sum(2 * (x + k) for k in range(20))
        np.testing.assert_array_equal(values(speculated)[case_id], want)
        np.testing.assert_array_equal(values(answered)[case_id], want)


def test_a_helper_that_hangs_costs_its_run_and_the_answered_run_stands():
    source = ("def double(x):\n    while True:\n        pass\n\n"
              "def quad(x):\n    return double(double(x))\n")
    speculated, _ = run(source, limits=Limits(timeout=1.0, cell_timeout=10.0))
    assert speculated.status == "exited"
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 4 * x)


def test_a_missing_helper_is_answered_by_the_parent_when_speculating():
    speculated, asked = run("def quad(x):\n    return double(double(x))\n")
    assert asked == 4 and speculated.status == "exited"
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 4 * x)


def test_a_forged_record_only_costs_the_speculation():
    """The student's code can reach the records (``double.calls``): one it adds with a value the grader would
    not answer makes the parent run the exercise again, answering every call."""
    source = ("def double(x):\n    return x * 3.0\n\n"
              "def quad(x):\n"
              "    if double.calls is not None:\n"
              "        double.calls.calls.append({'name': 'double', 'args': {'__tuple__': []}, 'value': 'forged'})\n"
              "    return double(double(x))\n")
    speculated, _ = run(source)
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 4 * x)


def test_dropped_records_make_the_code_count_as_written():
    """Code that empties its own records gets its own helper's values: the outcome of its code run as written,
    which it could have had by not calling the helper at all; no answer of the grader's reaches it."""
    source = ("def double(x):\n    return x * 3.0\n\n"
              "def quad(x):\n    y = double(double(x))\n    if double.calls is not None:\n        double.calls.clear()\n"
              "    return y\n")
    speculated, checked = run(source)
    assert checked == 0
    for case_id, (x,) in CASES:
        np.testing.assert_array_equal(values(speculated)[case_id], 9 * x)


GRADED_BOTH_WAYS = [
    EXAMPLES / "course_loops.py",
    SUBMISSIONS / "helpers_broken.py",
    SUBMISSIONS / "correct" / "vectorized.py",
    *sorted((SUBMISSIONS / "course_versions").glob("course_*.py")),
    *sorted(path for path in (SUBMISSIONS / "mistakes").glob("*.py")
            if path.name.split("__")[0] in {"conv_forward", "conv_backward", "pool_backward", "pool_forward"}),
]


@pytest.mark.parametrize("path", GRADED_BOTH_WAYS, ids=lambda path: path.name)
def test_speculating_never_changes_a_report(path: Path, monkeypatch):
    speculated = grade_path(path, 20261125, PATIENT).to_dict()
    original = Sandbox.run
    monkeypatch.setattr(Sandbox, "run", lambda self, function, cases, helpers={}, speculate=True:
                        original(self, function, cases, helpers, speculate=False))
    answered = grade_path(path, 20261125, PATIENT).to_dict()
    assert speculated == answered
