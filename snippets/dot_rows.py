"""More work per call: conv_dot (one np.dot per kernel tap, C numbers) against
conv_dot_rows (one np.dot per kernel row, S*C numbers), on two layers.

The first is ResNet-50's first layer scaled down (C = 3, 7 x 7 kernels,
stride 2, padding 3, a 32 x 32 image and 4 kernels), where conv_dot makes the
most calls for the least work; the second a 3 x 3 layer with C = 64. The
per-call model t(C) = a + b*C of channel_sweep.py predicts the speed-up, and
with the model's estimate for conv_dot, the measured speed-up estimates the
first layer of ResNet-50 with conv_dot_rows.

Run `python snippets/dot_rows.py` to measure on your machine.
"""

import numpy as np

import conv_dot
import conv_dot_rows
from resnet50_layers import layers
from shapes import output_size
from timing import Comparison, compare

DESCRIPTIONS = {
    "7x7": "first layer, scaled down: 32 × 32 × 3,"
    " 4 kernels 7 × 7, stride 2, padding 3",
    "3x3": "8 × 8 × 64, 4 kernels 3 × 3, stride 1, padding 1",
}


# --8<-- [start:compare]
# name: (H, C, K, R, stride, padding), one image of H x H x C, K kernels R x R
LAYERS = {
    "7x7": (32, 3, 4, 7, 2, 3),  # ResNet-50's first layer, scaled down
    "3x3": (8, 64, 4, 3, 1, 1),
}


def dot_vs_rows(layer: str = "7x7") -> Comparison:
    """Time conv_dot against conv_dot_rows on one of LAYERS, in float32."""
    H, C, K, R, stride, padding = LAYERS[layer]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, H, H, C)).astype(np.float32)
    w = rng.standard_normal((K, R, R, C)).astype(np.float32)
    return compare(
        lambda: conv_dot.conv2d(x, w, stride, padding),
        lambda: conv_dot_rows.conv2d(x, w, stride, padding),
    )
# --8<-- [end:compare]


def table() -> list[dict]:
    """One row per layer: calls per output and numbers per call of each
    version, both times, the speed-up."""
    rows = []
    for layer in LAYERS:
        H, C, K, R, stride, padding = LAYERS[layer]
        P = output_size(H, R, stride, padding)
        result = dot_vs_rows(layer)
        rows.append(
            {
                "layer": DESCRIPTIONS[layer],
                "outputs": P * P * K,  # output numbers y[0, p, q, k]
                "R": R,
                "S": R,
                "C": C,
                "dot_calls": R * R,  # per output number y[n, p, q, k]
                "dot_numbers": C,
                "rows_calls": R,
                "rows_numbers": R * C,
                "dot_ms": result.baseline_s * 1e3,
                "rows_ms": result.candidate_s * 1e3,
                "speedup": result.ratio,
            }
        )
    return rows


# --8<-- [start:model]
def predicted_speedup(a_us: float, b_ns: float, S: int, C: int) -> float:
    """The per-call model t = a + b * (numbers per call): for one output and
    kernel row, conv_dot makes S calls of C numbers, conv_dot_rows one call
    of S*C numbers."""
    a_ns = a_us * 1e3
    return S * (a_ns + b_ns * C) / (a_ns + b_ns * S * C)
# --8<-- [end:model]


def call_us(row: dict, version: str) -> float:
    """Time per np.dot call of "dot" or "rows" on a layer of the table, with
    its share of the loops around the calls, in microseconds."""
    calls = row["outputs"] * row[version + "_calls"]
    return row[version + "_ms"] * 1e3 / calls


def model_and_resnet(rows: list[dict], model_rows: list[dict]) -> list[dict]:
    """Derived from the recorded rows of this table and of channel_sweep's
    model: the model's speed-up against the measured one, for both layers;
    and ResNet-50's first layer with conv_dot_rows, estimated as the model's
    time for conv_dot divided by the measured speed-up."""
    (model,) = model_rows
    first, three = rows
    predicted = [
        predicted_speedup(model["a_us"], model["b_ns"], row["S"], row["C"])
        for row in rows
    ]
    stem = layers()[0]
    return [
        {
            "predicted_7x7": predicted[0],
            "measured_7x7": first["speedup"],
            "predicted_3x3": predicted[1],
            "measured_3x3": three["speedup"],
            "dot_call_us": call_us(first, "dot"),
            "rows_call_us": call_us(first, "rows"),
            "dot_calls_million": stem.dot_calls / 1e6,
            "rows_calls_million": stem.P * stem.P * stem.K * stem.R / 1e6,
            "dot_s": model["first_layer_dot_s"],
            "rows_s": model["first_layer_dot_s"] / first["speedup"],
        }
    ]


def main() -> None:
    for row in table():
        print(row["layer"])
        for name, key in (("conv_dot", "dot"), ("conv_dot_rows", "rows")):
            print(
                f"  {name:13} {row[key + '_ms']:7.2f} ms:"
                f" {row[key + '_calls']:2} calls per output,"
                f" {row[key + '_numbers']:3} numbers per call"
            )
        print(f"  speed-up {row['speedup']:.1f}x")


if __name__ == "__main__":
    main()
