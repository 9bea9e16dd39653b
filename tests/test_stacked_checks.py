"""Checking speculated helper calls stacked: ``cnn_reference.stacked`` answers many calls at once, bit for bit
as the helper answers each, and ``helper_calls.check_speculated`` uses it only to agree faster: a call that
does not agree there is checked alone, so the verdict on every call is the one-call check's."""
import dataclasses
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import cnn_reference as ref
from autograder.course import bounded
from autograder.registry import all_assignments
from autograder.sandbox import codec
from autograder.sandbox.child import Speculated
from autograder.sandbox.helper_calls import check_speculated
from cnn_reference import stacked

DTYPES = [np.float64, np.float32, np.float16, np.int64]


def same(one, row) -> bool:
    return type(one) is type(row) and np.asarray(one).dtype == np.asarray(row).dtype and (
        np.shape(one) == np.shape(row)) and np.asarray(one).tobytes() == np.asarray(row).tobytes()


@settings(max_examples=300)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12), f=st.integers(1, 7), channels=st.integers(1, 16),
       dtype=st.sampled_from(DTYPES), scale=st.floats(-4, 4))
def test_stacked_conv_single_step_is_each_call_bit_for_bit(seed, count, f, channels, dtype, scale):
    rng = np.random.default_rng(seed)
    A, W = ((rng.standard_normal((count, f, f, channels)) * 10.0 ** scale).astype(dtype) for _ in range(2))
    b = rng.standard_normal((count, 1, 1, 1)).astype(dtype)
    with np.errstate(all="ignore"):
        rows = stacked.conv_single_step(A, W, b)
        assert all(same(ref.conv_single_step(A[k], W[k], b[k]), rows[k]) for k in range(count))


@settings(max_examples=200)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12), shape=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       dtype=st.sampled_from(DTYPES + [np.bool_]), levels=st.integers(1, 4), nan=st.booleans())
def test_stacked_masks_are_each_call_bit_for_bit_ties_and_nan_included(seed, count, shape, dtype, levels, nan):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, (count, *shape)).astype(dtype)  # few levels: ties are common
    if nan and np.issubdtype(dtype, np.floating):
        x[0].flat[0] = np.nan
    rows = stacked.create_mask_from_window(x)
    assert all(same(ref.create_mask_from_window(x[k]), rows[k]) for k in range(count))


@pytest.mark.parametrize("values", [[5, -3, 0], [2.5, -0.0, 1e300], [True, False, True],
                                    [np.float32(1.5), np.float32(-2.25), np.float32(3.0)],
                                    [np.float64(0.1), np.float64(7.0), np.float64(-1e-300)]])
@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (4, 3)])
def test_stacked_distribute_value_is_each_call_bit_for_bit(values, shape):
    rows = stacked.distribute_value(values, [shape] * len(values))
    assert all(same(ref.distribute_value(value, shape), rows[k]) for k, value in enumerate(values))


def helper(name: str, counter: list):
    """The grader's answer to ``name`` (a conv_step_by_step helper), counting the calls answered one by one."""
    exercise = all_assignments()["conv_step_by_step"].exercise(name)

    def counted(*args):
        counter.append(args)
        return exercise.reference(*args)
    return bounded(dataclasses.replace(exercise, reference=counted))


def records(calls: list[tuple[str, tuple, object]]) -> dict:
    """What a speculating child sends for these (name, args, value) calls, through a frame as on the channel."""
    speculated = Speculated()
    for name, args, value in calls:
        speculated.finish(speculated.start(name, args), args, value)
    (message,) = codec.FrameReader().feed(codec.frame(speculated.to_message()))
    return message


def windows(count: int = 40):
    rng = np.random.default_rng(7)
    W = rng.standard_normal((3, 3, 4))
    b = rng.standard_normal((1, 1, 1))
    return [(rng.standard_normal((3, 3, 4)), W, b) for _ in range(count)]


def test_right_calls_are_checked_with_one_call_answered_alone():
    answered = []
    helpers = {"conv_single_step": helper("conv_single_step", answered)}
    calls = [("conv_single_step", args, ref.conv_single_step(*args)) for args in windows()]
    checked = check_speculated(records(calls), helpers, time.monotonic() + 60)
    assert checked.held and checked.corrections == {}
    assert len(answered) == 1  # the first call, against the stacked answer's first row; the rest stacked


@pytest.mark.parametrize("wrong", ["last bit", "python float", "array"])
def test_one_wrong_call_among_stacked_ones_is_the_only_correction(wrong):
    answered = []
    helpers = {"conv_single_step": helper("conv_single_step", answered)}
    calls = [("conv_single_step", args, ref.conv_single_step(*args)) for args in windows()]
    name, args, right = calls[17]
    value = {"last bit": np.float64(right).view(np.int64) ^ 1, "python float": float(right),
             "array": np.array([[[right]]])}[wrong]
    calls[17] = (name, args, np.int64(value).view(np.float64) if wrong == "last bit" else value)
    checked = check_speculated(records(calls), helpers, time.monotonic() + 60)
    assert not checked.held
    assert list(checked.corrections) == [codec.call_key(name, args)]
    assert checked.corrections[codec.call_key(name, args)] == {"value": codec.encode(right, raw=True)}
    assert len(answered) == 2  # the first call, and the wrong one checked alone


def test_calls_of_other_shapes_or_too_few_are_checked_alone():
    answered = []
    helpers = {"conv_single_step": helper("conv_single_step", answered)}
    rng = np.random.default_rng(3)
    few = [(rng.standard_normal((2, 2, 1)), rng.standard_normal((2, 2, 1)), rng.standard_normal((1, 1, 1)))
           for _ in range(3)]
    calls = [("conv_single_step", args, ref.conv_single_step(*args)) for args in windows(10) + few]
    checked = check_speculated(records(calls), helpers, time.monotonic() + 60)
    assert checked.held
    assert len(answered) == 1 + 3


def test_a_stack_holding_a_call_the_bound_refuses_is_checked_call_by_call():
    """When the bound on a call's work depends on values the stack does not share (here dz), every call of the
    stack is bounded: one oversized call makes each be checked alone, and that one gets the refusal."""
    answered = []
    exercise = all_assignments()["conv_step_by_step"].exercise("distribute_value")

    def counted(*args):
        answered.append(args)
        return exercise.reference(*args)
    answer = bounded(dataclasses.replace(exercise, reference=counted,
                                         cost=lambda dz, shape: 1 << 30 if dz > 100 else 4))
    calls = [("distribute_value", (float(dz), (2, 2)), ref.distribute_value(float(dz), (2, 2)))
             for dz in (1, 2, 3, 1000, 5, 6)]
    checked = check_speculated(records(calls), {"distribute_value": answer}, time.monotonic() + 60)
    key = codec.call_key("distribute_value", (1000.0, (2, 2)))
    assert list(checked.corrections) == [key] and checked.corrections[key]["error"]["type"] == "ValueError"
    assert len(answered) == 1 + 5  # the first of the stack, then each call alone but the refused one


def test_a_record_naming_one_large_array_in_thousands_of_calls_costs_no_copies():
    """Hostile records: 2,000 calls each naming the same 1 MB stored array twice. Checking them must neither
    copy it per call nor stack it (4 GB either way); the check gives up at its deadline."""
    big = np.ones((64, 64, 32))
    call = {"name": "conv_single_step", "args": {"__tuple__": [{"__shared__": 0}, {"__shared__": 0}, {"__shared__": 1}]},
            "value": codec.encode(np.float64(0.0))}
    speculated = {"arrays": [codec.encode(big), codec.encode(np.ones((1, 1, 1)))], "calls": [call] * 2000}
    helpers = {"conv_single_step": helper("conv_single_step", [])}
    tracemalloc.start()
    try:
        started = time.monotonic()
        checked = check_speculated(speculated, helpers, time.monotonic() + 1.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not checked.held and checked.corrections is None  # out of time: the exercise runs answered
    assert time.monotonic() - started < 10
    assert peak < 64 << 20


def test_many_calls_whose_answers_are_large_are_not_answered_at_once():
    """5,000 calls of distribute_value on a 512x512 window, each allowed alone, would stack 10 GB of answers:
    the stacked answer refuses, and checking the records call by call stays within memory and its deadline."""
    answer = helper("distribute_value", [])
    with pytest.raises(ValueError, match="too much work"):
        answer.stacked([[1.0] * 5000, [(512, 512)] * 5000])
    call = {"name": "distribute_value", "args": codec.encode((1.0, (512, 512))), "value": codec.encode(0.0)}
    tracemalloc.start()
    try:
        checked = check_speculated({"arrays": [], "calls": [call] * 5000}, {"distribute_value": answer},
                                   time.monotonic() + 1.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert checked.corrections is None and peak < 64 << 20


class SlowDouble:
    """A stacked answer (2 * x) that takes 10 ms per call answered alone."""

    def __call__(self, x):
        time.sleep(0.01)
        return x * 2.0

    def stacked(self, columns: list) -> np.ndarray:
        return columns[0] * 2.0


def test_trying_many_stacks_keeps_to_the_deadline():
    """200 stacks of four right calls, each of its own shape: each stack costs a call answered alone (10 ms),
    so trying them all would outlast the deadline of 1 s; the check stops at it instead of holding late."""
    calls = [("double", (np.ones(size),), np.ones(size) * 2.0) for size in range(1, 201) for _ in range(4)]
    started = time.monotonic()
    checked = check_speculated(records(calls), {"double": SlowDouble()}, time.monotonic() + 1.0)
    assert checked.corrections is None and time.monotonic() - started < 1.5
