"""Reference speed: vectorized vs the course's loops vs PyTorch CPU float64, measured side by side.

    python benchmarks/bench_reference.py [--repeats 15]

Shapes (from the foundation issue): A = conv m=64, 32x32x16 -> 32 filters 3x3, s1 p1;
B = conv m=8, 64x64x3 -> 16 filters 5x5, s2 p2; C = max-pool f2 s2 on 64x32x32x32.
Prints medians in ms, the ratio reference/torch (torch: the better of NCHW and channels_last) and conv
GFLOP/s. Reference and torch are timed in alternating blocks (an untimed warm-up call, then a few timed
calls each), so drifting machine load lands on both sides of a ratio while each side runs in its steady
state: strict call-by-call alternation would instead measure torch's OpenMP threads still spinning while
numpy's BLAS threads start, on two cores. The loop versions are timed once on one example, scaled by m.
torch is optional (`pip install -e ".[bench]"`); without it the torch columns say n/a.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import cnn_reference as ref
from cnn_reference import loops

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # optional oracle
    torch = None


def median_ms(fn, repeats: int) -> float:
    return interleaved_ms([fn], repeats)[0]


def interleaved_ms(fns, repeats: int, block: int = 5) -> list[float]:
    """Median ms of each function over ``repeats`` calls, timed in alternating blocks of ``block`` calls."""
    times = [[] for _ in fns]
    while len(times[0]) < repeats:
        for fn, samples in zip(fns, times):
            fn()  # warm-up: lets the other runtime's threads settle
            for _ in range(min(block, repeats - len(samples))):
                start = time.perf_counter()
                fn()
                samples.append(time.perf_counter() - start)
    return [statistics.median(samples) * 1e3 for samples in times]


def torch_conv(A, W, b, stride, pad, layout):
    """(forward, backward) closures for torch conv2d in float64, NCHW or channels_last."""
    fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
    x = torch.from_numpy(A).permute(0, 3, 1, 2).contiguous(memory_format=fmt).requires_grad_()
    w = torch.from_numpy(W).permute(3, 2, 0, 1).contiguous(memory_format=fmt).requires_grad_()
    bias = torch.from_numpy(b.reshape(-1)).clone().requires_grad_()
    out = F.conv2d(x, w, bias, stride=stride, padding=pad)
    grad = torch.ones_like(out)

    def forward():
        with torch.no_grad():
            F.conv2d(x, w, bias, stride=stride, padding=pad)

    def backward():
        torch.autograd.grad(out, (x, w, bias), grad, retain_graph=True)

    return forward, backward


def torch_pool(A, f, stride, layout):
    fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
    x = torch.from_numpy(A).permute(0, 3, 1, 2).contiguous(memory_format=fmt).requires_grad_()
    out = F.max_pool2d(x, f, stride)
    grad = torch.ones_like(out)

    def forward():
        with torch.no_grad():
            F.max_pool2d(x, f, stride)

    def backward():
        torch.autograd.grad(out, (x,), grad, retain_graph=True)

    return forward, backward


def against_torch(forward, backward, make, repeats):
    """Median ms (reference fwd, reference bwd, torch fwd, torch bwd); torch the better of its two layouts."""
    if torch is None:
        return median_ms(forward, repeats), median_ms(backward, repeats), None, None
    layouts = [make(layout) for layout in ("nchw", "channels_last")]
    fwd = interleaved_ms([forward] + [pair[0] for pair in layouts], repeats)
    bwd = interleaved_ms([backward] + [pair[1] for pair in layouts], repeats)
    return fwd[0], bwd[0], min(fwd[1:]), min(bwd[1:])


def conv_rows(name, m, n, c_prev, c, f, stride, pad, repeats, rng):
    A = rng.standard_normal((m, n, n, c_prev))
    W = rng.standard_normal((f, f, c_prev, c))
    b = rng.standard_normal((1, 1, 1, c))
    hp = {"stride": stride, "pad": pad}
    Z, cache = ref.conv_forward(A, W, b, hp)
    flops = 2 * Z.size * f * f * c_prev
    one = (A[:1], W, b, hp)
    Z1, cache1 = loops.conv_forward(*one)
    r_fwd, r_bwd, t_fwd, t_bwd = against_torch(lambda: ref.conv_forward(A, W, b, hp), lambda: ref.conv_backward(Z, cache),
                                               lambda layout: torch_conv(A, W, b, stride, pad, layout), repeats)
    return [
        (f"{name} conv fwd", r_fwd, median_ms(lambda: loops.conv_forward(*one), 1) * m, t_fwd, flops),
        (f"{name} conv bwd", r_bwd, median_ms(lambda: loops.conv_backward(Z1, cache1), 1) * m, t_bwd, 2 * flops),
    ]


def pool_rows(name, m, n, c, f, stride, repeats, rng):
    A = rng.standard_normal((m, n, n, c))
    hp = {"f": f, "stride": stride}
    P, cache = ref.pool_forward(A, hp)
    P1, cache1 = loops.pool_forward(A[:1], hp)
    r_fwd, r_bwd, t_fwd, t_bwd = against_torch(lambda: ref.pool_forward(A, hp), lambda: ref.pool_backward(P, cache),
                                               lambda layout: torch_pool(A, f, stride, layout), repeats)
    return [
        (f"{name} maxpool fwd", r_fwd, median_ms(lambda: loops.pool_forward(A[:1], hp), 1) * m, t_fwd, None),
        (f"{name} maxpool bwd", r_bwd, median_ms(lambda: loops.pool_backward(P1, cache1), 1) * m, t_bwd, None),
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = (
        conv_rows("A", 64, 32, 16, 32, 3, 1, 1, args.repeats, rng)
        + conv_rows("B", 8, 64, 3, 16, 5, 2, 2, args.repeats, rng)
        + pool_rows("C", 64, 32, 32, 2, 2, args.repeats, rng)
    )
    version = f"torch {torch.__version__}, {torch.get_num_threads()} threads" if torch else "torch not installed"
    print(f"numpy {np.__version__}; {version}; medians of {args.repeats} runs, ms")
    print(f"| {'case':<16} | {'reference':>9} | {'loops':>9} | {'torch f64':>9} | {'ref/torch':>9} | {'ref GFLOP/s':>11} |")
    print(f"|{'-' * 18}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 13}|")
    for case, t_ref, t_loop, t_torch, flops in rows:
        torch_cell = f"{t_torch:9.2f}" if t_torch else f"{'n/a':>9}"
        ratio = f"{t_ref / t_torch:9.2f}" if t_torch else f"{'n/a':>9}"
        gflops = f"{flops / t_ref / 1e6:11.1f}" if flops else f"{'':>11}"
        print(f"| {case:<16} | {t_ref:9.2f} | {t_loop:9.0f} | {torch_cell} | {ratio} | {gflops} |")


if __name__ == "__main__":
    main()
