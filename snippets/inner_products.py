"""Inner products: what np.dot computes, its family, its accuracy, its speed.

Companion script of the chapter "Inner products". Each section between
`# --8<-- [start:name]` and `# --8<-- [end:name]` is shown on the page; run
`python snippets/inner_products.py` to run them all and print the results.
"""

import math

import numpy as np

from conv_reference import conv2d
from timing import Comparison, compare


# --8<-- [start:mac]
def dot_loop(a: list[float], b: list[float]) -> float:
    """Inner product a . b = sum of a[i] * b[i], one multiply-add at a time."""
    total = 0.0
    for a_i, b_i in zip(a, b, strict=True):
        total += a_i * b_i
    return total
# --8<-- [end:mac]


# --8<-- [start:indexed]
def dot_indexed(a: np.ndarray, b: np.ndarray) -> float:
    """The same loop, indexing NumPy arrays element by element."""
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]  # each a[i] creates a new NumPy scalar object
    return total


def indexing_vs_lists(length: int) -> Comparison:
    """Time dot_indexed on float64 arrays against dot_loop on lists."""
    rng = np.random.default_rng(0)
    a, b = rng.random(length), rng.random(length)
    a_list, b_list = a.tolist(), b.tolist()
    return compare(lambda: dot_indexed(a, b), lambda: dot_loop(a_list, b_list))
# --8<-- [end:indexed]


def show_mac() -> None:
    # --8<-- [start:series-example]
    a = [1.0, 2.0, 3.0]
    b = [4.0, 5.0, 6.0]
    print(dot_loop(a, b))  # 1*4 + 2*5 + 3*6
    print(np.dot(np.array(a), np.array(b)))
    # --8<-- [end:series-example]


def show_family() -> None:
    # --8<-- [start:family-1d]
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([4.0, 5.0, 6.0])
    print(np.dot(a, b), np.vdot(a, b), np.inner(a, b), a @ b)
    print(np.vecdot(a, b), np.einsum("i,i->", a, b), np.tensordot(a, b, axes=1))
    # --8<-- [end:family-1d]

    # --8<-- [start:family-2d]
    A = np.arange(6.0).reshape(2, 3)
    B = np.arange(12.0).reshape(3, 4)
    print(np.dot(A, B).shape, (A @ B).shape)  # matrix product (2,3) x (3,4)
    print(np.inner(A, A).shape)  # last axis with last axis: A times A.T
    print(np.vdot(A, A) == np.sum(A * A))  # vdot flattens both to 1-D
    print(np.dot([1j], [1j]), np.vdot([1j], [1j]))  # vdot conjugates a
    # --8<-- [end:family-2d]

    # --8<-- [start:family-nd]
    A = np.ones((2, 3, 4))
    B = np.ones((5, 4, 6))
    # dot: last axis of A with second-to-last of B, for every pair of stacks
    print(np.dot(A, B).shape)
    print(np.tensordot(A, B, axes=([2], [1])).shape)  # the same, spelled out
    print(np.einsum("ijk,lkm->ijlm", A, B).shape)  # the same, as indices
    print((A @ np.ones((2, 4, 6))).shape)  # matmul: 2 matrix products
    print(np.vecdot(A, np.ones(4)).shape)  # vecdot: one dot per last-axis row
    try:
        A @ B  # stacks of 2 and of 5 matrices do not broadcast
    except ValueError:
        print("A @ B: ValueError")
    try:
        np.matmul(A, 2.0)  # matmul rejects scalars; np.dot(A, 2.0) scales A
    except ValueError:
        print("np.matmul(A, 2.0): ValueError")
    # --8<-- [end:family-nd]


# --8<-- [start:integer]
def float_vs_int_matmul(n: int = 256) -> Comparison:
    """Time (n, n) @ (n, n) in int64 (no BLAS) against float64 (BLAS)."""
    rng = np.random.default_rng(0)
    A = rng.integers(-10, 10, (n, n))
    B = rng.integers(-10, 10, (n, n))
    A_float, B_float = A.astype(np.float64), B.astype(np.float64)
    # The same numbers either way: these small integer products are exact in
    # float64 (exact up to 2**53), and they do not overflow int64.
    assert np.array_equal(A @ B, (A_float @ B_float).astype(np.int64))
    return compare(lambda: A @ B, lambda: A_float @ B_float)
# --8<-- [end:integer]


# --8<-- [start:accuracy]
def relative_errors(n: int = 1_000_000) -> dict[str, float]:
    """Relative errors of sums of products of n float32 numbers in [0, 1)."""
    rng = np.random.default_rng(0)
    a = rng.random(n, dtype=np.float32)
    b = rng.random(n, dtype=np.float32)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    # A product of two float32 numbers is exact in float64, and math.fsum
    # rounds only once: `exact` is the true inner product, correctly rounded.
    exact = math.fsum((a64 * b64).tolist())
    # np.cumsum adds one term after the other: a single running total, the
    # way dot_loop adds.
    results = {
        "float32, one running total": np.cumsum(a * b)[-1],
        "float32, np.dot": np.dot(a, b),
        "float32, np.sum(a * b)": np.sum(a * b),
        "float64, one running total": np.cumsum(a64 * b64)[-1],
        "float64, np.dot": np.dot(a64, b64),
    }
    return {k: abs(float(v) - exact) / exact for k, v in results.items()}
# --8<-- [end:accuracy]


# --8<-- [start:speed]
def loop_vs_dot(length: int) -> Comparison:
    """Time dot_loop on lists against np.dot on float64 arrays."""
    rng = np.random.default_rng(0)
    a, b = rng.random(length), rng.random(length)
    a_list, b_list = a.tolist(), b.tolist()
    return compare(lambda: dot_loop(a_list, b_list), lambda: np.dot(a, b))
# --8<-- [end:speed]


def loop_vs_dot_table(
    lengths: tuple[int, ...] = (1, 10, 100, 1000, 10_000, 100_000),
) -> list[dict]:
    """One row per length: time per call of each, and their ratio."""
    rows = []
    for length in lengths:
        result = loop_vs_dot(length)
        rows.append(
            {
                "length": length,
                "loop_us": result.baseline_s * 1e6,
                "dot_us": result.candidate_s * 1e6,
                "ratio": result.ratio,
            }
        )
    return rows


def show_channel_dot() -> None:
    # --8<-- [start:channel]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 5, 5, 64)).astype(np.float32)  # N, H, W, C
    w = rng.standard_normal((8, 3, 3, 64)).astype(np.float32)  # K, R, S, C
    n, p, q, k = 0, 1, 2, 3  # one output: batch n, row p, column q, kernel k

    by_macs = 0.0
    for r in range(3):
        for s in range(3):
            for c in range(64):  # the innermost loop of the seven ...
                by_macs += x[n, p + r, q + s, c] * w[k, r, s, c]

    by_dots = 0.0
    for r in range(3):
        for s in range(3):  # ... is an inner product of two channel vectors
            by_dots += np.dot(x[n, p + r, q + s, :], w[k, r, s, :])

    y = conv2d(x, w)[n, p, q, k]  # the reference, in float64
    # float32 sums of m = 3*3*64 products may cancel: bound the error by the
    # size of the terms, not of the result (worst case: m * 6e-8 * scale).
    scale = np.sum(np.abs(x[n, p : p + 3, q : q + 3, :] * w[k]))
    print(abs(by_macs - y) < 1e-5 * scale, abs(by_dots - y) < 1e-5 * scale)
    x_vector, w_vector = x[n, p, q, :], w[k, 0, 0, :]
    print(x_vector.flags.c_contiguous, w_vector.flags.c_contiguous)
    # --8<-- [end:channel]


def main() -> None:
    show_mac()
    show_family()
    ratio = float_vs_int_matmul().ratio
    print(f"float64 @ is {ratio:.0f}x faster than int64 @")
    ratio = indexing_vs_lists(1000).ratio
    print(f"a loop over lists is {ratio:.1f}x faster than indexing arrays")
    for name, error in relative_errors().items():
        print(f"{name:28} relative error {error:.1e}")
    for row in loop_vs_dot_table():
        print(
            f"length {row['length']:>6}: loop {row['loop_us']:9.2f} us,"
            f" np.dot {row['dot_us']:6.2f} us"
        )
    show_channel_dot()


if __name__ == "__main__":
    main()
