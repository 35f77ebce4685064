"""Why the naive loop is slow: what one multiply-add costs in CPython.

Times the seven loops of conv_naive (NumPy arrays, float32 and float64), of
conv_lists (nested Python lists) and of conv_chained (the series' style: chained
indexing, float64) on one small layer, divides by the number of
multiply-adds (MACs), and scales the cost per MAC up to all convolutions of
ResNet-50 (an estimate, not a measurement of the whole network).

Run `python snippets/loop_costs.py` to measure on your machine.
"""

import dis

import numpy as np

import conv_chained
import conv_lists
import conv_naive
from resnet50_layers import layers
from timing import Comparison, best_times, compare

# A small layer: 6 x 6 x 64 input, four 3x3 kernels, 4 x 4 x 4 outputs.
X_SHAPE, W_SHAPE = (1, 6, 6, 64), (4, 3, 3, 64)
LAYER_MACS = 4 * 4 * 4 * 3 * 3 * 64


# --8<-- [start:innermost]
def innermost(x_pad, w, total, n, p, q, k, r, s, u, v, C):
    """The innermost loop of conv_naive, on NumPy arrays."""
    for c in range(C):
        total += x_pad[n, p * u + r, q * v + s, c] * w[k, r, s, c]
    return total


def innermost_lists(x_pad, w, total, n, p, q, k, r, s, u, v, C):
    """The innermost loop of conv_lists, on nested lists."""
    for c in range(C):
        total += x_pad[n][p * u + r][q * v + s][c] * w[k][r][s][c]
    return total
# --8<-- [end:innermost]


# --8<-- [start:bytecode]
def loop_body(function, adaptive: bool = False) -> list[str]:
    """The bytecode instructions of the loop in `function`: one pass = one MAC.

    With adaptive=True: the instructions as CPython 3.11+ has rewritten them
    after running the function ("specialized" for the types it saw)."""
    instructions = dis.get_instructions(function, adaptive=adaptive)
    names = [instruction.opname for instruction in instructions]
    start = next(i for i, op in enumerate(names) if op.startswith("FOR_ITER"))
    end = next(i for i, op in enumerate(names) if op.startswith("JUMP_BACK"))
    return names[start : end + 1]


def specialized_operations() -> dict[str, list[str]]:
    """Run both loops a few times, then list their subscripts and arithmetic
    as the specializing interpreter rewrote them."""
    x_pad = np.zeros((1, 5, 5, 64), np.float32)
    w = np.zeros((2, 3, 3, 64), np.float32)
    x_list, w_list = x_pad.tolist(), w.tolist()
    result = {}
    for name, function, args in (
        ("arrays", innermost, (x_pad, w)),
        ("lists", innermost_lists, (x_list, w_list)),
    ):
        for _ in range(3):
            function(*args, 0.0, 0, 1, 1, 0, 1, 1, 1, 1, 64)
        ops = loop_body(function, adaptive=True)
        result[name] = [op for op in ops if op.startswith("BINARY_")]
    return result
# --8<-- [end:bytecode]


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


def chained_vs_tuple() -> Comparison:
    """The series' chained indexing, x[n][h][w][c], against conv_naive's one
    index per access, x_pad[n, h, w, c]; float64, as the series' later
    layers."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(X_SHAPE)
    w = rng.standard_normal(W_SHAPE)
    return compare(
        lambda: conv_chained.conv2d(x, w), lambda: conv_naive.conv2d(x, w)
    )


def ns_per_mac() -> list[dict]:
    """Cost per MAC of each way to write the seven loops, and the time it
    means for all convolutions of ResNet-50 (an estimate: cost x MACs)."""
    rng = np.random.default_rng(0)
    x32 = rng.standard_normal(X_SHAPE).astype(np.float32)
    w32 = rng.standard_normal(W_SHAPE).astype(np.float32)
    x64, w64 = x32.astype(np.float64), w32.astype(np.float64)
    # all four in alternation (timing.best_times): a burst of load spoils a
    # batch of each, not every batch of one
    arrays, lists = "conv_naive: NumPy arrays", "conv_lists: Python lists"
    chained = "conv_chained: the series' style, float64"
    best = best_times(
        {
            f"{arrays}, float32": lambda: conv_naive.conv2d(x32, w32),
            f"{arrays}, float64": lambda: conv_naive.conv2d(x64, w64),
            f"{lists} (float64)": lambda: conv_lists.conv2d(x32, w32),
            chained: lambda: conv_chained.conv2d(x64, w64),
        }
    )
    resnet_macs = sum(layer.macs * layer.count for layer in layers())
    rows = []
    for variant, seconds in best.items():
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
    print(" ".join(loop_body(innermost)))
    for row in ns_per_mac():
        print(
            f"{row['variant']:42} {row['ns_per_mac']:6.0f} ns per MAC,"
            f" ResNet-50 about {row['resnet50_minutes']:.0f} minutes"
        )


if __name__ == "__main__":
    main()
