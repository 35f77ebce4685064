"""GFLOP/s of every fast variant on every ResNet-50 convolution shape.

float32, batch 1, all BLAS threads. In the same run, one large float32
matrix product gives the GEMM rate that every variant is compared with:
a convolution turned into GEMMs cannot run faster than GEMM itself.

Run `python snippets/resnet_bench.py` (about a minute) to measure your machine.
"""

import math

import numpy as np

import conv_fast
import conv_fft
import conv_im2col
import conv_patch
import conv_shift_add
import conv_strided
import conv_winograd
from resnet50_layers import Layer, layers
from timing import best_time, best_times

VARIANTS = {
    "patch": conv_patch.conv2d,
    "im2col": conv_im2col.conv2d,
    "strided": conv_strided.conv2d,
    "shift-add": conv_shift_add.conv2d,
    "winograd": conv_winograd.conv2d,
    "fft": conv_fft.conv2d,
    "fast": conv_fast.conv2d,
}


# --8<-- [start:gemm-rate]
def gemm_rate(n: int = 2048) -> float:
    """GFLOP/s of one n x n float32 matrix product: the GEMM rate."""
    rng = np.random.default_rng(0)
    A = rng.random((n, n), dtype=np.float32)
    B = rng.random((n, n), dtype=np.float32)
    return 2 * n**3 / best_time(lambda: A @ B, repeat=3) / 1e9
# --8<-- [end:gemm-rate]


def layer_gflops(layer: Layer, variants: list[str]) -> dict[str, float]:
    """GFLOP/s of each variant on one layer shape (FLOPs = 2 x MACs), the
    variants timed in alternation (timing.best_times)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, layer.H, layer.H, layer.C)).astype(np.float32)
    w = rng.standard_normal((layer.K, layer.R, layer.R, layer.C))
    w = w.astype(np.float32)
    calls = {
        v: lambda conv=VARIANTS[v]: conv(x, w, layer.stride, layer.padding)
        for v in variants
    }
    return {v: 2 * layer.macs / s / 1e9 for v, s in best_times(calls).items()}


def table() -> list[dict]:
    """One row per layer shape; the GEMM rate is measured before and after."""
    ceiling = gemm_rate()
    rows = []
    for layer in layers():
        gflop = 2 * layer.macs / 1e9
        row = {"layer": layer.name, "count": layer.count, "gflop": gflop}
        winograd_shape = layer.R == 3 and layer.stride == 1
        # an FFT of a 1x1 kernel is pointless; elsewhere conv_winograd falls
        # back to im2col, which has its own column
        skipped = {"fft"} if layer.R == 1 else set()
        skipped |= set() if winograd_shape else {"winograd"}
        measured = [v for v in VARIANTS if v not in skipped]
        row |= dict.fromkeys(VARIANTS, math.nan) | layer_gflops(layer, measured)
        rows.append(row)
    ceiling = max(ceiling, gemm_rate())
    for row in rows:
        row["ceiling"] = ceiling
    return rows


# --8<-- [start:summary]
def summary(rows: list[dict]) -> list[dict]:
    """For each variant: the time of all 53 convolutions (each shape times its
    count) and the geometric mean over the shapes of its GFLOP/s divided by
    the GEMM rate."""
    result = []
    for variant in VARIANTS:
        measured = [row for row in rows if not math.isnan(row[variant])]
        ratios = [row[variant] / row["ceiling"] for row in measured]
        seconds = sum(r["count"] * r["gflop"] / r[variant] for r in measured)
        every_shape = len(measured) == len(rows)
        result.append(
            {
                "variant": f"conv_{variant}",
                "shapes": len(measured),
                "network_ms": seconds * 1e3 if every_shape else math.nan,
                "geomean_of_ceiling": math.exp(
                    sum(map(math.log, ratios)) / len(ratios)
                ),
            }
        )
    return result
# --8<-- [end:summary]


def main() -> None:
    rows = table()
    print(f"GEMM rate: {rows[0]['ceiling']:.0f} GFLOP/s")
    print(f"{'layer':26}" + "".join(f"{v:>10}" for v in VARIANTS))
    for row in rows:
        cells = "".join(f"{row[v]:10.1f}" for v in VARIANTS)
        print(f"{row['layer']:26}{cells}")


if __name__ == "__main__":
    main()
