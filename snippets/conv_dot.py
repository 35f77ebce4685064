"""The trick of the series' chapter 69: the channel loop becomes one np.dot.

Six loops remain; the seventh, over input channels c, is an inner product of
two contiguous vectors in the NHWC / KRSC layouts:

    sum over c of x_pad[n, h, w, c] * w[k, r, s, c]
        = np.dot(x_pad[n, h, w, :], w[k, r, s, :])

Run `python snippets/conv_dot.py` to compare it with the naive loops.
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
    x_pad = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)))
    y = np.zeros((N, P, Q, K), np.result_type(x, w, np.float32))
    for n in range(N):
        for p in range(P):
            for q in range(Q):
                for k in range(K):
                    total = 0.0
                    for r in range(R):
                        for s in range(S):
                            total += np.dot(
                                x_pad[n, p * u + r, q * v + s, :], w[k, r, s, :]
                            )
                    y[n, p, q, k] = total
    return y
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 8, 8, 64)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 64)).astype(np.float32)
    y_dot, y_naive = conv2d(x, w, padding=1), conv_naive.conv2d(x, w, padding=1)
    print(y_dot.shape, np.allclose(y_dot, y_naive, rtol=1e-4, atol=1e-4))


if __name__ == "__main__":
    main()
