"""The comparator: keys -> type -> shape -> values, and what its messages say."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.compare import _scalar_close, compare, identical, is_close


def message(expected, got, rtol=1e-5, atol=1e-8):
    mismatch = compare(expected, got, rtol, atol)
    return mismatch and (mismatch.stage, mismatch.message)


@pytest.mark.parametrize("got", [1.5, np.float64(1.5), np.float32(1.5), np.array(1.5)])
def test_scalars_accept_python_and_numpy_floats(got):
    assert compare(1.5, got, 1e-5, 1e-8) is None


def test_an_integer_answer_must_be_an_integer():
    """The foundations notebook asks for sizes and counts as ints: 37.0 is a float (/ gives one)."""
    assert compare(37, np.int64(37), 1e-5, 1e-8) is None
    mismatch = compare({"n_H": 37}, {"n_H": 37.0}, 1e-5, 1e-8)
    assert mismatch.stage == "type" and mismatch.message == "n_H: expected an integer, got float 37.0"
    assert compare(37, np.float64(37), 1e-5, 1e-8).stage == "type"
    assert compare(37.0, 37, 1e-5, 1e-8) is None  # a float answer may be given as an int


def test_a_one_element_array_is_not_a_scalar():
    assert message(1.5, np.ones((1, 1, 1)) * 1.5) == ("type", "expected a single number, got an array of shape (1, 1, 1)")


def test_booleans_compare_as_booleans():
    assert compare(False, False, 0, 0) is None and compare(True, np.True_, 0, 0) is None
    assert message(False, True, 0, 0)[0] == "values"
    assert message(True, 1, 0, 0)[0] == "values"


def test_dict_keys_then_values_named_by_key():
    assert message({"Z": 1.0, "cache": 2.0}, {"Z": 1.0}) == ("keys", "missing keys ['cache']")
    assert message({"Z": np.zeros(2)}, {"Z": [0.0, 0.0]})[1].startswith("Z: expected a numpy array of shape (2,)")


def test_shape_before_values():
    assert message(np.zeros((2, 3)), np.zeros((3, 2))) == ("shape", "expected shape (2, 3), got (3, 2)")


def test_values_name_the_first_index_count_share_errors_and_excerpt():
    expected = np.arange(24.0).reshape(2, 3, 4)
    got = expected.copy()
    got[1, 2, 1:3] += [1.0, 3.0]
    stage, text = message({"Z": expected}, {"Z": got})
    assert stage == "values"
    assert text.startswith("Z: 2 of 24 values differ (8.3%); first at index (1, 2, 1): expected 21, got 22;")
    assert "max abs error 3" in text and "Z[1, 2, 0:4]: expected [20, 21, 22, 23], got [20, 22, 25, 23]" in text


def test_nan_never_matches_and_is_reported():
    stage, text = message(np.ones(3), np.array([1.0, np.nan, 1.0]))
    assert stage == "values" and "1 of 3 values differ" in text and "got nan" in text


def test_tolerances_are_relative_and_absolute():
    assert compare(np.array([1e6]), np.array([1e6 + 1]), 1e-5, 0) is None
    assert compare(np.array([1e6]), np.array([1e6 + 1]), 0, 0) is not None
    assert compare(np.array([0.0]), np.array([1e-9]), 0, 1e-8) is None


def test_a_mask_may_be_bool_or_zero_one_but_not_other_numbers():
    mask = np.array([True, False])
    assert compare(mask, np.array([1, 0]), 0, 0) is None
    assert message(mask, np.array([2, 0]))[0] == "type"


def test_sequences_compare_item_by_item_and_accept_lists_for_tuples():
    assert compare((1, (2, 3)), [1, [2, 3]], 0, 0) is None
    assert message((1, 2), (1, 2, 3), 0, 0) == ("shape", "expected 2 items, got 3")


SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, np.inf, -np.inf, np.nan, 1.0 + 1e-9, 1.0 - 1e-7])
VALUES = st.one_of(SPECIAL, st.floats(allow_nan=True, allow_infinity=True, width=64))


@given(st.integers(1, 6).flatmap(lambda n: st.tuples(st.lists(VALUES, min_size=n, max_size=n),
                                                     st.lists(VALUES, min_size=n, max_size=n))),
       st.sampled_from([0.0, 1e-7, 1e-5, 0.5]), st.sampled_from([0.0, 1e-9, 1e-6, 1.0]))
def test_is_close_is_numpys_isclose_without_equal_nan(pair, rtol, atol):
    have, want = (np.array(values, dtype=np.float64) for values in pair)
    np.testing.assert_array_equal(is_close(have, want, rtol, atol),
                                  np.isclose(have, want, rtol=rtol, atol=atol, equal_nan=False))


NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-2**62, 2**62),
                    st.floats(width=32).map(np.float32), st.integers(-2**31, 2**31).map(np.int64))


@given(got=NUMBERS, expected=NUMBERS, rtol=st.sampled_from([0.0, 1e-7, 1e-5, 0.5]), atol=st.sampled_from([0.0, 1e-8, 1.0]))
def test_scalar_closeness_is_numpys_isclose(got, expected, rtol, atol):
    with np.errstate(all="ignore"):
        assert _scalar_close(got, expected, rtol, atol) == bool(np.isclose(got, expected, rtol=rtol, atol=atol))


@pytest.mark.parametrize("a, b, same", [
    ((np.zeros(3), {"pad": 1}), (np.zeros(3), {"pad": 1}), True),
    ((np.zeros(3),), (np.zeros(3, dtype=np.float32),), False),
    ((np.zeros(3),), (-np.zeros(3),), False),  # equal values, other bits: compare() decides
    ((np.array([np.nan]),), (np.array([np.nan]),), True),
    ((1, 2.0), (1, 2), False),
    ({"a": 1}, {"b": 1}, False),
])
def test_identical_is_bit_for_bit(a, b, same):
    assert identical(a, b) is same
