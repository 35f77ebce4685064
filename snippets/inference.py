"""The figures of "Inference: prepare the weights once".

Per ResNet-50 convolution shape: conv_fast followed by the bias and the ReLU
as separate passes, the prepared layer (prepared.py) that does all three, and
PyTorch's conv2d with its bias, then its ReLU. Then the parts: the stem in
three formulations, the ReLU in two spellings, and a prepared Winograd layer
against im2col. The forward pass itself is timed by capstone.py.

Run `python snippets/inference.py` to measure the per-layer table.
"""

import time

import numpy as np

import conv_fast
import conv_im2col
import prepared
from capstone import forward_times
from layouts import krsc_to_oihw, nhwc_to_nchw
from resnet50_layers import layers
from timing import Comparison, available_cpus, best_time, best_times, compare


def random_layer(rng: np.random.Generator, H: int, C: int, K: int, R: int):
    """An input (1, H, H, C), kernels (K, R, R, C) scaled as He's, a bias."""
    x = rng.standard_normal((1, H, H, C)).astype(np.float32)
    w = rng.standard_normal((K, R, R, C)) * np.sqrt(2 / (R * R * C))
    return x, w.astype(np.float32), rng.normal(0, 0.1, K).astype(np.float32)


def plain(x, w, bias, stride, padding):
    """conv_fast, then the bias and the ReLU as passes of their own."""
    y = conv_fast.conv2d(x, w, stride, padding)
    y += bias
    return np.maximum(y, 0, out=y)


# --8<-- [start:layers]
def layer_table() -> list[dict]:
    """GFLOP/s of each ResNet-50 shape, convolution + bias + ReLU: conv_fast
    with two more passes, the prepared layer, PyTorch (NaN without it)."""
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(available_cpus())
    rng = np.random.default_rng(0)
    rows = []
    for lay in layers():
        x, w, bias = random_layer(rng, lay.H, lay.C, lay.K, lay.R)
        args = (w, bias, lay.stride, lay.padding)
        layer = prepared.prepare(*args, relu=True)
        times = best_times({
            "plain": lambda x=x, args=args: plain(x, *args),
            "prepared": lambda x=x, layer=layer: layer(x),
        }, repeat=5, min_time=0.01)
        torch_s = np.nan
        if torch is not None:  # alone: its threads and OpenBLAS's must not meet
            F = torch.nn.functional
            x_t = torch.from_numpy(nhwc_to_nchw(x))
            w_t = torch.from_numpy(krsc_to_oihw(w))
            b_t = torch.from_numpy(bias)

            def with_torch(x_t=x_t, w_t=w_t, b_t=b_t, lay=lay, F=F):
                with torch.inference_mode():
                    y = F.conv2d(x_t, w_t, b_t, lay.stride, lay.padding)
                    return F.relu(y)

            time.sleep(0.5)
            torch_s = best_time(with_torch, repeat=5, min_time=0.01)
            time.sleep(0.5)
        gflop = 2 * lay.macs / 1e9
        rows.append({
            "layer": lay.name, "count": lay.count,
            "method": type(layer).__name__, "plain": gflop / times["plain"],
            "prepared": gflop / times["prepared"], "torch": gflop / torch_s,
        })
    return rows
# --8<-- [end:layers]


def layer_totals(rows: list[dict]) -> list[dict]:
    """Time of all 53 convolutions (with bias and ReLU), in ms."""

    def total(key: str) -> float:
        pairs = zip(rows, layers(), strict=True)
        return sum(r["count"] * 2e-6 * m.macs / r[key] for r, m in pairs)

    plain_ms, prepared_ms = total("plain"), total("prepared")
    torch_ms = total("torch")
    return [{"plain_ms": plain_ms, "prepared_ms": prepared_ms,
             "torch_ms": torch_ms,
             "prepared_over_torch": prepared_ms / torch_ms}]


# --8<-- [start:stem]
def stem_table() -> list[dict]:
    """ResNet-50's first layer (7x7, stride 2, C = 3, K = 64, 224 x 224) with
    its bias and ReLU, three ways, in GFLOP/s."""
    x, w, bias = random_layer(np.random.default_rng(0), 224, 3, 64, 7)
    gemm = prepared.Gemm(w, bias, 2, 3, relu=True)
    space_to_depth = prepared.SpaceToDepth(w, bias, 3, relu=True)
    times = best_times({
        "conv_fast (window view, tensordot), then bias and ReLU":
            lambda: plain(x, w, bias, 2, 3),
        "prepared: one copy of the windows, bias in the GEMM": lambda: gemm(x),
        "prepared, space-to-depth: 4 x 4 kernel, 12 channels, stride 1":
            lambda: space_to_depth(x),
    }, repeat=5)
    gflop = 2 * 112 * 112 * 64 * 7 * 7 * 3 / 1e9
    return [{"way": way, "gflops": gflop / t} for way, t in times.items()]
# --8<-- [end:stem]


# --8<-- [start:relu]
def relu_spellings(shape: tuple[int, ...] = (1, 56, 56, 256)) -> Comparison:
    """np.maximum(y, 0, out=y) against np.maximum(y, zeros, out=y)."""
    y = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    zeros = np.zeros(shape, np.float32)
    return compare(lambda: np.maximum(y, 0, out=y),
                   lambda: np.maximum(y, zeros, out=y))
# --8<-- [end:relu]


def winograd_vs_im2col(H: int = 56, C: int = 64, K: int = 64) -> Comparison:
    """A 3x3 layer with bias and ReLU: conv_im2col and two passes, against
    the prepared Winograd layer."""
    x, w, bias = random_layer(np.random.default_rng(0), H, C, K, 3)
    layer = prepared.prepare(w, bias, 1, 1, relu=True)

    def im2col():
        y = conv_im2col.conv2d(x, w, 1, 1)
        y += bias
        return np.maximum(y, 0, out=y)

    return compare(im2col, lambda: layer(x))


def batch_table(rounds: int = 3) -> list[dict]:
    """Time per image of the prepared forward pass and PyTorch's at batch
    sizes 1, 8 and 32 (capstone.forward_times)."""
    return [row for batch in (1, 8, 32)
            for row in forward_times(rounds, ("prepared",), batch)]


def main() -> None:
    for row in layer_table():
        print(f"{row['layer']:26} {row['method']:9} plain {row['plain']:5.0f}"
              f"  prepared {row['prepared']:5.0f}  torch {row['torch']:5.0f}"
              " GFLOP/s")


if __name__ == "__main__":
    main()
