"""The capstone's figures: the whole ResNet-50 forward pass, timed, and the
journey of one image from seven nested loops to the fastest NumPy version.

The forward pass (snippets/resnet50.py) is timed with NumPy and, when PyTorch
is installed, the same network with torch.nn.functional (NCHW, same weights,
same threads), each on its own (their thread pools must not overlap). The
journey per layer takes its figures from the other measurements: the naive
loops and conv_dot are far too slow to run on ResNet-50's shapes, so their
times are estimates from their measured costs (per MAC, and per np.dot call).

Run `python snippets/capstone.py` to time the forward pass on your machine.
"""

import math
import time

import numpy as np

import conv_fast
import resnet50
from layouts import krsc_to_oihw, nhwc_to_nchw
from resnet50_layers import layers
from timing import available_cpus, best_time


# --8<-- [start:time-forward]
def forward_times(rounds: int = 3) -> list[dict]:
    """Best time of one 224 x 224 image through the network: NumPy, PyTorch.
    Both take turns, `rounds` times, so that a slow spell of a shared machine
    has to last through every round to spoil a library's best time."""
    params = resnet50.init_params()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 224, 224, 3)).astype(np.float32)
    resnet50.forward(x, params)  # warm-up, not timed
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(available_cpus())
        forward = torch_forward(torch, params)
        x_t = torch.from_numpy(nhwc_to_nchw(x))
    numpy_s = conv_s = torch_s = math.inf
    for _ in range(rounds):
        # the fastest of 5 passes, each with its convolutions timed: the total
        # and where it goes come from one pass (53 clock pairs add microseconds)
        numpy_s, conv_s = min((numpy_s, conv_s),
                              *(timed_pass(x, params) for _ in range(5)))
        if torch is not None:
            time.sleep(0.5)  # let OpenBLAS's threads go to sleep
            with torch.inference_mode():
                best = best_time(lambda: forward(x_t), repeat=5)
            torch_s = min(torch_s, best)
            time.sleep(0.5)  # let PyTorch's threads go to sleep
    torch_s = math.nan if torch is None else torch_s
    return [{"numpy_ms": numpy_s * 1e3, "conv_ms": conv_s * 1e3,
             "rest_ms": (numpy_s - conv_s) * 1e3, "torch_ms": torch_s * 1e3,
             "torch_over_numpy": torch_s / numpy_s}]


def timed_pass(x: np.ndarray, params: dict) -> tuple[float, float]:
    """One NumPy forward pass: its time and the time spent inside its 53
    convolutions, in seconds."""
    spent = 0.0

    def timed_conv2d(*args):
        nonlocal spent
        start = time.perf_counter()
        y = conv_fast.conv2d(*args)
        spent += time.perf_counter() - start
        return y

    start = time.perf_counter()
    resnet50.forward(x, params, conv2d=timed_conv2d)
    return time.perf_counter() - start, spent
# --8<-- [end:time-forward]


def torch_forward(torch, params: dict):
    """The same network in torch.nn.functional, on NCHW tensors."""
    F = torch.nn.functional
    weights = {k: (torch.from_numpy(krsc_to_oihw(w)), torch.from_numpy(b))
               for k, (w, b) in params.items() if k != "fc"}
    fc_w, fc_b = (torch.from_numpy(a) for a in params["fc"])

    def conv(x, name, stride=1, padding=0, relu=True):
        y = F.conv2d(x, *weights[name], stride=stride, padding=padding)
        return F.relu(y) if relu else y

    def forward(x):
        y = F.max_pool2d(conv(x, "conv1", 2, 3), 3, 2, 1)
        for stage, (_, blocks, stride) in enumerate(resnet50.STAGES, start=2):
            for block in range(blocks):
                name, s = f"conv{stage}.{block}", stride if block == 0 else 1
                z = conv(conv(y, f"{name}.a"), f"{name}.b", s, 1)
                z = conv(z, f"{name}.c", relu=False)
                if block == 0:
                    y = conv(y, f"{name}.shortcut", s, relu=False)
                y = F.relu(z + y)
        return F.linear(y.mean(dim=(2, 3)), fc_w, fc_b)

    return forward


# --8<-- [start:journey]
def journey(ns_per_mac: list[dict], dot_model: list[dict], bench: list[dict],
            torch_rows: list[dict]) -> list[dict]:
    """Time of all convolutions of one layer shape (times its count), in ms:
    naive loops and conv_dot estimated from their measured costs; conv_patch,
    conv_im2col and conv_fast measured; PyTorch measured when installed."""
    naive_ns = ns_per_mac[0]["ns_per_mac"]  # conv_naive, float32
    a_us, b_ns = dot_model[0]["a_us"], dot_model[0]["b_ns"]
    torch_gflops = {row["layer"]: row["torch"] for row in torch_rows}
    rows = []
    for layer, measured in zip(layers(), bench, strict=True):
        n, gflop = layer.count, 2 * layer.macs / 1e9
        rows.append({
            "layer": layer.name,
            "naive_ms": n * layer.macs * naive_ns * 1e-6,
            "dot_ms": n * layer.dot_calls * (a_us + b_ns * layer.C / 1e3) / 1e3,
            "patch_ms": n * gflop / measured["patch"] * 1e3,
            "im2col_ms": n * gflop / measured["im2col"] * 1e3,
            "fast_ms": n * gflop / measured["fast"] * 1e3,
            "torch_ms": n * gflop / torch_gflops[layer.name] * 1e3
            if layer.name in torch_gflops else math.nan,
        })
    total = {"layer": "all 53 convolutions"}
    for key in rows[0]:
        if key != "layer":
            total[key] = sum(row[key] for row in rows)
    return [*rows, total]
# --8<-- [end:journey]


def journey_summary(rows: list[dict]) -> list[dict]:
    """The totals of the journey, as factors."""
    total = rows[-1]
    return [
        {
            "naive_min": total["naive_ms"] / 60e3,
            "fast_ms": total["fast_ms"],
            "naive_over_fast": total["naive_ms"] / total["fast_ms"],
            "naive_over_dot": total["naive_ms"] / total["dot_ms"],
        }
    ]


def main() -> None:
    (row,) = forward_times()
    print(f"ResNet-50, one image: NumPy {row['numpy_ms']:.1f} ms"
          f" ({row['conv_ms']:.1f} ms in convolutions),"
          f" PyTorch {row['torch_ms']:.1f} ms")


if __name__ == "__main__":
    main()
