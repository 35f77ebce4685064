"""Shift-and-add: one matrix product per kernel tap, no patch matrix.

A convolution is a sum over the kernel taps (r, s). For one tap, the inputs
it meets form a shifted (and, with a stride, subsampled) view of the padded
input, (N, P, Q, C), and its weights a (C, K) matrix: one matrix product per
tap, added up. Memory stays at the size of the input and the output. Anderson
et al. (2017) call this family "kn2row"; it is not implicit GEMM, which runs
one product over all C*R*S taps at once and gathers its patches on the fly.

For stride 1 there is a neater trick: see the padded image as one long
(Hp*Wp, C) matrix of pixels. Then the inputs of tap (r, s) for all outputs of
a row are a contiguous run of rows, starting r*Wp + s further on. Compute the
output over the full padded width (a few extra columns of garbage at the
right edge of each row), and crop them at the end.

Run `python snippets/conv_shift_add.py` to check both against the reference.
"""

import numpy as np

import conv_reference
from shapes import conv_shapes


# --8<-- [start:shifted]
def conv2d_shifted(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """One (N*P*Q, C) @ (C, K) product per tap, over a shifted view. The view
    is copied into a contiguous (N*P*Q, C) matrix first: a matmul on a 4-D
    strided view would run one small product per image row instead."""
    N, H, W, C, K, R, S, P, Q, (u, v), (pad_h, pad_w) = conv_shapes(
        x, w, stride, padding
    )
    dtype = np.result_type(x, w, np.float32)
    x_pad = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)))
    y = np.zeros((N, P, Q, K), dtype)
    w = w.astype(dtype, copy=False)
    for r in range(R):
        for s in range(S):
            rows = slice(r, r + u * (P - 1) + 1, u)  # rows that tap r meets
            cols = slice(s, s + v * (Q - 1) + 1, v)
            taps = np.ascontiguousarray(x_pad[:, rows, cols]).reshape(-1, C)
            y += (taps @ w[:, r, s, :].T).reshape(N, P, Q, K)
    return y
# --8<-- [end:shifted]


# --8<-- [start:flat]
def conv2d_flat(
    x: np.ndarray, w: np.ndarray, padding: int | tuple[int, int] = 0
) -> np.ndarray:
    """Stride 1 only: each tap is a contiguous run of the flattened image."""
    N, H, W, C, K, R, S, P, Q, _, (pad_h, pad_w) = conv_shapes(x, w, 1, padding)
    dtype = np.result_type(x, w, np.float32)
    Hp, Wp = H + 2 * pad_h, W + 2 * pad_w
    # one extra zero row at the bottom, so that the last tap's run fits
    x_pad = np.pad(x, ((0, 0), (pad_h, pad_h + 1), (pad_w, pad_w), (0, 0)))
    pixels = x_pad.reshape(N, (Hp + 1) * Wp, C)  # a view: no copy
    y_wide = np.zeros((N, P * Wp, K), dtype)  # outputs over the padded width
    for r in range(R):
        for s in range(S):
            start = r * Wp + s
            y_wide += pixels[:, start : start + P * Wp] @ w[:, r, s, :].T
    return y_wide.reshape(N, P, Wp, K)[:, :, :Q, :]  # crop the extra columns
# --8<-- [end:flat]


# --8<-- [start:conv2d]
def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """Cross-correlate x: (N, H, W, C) with w: (K, R, S, C) -> (N, P, Q, K):
    the flat trick for stride 1, shifted views otherwise."""
    if conv_shapes(x, w, stride, padding).stride == (1, 1):
        return np.ascontiguousarray(conv2d_flat(x, w, padding))
    return conv2d_shifted(x, w, stride, padding)
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 7, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 2, 5)).astype(np.float32)
    for stride in (1, 2):
        ref = conv_reference.conv2d(x, w, stride, 1)
        for y in (conv2d(x, w, stride, 1), conv2d_shifted(x, w, stride, 1)):
            print(y.shape, np.allclose(y, ref, rtol=1e-4, atol=1e-4))


if __name__ == "__main__":
    main()
