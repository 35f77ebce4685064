"""im2col + GEMM: the whole convolution as one matrix product.

Copy every R x S x C window of the padded input into one row of a patch
matrix (N*P*Q, R*S*C), "image to columns", then multiply it by the weights as
an (R*S*C, K) matrix: one call of @ does all the multiply-adds. The price is
memory: the patch matrix holds each input number up to R*S times. A 1x1
convolution with stride 1 needs no patch matrix at all: the input already is
one, an (N*H*W, C) matrix.

Run `python snippets/conv_im2col.py` to see the sizes for one layer.
"""

import numpy as np

import conv_reference
from shapes import conv_shapes


# --8<-- [start:im2col]
def im2col(
    x_pad: np.ndarray, R: int, S: int, P: int, Q: int, u: int, v: int
) -> np.ndarray:
    """Patch matrix of a padded x_pad: (N, Hp, Wp, C) -> (N*P*Q, R*S*C).

    Row (n, p, q) holds the window x_pad[n, p*u : p*u+R, q*v : q*v+S, :],
    flattened in the order (r, s, c), the order of w[k].reshape(-1)."""
    N, C = x_pad.shape[0], x_pad.shape[3]
    cols = np.empty((N, P, Q, R, S, C), x_pad.dtype)
    for r in range(R):
        for s in range(S):  # one strided slice per kernel tap
            cols[:, :, :, r, s, :] = x_pad[
                :, r : r + u * (P - 1) + 1 : u, s : s + v * (Q - 1) + 1 : v, :
            ]
    return cols.reshape(N * P * Q, R * S * C)
# --8<-- [end:im2col]


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
    dtype = np.result_type(x, w, np.float32)
    w_matrix = w.reshape(K, R * S * C).T.astype(dtype, copy=False)
    if R == S == 1 and u == v == 1 and pad_h == pad_w == 0:
        cols = x.reshape(N * H * W, C)  # 1x1: the input is the patch matrix
    else:
        x_pad = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)))
        cols = im2col(x_pad, R, S, P, Q, u, v)
    return (cols.astype(dtype, copy=False) @ w_matrix).reshape(N, P, Q, K)
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 56, 56, 64)).astype(np.float32)
    w = rng.standard_normal((64, 3, 3, 64)).astype(np.float32)
    x_pad = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = im2col(x_pad, 3, 3, 56, 56, 1, 1)
    print(f"input {x.nbytes / 1e6:.1f} MB, patches {cols.nbytes / 1e6:.1f} MB")
    y, ref = conv2d(x, w, padding=1), conv_reference.conv2d(x, w, padding=1)
    print(y.shape, np.allclose(y, ref, rtol=1e-3, atol=1e-3))


if __name__ == "__main__":
    main()
