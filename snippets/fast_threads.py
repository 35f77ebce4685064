"""Reason 6, threads: one matrix product on one core and on all of them.

OpenBLAS splits a large matrix product between threads, one per core by
default. threadpoolctl limits that number from Python (so do the environment
variables OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, set before NumPy starts).

Run `python snippets/fast_threads.py` to measure on your machine.
"""

import timeit
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from timing import Comparison, available_cpus, calls_per_batch

SIZES = (32, 64, 128, 256, 512, 1024, 2048)
DOT_LENGTHS = (1024, 10_000, 100_000, 1_000_000)


# --8<-- [start:threads]
def one_thread_vs_all(f: Callable[[], object], repeat: int = 7) -> Comparison:
    """Time f on 1 BLAS thread against the default (all), in alternation.
    The limit is set outside the timed calls: setting it costs far more
    than a small product."""
    timer = timeit.Timer(f)
    with threadpool_limits(limits=1, user_api="blas"):
        number = calls_per_batch(f)
    best_one = best_all = float("inf")
    for _ in range(repeat):
        with threadpool_limits(limits=1, user_api="blas"):
            best_one = min(best_one, timer.timeit(number) / number)
        best_all = min(best_all, timer.timeit(number) / number)
    return Comparison(best_one, best_all)


def gemm_one_thread_vs_all(n: int) -> Comparison:
    """An n x n float32 A @ B on one BLAS thread against all of them."""
    rng = np.random.default_rng(n)
    A = rng.random((n, n), dtype=np.float32)
    B = rng.random((n, n), dtype=np.float32)
    return one_thread_vs_all(lambda: A @ B)
# --8<-- [end:threads]


def table() -> list[dict]:
    rows = []
    for n in SIZES:
        result = gemm_one_thread_vs_all(n)
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


def dot_table() -> list[dict]:
    """One float64 np.dot of n numbers: all BLAS threads against one."""
    rows = []
    for n in DOT_LENGTHS:
        a = np.random.default_rng(n).random(n)
        result = one_thread_vs_all(lambda a=a: np.dot(a, a))
        rows.append({"n": n, "one_us": result.baseline_s * 1e6,
                     "all_us": result.candidate_s * 1e6,
                     "speedup": result.ratio})
    return rows


def main() -> None:
    print(f"{available_cpus()} logical CPUs for this process")
    for row in table():
        print(
            f"n = {row['n']:5}: 1 thread {row['one_thread']:6.1f} GFLOP/s,"
            f" all {row['all_threads']:6.1f} GFLOP/s ({row['speedup']:.2f}x)"
        )
    for row in dot_table():
        print(f"np.dot of {row['n']:9,} float64:"
              f" all threads {row['speedup']:.2f}x one")


if __name__ == "__main__":
    main()
