"""Hypothesis strategies for layer shapes and hyper-parameters (n_H != n_W, leftover rows, odd/even f)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


@st.composite
def conv_configs(draw, max_side: int = 8):
    """(A_prev, W, b, hparameters) with f <= padded side; strides 1-3 often leave leftover rows."""
    m = draw(st.integers(1, 3))
    n_H, n_W = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    n_C_prev, n_C = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    pad = draw(st.integers(0, 3))
    f = draw(st.integers(1, min(5, n_H + 2 * pad, n_W + 2 * pad)))
    stride = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    A_prev = rng.standard_normal((m, n_H, n_W, n_C_prev))
    W = rng.standard_normal((f, f, n_C_prev, n_C))
    b = rng.standard_normal((1, 1, 1, n_C))
    return A_prev, W, b, {"stride": stride, "pad": pad}


@st.composite
def pool_configs(draw, max_side: int = 8, distinct: bool = False):
    """(A_prev, hparameters, mode); ``distinct`` spaces all values >= 0.01 apart (no ties, safe for h=1e-5)."""
    m = draw(st.integers(1, 3))
    n_H, n_W = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    n_C = draw(st.integers(1, 4))
    f = draw(st.integers(1, min(4, n_H, n_W)))
    stride = draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["max", "average"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (m, n_H, n_W, n_C)
    if distinct:
        A_prev = rng.permutation(np.prod(shape)).reshape(shape) * 0.01 - 1.0
    else:
        A_prev = rng.integers(-3, 4, size=shape).astype(np.float64)  # small integers: many ties
    return A_prev, {"f": f, "stride": stride}, mode
