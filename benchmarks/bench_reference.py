"""Reference speed: vectorized vs the course's loops vs PyTorch CPU float64, measured side by side.

    python benchmarks/bench_reference.py [--repeats 15]

Shapes (from the foundation issue): A = conv m=64, 32x32x16 -> 32 filters 3x3, s1 p1;
B = conv m=8, 64x64x3 -> 16 filters 5x5, s2 p2; C = max-pool f2 s2 on 64x32x32x32.
Prints medians in ms, the ratio reference/torch (torch: the better of NCHW and channels_last) with the
range of the ratios of the rounds, and conv GFLOP/s. Reference and torch are timed in alternating rounds
(per function an untimed warm-up call, then a block of timed calls), so drifting machine load lands on
both sides of a ratio while each side runs in its steady state (strict call-by-call alternation would
instead measure one runtime's threads still spinning while the other's start, on two cores). The loop
versions are timed once on one example, scaled by m. torch is optional (`pip install -e ".[bench]"`);
without it the torch columns say n/a.

Idle thread pools yield the two cores instead of spinning (numpy's OpenBLAS workers sleep after a short
wait, torch's OpenMP workers wait passively): THREAD_ENV below is set before numpy and torch load, as
both read it then; a variable already set in the environment is kept. The output's first line says so.
"""
from __future__ import annotations

import os
import sys

THREAD_ENV = {"OPENBLAS_THREAD_TIMEOUT": "4", "OMP_WAIT_POLICY": "PASSIVE"}
THREAD_ENV_IN_TIME = "numpy" not in sys.modules and "torch" not in sys.modules
for _name, _value in THREAD_ENV.items():
    os.environ.setdefault(_name, _value)

import argparse
import statistics
import time

import numpy as np

import cnn_reference as ref
from cnn_reference import _split, loops

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # optional oracle
    torch = None


def median_ms(fn, repeats: int) -> float:
    return interleaved_ms([fn], repeats)[0][0]


def interleaved_ms(fns, repeats: int, block: int = 5) -> tuple[list[float], list[list[float]]]:
    """Per function: the median ms over ``repeats`` calls, and the median of each round's block of calls.

    Rounds alternate the functions: each gets an untimed warm-up call (lets the other runtime's threads
    settle), then a block of ``block`` timed calls.
    """
    times = [[] for _ in fns]
    rounds = [[] for _ in fns]
    while len(times[0]) < repeats:
        for fn, samples, medians in zip(fns, times, rounds):
            fn()
            timed = []
            for _ in range(min(block, repeats - len(samples))):
                start = time.perf_counter()
                fn()
                timed.append(time.perf_counter() - start)
            samples.extend(timed)
            medians.append(statistics.median(timed) * 1e3)
    return [statistics.median(samples) * 1e3 for samples in times], rounds


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
    """(reference ms, torch ms, (lowest, highest) ratio of a round) for forward, then for backward.

    torch: the better of its two layouts; without torch its entries are None.
    """
    if torch is None:
        return [(median_ms(fn, repeats), None, None) for fn in (forward, backward)]
    layouts = [make(layout) for layout in ("nchw", "channels_last")]
    rows = []
    for k, fn in enumerate((forward, backward)):
        medians, rounds = interleaved_ms([fn] + [pair[k] for pair in layouts], repeats)
        ratios = [mine / min(theirs) for mine, *theirs in zip(*rounds)]
        rows.append((medians[0], min(medians[1:]), (min(ratios), max(ratios))))
    return rows


def conv_rows(name, m, n, c_prev, c, f, stride, pad, repeats, rng):
    A = rng.standard_normal((m, n, n, c_prev))
    W = rng.standard_normal((f, f, c_prev, c))
    b = rng.standard_normal((1, 1, 1, c))
    hp = {"stride": stride, "pad": pad}
    Z, cache = ref.conv_forward(A, W, b, hp)
    flops = 2 * Z.size * f * f * c_prev
    one = (A[:1], W, b, hp)
    Z1, cache1 = loops.conv_forward(*one)
    fwd, bwd = against_torch(lambda: ref.conv_forward(A, W, b, hp), lambda: ref.conv_backward(Z, cache),
                             lambda layout: torch_conv(A, W, b, stride, pad, layout), repeats)
    return [
        (f"{name} conv fwd", *fwd, median_ms(lambda: loops.conv_forward(*one), 1) * m, flops),
        (f"{name} conv bwd", *bwd, median_ms(lambda: loops.conv_backward(Z1, cache1), 1) * m, 2 * flops),
    ]


def pool_rows(name, m, n, c, f, stride, repeats, rng):
    A = rng.standard_normal((m, n, n, c))
    hp = {"f": f, "stride": stride}
    P, cache = ref.pool_forward(A, hp)
    P1, cache1 = loops.pool_forward(A[:1], hp)
    fwd, bwd = against_torch(lambda: ref.pool_forward(A, hp), lambda: ref.pool_backward(P, cache),
                             lambda layout: torch_pool(A, f, stride, layout), repeats)
    return [
        (f"{name} maxpool fwd", *fwd, median_ms(lambda: loops.pool_forward(A[:1], hp), 1) * m, None),
        (f"{name} maxpool bwd", *bwd, median_ms(lambda: loops.pool_backward(P1, cache1), 1) * m, None),
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
    print(thread_setup())
    version = f"torch {torch.__version__}, {torch.get_num_threads()} threads" if torch else "torch not installed"
    print(f"numpy {np.__version__}; {version}; medians of {args.repeats} runs, ms; ratio range: lowest and "
          f"highest ratio of the {-(-args.repeats // 5)} rounds")
    print(f"| {'case':<16} | {'reference':>9} | {'loops':>9} | {'torch f64':>9} | {'ref/torch':>9} | "
          f"{'ratio range':>11} | {'ref GFLOP/s':>11} |")
    print(f"|{'-' * 18}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 13}|{'-' * 13}|")
    for case, t_ref, t_torch, spread, t_loop, flops in rows:
        torch_cell = f"{t_torch:9.2f}" if t_torch else f"{'n/a':>9}"
        ratio = f"{t_ref / t_torch:9.2f}" if t_torch else f"{'n/a':>9}"
        spread_cell = f"{spread[0]:5.2f}-{spread[1]:<5.2f}" if spread else f"{'n/a':>11}"
        gflops = f"{flops / t_ref / 1e6:11.1f}" if flops else f"{'':>11}"
        print(f"| {case:<16} | {t_ref:9.2f} | {t_loop:9.0f} | {torch_cell} | {ratio} | {spread_cell} | {gflops} |")


def thread_setup() -> str:
    """One line: the thread-pool environment and whether it was set in time, and how the reference splits."""
    env = " ".join(f"{name}={os.environ[name]}" for name in THREAD_ENV)
    timing = "set before numpy and torch loaded" if THREAD_ENV_IN_TIME else "NOT in effect: numpy was loaded first"
    blas = "BLAS held at 1 thread" if _split.ThreadpoolController else "conv unsplit: threadpoolctl not installed"
    return (f"threads: {env} ({timing}); reference: batches in chunks of {_split.CHUNK_BYTES >> 20} MB, "
            f"of >= {_split.MIN_BATCH_BYTES >> 20} MB on {_split.THREADS} threads ({blas})")


if __name__ == "__main__":
    main()
