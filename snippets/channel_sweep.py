"""When does the np.dot trick pay? Measure it against the channel count C.

For each C, times conv_naive against conv_dot on one small layer (6 x 6 x C
input, four 3 x 3 kernels), then fits the cost of one channel dot as
t(C) = a + b * C: a fixed cost per call, plus a cost per multiply-add inside
the C core. With the ResNet-50 layer table, the fit estimates the whole
network. Also: a dot over a strided channel vector (NCHW) against a
contiguous one (NHWC), and the per-call cost of the dot functions on short
vectors.

Run `python snippets/channel_sweep.py` to measure on your machine.
"""

import math
import operator

import numpy as np

import conv_dot
import conv_naive
from resnet50_layers import layers
from timing import Comparison, compare

CHANNELS = (1, 3, 8, 16, 64, 256, 1024)
H, K, R = 6, 4, 3  # input height and width, kernels, kernel size
P = H - R + 1  # output height and width (stride 1, no padding)


# --8<-- [start:naive-vs-dot]
def layer(C: int) -> tuple[np.ndarray, np.ndarray]:
    """A 6 x 6 x C input and four 3 x 3 x C kernels, float32."""
    rng = np.random.default_rng(C)
    x = rng.standard_normal((1, H, H, C)).astype(np.float32)
    w = rng.standard_normal((K, R, R, C)).astype(np.float32)
    return x, w


def naive_vs_dot(C: int) -> Comparison:
    """Time conv_naive against conv_dot on one layer with C input channels."""
    x, w = layer(C)
    return compare(
        lambda: conv_naive.conv2d(x, w), lambda: conv_dot.conv2d(x, w)
    )
# --8<-- [end:naive-vs-dot]


def sweep() -> list[dict]:
    """One row per channel count: both times, the speed-up, the cost per dot."""
    calls = P * P * K * R * R  # np.dot calls of conv_dot on this layer
    rows = []
    for C in CHANNELS:
        result = naive_vs_dot(C)
        rows.append(
            {
                "C": C,
                "naive_ms": result.baseline_s * 1e3,
                "dot_ms": result.candidate_s * 1e3,
                "speedup": result.ratio,
                "naive_ns_per_mac": result.baseline_s / (calls * C) * 1e9,
                "dot_call_us": result.candidate_s / calls * 1e6,
            }
        )
    return rows


# --8<-- [start:fit]
def fit_call_cost(rows: list[dict]) -> tuple[float, float]:
    """Fit t(C) = a + b*C to the cost of one channel dot, in relative terms
    (weights 1/t, so small and large C count alike). Returns (a in us,
    b in ns per MAC)."""
    C = np.array([row["C"] for row in rows], float)
    t = np.array([row["dot_call_us"] for row in rows])
    b, a = np.polyfit(C, t, 1, w=1 / t)
    return a, b * 1e3
# --8<-- [end:fit]


# --8<-- [start:estimate]
def network_estimate(a_us: float, b_ns: float, naive_ns: float) -> dict:
    """Whole-network time of conv_dot (model a + b*C per call) and of
    conv_naive (naive_ns per MAC), for all convolutions of ResNet-50."""
    table = layers()
    calls = sum(lay.dot_calls * lay.count for lay in table)
    macs = sum(lay.macs * lay.count for lay in table)
    dot_s = sum(
        lay.dot_calls * lay.count * (a_us * 1e-6 + b_ns * 1e-9 * lay.C)
        for lay in table
    )
    first = table[0]
    return {
        "dot_calls_million": calls / 1e6,
        "first_layer_share": first.dot_calls / calls,
        "first_layer_dot_s": first.dot_calls * (a_us * 1e-6 + b_ns * 1e-9 * 3),
        "dot_s": dot_s,
        "naive_min": macs * naive_ns * 1e-9 / 60,
        "speedup": macs * naive_ns * 1e-9 / dot_s,
    }
# --8<-- [end:estimate]


def model_and_estimate(rows: list[dict]) -> list[dict]:
    """The fit of a sweep and what it predicts for ResNet-50, as one row."""
    a_us, b_ns = fit_call_cost(rows)
    naive_ns = np.median([row["naive_ns_per_mac"] for row in rows[-3:]])
    # speed-up(C) = naive_ns * C / (a + b*C): where it reaches 1 and 100
    a_ns = a_us * 1e3
    break_even = a_ns / (naive_ns - b_ns)
    c_for_100x = 100 * a_ns / (naive_ns - 100 * b_ns)
    estimate = network_estimate(a_us, b_ns, naive_ns)
    return [
        {
            "a_us": a_us,
            "b_ns": b_ns,
            "naive_ns": naive_ns,
            "break_even_C": break_even,
            "C_for_100x": c_for_100x,
            "C_where_bC_is_a": a_ns / b_ns,
            **estimate,
        }
    ]


# --8<-- [start:strided]
def strided_vs_contiguous(C: int = 1024, width: int = 56) -> Comparison:
    """One row of channel dots (one per pixel) on an NCHW image, where the C
    numbers of a pixel are H*W elements apart, against the same on NHWC."""
    rng = np.random.default_rng(0)
    x_nhwc = rng.standard_normal((1, width, width, C)).astype(np.float32)
    x_nchw = np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2))
    w_tap = rng.standard_normal(C).astype(np.float32)
    h = width // 2

    def nchw_row() -> list:
        return [np.dot(x_nchw[0, :, h, j], w_tap) for j in range(width)]

    def nhwc_row() -> list:
        return [np.dot(x_nhwc[0, h, j, :], w_tap) for j in range(width)]

    return compare(nchw_row, nhwc_row)
# --8<-- [end:strided]


def strided_table() -> list[dict]:
    result = strided_vs_contiguous()
    return [
        {
            "nchw_us": result.baseline_s * 1e6,
            "nhwc_us": result.candidate_s * 1e6,
            "ratio": result.ratio,
        }
    ]


# --8<-- [start:short]
def short_vector_calls(C: int = 3) -> list[dict]:
    """Time per call of five ways to take one inner product of length C."""
    rng = np.random.default_rng(0)
    a, b = rng.random(C), rng.random(C)
    a_list, b_list = a.tolist(), b.tolist()
    ways = {
        "np.dot(a, b)": lambda: np.dot(a, b),
        "np.vdot(a, b)": lambda: np.vdot(a, b),
        "a @ b": lambda: a @ b,
        "sum(map(operator.mul, a, b)) on lists": lambda: sum(
            map(operator.mul, a_list, b_list)
        ),
        "math.fsum(map(operator.mul, a, b)) on lists": lambda: math.fsum(
            map(operator.mul, a_list, b_list)
        ),
    }
    rows = []
    for name, way in ways.items():
        result = compare(ways["np.dot(a, b)"], way)  # interleaved with np.dot
        rows.append({"way": name, "us": result.candidate_s * 1e6})
    return rows
# --8<-- [end:short]


def main() -> None:
    rows = sweep()
    for row in rows:
        print(
            f"C={row['C']:5}: naive {row['naive_ms']:8.2f} ms,"
            f" dot {row['dot_ms']:6.2f} ms, speed-up {row['speedup']:6.1f}x"
        )
    (model,) = model_and_estimate(rows)
    a, b = model["a_us"], model["b_ns"]
    print(f"a = {a:.2f} us per call, b = {b:.3f} ns per MAC")
    print(f"ResNet-50, conv_dot: about {model['dot_s']:.0f} s (estimate)")
    ratio = strided_vs_contiguous().ratio
    print(f"contiguous channel vectors: {ratio:.1f}x faster than strided")
    for row in short_vector_calls():
        print(f"{row['way']:45} {row['us']:.2f} us")


if __name__ == "__main__":
    main()
