"""Reason 1, interpretation: the same sum as a Python loop and in NumPy.

Both add up the same 100,000 float64 numbers. The loop pays the interpreter's
cost for every element; np.sum makes one call and runs a compiled loop over
raw memory. Prints the cost per element of each.

Run `python snippets/fast_interpreter.py` to measure on your machine.
"""

import numpy as np

from timing import Comparison, compare


# --8<-- [start:sum]
def sum_loop(values: list[float]) -> float:
    """Add the numbers one by one, as Python objects."""
    total = 0.0
    for value in values:
        total += value
    return total


def loop_vs_numpy(n: int = 100_000) -> Comparison:
    """Time sum_loop on a list against np.sum on an array of n float64."""
    a = np.random.default_rng(0).random(n)
    values = a.tolist()
    return compare(lambda: sum_loop(values), lambda: np.sum(a))
# --8<-- [end:sum]


def per_element(n: int = 100_000) -> list[dict]:
    result = loop_vs_numpy(n)
    return [
        {"way": "Python loop over a list", "ns": result.baseline_s / n * 1e9},
        {"way": "np.sum over an array", "ns": result.candidate_s / n * 1e9},
    ]


def main() -> None:
    for row in per_element():
        print(f"{row['way']:24} {row['ns']:6.2f} ns per element")


if __name__ == "__main__":
    main()
