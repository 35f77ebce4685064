"""The seven loops as the series writes them: chained indexing, clipped windows.

The series' conv2d (GitHub dongtuoc/cv_learning_resnet50, in
practice/python/ops/conv2d.py) differs from conv_naive in three ways; this is
its loop rewritten in this book's interface:

- it indexes one axis at a time, x[n][h][w][c]: each [ ] but the last makes a
  new view of the array, an object with its own shape and strides;
- it pads nothing: once per output window it clips the window's rows and
  columns to the ones inside the image, outside the multiply-add loop;
- its outputs, made by np.zeros, are float64, so every layer after the first
  multiplies float64 by float64 (run it on float64 arrays to do the same).

Run `python snippets/conv_chained.py` to check it against conv_naive.
"""

import numpy as np

import conv_naive
from shapes import conv_shapes


# --8<-- [start:conv2d]
def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """Cross-correlate x: (N, H, W, C) with w: (K, R, S, C) -> (N, P, Q, K)."""
    N, H, W, C, K, R, S, P, Q, (u, v), (pad_h, pad_w) = conv_shapes(
        x, w, stride, padding
    )
    y = np.zeros((N, P, Q, K), np.result_type(x, w, np.float32))
    for n in range(N):
        for k in range(K):
            for p in range(P):
                top = p * u - pad_h  # the window's first row in x, maybe < 0
                for q in range(Q):
                    left = q * v - pad_w
                    # once per window: the taps that fall inside the image
                    r_first, r_end = max(0, -top), min(R, H - top)
                    s_first, s_end = max(0, -left), min(S, W - left)
                    total = 0.0
                    for r in range(r_first, r_end):
                        h = top + r
                        for s in range(s_first, s_end):
                            col = left + s
                            for c in range(C):
                                total += x[n][h][col][c] * w[k][r][s][c]
                    y[n][p][q][k] = total
    return y
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 6, 6, 8))
    w = rng.standard_normal((4, 3, 3, 8))
    y_chained, y_naive = conv2d(x, w, 2, 1), conv_naive.conv2d(x, w, 2, 1)
    print(y_chained.shape, np.allclose(y_chained, y_naive))


if __name__ == "__main__":
    main()
