"""Reason 2, per-call cost: what one np.dot costs, from 1 to 1,000,000 numbers.

A call has a fixed cost (parse the arguments, check types and shapes, choose a
kernel, create the result) and a cost per element. Short vectors pay mostly
the fixed cost; long ones spread it over many elements.

Run `python snippets/fast_calls.py` to measure on your machine.
"""

import numpy as np

from timing import Comparison, best_time, compare

LENGTHS = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)


# --8<-- [start:calls]
def dot_time(length: int) -> float:
    """Best time of one np.dot of two float64 vectors of `length` numbers."""
    rng = np.random.default_rng(0)
    a, b = rng.random(length), rng.random(length)
    return best_time(lambda: np.dot(a, b))


def short_vs_long(short: int = 10, long: int = 100_000) -> Comparison:
    """Cost per element of np.dot on short vectors against long ones."""
    rng = np.random.default_rng(0)
    a, b = rng.random(short), rng.random(short)
    c, d = rng.random(long), rng.random(long)
    result = compare(lambda: np.dot(a, b), lambda: np.dot(c, d))
    return Comparison(result.baseline_s / short, result.candidate_s / long)
# --8<-- [end:calls]


# --8<-- [start:split]
def split_dot_time(rows: list[dict]) -> list[dict]:
    """Split the np.dot times of a loop-versus-dot table (rows with length,
    loop_us, dot_us) into a fixed cost per call and a cost per element, by
    fitting dot_us = a + b * length (relative errors, weights 1/t)."""
    n = np.array([row["length"] for row in rows], float)
    t = np.array([row["dot_us"] for row in rows])
    b, a = np.polyfit(n, t, 1, w=1 / t)
    return [
        {
            "length": row["length"],
            "loop_us": row["loop_us"],
            "dot_us": row["dot_us"],
            "fixed_us": a,
            "fixed_share": a / (a + b * row["length"]),
            "speedup": row["loop_us"] / row["dot_us"],
            "speedup_without_fixed": row["loop_us"] / (b * row["length"]),
        }
        for row in rows
        if row["length"] >= 100
    ]
# --8<-- [end:split]


def sweep() -> list[dict]:
    rows = []
    for length in LENGTHS:
        seconds = dot_time(length)
        rows.append(
            {
                "length": length,
                "us": seconds * 1e6,
                "ns_per_element": seconds / length * 1e9,
                "gflops": 2 * length / seconds / 1e9,
            }
        )
    return rows


def main() -> None:
    for row in sweep():
        print(
            f"{row['length']:>9,}: {row['us']:9.2f} us per call,"
            f" {row['ns_per_element']:8.3f} ns per element"
        )


if __name__ == "__main__":
    main()
