"""TF/Keras-semantics convolution: written-out loops, output sizes, the course's conv_forward, PyTorch."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnn_reference as ref


def assert_close(actual, desired):
    np.testing.assert_allclose(actual, desired, rtol=1e-10, atol=1e-12)


def ceil_div(a, b):
    return -(-a // b)


def tf_split(n, f, s):
    """TF's SAME padding written out: (before, after) along one axis."""
    total = max((ceil_div(n, s) - 1) * s + f - n, 0)
    return total // 2, total - total // 2


@st.composite
def tf_configs(draw):
    """(x, kernel, bias, (s_h, s_w), padding); H != W, f up to 4 (even too), strides 1-3 (leftover rows)."""
    m = draw(st.integers(1, 2))
    H = draw(st.integers(1, 9))
    W = draw(st.integers(1, 9).filter(lambda w: w != H))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["VALID", "SAME"]))
    f_h = draw(st.integers(1, 4 if padding == "SAME" else min(4, H)))
    f_w = draw(st.integers(1, 4 if padding == "SAME" else min(4, W)))
    strides = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((m, H, W, c_in))
    kernel = rng.standard_normal((f_h, f_w, c_in, c_out))
    bias = rng.standard_normal(c_out)
    return x, kernel, bias, strides, padding


def loop_conv2d(x, kernel, strides, padding):
    """tf.nn.conv2d the long way: explicit pad with TF's split, then one dot product per output entry."""
    m, H, W, c_in = x.shape
    f_h, f_w, _, c_out = kernel.shape
    s_h, s_w = strides
    (top, bottom), (left, right) = (tf_split(H, f_h, s_h), tf_split(W, f_w, s_w)) if padding == "SAME" else ((0, 0), (0, 0))
    x_pad = np.zeros((m, top + H + bottom, left + W + right, c_in))
    x_pad[:, top : top + H, left : left + W, :] = x
    out_h = (x_pad.shape[1] - f_h) // s_h + 1
    out_w = (x_pad.shape[2] - f_w) // s_w + 1
    Z = np.zeros((m, out_h, out_w, c_out))
    for i in range(m):
        for h in range(out_h):
            for w in range(out_w):
                window = x_pad[i, h * s_h : h * s_h + f_h, w * s_w : w * s_w + f_w, :]
                for c in range(c_out):
                    Z[i, h, w, c] = np.sum(window * kernel[:, :, :, c])
    return Z


# --- against written-out formulas --------------------------------------------------------------

@given(tf_configs())
def test_conv2d_matches_the_loops(config):
    x, kernel, _, strides, padding = config
    Z = ref.conv2d(x, kernel, strides, padding)
    want = loop_conv2d(x, kernel, strides, padding)
    assert Z.shape == want.shape
    assert_close(Z, want)


@given(tf_configs(), st.sampled_from(["pair", "tf4", "int"]))
def test_every_strides_spelling_means_the_same(config, spelling):
    x, kernel, _, (s_h, s_w), padding = config
    spelled = {"pair": (s_h, s_w), "tf4": [1, s_h, s_w, 1], "int": s_h}[spelling]
    want = ref.conv2d(x, kernel, (s_h, s_h if spelling == "int" else s_w), padding)
    np.testing.assert_array_equal(ref.conv2d(x, kernel, spelled, padding), want)


@given(tf_configs())
def test_output_sizes(config):
    x, kernel, _, (s_h, s_w), padding = config
    _, H, W, _ = x.shape
    f_h, f_w, _, c_out = kernel.shape
    Z = ref.conv2d(x, kernel, (s_h, s_w), padding)
    if padding == "VALID":
        assert Z.shape[1:] == (ceil_div(H - f_h + 1, s_h), ceil_div(W - f_w + 1, s_w), c_out)
    else:
        assert Z.shape[1:] == (ceil_div(H, s_h), ceil_div(W, s_w), c_out)


@pytest.mark.parametrize(
    "n, f, s, split",
    [(5, 2, 1, (0, 1)), (6, 3, 2, (0, 1)), (7, 3, 2, (1, 1)), (5, 3, 1, (1, 1)), (5, 4, 1, (1, 2)),
     (9, 3, 3, (0, 0)), (8, 3, 3, (0, 1)), (2, 5, 3, (1, 2)), (1, 1, 1, (0, 0))],
)
def test_same_padding_amounts_known_values(n, f, s, split):
    assert ref.same_padding_amounts(n, f, s) == split


@given(st.integers(1, 40), st.integers(1, 8), st.integers(1, 5))
def test_same_padding_puts_the_extra_pixel_after(n, f, s):
    before, after = ref.same_padding_amounts(n, f, s)
    assert (before, after) == tf_split(n, f, s)
    assert after - before in (0, 1)
    out = ceil_div(n, s)
    assert (n + before + after - f) // s + 1 == out  # exactly ceil(n / s) windows fit
    assert (out - 1) * s + f <= n + before + after  # the last window fits...
    if before + after:
        assert (out - 1) * s + f > n + before + after - 1  # ...and no smaller padding would do


# --- agreement with the course's conv_forward --------------------------------------------------

@st.composite
def course_configs(draw, max_stride=1):
    m = draw(st.integers(1, 2))
    H, W = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    f = draw(st.sampled_from([1, 3, 5]))
    stride = draw(st.integers(1, max_stride))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (rng.standard_normal((m, H, W, c_in)), rng.standard_normal((f, f, c_in, c_out)),
            rng.standard_normal((1, 1, 1, c_out)), stride)


@given(course_configs())
def test_odd_f_stride_1_agrees_with_the_course(config):
    A, W, b, _ = config
    f = W.shape[0]
    kernel, bias = ref.course_params_to_keras(W, b)
    same = ref.keras_conv2d(A, kernel, bias, 1, "same")
    assert_close(same, ref.conv_forward(A, W, b, {"stride": 1, "pad": (f - 1) // 2})[0])
    if f <= min(A.shape[1:3]):
        assert_close(ref.keras_conv2d(A, kernel, bias, 1, "valid"), ref.conv_forward(A, W, b, {"stride": 1, "pad": 0})[0])


@given(course_configs(max_stride=3))
def test_valid_agrees_with_the_course_pad_0_at_any_stride(config):
    A, W, b, stride = config
    if W.shape[0] <= min(A.shape[1:3]):
        kernel, bias = ref.course_params_to_keras(W, b)
        want = ref.conv_forward(A, W, b, {"stride": stride, "pad": 0})[0]
        assert_close(ref.keras_conv2d(A, kernel, bias, stride, "valid"), want)


@pytest.mark.parametrize("n", [6, 8, 10])
def test_stride_2_same_differs_from_the_course_symmetric_pad(n):
    # The teaching point: TF's SAME pads (0, 1) here, the course pads 1 on each side. Same output
    # shape, windows shifted by one pixel. Padding explicitly with TF's split, the course agrees.
    rng = np.random.default_rng(n)
    A, W, b = rng.standard_normal((2, n, n, 3)), rng.standard_normal((3, 3, 3, 4)), rng.standard_normal((1, 1, 1, 4))
    assert ref.same_padding_amounts(n, 3, 2) == (0, 1)
    kernel, bias = ref.course_params_to_keras(W, b)
    tf_same = ref.keras_conv2d(A, kernel, bias, 2, "same")
    course = ref.conv_forward(A, W, b, {"stride": 2, "pad": 1})[0]
    assert tf_same.shape == course.shape
    assert not np.allclose(tf_same, course)
    A_tf_padded = np.pad(A, ((0, 0), (0, 1), (0, 1), (0, 0)))
    assert_close(tf_same, ref.conv_forward(A_tf_padded, W, b, {"stride": 2, "pad": 0})[0])


@given(course_configs(max_stride=3))
def test_same_agrees_with_the_course_exactly_when_tf_pads_f_minus_1_over_2_before(config):
    A, W, b, stride = config
    f = W.shape[0]
    kernel, bias = ref.course_params_to_keras(W, b)
    tf_same = ref.keras_conv2d(A, kernel, bias, stride, "same")
    course = ref.conv_forward(A, W, b, {"stride": stride, "pad": (f - 1) // 2})[0]
    assert tf_same.shape == course.shape  # odd f: floor((n - 1) / s) + 1 == ceil(n / s)
    befores = [ref.same_padding_amounts(n, f, stride)[0] for n in A.shape[1:3]]
    assert np.allclose(tf_same, course, rtol=1e-10, atol=1e-12) == all(p == (f - 1) // 2 for p in befores)


# --- against PyTorch ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def torch():
    """Imported once, outside hypothesis's per-example deadline; the tests skip without torch."""
    return pytest.importorskip("torch")


def torch_conv2d(torch, x, kernel, bias, strides, padding):
    F = torch.nn.functional
    _, H, W, _ = x.shape
    f_h, f_w, _, _ = kernel.shape
    s_h, s_w = strides
    (top, bottom), (left, right) = (tf_split(H, f_h, s_h), tf_split(W, f_w, s_w)) if padding == "SAME" else ((0, 0), (0, 0))
    x_t = F.pad(torch.from_numpy(x).permute(0, 3, 1, 2), (left, right, top, bottom))  # NCHW: last axis first
    w_t = torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1)))  # (c_out, c_in, f_h, f_w)
    b_t = None if bias is None else torch.from_numpy(bias)
    return F.conv2d(x_t, w_t, b_t, stride=(s_h, s_w)).permute(0, 2, 3, 1).numpy()


@given(config=tf_configs())
def test_conv2d_matches_torch(torch, config):
    x, kernel, _, strides, padding = config
    assert_close(ref.conv2d(x, kernel, strides, padding), torch_conv2d(torch, x, kernel, None, strides, padding))


@given(config=tf_configs())
def test_keras_conv2d_matches_torch_with_bias(torch, config):
    x, kernel, bias, strides, padding = config
    Z = ref.keras_conv2d(x, kernel, bias, strides, padding.lower())
    assert_close(Z, torch_conv2d(torch, x, kernel, bias, strides, padding))


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@given(config=tf_configs())
def test_same_at_stride_1_matches_torch_padding_same(torch, config):
    # PyTorch's own padding="same" (stride 1 only) also puts the extra pixel after.
    x, kernel, _, _, _ = config
    want = torch.nn.functional.conv2d(
        torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))),
        padding="same",
    ).permute(0, 2, 3, 1).numpy()
    assert_close(ref.conv2d(x, kernel, 1, "SAME"), want)


# --- converters, dtypes, inputs, errors --------------------------------------------------------

@given(course_configs())
def test_converters_round_trip(config):
    _, W, b, _ = config
    kernel, bias = ref.course_params_to_keras(W, b)
    assert kernel.shape == W.shape and bias.shape == (W.shape[3],)
    W2, b2 = ref.keras_params_to_course(kernel, bias)
    np.testing.assert_array_equal(W2, W)
    np.testing.assert_array_equal(b2, b)
    assert not np.shares_memory(kernel, W) and not np.shares_memory(b2, bias)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_in_same_dtype_out(dtype):
    rng = np.random.default_rng(1)
    x, kernel, bias = rng.standard_normal((2, 5, 6, 3)).astype(dtype), rng.standard_normal((2, 3, 3, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)
    for padding in ("VALID", "SAME"):
        assert ref.conv2d(x, kernel, 2, padding).dtype == dtype
        assert ref.keras_conv2d(x, kernel, bias, 2, padding.lower()).dtype == dtype
    assert ref.conv2d(x.astype(np.int64), kernel.astype(np.int64), 1).dtype == np.float64


@given(tf_configs())
def test_inputs_are_never_modified(config):
    x, kernel, bias, strides, padding = config
    copies = [a.copy() for a in (x, kernel, bias)]
    ref.keras_conv2d(x, kernel, bias, strides, padding.lower())
    ref.conv2d(x, kernel, strides, padding)
    for original, copy in zip((x, kernel, bias), copies):
        np.testing.assert_array_equal(original, copy)


X = np.ones((2, 5, 6, 3))
K = np.ones((2, 3, 3, 4))
B = np.ones(4)
BAD_CALLS = [
    (lambda: ref.conv2d(X[0], K, 1), "x must have 4 dimensions"),
    (lambda: ref.conv2d(X, K[0], 1), "kernel must have 4 dimensions"),
    (lambda: ref.conv2d(X, K[:, :, :2], 1), "channel mismatch"),
    (lambda: ref.conv2d(X, K, 1, "same"), "padding must be 'VALID' or 'SAME'"),
    (lambda: ref.conv2d(X, K, 1, "FULL"), "padding must be 'VALID' or 'SAME'"),
    (lambda: ref.keras_conv2d(X, K, B, 1, "SAME"), "padding must be 'valid' or 'same'"),
    (lambda: ref.conv2d(X, K, 0), "strides (s_h) must be >= 1"),
    (lambda: ref.conv2d(X, K, (1, 0)), "strides (s_w) must be >= 1"),
    (lambda: ref.conv2d(X, K, 1.5), "strides must be an int"),
    (lambda: ref.conv2d(X, K, (1, 2, 3)), "strides must be an int"),
    (lambda: ref.conv2d(X, K, [2, 1, 1, 1]), "batch and channel strides must be 1"),
    (lambda: ref.keras_conv2d(X, K, B, [1, 2, 2, 1]), "strides must be an int, a pair (s_h, s_w), got"),
    (lambda: ref.conv2d(X, np.ones((6, 3, 3, 4)), 1), "larger than the input (5, 6) under VALID"),
    (lambda: ref.conv2d(X, np.ones((2, 7, 3, 4)), 1), "larger than the input (5, 6) under VALID"),
    (lambda: ref.keras_conv2d(X, K, B[:2]), "bias must have shape (4,)"),
    (lambda: ref.same_padding_amounts(5, 0, 1), "f must be >= 1"),
    (lambda: ref.same_padding_amounts(5, 3, 0), "s must be >= 1"),
    (lambda: ref.course_params_to_keras(K, B), "b must have 4 dimensions"),
    (lambda: ref.course_params_to_keras(np.ones((3, 3, 3, 4)), np.ones((1, 1, 1, 2))), "b must have shape (1, 1, 1, 4)"),
    (lambda: ref.keras_params_to_course(K, B), "the course uses square filters"),
    (lambda: ref.keras_params_to_course(np.ones((3, 3, 3, 4)), B[:3]), "bias must have shape (4,)"),
]


@pytest.mark.parametrize("call, message", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_input_raises_a_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError) as excinfo:
        call()
    assert message in str(excinfo.value)


def test_same_never_raises_for_a_filter_larger_than_the_input():
    Z = ref.conv2d(np.ones((1, 2, 3, 1)), np.ones((4, 5, 1, 1)), (1, 2), "SAME")
    assert Z.shape == (1, 2, 2, 1)
    assert_close(Z, loop_conv2d(np.ones((1, 2, 3, 1)), np.ones((4, 5, 1, 1)), (1, 2), "SAME"))
