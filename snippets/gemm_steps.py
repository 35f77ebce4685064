"""Part II measurements: from one np.dot per channel vector to one GEMM.

Longer inner products and fewer calls: conv_patch (one matrix-vector product
per output pixel) against conv_dot (one np.dot per tap and channel vector);
im2col + GEMM against conv_patch; the memory im2col pays; and np.einsum with
and without `optimize`.

Run `python snippets/gemm_steps.py` to measure on your machine.
"""

import numpy as np

import conv_dot
import conv_fast
import conv_im2col
import conv_patch
import conv_strided
from resnet50_layers import layers
from timing import Comparison, best_time, compare


def layer(H: int = 14, C: int = 64, K: int = 64) -> tuple[np.ndarray, ...]:
    """An H x H x C input and K kernels of 3 x 3 x C, float32 (padding 1)."""
    rng = np.random.default_rng(H * C)
    x = rng.standard_normal((1, H, H, C)).astype(np.float32)
    w = rng.standard_normal((K, 3, 3, C)).astype(np.float32)
    return x, w


# --8<-- [start:compare]
def versus(slow: str, fast: str, H: int = 14, C: int = 64) -> Comparison:
    """Time variant `slow` against variant `fast` (conv_<name>.conv2d) on a
    3 x 3 layer with padding 1."""
    modules = {
        "dot": conv_dot, "patch": conv_patch, "im2col": conv_im2col,
        "fast": conv_fast,
    }
    x, w = layer(H, C)
    slow_conv, fast_conv = modules[slow].conv2d, modules[fast].conv2d
    return compare(
        lambda: slow_conv(x, w, 1, 1), lambda: fast_conv(x, w, 1, 1)
    )
# --8<-- [end:compare]


def steps() -> list[dict]:
    """Time and GFLOP/s of each step on the same 14 x 14 x 64 layer."""
    x, w = layer()
    flops = 2 * 14 * 14 * 64 * 9 * 64
    rows = []
    for name, conv in (
        ("conv_dot: np.dot per tap and channel vector", conv_dot.conv2d),
        ("conv_patch: matrix-vector per output pixel", conv_patch.conv2d),
        ("conv_im2col: one GEMM", conv_im2col.conv2d),
        ("conv_fast: the best method for the shape", conv_fast.conv2d),
    ):
        seconds = best_time(lambda conv=conv: conv(x, w, 1, 1), repeat=3)
        gflops = flops / seconds / 1e9
        rows.append({"way": name, "ms": seconds * 1e3, "gflops": gflops})
    return rows


# --8<-- [start:memory]
def im2col_memory() -> list[dict]:
    """Input size and patch-matrix size of every ResNet-50 convolution shape
    (float32, batch 1). 1x1 convolutions with stride 1 need no patch matrix."""
    rows = []
    for lay in layers():
        input_mb = lay.H * lay.H * lay.C * 4 / 1e6
        one_by_one = lay.R == 1 and lay.stride == 1
        patch_mb = 0.0 if one_by_one else lay.P**2 * lay.R**2 * lay.C * 4 / 1e6
        rows.append(
            {"layer": lay.name, "input_mb": input_mb, "patch_mb": patch_mb}
        )
    return rows
# --8<-- [end:memory]


# --8<-- [start:einsum]
def einsum_optimize(C: int) -> Comparison:
    """np.einsum of the window view without and with optimize=True, on a
    28 x 28 x C input with C kernels of 3 x 3 x C."""
    x, w = layer(28, C, C)
    return compare(
        lambda: conv_strided.conv2d_einsum(x, w, 1, 1, optimize=False),
        lambda: conv_strided.conv2d_einsum(x, w, 1, 1, optimize=True),
    )
# --8<-- [end:einsum]


def einsum_table() -> list[dict]:
    rows = []
    for C in (8, 64, 256):
        result = einsum_optimize(C)
        rows.append(
            {
                "C": C,
                "plain_ms": result.baseline_s * 1e3,
                "optimized_ms": result.candidate_s * 1e3,
                "ratio": result.ratio,
            }
        )
    return rows


def main() -> None:
    for row in steps():
        ms, gflops = row["ms"], row["gflops"]
        print(f"{row['way']:46} {ms:9.3f} ms {gflops:7.2f} GFLOP/s")
    for row in einsum_table():
        C, ratio = row["C"], row["ratio"]
        print(f"einsum, C = {C:3}: optimize=True {ratio:.1f}x faster")


if __name__ == "__main__":
    main()
