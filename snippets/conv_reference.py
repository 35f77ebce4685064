"""The reference 2-D convolution: the oracle every other variant is tested on.

It is written to be obviously correct, not fast: pad the input, then for
every output position (p, q) take the R x S x C window under the kernel and
contract it with all K kernels at once, in float64. Deep-learning
"convolution" is cross-correlation: the kernel is not flipped.

Run `python snippets/conv_reference.py` for a 1-channel example that you can
check by hand.
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
    """Cross-correlate x: (N, H, W, C) with w: (K, R, S, C) -> (N, P, Q, K).

    With strides (u, v) and paddings (pad_h, pad_w):
    y[n, p, q, k] = sum over r, s, c of
                    x_pad[n, p*u + r, q*v + s, c] * w[k, r, s, c],
    computed in float64.
    """
    N, H, W, C, K, R, S, P, Q, (u, v), (pad_h, pad_w) = conv_shapes(
        x, w, stride, padding
    )
    pad_widths = ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0))
    x_pad = np.pad(np.asarray(x, np.float64), pad_widths)
    w64 = np.asarray(w, np.float64)
    rsc = ([1, 2, 3], [1, 2, 3])  # contract the r, s, c axes of both
    y = np.zeros((N, P, Q, K))
    for p in range(P):
        for q in range(Q):
            # the window under the kernel: (N, R, S, C)
            window = x_pad[:, p * u : p * u + R, q * v : q * v + S, :]
            y[:, p, q, :] = np.tensordot(window, w64, axes=rsc)
    return y
# --8<-- [end:conv2d]


def main() -> None:
    # --8<-- [start:by-hand]
    x = np.arange(16.0).reshape(1, 4, 4, 1)  # one 4x4 image, one channel
    w = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(1, 2, 2, 1)  # one kernel
    y = conv2d(x, w)  # y[p, q] = x[p, q] - x[p + 1, q + 1]
    print(y.shape)
    print(y[0, :, :, 0])
    # --8<-- [end:by-hand]


if __name__ == "__main__":
    main()
