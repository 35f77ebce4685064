"""Reason 3, memory: the same dot on contiguous and on strided numbers.

A strided view (every 16th float32 number) reads one number from each 64-byte
cache line it touches; a contiguous vector uses all 16 numbers of each line.
Copying the view first makes the dot fast, but the copy costs the same
strided reads.

Run `python snippets/fast_memory.py` to measure on your machine.
"""

import numpy as np

from timing import Comparison, best_time, compare

N, STEP = 1_000_000, 16  # a million float32 numbers, 16 apart: one per line


# --8<-- [start:strided]
def vectors() -> tuple[np.ndarray, np.ndarray]:
    """The same N float32 numbers, as a strided view and packed contiguously."""
    a = np.random.default_rng(0).random(N * STEP, dtype=np.float32)
    strided = a[::STEP]  # a view: no copy, 64 bytes between neighbours
    contiguous = np.ascontiguousarray(strided)  # the same numbers, packed
    return strided, contiguous


def strided_vs_contiguous() -> Comparison:
    """np.dot on a view of every 16th number against a contiguous copy."""
    strided, contiguous = vectors()
    return compare(
        lambda: np.dot(strided, strided), lambda: np.dot(contiguous, contiguous)
    )
# --8<-- [end:strided]


def table() -> list[dict]:
    """Time and GFLOP/s of the dot: contiguous, strided, copied then dotted."""
    strided, contiguous = vectors()

    def copy_then_dot() -> float:
        packed = np.ascontiguousarray(strided)
        return np.dot(packed, packed)

    ways = {
        "contiguous": lambda: np.dot(contiguous, contiguous),
        "strided view": lambda: np.dot(strided, strided),
        "copy, then dot": copy_then_dot,
    }
    rows = []
    for name, way in ways.items():
        seconds = best_time(way)
        gflops = 2 * N / seconds / 1e9
        rows.append({"way": name, "ms": seconds * 1e3, "gflops": gflops})
    return rows


def main() -> None:
    for row in table():
        ms, gflops = row["ms"], row["gflops"]
        print(f"{row['way']:16} {ms:7.3f} ms, {gflops:6.2f} GFLOP/s")


if __name__ == "__main__":
    main()
