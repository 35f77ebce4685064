"""More work per call: one np.dot per kernel row instead of one per kernel tap.

In the NHWC / KRSC layouts, one kernel row's window of an output pixel is a
run of S pixels of C channels each, S*C numbers next to each other in memory,
for any stride:

    x_pad[n, p*u + r, q*v : q*v + S, :]     (S, C), contiguous
    w[k, r]                                 (S, C), contiguous

so the S channel dots of conv_dot for one kernel row are one inner product of
the two runs, raveled (.ravel() of a contiguous array is a view: no copy):

    sum over s, c of x_pad[n, p*u + r, q*v + s, c] * w[k, r, s, c]
        = np.dot(x_pad[n, p*u + r, q*v : q*v + S, :].ravel(), w[k, r].ravel())

Five loops remain, and S times fewer calls, each on S*C numbers. (x_pad,
made by np.pad, is always C-contiguous; a w that is not, such as a transposed
view, gives the same result, but each w[k, r].ravel() is then a copy.)

Run `python snippets/conv_dot_rows.py` to compare it with conv_dot.
"""

import numpy as np

import conv_dot
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
    x_pad = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)))
    y = np.zeros((N, P, Q, K), np.result_type(x, w, np.float32))
    for n in range(N):
        for p in range(P):
            for q in range(Q):
                for k in range(K):
                    total = 0.0
                    for r in range(R):
                        # one kernel row: S pixels of C channels, S*C numbers
                        total += np.dot(
                            x_pad[n, p * u + r, q * v : q * v + S, :].ravel(),
                            w[k, r].ravel(),
                        )
                    y[n, p, q, k] = total
    return y
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 32, 32, 3)).astype(np.float32)
    # the first layer's kernels: 7 x 7 x 3, stride 2, padding 3
    w = rng.standard_normal((4, 7, 7, 3)).astype(np.float32)
    y_rows = conv2d(x, w, stride=2, padding=3)
    y_dot = conv_dot.conv2d(x, w, stride=2, padding=3)
    print(y_rows.shape, np.allclose(y_rows, y_dot, rtol=1e-4, atol=1e-4))


if __name__ == "__main__":
    main()
