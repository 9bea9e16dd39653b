"""dtype preservation, numpy-2 scalars, and clear ValueErrors for bad input."""
import numpy as np
import pytest

import cnn_reference as ref

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 5, 6, 3))
W = RNG.standard_normal((3, 3, 3, 4))
b = RNG.standard_normal((1, 1, 1, 4))
CONV = {"stride": 1, "pad": 1}
POOL = {"f": 2, "stride": 2}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_in_same_dtype_out(dtype):
    A_, W_, b_ = (x.astype(dtype) for x in (A, W, b))
    assert ref.zero_pad(A_, 2).dtype == dtype
    assert type(ref.conv_single_step(A_[0, :3, :3, :], W_[..., 0], b_[..., 0])) is dtype
    Z, cache = ref.conv_forward(A_, W_, b_, CONV)
    assert Z.dtype == dtype
    assert all(g.dtype == dtype for g in ref.conv_backward(Z, cache))
    for mode in ("max", "average"):
        P, pcache = ref.pool_forward(A_, POOL, mode)
        assert P.dtype == dtype
        assert ref.pool_backward(P, pcache, mode).dtype == dtype
    assert ref.distribute_value(dtype(2), (2, 2)).dtype == dtype


def test_conv_single_step_accepts_a_111_bias_without_float_conversion():
    # numpy >= 2.4 raises TypeError on float() of a (1, 1, 1) array; the reference must not use it.
    Z = ref.conv_single_step(np.ones((2, 2, 3)), np.ones((2, 2, 3)), np.full((1, 1, 1), 0.5))
    assert type(Z) is np.float64 and Z == 12.5


BAD_CALLS = [
    (lambda: ref.zero_pad(A[0], 1), "X must have 4 dimensions"),
    (lambda: ref.zero_pad(A, -1), "pad must be >= 0"),
    (lambda: ref.zero_pad(A, 1.5), "pad must be an integer"),
    (lambda: ref.conv_single_step(A[0, :2, :2], W[..., 0], b[..., 0]), "must have the same shape"),
    (lambda: ref.conv_forward(A, W[:, :, :2], b, CONV), "channel mismatch"),
    (lambda: ref.conv_forward(A[0], W, b, CONV), "A_prev must have 4 dimensions"),
    (lambda: ref.conv_forward(A, W, b[..., :2], CONV), "b must have shape (1, 1, 1, 4)"),
    (lambda: ref.conv_forward(A, W, b, {"stride": 0, "pad": 1}), 'hparameters["stride"] must be >= 1'),
    (lambda: ref.conv_forward(A, W, b, {"stride": 1, "pad": -1}), 'hparameters["pad"] must be >= 0'),
    (lambda: ref.conv_forward(A, W, b, {"stride": 1}), "missing the key 'pad'"),
    (lambda: ref.conv_forward(A[:, :2, :2], W, b, {"stride": 1, "pad": 0}), "larger than the padded input"),
    (lambda: ref.conv_backward(np.ones((2, 5, 6, 3)), (A, W, b, CONV)), "dZ must have the shape of Z"),
    (lambda: ref.conv_backward(np.ones((2, 5, 6, 4)), (A, W)), "cache must be the tuple"),
    (lambda: ref.pool_forward(A, POOL, mode="min"), 'mode must be "max" or "average"'),
    (lambda: ref.pool_forward(A, {"stride": 2}), "missing the key 'f'"),
    (lambda: ref.pool_forward(A, {"f": 7, "stride": 1}), "larger than the padded input"),
    (lambda: ref.pool_backward(np.ones((2, 5, 5, 3)), (A, POOL)), "dA must have the shape of the pool output"),
    (lambda: ref.create_mask_from_window(np.array([])), "non-empty"),
    (lambda: ref.distribute_value(1.0, (2,)), "shape must be a pair"),
    (lambda: ref.distribute_value(1.0, (0, 2)), "shape entry must be >= 1"),
]


@pytest.mark.parametrize("call, message", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_input_raises_a_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)
