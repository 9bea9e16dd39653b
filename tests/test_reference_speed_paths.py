"""The reference's speed paths: batches in chunks, on two threads, give the results of one pass.

``split(...)`` forces every batch into one-example chunks, and those of two or more examples onto
threads, so small hypothesis shapes take the threaded path; ``whole()`` runs every batch in one chunk.
Both are compared with each other and with the loop versions. Convolution splits only where
threadpoolctl can hold BLAS at one thread.
"""
import contextlib
import threading
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnn_reference as ref
from cnn_reference import _split, conv, loops, pool
from strategies import conv_configs, pool_configs

HAS_THREADPOOLCTL = _split.ThreadpoolController is not None
NEEDS_THREADPOOLCTL = pytest.mark.skipif(not HAS_THREADPOOLCTL, reason="threadpoolctl not installed")
BLAS_CONTROL = [pytest.param(True, marks=NEEDS_THREADPOOLCTL), False]


@contextlib.contextmanager
def split(blas_control: bool = True):
    """Every batch of m >= 2 in chunks of one example; blas_control False: as if threadpoolctl were missing."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(_split, "MIN_BATCH_BYTES", 0))
        stack.enter_context(mock.patch.object(_split, "CHUNK_BYTES", 1))
        if not blas_control:
            stack.enter_context(mock.patch.object(_split, "ThreadpoolController", None))
        yield


@contextlib.contextmanager
def whole():
    """Every batch in one chunk, on this thread."""
    with mock.patch.object(_split, "MIN_BATCH_BYTES", 1 << 62), mock.patch.object(_split, "CHUNK_BYTES", 1 << 62):
        yield


def assert_close(actual, desired):
    np.testing.assert_allclose(actual, desired, rtol=1e-10, atol=1e-12)


def assert_float_rounding(actual, desired):
    """Equal up to the rounding of a sum taken in another order (dW adds chunk sums)."""
    scale = max(1.0, float(np.abs(desired).max(initial=0)))
    np.testing.assert_allclose(actual, desired, rtol=1e-13, atol=1e-13 * scale)


def conv_all(config, dZ_seed):
    Z, cache = ref.conv_forward(*config)
    dZ = np.random.default_rng(dZ_seed).standard_normal(Z.shape)
    return (Z, *ref.conv_backward(dZ, cache)), dZ


@pytest.mark.parametrize("blas_control", BLAS_CONTROL)
@settings(deadline=None)
@given(conv_configs(), st.integers(0, 2**32 - 1))
def test_split_conv_equals_unsplit_conv_and_loops(blas_control, config, seed):
    with whole():
        (Z, dA_prev, dW, db), dZ = conv_all(config, seed)
    with split(blas_control):
        (Z_s, dA_prev_s, dW_s, db_s), _ = conv_all(config, seed)
    # Rows of Z and dA_prev come from the same per-example GEMM rows; dW adds per-chunk sums.
    assert_float_rounding(Z_s, Z)
    assert_float_rounding(dA_prev_s, dA_prev)
    assert_float_rounding(dW_s, dW)
    np.testing.assert_array_equal(db_s, db)
    Z_loop, cache = loops.conv_forward(*config)
    assert_close(Z_s, Z_loop)
    for got, want in zip((dA_prev_s, dW_s, db_s), loops.conv_backward(dZ, cache)):
        assert got.shape == want.shape
        assert_close(got, want)


@settings(deadline=None)
@given(pool_configs(), st.integers(0, 2**32 - 1))
def test_split_pool_equals_unsplit_pool_and_loops_with_ties(config, seed):
    A_prev, hparameters, mode = config  # small integers: many tied maxima
    with whole():
        A, cache = ref.pool_forward(A_prev, hparameters, mode)
        dA = np.random.default_rng(seed).standard_normal(A.shape)
        dA_prev = ref.pool_backward(dA, cache, mode)
    with split():
        A_s, cache_s = ref.pool_forward(A_prev, hparameters, mode)
        dA_prev_s = ref.pool_backward(dA, cache_s, mode)
    np.testing.assert_array_equal(A_s, A)  # elementwise, in the same order: bitwise
    np.testing.assert_array_equal(dA_prev_s, dA_prev)
    assert_close(A_s, loops.pool_forward(A_prev, hparameters, mode)[0])
    assert_close(dA_prev_s, loops.pool_backward(dA, cache, mode))


@given(pool_configs(), st.integers(0, 2**32 - 1))
def test_a_chunks_pool_gradient_writes_every_entry(config, seed):
    """pool_backward's output starts uninitialised: each chunk writes all of its entries, 0 outside windows."""
    A_prev, hparameters, mode = config
    A, cache = ref.pool_forward(A_prev, hparameters, mode)
    dA = np.random.default_rng(seed).standard_normal(A.shape)
    out = np.full(A_prev.shape, np.nan)
    pool._pool_gradient(A_prev, dA, hparameters["f"], hparameters["stride"], mode, out=out)
    assert_close(out, loops.pool_backward(dA, cache, mode))


@pytest.mark.parametrize("hparameters", [{"f": 2, "stride": 2}, {"f": 3, "stride": 2}, {"f": 2, "stride": 3},
                                         {"f": 3, "stride": 1}])
@pytest.mark.parametrize("splitting", [whole, split])
def test_max_pool_backward_gives_every_tied_maximum_the_whole_gradient(hparameters, splitting):
    A_prev = np.zeros((3, 7, 8, 2))  # every window is all ties
    A_prev[1, ::2, ::3, 1] = 1.0
    with splitting():
        A, cache = ref.pool_forward(A_prev, hparameters)
        dA = np.arange(1.0, A.size + 1).reshape(A.shape)
        dA_prev = ref.pool_backward(dA, cache)
    np.testing.assert_array_equal(dA_prev, loops.pool_backward(dA, cache))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("hparameters", [{"f": 2, "stride": 2}, {"f": 3, "stride": 1}])
@pytest.mark.parametrize("splitting", [whole, split])
def test_pool_propagates_nan_and_inf_like_the_loops(mode, hparameters, splitting):
    # NaN in a window: its maximum is NaN, no entry equals it. inf in dA: 0 * inf = NaN where not maximal.
    # Overlapping windows accumulate in another order than the loops: equal up to rounding.
    rng = np.random.default_rng(1)
    A_prev = rng.integers(-2, 3, size=(3, 6, 7, 2)).astype(float)
    A_prev[0, 1, 2, 0] = np.nan
    with splitting():
        A, cache = ref.pool_forward(A_prev, hparameters, mode)
        dA = rng.standard_normal(A.shape)
        dA[2, 0, 0, 1] = np.inf
        dA[1, 1, 1, 0] = -np.inf
        np.testing.assert_array_equal(A, loops.pool_forward(A_prev, hparameters, mode)[0])
        assert_close(ref.pool_backward(dA, cache, mode), loops.pool_backward(dA, cache, mode))  # NaN where NaN


@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_split_paths_keep_the_result_dtype(dtype):
    rng = np.random.default_rng(2)
    A_prev = (rng.standard_normal((3, 6, 6, 2)) * 3).astype(dtype)
    W = rng.standard_normal((3, 3, 2, 4)).astype(np.float32)
    b = np.zeros((1, 1, 1, 4), np.float32)
    float_type = np.result_type(dtype, np.float32)
    with whole():
        Z, cache = ref.conv_forward(A_prev, W, b, {"stride": 1, "pad": 1})
        want = ref.conv_backward(Z, cache)
        P, pcache = ref.pool_forward(A_prev, {"f": 2, "stride": 2})
        want_pool = ref.pool_backward(P, pcache)
    with split():
        Z_s, cache_s = ref.conv_forward(A_prev, W, b, {"stride": 1, "pad": 1})
        got = ref.conv_backward(Z_s, cache_s)
        P_s, pcache_s = ref.pool_forward(A_prev, {"f": 2, "stride": 2})
        got_pool = ref.pool_backward(P_s, pcache_s)
    assert Z_s.dtype == Z.dtype == float_type and all(g.dtype == float_type for g in got)
    assert P_s.dtype == P.dtype and got_pool.dtype == want_pool.dtype
    np.testing.assert_allclose(Z_s, Z, rtol=1e-5, atol=1e-5)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(P_s, P)
    np.testing.assert_array_equal(got_pool, want_pool)


def test_default_thresholds_split_a_large_batch_and_keep_the_results():
    """Real sizes, no patching: batches of 38 MB (im2col, pooled input) go to threads, and agree."""
    rng = np.random.default_rng(3)
    A_prev = rng.standard_normal((32, 32, 32, 16))  # im2col: 32 * 1024 * 144 * 8 bytes = 37.7 MB
    W = rng.standard_normal((3, 3, 16, 4))
    b = rng.standard_normal((1, 1, 1, 4))
    hp = {"stride": 1, "pad": 1}
    pooled = np.repeat(A_prev, 9, axis=3)  # 37.7 MB
    calls = []
    real = _split._on_threads
    with mock.patch.object(_split, "_on_threads", lambda work, chunks: calls.append(len(chunks)) or real(work, chunks)):
        Z, cache = ref.conv_forward(A_prev, W, b, hp)
        grads = ref.conv_backward(Z, cache)
        P, pcache = ref.pool_forward(pooled, {"f": 2, "stride": 2})
        dP = ref.pool_backward(P, pcache)
    assert len(calls) == (4 if HAS_THREADPOOLCTL else 2) and min(calls) >= _split.THREADS
    with whole():
        Z_w, cache_w = ref.conv_forward(A_prev, W, b, hp)
        grads_w = ref.conv_backward(Z_w, cache_w)
        P_w, pcache_w = ref.pool_forward(pooled, {"f": 2, "stride": 2})
        dP_w = ref.pool_backward(P_w, pcache_w)
    assert_float_rounding(Z, Z_w)
    for got, want in zip(grads, grads_w):
        assert_float_rounding(got, want)
    np.testing.assert_array_equal(P, P_w)
    np.testing.assert_array_equal(dP, dP_w)


def test_chunks_cover_the_batch_in_order_and_errors_reach_the_caller():
    seen = []
    with split(blas_control=False):
        assert _split.split_batch(lambda s: (seen.append(s), s.start)[1], 5, 10) == [0, 1, 2, 3, 4]
    assert sorted(s.start for s in seen) == [0, 1, 2, 3, 4] and all(s.stop == s.start + 1 for s in seen)
    assert _split.split_batch(lambda s: s, 5, 10) == [slice(0, 5)]  # small: one call, here
    assert _split.split_batch(lambda s: s, 5, 10, blas=True) == [slice(0, 5)]
    assert _split.split_batch(lambda s: s.start, 5, 5 * _split.CHUNK_BYTES // 2) == [0, 2, 4]  # chunks, here
    assert _split.split_batch(lambda s: s.start, 5, 5 * _split.CHUNK_BYTES // 2, blas=True) == [0]  # one GEMM

    def fails_on_the_last(batch):
        if batch.start == 4:
            raise ArithmeticError("chunk 4")
        return batch.start

    with split(blas_control=False), pytest.raises(ArithmeticError, match="chunk 4"):
        _split.split_batch(fails_on_the_last, 5, 10)


@NEEDS_THREADPOOLCTL
def test_blas_threads_are_restored_after_concurrent_splits():
    from threadpoolctl import threadpool_info

    before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    rng = np.random.default_rng(4)
    config = (rng.standard_normal((4, 9, 9, 3)), rng.standard_normal((3, 3, 3, 5)), rng.standard_normal((1, 1, 1, 5)),
              {"stride": 1, "pad": 1})
    want = loops.conv_forward(*config)[0]
    results = []
    with split():
        threads = [threading.Thread(target=lambda: results.append(ref.conv_forward(*config)[0])) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 4
    for Z in results:
        assert_close(Z, want)
    assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == before


@settings(deadline=None)
@given(conv_configs(), st.integers(1, 20), st.integers(0, 2**32 - 1))
def test_both_input_gradient_paths_give_the_loops_gradient(config, channels, seed):
    """Phases (few input channels) and window blocks (many) compute the same dA_prev, whichever is chosen."""
    A_prev, W, b, hparameters = config
    rng = np.random.default_rng(seed)
    A_prev = rng.standard_normal((*A_prev.shape[:3], channels))
    W = rng.standard_normal((*W.shape[:2], channels, W.shape[3]))
    Z, cache = loops.conv_forward(A_prev, W, b, hparameters)
    dZ = rng.standard_normal(Z.shape)
    want = loops.conv_backward(dZ, cache)[0]
    pad, stride = hparameters["pad"], hparameters["stride"]
    shape = (A_prev.shape[0], A_prev.shape[1] + 2 * pad, A_prev.shape[2] + 2 * pad, channels)
    for path in (conv._by_phases, conv._by_blocks):
        got = path(dZ.reshape(-1, W.shape[3]), W, shape, stride)
        assert got.shape == shape
        assert_close(got[:, pad: shape[1] - pad, pad: shape[2] - pad, :], want)
