"""Reason 4, SIMD: one instruction works on a whole register of numbers.

A 256-bit register holds 8 float32 numbers or 4 float64; a 512-bit register
holds 16 or 8. So a compiled loop that uses SIMD instructions handles twice as
many float32 numbers per instruction as float64 numbers. Measured here on
arrays small enough to stay in the CPU's caches, so memory does not decide.

Run `python snippets/fast_simd.py` to measure on your machine.
"""

import numpy as np

from timing import Comparison, compare

N = 65_536  # numbers per array: 256 KB in float32, 512 KB in float64


# --8<-- [start:simd]
def float64_vs_float32(kernel: str = "sqrt", n: int = N) -> Comparison:
    """Time one NumPy kernel (writing into an existing array) in float64
    against float32, on the same n numbers."""
    ufunc = getattr(np, kernel)
    x32 = np.random.default_rng(0).random(n, dtype=np.float32) + 1
    x64, out32, out64 = x32.astype(np.float64), x32.copy(), np.empty(n)
    if ufunc.nin == 1:
        return compare(
            lambda: ufunc(x64, out=out64), lambda: ufunc(x32, out=out32)
        )
    return compare(
        lambda: ufunc(x64, x64, out=out64), lambda: ufunc(x32, x32, out=out32)
    )
# --8<-- [end:simd]


SIZES = (16_384, 65_536, 262_144, 1_048_576)


def table() -> list[dict]:
    """float32 / float64 speed ratio of three kernels at four array sizes."""
    return [
        {
            "kernel": f"np.{kernel}",
            **{f"n{n}": float64_vs_float32(kernel, n).ratio for n in SIZES},
        }
        for kernel in ("add", "multiply", "sqrt")
    ]


def main() -> None:
    np.show_runtime()  # which SIMD extensions NumPy found and uses
    print("float32 / float64 speed at", ", ".join(f"{n:,}" for n in SIZES))
    for row in table():
        ratios = "  ".join(f"{row[f'n{n}']:4.1f}x" for n in SIZES)
        print(f"{row['kernel']:12} {ratios}")


if __name__ == "__main__":
    main()
