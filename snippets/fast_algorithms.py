"""Part II measurements: when FFT convolution wins, and what Winograd and FFT
cost in accuracy.

Times FFT against im2col + GEMM on a 64 x 64 x 16 image with 16 kernels of
growing size (padding keeps the output 64 x 64), and measures the largest
error of each method against the float64 reference, in float32 and float64,
on a 3 x 3 layer (and, for FFT, an 11 x 11 one). From the recorded figures of
other pages, it also works out how long FFT's transformed kernels take to read
from memory on ResNet-50's shapes at batch 1.

Run `python snippets/fast_algorithms.py` to measure on your machine.
"""

import numpy as np

import conv_fft
import conv_im2col
import conv_winograd
from conv_reference import conv2d as reference
from resnet50_layers import layers
from timing import Comparison, compare

KERNEL_SIZES = (3, 5, 7, 11, 15, 21)


# --8<-- [start:fft-vs-gemm]
def fft_vs_im2col(R: int) -> Comparison:
    """im2col + GEMM against FFT, 64 x 64 x 16 input, 16 kernels R x R x 16."""
    rng = np.random.default_rng(R)
    x = rng.standard_normal((1, 64, 64, 16)).astype(np.float32)
    w = rng.standard_normal((16, R, R, 16)).astype(np.float32)
    return compare(
        lambda: conv_im2col.conv2d(x, w, 1, R // 2),
        lambda: conv_fft.conv2d(x, w, 1, R // 2),
    )
# --8<-- [end:fft-vs-gemm]


def im2col_vs_fft(R: int) -> Comparison:
    """The same comparison, the other way round: how much faster im2col is."""
    result = fft_vs_im2col(R)
    return Comparison(result.candidate_s, result.baseline_s)


def kernel_size_table() -> list[dict]:
    rows = []
    for R in KERNEL_SIZES:
        result = fft_vs_im2col(R)
        rows.append(
            {
                "R": R,
                "im2col_ms": result.baseline_s * 1e3,
                "fft_ms": result.candidate_s * 1e3,
                "ratio": result.ratio,
            }
        )
    return rows


# --8<-- [start:accuracy]
def largest_error(y: np.ndarray, expected: np.ndarray) -> float:
    """Largest error, relative to the largest output."""
    return float(np.max(np.abs(y - expected)) / np.max(np.abs(expected)))


def accuracy() -> list[dict]:
    """Error of each method against the float64 reference, in float32 and
    float64: a 28 x 28 x 128 input, 64 kernels of 3 x 3 (padding 1), and
    for FFT also 11 x 11 (padding 5)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 28, 28, 128))
    cases = {
        "3x3": (rng.standard_normal((64, 3, 3, 128)), 1),
        "11x11": (rng.standard_normal((64, 11, 11, 128)), 5),
    }
    methods = {
        "im2col + GEMM (direct)": (conv_im2col.conv2d, ("3x3",)),
        "Winograd F(2x2, 3x3)": (conv_winograd.conv2d, ("3x3",)),
        "Winograd F(4x4, 3x3)": (
            lambda x, w, s, p: conv_winograd.conv2d(x, w, s, p, m=4), ("3x3",)
        ),
        "FFT": (conv_fft.conv2d, ("3x3", "11x11")),
    }
    rows = []
    for name, (conv, kernels) in methods.items():
        for kernel in kernels:
            w, pad = cases[kernel]
            expected = reference(x, w, 1, pad)
            errors = {}
            for dtype in ("float32", "float64"):
                y = conv(x.astype(dtype), w.astype(dtype), 1, pad)
                errors[dtype] = largest_error(y, expected)
            rows.append({"method": f"{name}, {kernel}", **errors})
    return rows
# --8<-- [end:accuracy]


# --8<-- [start:weight-traffic]
def fft_weight_traffic(bench: list[dict], levels: list[dict]) -> list[dict]:
    """For each ResNet-50 shape with a kernel larger than 1 x 1, at batch 1:
    the MB of FFT's transformed kernels (K * C complex64 numbers for each of
    the Hp * (Wp // 2 + 1) frequencies), the ms to read them once at the
    memory bandwidth of np.dot on all threads, and im2col's measured ms for
    the whole convolution. bench: rows of resnet-bench (GFLOP/s per shape);
    levels: rows of memory-levels (GB/s per level)."""
    memory = next(row for row in levels if row["level"] == "memory")
    rows = []
    for layer, measured in zip(layers(), bench, strict=True):
        if layer.R == 1:
            continue
        padded = layer.H + 2 * layer.padding
        frequencies = padded * (padded // 2 + 1)
        weights_mb = frequencies * layer.K * layer.C * 8 / 1e6
        rows.append({
            "layer": layer.name,
            "weights_mb": weights_mb,
            "read_ms": weights_mb / memory["dot_all"],  # MB / (GB/s) = ms
            "im2col_ms": 2 * layer.macs / 1e9 / measured["im2col"] * 1e3,
        })
    return rows
# --8<-- [end:weight-traffic]


def main() -> None:
    for row in kernel_size_table():
        print(f"R = {row['R']:2}: FFT {row['ratio']:5.2f}x the speed of im2col")
    for row in accuracy():
        print(f"{row['method']:34} float32 {row['float32']:.1e},"
              f" float64 {row['float64']:.1e}")


if __name__ == "__main__":
    main()
