"""The capstone's figures: the whole ResNet-50 forward pass, timed, and the
journey of one image from seven nested loops to the fastest NumPy version.

The forward pass (snippets/resnet50.py) is timed with NumPy, with its layers
prepared once (snippets/prepared.py), and, when PyTorch is installed, the
same network in torch.nn.functional (NCHW, same weights, same threads). Each
pass runs in a new process of its own, the libraries in turns: their thread
pools never meet. The journey per layer takes its figures from the other
measurements: the naive loops and conv_dot are far too slow to run on
ResNet-50's shapes, so their times are estimates from their measured costs
(per MAC, and per np.dot call).

Run `python snippets/capstone.py` to time the forward pass on your machine
(about half a minute) and see NumPy's time as a fraction of PyTorch's."""

import math
import os
import time

import numpy as np

import conv_fast
import resnet50
from layouts import krsc_to_oihw, nhwc_to_nchw
from resnet50_layers import layers
from timing import available_cpus, in_fresh_process

# --8<-- [start:time-forward]
STEPS = {
    "plain": "conv_fast in every layer; bias and ReLU separate passes",
    "gemm": "prepared layers, im2col + GEMM only, bias in the GEMM",
    "prepared": "prepared layers with Winograd for the 3x3 stride-1 layers",
}


def forward_times(
    rounds: int = 5, steps: tuple[str, ...] = ("prepared",), batch: int = 1
) -> list[dict]:
    """Time per image of the forward pass, in ms, for each NumPy step and for
    PyTorch eager (NaN without it). Each pass runs in a new process; the
    processes take turns, `rounds` times, and each step keeps its best, so a
    slow spell of a shared machine has to last through every round to spoil
    a figure. The batch size reaches the new processes as BOOK_BATCH."""
    env = {**os.environ, "BOOK_BATCH": str(batch)}
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for step in (*steps, "torch"):
            row = in_fresh_process("capstone", f"time_{step}", env)
            if step not in best or row["ms"] < best[step]["ms"]:
                best[step] = row
    torch_ms = best["torch"]["ms"]
    return [
        {"step": step, "what": STEPS[step], "batch": batch,
         "numpy_ms": best[step]["ms"], "conv_ms": best[step]["conv_ms"],
         "rest_ms": best[step]["ms"] - best[step]["conv_ms"],
         "torch_ms": torch_ms, "numpy_over_torch": best[step]["ms"] / torch_ms}
        for step in steps
    ]


def final_step(rows: list[dict]) -> list[dict]:
    """The last row of forward_times: the fastest NumPy step."""
    return rows[-1:]


def images() -> np.ndarray:
    """BOOK_BATCH (default 1) random 224 x 224 x 3 images, float32, NHWC."""
    batch = int(os.environ.get("BOOK_BATCH", "1"))
    rng = np.random.default_rng(1)
    return rng.standard_normal((batch, 224, 224, 3)).astype(np.float32)


class Clock:
    """The time spent inside the functions it wraps, in seconds."""

    def __init__(self) -> None:
        self.spent = 0.0

    def wrap(self, f):
        def timed(*args):
            start = time.perf_counter()
            y = f(*args)
            self.spent += time.perf_counter() - start
            return y

        return timed


def best_pass(run, batch: int, clock: Clock | None = None, repeat: int = 5):
    """The fastest of `repeat` calls to run(), after one not timed, per
    image: {"ms": ..., "conv_ms": time inside the clock's functions}."""
    run()
    best = (math.inf, math.nan)
    for _ in range(repeat):
        if clock is not None:
            clock.spent = 0.0
        start = time.perf_counter()
        run()
        total = time.perf_counter() - start
        best = min(best, (total, math.nan if clock is None else clock.spent))
    return {"ms": best[0] * 1e3 / batch, "conv_ms": best[1] * 1e3 / batch}


def time_plain() -> dict:
    """One pass as in Choosing an algorithm: conv_fast.conv2d in every layer."""
    x, params, clock = images(), resnet50.init_params(), Clock()
    conv2d = clock.wrap(conv_fast.conv2d)
    return best_pass(lambda: resnet50.forward(x, params, conv2d), len(x), clock)


def time_prepared(winograd: bool = True) -> dict:
    """One pass with the layers prepared once (resnet50.prepare)."""
    x, clock = images(), Clock()
    net = resnet50.prepare(resnet50.init_params(), winograd=winograd)
    timed = {k: f if k == "fc" else clock.wrap(f) for k, f in net.items()}
    return best_pass(lambda: resnet50.forward_prepared(x, timed), len(x), clock)


def time_gemm() -> dict:
    """Prepared layers, all of them im2col + GEMM."""
    return time_prepared(winograd=False)


def time_torch() -> dict:
    """The same network in PyTorch eager mode, NaN when it is not installed."""
    try:
        import torch
    except ImportError:
        return {"ms": math.nan, "conv_ms": math.nan}
    torch.set_num_threads(available_cpus())  # as many threads as OpenBLAS
    x = images()
    forward = torch_forward(torch, resnet50.init_params())
    x_t = torch.from_numpy(nhwc_to_nchw(x))

    def run():
        with torch.inference_mode():
            return forward(x_t)

    return best_pass(run, len(x))
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
            torch_rows: list[dict], prepared_rows: list[dict]) -> list[dict]:
    """Time of all convolutions of one layer shape (times its count), in ms:
    naive loops and conv_dot estimated from their measured costs; conv_patch,
    conv_im2col, conv_fast and the prepared layers (with their bias and ReLU)
    measured; PyTorch measured when installed."""
    naive_ns = ns_per_mac[0]["ns_per_mac"]  # conv_naive, float32
    a_us, b_ns = dot_model[0]["a_us"], dot_model[0]["b_ns"]
    torch_gflops = {row["layer"]: row["torch"] for row in torch_rows}
    rows = []
    shapes = zip(layers(), bench, prepared_rows, strict=True)
    for layer, measured, ready in shapes:
        n, gflop = layer.count, 2 * layer.macs / 1e9
        rows.append({
            "layer": layer.name,
            "naive_ms": n * layer.macs * naive_ns * 1e-6,
            "dot_ms": n * layer.dot_calls * (a_us + b_ns * layer.C / 1e3) / 1e3,
            "patch_ms": n * gflop / measured["patch"] * 1e3,
            "im2col_ms": n * gflop / measured["im2col"] * 1e3,
            "fast_ms": n * gflop / measured["fast"] * 1e3,
            "prepared_ms": n * gflop / ready["prepared"] * 1e3,
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
          f" PyTorch {row['torch_ms']:.1f} ms:"
          f" NumPy takes {row['numpy_over_torch']:.2f} of PyTorch's time")


if __name__ == "__main__":
    main()
