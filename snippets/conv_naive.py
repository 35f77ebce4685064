"""Convolution as seven nested loops: the direct translation of the formula.

y[n, p, q, k] = sum over r, s, c of x_pad[n, p*u + r, q*v + s, c] * w[k,r,s,c]

One loop per letter, one multiply-add per innermost step, nothing else. This is
the code the series' chapter 69 starts from (it has no batch axis: six loops).
It is correct and very slow. Tests hold it to the reference on many shapes.

Run `python snippets/conv_naive.py` for a worked example small enough to check
by hand.
"""

import numpy as np

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
                            for c in range(C):
                                total += (
                                    x_pad[n, p * u + r, q * v + s, c]
                                    * w[k, r, s, c]
                                )
                    y[n, p, q, k] = total
    return y
# --8<-- [end:conv2d]


def main() -> None:
    # --8<-- [start:worked-example]
    x = np.array([[1, 2, 0],
                  [0, 1, 3],
                  [2, 0, 1]], np.float32).reshape(1, 3, 3, 1)  # N, H, W, C
    w = np.array([[1, 0],
                  [0, 2]], np.float32).reshape(1, 2, 2, 1)  # K, R, S, C
    y = conv2d(x, w)  # y[p, q] = x[p, q] + 2 * x[p + 1, q + 1]
    print(y[0, :, :, 0])
    print(conv2d(x, w, padding=1)[0, :, :, 0])  # zeros around: 4x4 outputs
    print(conv2d(x, w, stride=2, padding=1)[0, :, :, 0])  # every other one
    # --8<-- [end:worked-example]


if __name__ == "__main__":
    main()
