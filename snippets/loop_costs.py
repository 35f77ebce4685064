"""Why the naive loop is slow: what one multiply-add costs in CPython.

Times the seven loops of conv_naive (NumPy arrays, float32 and float64) and of
conv_lists (nested Python lists) on one small layer, divides by the number of
multiply-adds (MACs), and scales the cost per MAC up to all convolutions of
ResNet-50 (an estimate, not a measurement of the whole network).

Run `python snippets/loop_costs.py` to measure on your machine.
"""

import dis

import numpy as np

import conv_lists
import conv_naive
from resnet50_layers import layers
from timing import Comparison, compare

# A small layer: 6 x 6 x 64 input, four 3x3 kernels, 4 x 4 x 4 outputs.
X_SHAPE, W_SHAPE = (1, 6, 6, 64), (4, 3, 3, 64)
LAYER_MACS = 4 * 4 * 4 * 3 * 3 * 64


# --8<-- [start:innermost]
def innermost(x_pad, w, total, n, h, w_col, k, r, s, C):
    for c in range(C):
        total += x_pad[n, h, w_col, c] * w[k, r, s, c]
    return total
# --8<-- [end:innermost]


def inner_loop_bytecode() -> list[str]:
    """The bytecode instructions CPython runs for every MAC of `innermost`."""
    names = [ins.opname for ins in dis.get_instructions(innermost)]
    start = names.index("FOR_ITER")
    end = next(i for i, op in enumerate(names) if op.startswith("JUMP_BACK"))
    return names[start : end + 1]


# --8<-- [start:arrays-vs-lists]
def arrays_vs_lists() -> Comparison:
    """Time the seven loops on NumPy arrays against the same on lists."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(X_SHAPE).astype(np.float32)
    w = rng.standard_normal(W_SHAPE).astype(np.float32)
    return compare(
        lambda: conv_naive.conv2d(x, w), lambda: conv_lists.conv2d(x, w)
    )
# --8<-- [end:arrays-vs-lists]


def ns_per_mac() -> list[dict]:
    """Cost per MAC of each way to write the seven loops, and the time it
    means for all convolutions of ResNet-50 (an estimate: cost x MACs)."""
    rng = np.random.default_rng(0)
    x32 = rng.standard_normal(X_SHAPE).astype(np.float32)
    w32 = rng.standard_normal(W_SHAPE).astype(np.float32)
    x64, w64 = x32.astype(np.float64), w32.astype(np.float64)
    arrays = compare(
        lambda: conv_naive.conv2d(x32, w32), lambda: conv_lists.conv2d(x32, w32)
    )
    dtypes = compare(
        lambda: conv_naive.conv2d(x32, w32), lambda: conv_naive.conv2d(x64, w64)
    )
    resnet_macs = sum(layer.macs * layer.count for layer in layers())
    rows = []
    for variant, seconds in (
        ("conv_naive: NumPy arrays, float32", arrays.baseline_s),
        ("conv_naive: NumPy arrays, float64", dtypes.candidate_s),
        ("conv_lists: Python lists (float64)", arrays.candidate_s),
    ):
        ns = seconds / LAYER_MACS * 1e9
        rows.append(
            {
                "variant": variant,
                "ns_per_mac": ns,
                "resnet50_minutes": ns * resnet_macs / 60e9,
            }
        )
    return rows


def main() -> None:
    print(" ".join(inner_loop_bytecode()))
    for row in ns_per_mac():
        print(
            f"{row['variant']:36} {row['ns_per_mac']:6.0f} ns per MAC,"
            f" ResNet-50 about {row['resnet50_minutes']:.0f} minutes"
        )


if __name__ == "__main__":
    main()
