"""How the batch size changes the verdict: GFLOP/s per method at N = 1, 8, 32.

Everything else in Part II runs one image at a time. With N images, every
GEMM of a convolution gets N times more rows (im2col: (N*P*Q, R*S*C) patches;
Winograd: N times more tiles; FFT: (N, C) @ (C, K) products per frequency
instead of a vector times a matrix), while the weights stay the same size: each
weight read from memory serves N times more multiply-adds. float32, all BLAS
threads; the GEMM rate (one 2048 x 2048 product) is measured in the same run.

Run `python snippets/batch_sizes.py` (about a minute) to measure your machine,
or `python snippets/batch_sizes.py 1 4` for other batch sizes.
"""

import math
import sys

import numpy as np

import conv_fast
import conv_fft
import conv_im2col
import conv_shift_add
import conv_winograd
from resnet50_layers import Layer, layers
from resnet_bench import gemm_rate
from timing import best_times

METHODS = {
    "im2col": conv_im2col.conv2d,
    "shift-add": conv_shift_add.conv2d,
    "winograd": conv_winograd.conv2d,
    "fft": conv_fft.conv2d,
    "fast": conv_fast.conv2d,
}
# the stem, a 3x3 of stage 2 and of stage 4, the strided 3x3 of stage 5 (where
# FFT's kernels are largest), and a 1x1 on 7 x 7 pixels (the smallest GEMM)
LAYERS = ("conv1 7x7", "conv2 3x3", "conv4 3x3", "conv5 3x3 (first)",
          "conv5 1x1 expand")
BATCHES = (1, 8, 32)


# --8<-- [start:batch]
def batch_gflops(layer: Layer, N: int, methods: list[str]) -> dict[str, float]:
    """GFLOP/s of each method on N images of one layer's shape, timed in
    alternation (timing.best_times). FLOPs = 2 x MACs, N times one image's."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, layer.H, layer.H, layer.C), np.float32)
    w = rng.standard_normal((layer.K, layer.R, layer.R, layer.C), np.float32)
    calls = {
        m: lambda conv=METHODS[m]: conv(x, w, layer.stride, layer.padding)
        for m in methods
    }
    times = best_times(calls, repeat=3)
    return {m: 2 * N * layer.macs / s / 1e9 for m, s in times.items()}
# --8<-- [end:batch]


def table(batches: tuple[int, ...] = BATCHES) -> list[dict]:
    """One row per layer and batch size: GFLOP/s of each method (NaN where a
    method does not apply: Winograd needs a 3x3 kernel with stride 1)."""
    rate = gemm_rate()
    rows = []
    for layer in (layer for layer in layers() if layer.name in LAYERS):
        winograd = layer.R == 3 and layer.stride == 1
        methods = [m for m in METHODS if winograd or m != "winograd"]
        for N in batches:
            row = {"layer": layer.name, "N": N}
            row |= dict.fromkeys(METHODS, math.nan)
            row |= batch_gflops(layer, N, methods)
            rows.append(row)
    rate = max(rate, gemm_rate())
    for row in rows:
        row["gemm_rate"] = rate
    return rows


def main() -> None:
    rows = table(tuple(map(int, sys.argv[1:])) or BATCHES)
    print(f"GEMM rate: {rows[0]['gemm_rate']:.0f} GFLOP/s")
    print(f"{'layer':20}{'N':>4}" + "".join(f"{m:>10}" for m in METHODS))
    for row in rows:
        cells = "".join(f"{row[m]:10.1f}" for m in METHODS)
        print(f"{row['layer']:20}{row['N']:4d}{cells}")


if __name__ == "__main__":
    main()
