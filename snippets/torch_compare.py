"""conv_fast against PyTorch's conv2d on every ResNet-50 convolution shape.

Each library in its native layout: NHWC / KRSC arrays for conv_fast, NCHW /
OIHW tensors for torch.nn.functional.conv2d, converted before the timing.
float32, batch 1, the same number of threads for both. Not timed in
alternation: PyTorch's OpenMP threads keep spinning after a call, and on a
small machine they would slow down OpenBLAS's threads (and the other way).
PyTorch is optional: without it, the table is empty.

Run `python snippets/torch_compare.py` to measure on your machine.
"""

import time

import numpy as np

import conv_fast
from layouts import krsc_to_oihw, nhwc_to_nchw
from resnet50_layers import layers
from timing import available_cpus, best_time


# --8<-- [start:compare]
def torch_table() -> list[dict]:
    """GFLOP/s of conv_fast and of PyTorch for each shape ([] without torch)."""
    try:
        import torch
    except ImportError:
        return []
    torch.set_num_threads(available_cpus())  # OpenBLAS uses all CPUs too
    rng = np.random.default_rng(0)
    rows = []
    for lay in layers():
        x = rng.standard_normal((1, lay.H, lay.H, lay.C)).astype(np.float32)
        w = rng.standard_normal((lay.K, lay.R, lay.R, lay.C)).astype(np.float32)
        x_t = torch.from_numpy(nhwc_to_nchw(x))
        w_t = torch.from_numpy(krsc_to_oihw(w))

        def with_torch(x_t=x_t, w_t=w_t, lay=lay):
            with torch.inference_mode():
                return torch.nn.functional.conv2d(
                    x_t, w_t, stride=lay.stride, padding=lay.padding
                )

        def with_numpy(x=x, w=w, lay=lay):
            return conv_fast.conv2d(x, w, lay.stride, lay.padding)

        # Not in alternation: the threads of each library keep spinning for a
        # while after a call (PyTorch's OpenMP threads, OpenBLAS's threads) and
        # would slow the other library's threads down. So each is timed on its
        # own, after the other's threads have gone to sleep.
        time.sleep(0.5)
        torch_s = best_time(with_torch, repeat=5, min_time=0.01)
        time.sleep(0.5)
        numpy_s = best_time(with_numpy, repeat=5, min_time=0.01)
        gflop = 2 * lay.macs / 1e9
        rows.append(
            {
                "layer": lay.name,
                "count": lay.count,
                "gflop": gflop,
                "fast": gflop / numpy_s,
                "torch": gflop / torch_s,
                "torch_version": torch.__version__,
            }
        )
    return rows
# --8<-- [end:compare]


# --8<-- [start:totals]
def totals(rows: list[dict]) -> list[dict]:
    """Time of all 53 convolutions with each library ([] without torch)."""
    if not rows:
        return []
    fast_s = sum(r["count"] * r["gflop"] / r["fast"] for r in rows)
    torch_s = sum(r["count"] * r["gflop"] / r["torch"] for r in rows)
    return [
        {
            "fast_ms": fast_s * 1e3,
            "torch_ms": torch_s * 1e3,
            "torch_over_fast": torch_s / fast_s,
            "torch_version": rows[0]["torch_version"],
        }
    ]
# --8<-- [end:totals]


def main() -> None:
    rows = torch_table()
    if not rows:
        print("PyTorch is not installed: nothing to compare")
        return
    for row in rows:
        fast, torch = row["fast"], row["torch"]
        print(f"{row['layer']:26} fast {fast:6.1f}  torch {torch:6.1f} GFLOP/s")
    (total,) = totals(rows)
    print(f"all convolutions: fast {total['fast_ms']:.1f} ms,"
          f" torch {total['torch_ms']:.1f} ms")


if __name__ == "__main__":
    main()
