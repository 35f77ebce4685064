"""The speed-up of the series' chapter 69, reason by reason.

The series computes each channel sum of a convolution with np.vdot on a
float32 input slice and a float64 weight slice. For C = 3, 64 and 1024
channels, this times one such inner product eight ways, so that each reason
for the speed-up (or against it) can be read off as a ratio of two times:

- loop, indexing NumPy arrays (the naive version)  vs  loop over lists:
  the cost of creating NumPy scalar objects;
- loop over lists  vs  np.dot: interpreted against compiled code;
- np.dot on a vector of length 1: the fixed cost of a call;
- np.dot on a strided (NCHW) vector: the layout;
- np.vdot of float32 with float64: mixed dtypes;
- the series' own loop, img[h][w][c] * weight[k][r][s][c]: chained indexing,
  and the series' own call, np.vdot(img[h][w], weight[k][r][s]): what the
  series gained.

Run `python snippets/series_reasons.py` to get the table for your machine.
"""

import numpy as np

from inner_products import dot_indexed, dot_loop
from timing import best_time

CHANNELS = (3, 64, 1024)


# --8<-- [start:series]
def series_loop(img, weight, h: int, w: int, k: int, r: int, s: int) -> float:
    """The series' channel sum, img: (H, W, C), weight: (K, R, S, C): each [ ]
    but the last makes a new view, then the last one reads one number."""
    total = 0.0
    for c in range(img.shape[2]):
        total += img[h][w][c] * weight[k][r][s][c]
    return total


def series_vdot(img, weight, h: int, w: int, k: int, r: int, s: int) -> float:
    """What the series replaced it with: one np.vdot of two chained slices."""
    return np.vdot(img[h][w], weight[k][r][s])
# --8<-- [end:series]


# --8<-- [start:reasons]
def series_reasons(C: int) -> dict:
    """Best time, in µs, of one inner product of length C, eight ways."""
    rng = np.random.default_rng(C)
    x = rng.standard_normal((1, 8, 8, C)).astype(np.float32)  # NHWC
    x_nchw = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # NCHW layout
    w = rng.standard_normal(C).astype(np.float32)  # w[k, r, s, :]
    x_vec, x_strided = x[0, 4, 4, :], x_nchw[0, :, 4, 4]  # same numbers
    w64 = w.astype(np.float64)  # the series keeps its weights in float64
    x_list, w_list = x_vec.tolist(), w.tolist()
    one, one_w = x_vec[:1], w[:1]
    weights = np.zeros((2, 3, 3, C))  # the series' (K, R, S, C) float64 weights
    weights[1, 1, 1] = w64  # holding w at k = r = s = 1
    ways = {
        "loop_indexed": lambda: dot_indexed(x_vec, w),
        "loop_lists": lambda: dot_loop(x_list, w_list),
        "dot": lambda: np.dot(x_vec, w),
        "dot_length_1": lambda: np.dot(one, one_w),
        "dot_strided": lambda: np.dot(x_strided, w),
        "vdot_mixed": lambda: np.vdot(x_vec, w64),
        "series_loop": lambda: series_loop(x[0], weights, 4, 4, 1, 1, 1),
        "series_vdot": lambda: series_vdot(x[0], weights, 4, 4, 1, 1, 1),
    }
    return {name: best_time(way) * 1e6 for name, way in ways.items()}
# --8<-- [end:reasons]


def table() -> list[dict]:
    """One row of eight times per channel count."""
    return [{"C": C, **series_reasons(C)} for C in CHANNELS]


# --8<-- [start:ratios]
def ratios(rows: list[dict]) -> list[dict]:
    """Each reason as the ratio of two of the times."""
    return [
        {
            "C": t["C"],
            "scalars": t["loop_indexed"] / t["loop_lists"],
            "compiled": t["loop_lists"] / t["dot"],
            "fixed_share": t["dot_length_1"] / t["dot"],
            "layout": t["dot_strided"] / t["dot"],
            "mixed": t["vdot_mixed"] / t["dot"],
            "chained": t["series_loop"] / t["loop_indexed"],
            "gained": t["series_loop"] / t["series_vdot"],
        }
        for t in rows
    ]
# --8<-- [end:ratios]


def main() -> None:
    for row in ratios(table()):
        print(
            f"C={row['C']:5}: NumPy scalars {row['scalars']:4.1f}x,"
            f" compiled {row['compiled']:6.1f}x,"
            f" fixed cost {row['fixed_share']:4.0%} of a dot,"
            f" NCHW {row['layout']:4.2f}x, mixed dtypes {row['mixed']:4.2f}x,"
            f" chained indexing {row['chained']:4.2f}x;"
            f" the series gained {row['gained']:6.1f}x"
        )


if __name__ == "__main__":
    main()
