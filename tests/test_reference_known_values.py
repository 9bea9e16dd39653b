"""The course's published values, reproduced by the vectorized reference and the loop versions."""
import numpy as np
import pytest

import cnn_reference as ref
from cnn_reference import loops

IMPLEMENTATIONS = [pytest.param(ref, id="vectorized"), pytest.param(loops, id="loops")]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_conv_single_step_course_value(impl):
    np.random.seed(1)
    a_slice_prev = np.random.randn(4, 4, 3)
    W = np.random.randn(4, 4, 3)
    b = np.random.randn(1, 1, 1)
    Z = impl.conv_single_step(a_slice_prev, W, b)
    assert type(Z) is np.float64
    assert Z == pytest.approx(-6.999089450680221, rel=1e-13)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_conv_forward_course_value(impl):
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 7, 4)
    W = np.random.randn(3, 3, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    hparameters = {"pad": 1, "stride": 2}
    Z, cache = impl.conv_forward(A_prev, W, b, hparameters)
    assert Z.shape == (2, 3, 4, 8)
    assert np.mean(Z) == pytest.approx(0.5511276474566768, rel=1e-12)
    assert cache[0] is A_prev and cache[1] is W and cache[2] is b and cache[3] is hparameters


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_conv_backward_course_values(impl):
    np.random.seed(1)
    A_prev = np.random.randn(10, 4, 4, 3)
    W = np.random.randn(2, 2, 3, 8)
    b = np.random.randn(1, 1, 1, 8)
    Z, cache = impl.conv_forward(A_prev, W, b, {"pad": 2, "stride": 2})
    dA, dW, db = impl.conv_backward(Z, cache)
    assert (dA.shape, dW.shape, db.shape) == ((10, 4, 4, 3), (2, 2, 3, 8), (1, 1, 1, 8))
    assert np.mean(dA) == pytest.approx(1.4524377775388075, rel=1e-12)
    assert np.mean(dW) == pytest.approx(1.7269914583139097, rel=1e-12)
    assert np.mean(db) == pytest.approx(7.839232564616838, rel=1e-12)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_zero_pad_course_example(impl):
    np.random.seed(1)
    x = np.random.randn(4, 3, 3, 2)
    x_pad = impl.zero_pad(x, 3)
    assert x_pad.shape == (4, 9, 9, 2)
    np.testing.assert_array_equal(x_pad[1, 1], np.zeros((9, 2)))
    np.testing.assert_array_equal(x_pad[:, 3:6, 3:6, :], x)
    assert np.count_nonzero(x_pad) == x.size


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_pool_forward_course_shapes_and_modes(impl):
    A_prev = np.arange(2 * 5 * 5 * 3, dtype=float).reshape(2, 5, 5, 3)
    A_max, cache = impl.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="max")
    A_avg, _ = impl.pool_forward(A_prev, {"stride": 1, "f": 3}, mode="average")
    assert A_max.shape == A_avg.shape == (2, 3, 3, 3)
    # On a ramp the max of a 3x3 window is its bottom-right corner and the mean its centre.
    np.testing.assert_array_equal(A_max, A_prev[:, 2:, 2:, :])
    np.testing.assert_allclose(A_avg, A_prev[:, 1:4, 1:4, :])
    assert cache[0] is A_prev


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_distribute_value_course_example(impl):
    np.testing.assert_array_equal(impl.distribute_value(2, (2, 2)), np.full((2, 2), 0.5))


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_create_mask_course_example(impl):
    x = np.array([[1.62434536, -0.61175641, -0.52817175], [-1.07296862, 0.86540763, -2.3015387]])
    np.testing.assert_array_equal(impl.create_mask_from_window(x), [[True, False, False], [False, False, False]])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_tie_convention_every_maximum_gets_the_gradient(impl):
    x = np.array([[1.0, 3.0], [3.0, 2.0]])
    np.testing.assert_array_equal(impl.create_mask_from_window(x), [[False, True], [True, False]])
    A_prev = x.reshape(1, 2, 2, 1)
    dA_prev = impl.pool_backward(np.array([[[[5.0]]]]), (A_prev, {"f": 2, "stride": 2}), mode="max")
    np.testing.assert_array_equal(dA_prev[0, :, :, 0], [[0.0, 5.0], [5.0, 0.0]])


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_pool_backward_overlapping_windows_accumulate(impl):
    # Two equal rows, f=2 stride=1: the two 9s tie in both windows, so each gets both gradients (1 + 10).
    A_prev = np.array([0.0, 9.0, 1.0]).reshape(1, 1, 3, 1).repeat(2, axis=1)
    dA = np.array([[[[1.0], [10.0]]]])
    dA_prev = impl.pool_backward(dA, (A_prev, {"f": 2, "stride": 1}), mode="max")
    np.testing.assert_array_equal(dA_prev[0, :, :, 0], [[0.0, 11.0, 0.0], [0.0, 11.0, 0.0]])
    dA_avg = impl.pool_backward(dA, (A_prev, {"f": 2, "stride": 1}), mode="average")
    np.testing.assert_allclose(dA_avg[0, :, :, 0], [[0.25, 2.75, 2.5], [0.25, 2.75, 2.5]])
