"""Property tests: vectorized == loops on random shapes, backward == centred numerical gradient."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import cnn_reference as ref
from cnn_reference import loops
from cnn_reference.gradcheck import numerical_gradient, relative_error
from strategies import conv_configs, pool_configs


def assert_close(actual, desired):
    np.testing.assert_allclose(actual, desired, rtol=1e-10, atol=1e-12)


@given(conv_configs())
def test_conv_forward_matches_loops(config):
    Z, _ = ref.conv_forward(*config)
    Z_loop, _ = loops.conv_forward(*config)
    assert Z.shape == Z_loop.shape
    assert_close(Z, Z_loop)


@given(conv_configs(), st.integers(0, 2**32 - 1))
def test_conv_backward_matches_loops(config, seed):
    Z, cache = ref.conv_forward(*config)
    dZ = np.random.default_rng(seed).standard_normal(Z.shape)
    for got, want in zip(ref.conv_backward(dZ, cache), loops.conv_backward(dZ, cache)):
        assert got.shape == want.shape
        assert_close(got, want)


@given(pool_configs())
def test_pool_forward_matches_loops_with_ties(config):
    A_prev, hparameters, mode = config
    assert_close(ref.pool_forward(A_prev, hparameters, mode)[0], loops.pool_forward(A_prev, hparameters, mode)[0])


@given(pool_configs(), st.integers(0, 2**32 - 1))
def test_pool_backward_matches_loops_with_ties(config, seed):
    A_prev, hparameters, mode = config
    A, cache = ref.pool_forward(A_prev, hparameters, mode)
    dA = np.random.default_rng(seed).standard_normal(A.shape)
    assert_close(ref.pool_backward(dA, cache, mode), loops.pool_backward(dA, cache, mode))


@given(st.integers(0, 5), st.integers(0, 2**32 - 1))
def test_zero_pad_matches_loops(pad, seed):
    X = np.random.default_rng(seed).standard_normal((2, 3, 4, 2))
    np.testing.assert_array_equal(ref.zero_pad(X, pad), loops.zero_pad(X, pad))
    np.testing.assert_array_equal(ref.unpad(ref.zero_pad(X, pad), pad), X)


@settings(max_examples=40, deadline=None)
@given(conv_configs(max_side=6), st.integers(0, 2**32 - 1))
def test_conv_backward_is_the_gradient_of_conv_forward(config, seed):
    A_prev, W, b, hparameters = config
    Z, cache = ref.conv_forward(*config)
    G = np.random.default_rng(seed).standard_normal(Z.shape)  # loss = sum(Z * G), so dZ = G
    dA_prev, dW, db = ref.conv_backward(G, cache)
    assert relative_error(dA_prev, numerical_gradient(lambda a: np.sum(ref.conv_forward(a, W, b, hparameters)[0] * G), A_prev)) < 1e-7
    assert relative_error(dW, numerical_gradient(lambda w: np.sum(ref.conv_forward(A_prev, w, b, hparameters)[0] * G), W)) < 1e-7
    assert relative_error(db, numerical_gradient(lambda c: np.sum(ref.conv_forward(A_prev, W, c, hparameters)[0] * G), b)) < 1e-7


@settings(max_examples=40, deadline=None)
@given(pool_configs(max_side=6, distinct=True), st.integers(0, 2**32 - 1))
def test_pool_backward_is_the_gradient_of_pool_forward(config, seed):
    A_prev, hparameters, mode = config
    A, cache = ref.pool_forward(A_prev, hparameters, mode)
    G = np.random.default_rng(seed).standard_normal(A.shape)
    numeric = numerical_gradient(lambda a: np.sum(ref.pool_forward(a, hparameters, mode)[0] * G), A_prev)
    assert relative_error(ref.pool_backward(G, cache, mode), numeric) < 1e-7


@given(conv_configs())
def test_conv_never_modifies_its_inputs(config):
    copies = [np.copy(x) for x in config[:3]]
    Z, cache = ref.conv_forward(*config)
    ref.conv_backward(np.ones_like(Z), cache)
    for original, copy in zip(config[:3], copies):
        np.testing.assert_array_equal(original, copy)


@given(pool_configs())
def test_pool_never_modifies_its_inputs(config):
    A_prev, hparameters, mode = config
    before = A_prev.copy()
    A, cache = ref.pool_forward(A_prev, hparameters, mode)
    ref.pool_backward(np.ones_like(A), cache, mode)
    np.testing.assert_array_equal(A_prev, before)
    assert hparameters.keys() == {"f", "stride"}
