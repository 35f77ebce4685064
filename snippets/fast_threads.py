"""Reason 6, threads: one matrix product on one core and on all of them.

OpenBLAS splits a large matrix product between threads, one per core by
default. threadpoolctl limits that number from Python (so do the environment
variables OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, set before NumPy starts).

Run `python snippets/fast_threads.py` to measure on your machine.
"""

import os
import timeit

import numpy as np
from threadpoolctl import threadpool_limits

from timing import Comparison, calls_per_batch

SIZES = (32, 64, 128, 256, 512, 1024, 2048)


# --8<-- [start:threads]
def one_thread_vs_all(n: int, repeat: int = 7) -> Comparison:
    """Time an n x n float32 @ on 1 BLAS thread against the default (all),
    in alternation. The limit is set outside the timed calls: setting it
    costs far more than a small product."""
    rng = np.random.default_rng(n)
    A = rng.random((n, n), dtype=np.float32)
    B = rng.random((n, n), dtype=np.float32)
    timer = timeit.Timer(lambda: A @ B)
    with threadpool_limits(limits=1, user_api="blas"):
        number = calls_per_batch(lambda: A @ B)
    best_one = best_all = float("inf")
    for _ in range(repeat):
        with threadpool_limits(limits=1, user_api="blas"):
            best_one = min(best_one, timer.timeit(number) / number)
        best_all = min(best_all, timer.timeit(number) / number)
    return Comparison(best_one, best_all)
# --8<-- [end:threads]


def table() -> list[dict]:
    rows = []
    for n in SIZES:
        result = one_thread_vs_all(n)
        gflops = 2 * n**3 / 1e9
        rows.append(
            {
                "n": n,
                "one_thread": gflops / result.baseline_s,
                "all_threads": gflops / result.candidate_s,
                "speedup": result.ratio,
            }
        )
    return rows


def main() -> None:
    print(f"{os.cpu_count()} logical CPUs")
    for row in table():
        print(
            f"n = {row['n']:5}: 1 thread {row['one_thread']:6.1f} GFLOP/s,"
            f" all {row['all_threads']:6.1f} GFLOP/s ({row['speedup']:.2f}x)"
        )


if __name__ == "__main__":
    main()
