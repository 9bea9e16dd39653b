"""Hostile and unusual submissions lose only the exercise where they misbehave."""
import json

import pytest

from conftest import EXAMPLES

ALL = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
       "create_mask_from_window", "distribute_value", "pool_backward"]

# file -> {exercise: (status, text that must appear in its feedback)}; every other exercise must pass.
HOSTILE = {
    "monkeypatches_numpy.py": {"zero_pad": ("failed", "values differ")},
    "prints_fake_results.py": {},
    "exits.py": {"conv_forward": ("error", "sys.exit(0)"), "pool_forward": ("error", "ended the process")},
    "loops_forever.py": {"conv_backward": ("timeout", "did not finish within 3 s")},
    "eats_memory.py": {"pool_backward": ("error", "1024 MiB limit")},
    "imports_reference.py": {"conv_forward": ("error", "No module named 'cnn_reference'"),
                             "conv_backward": ("error", "No module named 'autograder'")},
    "mutates_input.py": {"zero_pad": ("failed", "changed its input X"),
                         "pool_forward": ("failed", "changed its input hparameters")},
    "crashes.py": {"create_mask_from_window": ("error", "SIGSEGV")},
}


@pytest.mark.parametrize("name, broken", HOSTILE.items(), ids=list(HOSTILE))
def test_misbehaviour_costs_only_its_own_exercise(grade, name, broken):
    report = grade(f"hostile/{name}")
    for result in report.exercises:
        if result.name in broken:
            status, text = broken[result.name]
            assert result.status == status, result.feedback
            assert result.score == 0
            assert any(text in line for line in result.feedback), result.feedback
        else:
            assert result.status == "passed", (result.name, result.feedback)
    assert json.loads(json.dumps(report.to_dict()))["max_score"] == 100


def test_a_file_that_stops_half_way_keeps_what_it_defined(grade):
    report = grade("hostile/stops_half_way.py")
    assert {e.name: e.status for e in report.exercises if e.status == "passed"} == {
        "zero_pad": "passed", "conv_single_step": "passed"}
    assert report.score == 10
    assert report.errors == ["RuntimeError: this file stops here "
                             "(stops_half_way.py, line 15: `raise RuntimeError('this file stops here')`)"]


def test_a_syntax_error_gives_zero_with_its_location(grade):
    report = grade("hostile/syntax_error.py")
    assert report.score == 0 and all(e.status == "missing" for e in report.exercises)
    assert report.errors[0].startswith("SyntaxError: '(' was never closed (syntax_error.py, line 6")


def test_the_untouched_stub_scores_zero_and_says_not_implemented(grade):
    report = grade("stub.py")
    assert report.score == 0
    for result in report.exercises:
        assert result.status == "missing"
        assert result.feedback == [f"{result.name} is not implemented yet: replace `raise NotImplementedError()` "
                                   "with your code."]


@pytest.mark.parametrize("name", [str(EXAMPLES / "course_loops.py"), "correct/vectorized.py"], ids=["loops", "vectorized"])
def test_correct_implementations_written_differently_get_full_marks(grade, name):
    report = grade(name)
    assert [e.name for e in report.exercises] == ALL
    assert all(e.max_score > 0 for e in report.exercises)
    assert report.score == report.max_score == 100, [(e.name, e.feedback) for e in report.exercises if e.status != "passed"]
    assert sum(len(e.cases) for e in report.exercises) > sum(
        len(e.cases) for e in grade(name, hidden_seed=None).exercises)  # hidden cases were graded too


def test_a_broken_helper_costs_points_only_in_its_own_exercise(grade):
    # conv_single_step drops the bias and zero_pad pads one side: conv_forward and conv_backward, which call
    # them, are graded with the reference's helpers and pass.
    report = grade("helpers_broken.py")
    statuses = {e.name: e.status for e in report.exercises}
    assert statuses["conv_single_step"] == statuses["zero_pad"] == "failed"
    assert statuses["conv_forward"] == statuses["conv_backward"] == "passed"
