"""Reason 5, BLAS: the same matrix product four ways, blocking, and @ by size.

C = A @ B for n x n float32 matrices is n*n inner products of length n. Written
as a Python triple loop, as n*n calls of np.dot, as n matrix-vector products,
or as one call of @, which OpenBLAS computes in blocks that fit the caches, so
that each number loaded from memory is used many times. On large matrices, on
one thread, n matrix-vector products (compiled too, but each number of B used
once per call) against one @ show what that blocking is worth.

Run `python snippets/fast_blas.py` to measure on your machine.
"""

import numpy as np
from threadpoolctl import threadpool_limits

from timing import Comparison, best_time, best_times, compare

SIZES = (16, 32, 64, 128, 256, 512, 1024, 2048)
BLOCKING_SIZES = (1024, 2048)


# --8<-- [start:ways]
def matmul_loops(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Three Python loops: one multiply-add per innermost step."""
    n, m, p = A.shape[0], A.shape[1], B.shape[1]
    A_list, B_list = A.tolist(), B.tolist()
    C = [[0.0] * p for _ in range(n)]
    for i in range(n):
        for j in range(p):
            total = 0.0
            for k in range(m):
                total += A_list[i][k] * B_list[k][j]
            C[i][j] = total
    return np.array(C, A.dtype)


def matmul_dots(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """One np.dot per output: a row of A with a column of B."""
    Bt = np.ascontiguousarray(B.T)  # columns of B as contiguous rows
    C = np.empty((A.shape[0], B.shape[1]), A.dtype)
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            C[i, j] = np.dot(A[i], Bt[j])
    return C


def matmul_matvecs(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """One matrix-vector product per row of the result."""
    C = np.empty((A.shape[0], B.shape[1]), A.dtype)
    Bt = np.ascontiguousarray(B.T)
    for i in range(A.shape[0]):
        C[i] = Bt @ A[i]
    return C


def matmul_blas(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """One call: OpenBLAS's blocked, SIMD, multi-threaded GEMM."""
    return A @ B
# --8<-- [end:ways]


WAYS = {
    "loops": matmul_loops,
    "dots": matmul_dots,
    "matvecs": matmul_matvecs,
    "blas": matmul_blas,
}


def matrices(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n)
    A = rng.random((n, n), dtype=np.float32)
    B = rng.random((n, n), dtype=np.float32)
    return A, B


def versus_blas(way: str, n: int) -> Comparison:
    """Time matmul_<way> against one @ on n x n float32 matrices."""
    A, B = matrices(n)
    slow = WAYS[way]
    return compare(lambda: slow(A, B), lambda: matmul_blas(A, B))


def ways_table(n: int = 64) -> list[dict]:
    """GFLOP/s of the four ways on n x n matrices."""
    A, B = matrices(n)
    rows = []
    for way, matmul in WAYS.items():
        seconds = best_time(lambda matmul=matmul: matmul(A, B))
        gflops = 2 * n**3 / seconds / 1e9
        name = f"matmul_{way}"
        rows.append({"way": name, "ms": seconds * 1e3, "gflops": gflops})
    return rows


# --8<-- [start:blocking]
def blocking_row(n: int) -> dict:
    """n x n float32: n matrix-vector products against one @, on the BLAS
    threads this process allows. Each matrix-vector product reads all of B
    (4 n^2 bytes) for 2 n^2 FLOPs, so together they read B n times."""
    A, B = matrices(n)
    best = best_times(
        {"matvecs": lambda: matmul_matvecs(A, B), "blas": lambda: A @ B},
        repeat=3,
    )
    return {
        "n": n,
        "b_mb": 4 * n * n / 1e6,
        "matvecs_gflops": 2 * n**3 / best["matvecs"] / 1e9,
        "matvecs_gbs": 4 * n**3 / best["matvecs"] / 1e9,  # B, read n times
        "blas_gflops": 2 * n**3 / best["blas"] / 1e9,
    }


def blocking(sizes: tuple[int, ...] = BLOCKING_SIZES) -> list[dict]:
    """blocking_row for each size, on one BLAS thread."""
    with threadpool_limits(1, "blas"):
        return [blocking_row(n) for n in sizes]
# --8<-- [end:blocking]


def gemm_sizes() -> list[dict]:
    """GFLOP/s of one float32 @ against the matrix size."""
    rows = []
    for n in SIZES:
        A, B = matrices(n)
        seconds = best_time(lambda A=A, B=B: A @ B, repeat=5)
        gflops = 2 * n**3 / seconds / 1e9
        rows.append({"n": n, "us": seconds * 1e6, "gflops": gflops})
    return rows


def main() -> None:
    A, B = matrices(32)
    same = all(np.allclose(f(A, B), A @ B, rtol=1e-5) for f in WAYS.values())
    print("all four ways agree:", same)
    for row in ways_table():
        print(f"{row['way']:16} {row['gflops']:8.3f} GFLOP/s")
    for row in blocking():
        print(
            f"n = {row['n']}, one thread: matrix-vector products"
            f" {row['matvecs_gflops']:5.1f} GFLOP/s (B read at"
            f" {row['matvecs_gbs']:5.1f} GB/s),"
            f" @ {row['blas_gflops']:5.1f} GFLOP/s"
        )
    for row in gemm_sizes():
        print(f"n = {row['n']:5}: {row['gflops']:7.1f} GFLOP/s")


if __name__ == "__main__":
    main()
