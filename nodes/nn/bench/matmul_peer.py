#!/usr/bin/python3
"""Peer measurement of the matrix products that BenchmarkGemmShapes times
(nodes/nn/bench_test.go, gemmShapes: keep the lists in step), in float32
with PyTorch's matmul and NumPy's (OpenBLAS) on the same threads.

Run with Debian's interpreter (python3-torch, python3-numpy,
libopenblas0-pthread): /usr/bin/python3 matmul_peer.py [--threads 2] [--seconds 0.3] [--cpu]
with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to --threads (OpenBLAS
reads them at load time). Prints one line per library and shape:
"<lib> <mode> <shape> <GFLOP/s>", mode "2t" (--threads 2, wall time) or
"1t-cpu" (--threads 1 --cpu: the calling thread's CPU time, which does
not count waiting for a core on a shared machine); a library that is not
installed is left out. Each rate is the best of 3 timed runs of about
--seconds each, after a warm-up.
"""
import argparse, os, time

SHAPES = [  # name, tA, tB, m, k, n
    ("mlp-fwd-64x784x100", False, False, 64, 784, 100),
    ("mlp-dx-64x100x784t", False, True, 64, 100, 784),
    ("mlp-dw-784tx64x100", True, False, 784, 64, 100),
    ("digits-fwd-32x64x64", False, False, 32, 64, 64),
    ("digits-dx-32x64x64t", False, True, 32, 64, 64),
    ("digits-dw-64tx32x64", True, False, 64, 32, 64),
    ("digits-out-32x64x10", False, False, 32, 64, 10),
    ("sq-1024x1024x1024", False, False, 1024, 1024, 1024),
]

clock = time.perf_counter

def rate(f, flops, seconds):
    f()
    t = clock(); f(); once = max(clock() - t, 1e-7)
    reps = max(1, int(seconds / once))
    best = float("inf")
    for _ in range(3):
        t = clock()
        for _ in range(reps):
            f()
        best = min(best, max(clock() - t, 1e-9))
    return flops * reps / best / 1e9

def operands(rand, tA, tB, m, k, n):
    a = rand(k, m) if tA else rand(m, k)
    b = rand(n, k) if tB else rand(k, n)
    return (a.T if tA else a), (b.T if tB else b)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=0.3)
    ap.add_argument("--cpu", action="store_true", help="time by the calling thread's CPU time")
    a = ap.parse_args()
    global clock
    mode = f"{a.threads}t"
    if a.cpu:
        clock, mode = time.thread_time, f"{a.threads}t-cpu"
    try:
        import torch
        torch.set_num_threads(a.threads)
        for name, tA, tB, m, k, n in SHAPES:
            x, w = operands(lambda r, c: torch.rand(r, c, dtype=torch.float32), tA, tB, m, k, n)
            out = torch.empty(m, n)
            print(f"torch {mode} {name} {rate(lambda: torch.matmul(x, w, out=out), 2 * m * k * n, a.seconds):.2f}", flush=True)
    except ImportError:
        pass
    try:
        import numpy as np
        rng = np.random.default_rng(1)
        for name, tA, tB, m, k, n in SHAPES:
            x, w = operands(lambda r, c: rng.random((r, c), dtype=np.float32), tA, tB, m, k, n)
            out = np.empty((m, n), dtype=np.float32)
            print(f"numpy {mode} {name} {rate(lambda: np.matmul(x, w, out=out), 2 * m * k * n, a.seconds):.2f}", flush=True)
    except ImportError:
        pass

if __name__ == "__main__":
    main()
