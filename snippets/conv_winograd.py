"""Winograd minimal filtering: fewer multiplications for 3x3 kernels.

Lavin and Gray (2015, arXiv:1509.09308) apply Winograd's minimal filtering
algorithm F(m x m, 3 x 3) to CNNs: an m x m tile of outputs needs (m + 2)^2
multiplications per channel instead of 9 m^2. F(2x2, 3x3): 16 instead of 36;
F(4x4, 3x3): 36 instead of 144. The price: the input tiles and kernels are
transformed first (B^T d B and G g G^T), the products transformed back
(A^T M A), and the transforms round and amplify errors, more for larger m.
The multiplications themselves become one (tiles, C) @ (C, K) matrix product
for each of the (m + 2)^2 transformed positions.

Only 3x3 kernels with stride 1 are computed this way; other shapes fall back
to im2col + GEMM. Run `python snippets/conv_winograd.py` for the error of
both tile sizes against the reference.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import conv_im2col
import conv_reference
from shapes import conv_shapes

# --8<-- [start:matrices]
# F(2x2, 3x3), from Lavin and Gray (2015)
F2 = {
    "BT": [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
    "G": [[1, 0, 0], [1 / 2, 1 / 2, 1 / 2], [1 / 2, -1 / 2, 1 / 2], [0, 0, 1]],
    "AT": [[1, 1, 1, 0], [0, 1, -1, -1]],
}
# F(4x4, 3x3), from Lavin and Gray (2015) (points 0, ±1, ±2 and infinity)
F4 = {
    "BT": [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ],
    "G": [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ],
    "AT": [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0],
           [0, 1, -1, 8, -8, 1]],
}
TRANSFORMS = {2: F2, 4: F4}
# --8<-- [end:matrices]


# --8<-- [start:winograd]
def winograd(
    x_pad: np.ndarray, w: np.ndarray, m: int, transforms: dict
) -> np.ndarray:
    """F(m x m, 3 x 3) on a padded input x_pad: (N, Hp, Wp, C), stride 1.
    Returns (N, Hp - 2, Wp - 2, K)."""
    N, Hp, Wp, C = x_pad.shape
    K, dtype = w.shape[0], x_pad.dtype
    BT, G, AT = (np.asarray(transforms[k], dtype) for k in ("BT", "G", "AT"))
    alpha = m + 2
    P, Q = Hp - 2, Wp - 2
    tiles_p, tiles_q = -(-P // m), -(-Q // m)  # tiles per column and row
    # zeros at the bottom and right, so that the tiles cover the image
    grown = np.pad(x_pad, ((0, 0), (0, tiles_p * m + 2 - Hp),
                           (0, tiles_q * m + 2 - Wp), (0, 0)))
    # input tiles of alpha x alpha, m apart: (N, tiles_p, tiles_q, C, a, a)
    d = sliding_window_view(grown, (alpha, alpha), axis=(1, 2))[:, ::m, ::m]
    # V = B^T d B for every tile and channel: (a, b, N, tiles_p, tiles_q, C)
    V = np.tensordot(np.tensordot(BT, d, axes=(1, 4)), BT, axes=(5, 1))
    V = V.transpose(0, 5, 1, 2, 3, 4)
    # U = G g G^T for every kernel and channel: (a, b, C, K)
    Gw = np.tensordot(G, w.astype(dtype), axes=(1, 1))
    U = np.tensordot(Gw, G, axes=(2, 1))
    U = U.transpose(0, 3, 2, 1)
    T = N * tiles_p * tiles_q
    # the multiplications: for each of the alpha^2 positions, (T, C) @ (C, K)
    M = V.reshape(alpha, alpha, T, C) @ U  # (a, b, T, K)
    # Y = A^T M A for every tile and kernel: (T, m, m, K)
    Y = np.tensordot(np.tensordot(AT, M, axes=(1, 0)), AT, axes=(1, 1))
    Y = Y.transpose(1, 0, 3, 2).reshape(N, tiles_p, tiles_q, m, m, K)
    Y = Y.transpose(0, 1, 3, 2, 4, 5).reshape(N, tiles_p * m, tiles_q * m, K)
    return Y[:, :P, :Q]
# --8<-- [end:winograd]


# --8<-- [start:conv2d]
def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    *,
    m: int = 2,
) -> np.ndarray:
    """Cross-correlate x: (N, H, W, C) with w: (K, R, S, C) -> (N, P, Q, K),
    with F(m x m, 3 x 3) (m = 2 or 4) for 3x3 kernels and stride 1."""
    shapes = conv_shapes(x, w, stride, padding)
    if (shapes.R, shapes.S, shapes.stride) != (3, 3, (1, 1)):
        return conv_im2col.conv2d(x, w, stride, padding)
    dtype = np.result_type(x, w, np.float32)
    pad_h, pad_w = shapes.padding
    x_pad = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)))
    y = winograd(x_pad.astype(dtype, copy=False), w, m, TRANSFORMS[m])
    return np.ascontiguousarray(y)
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 28, 28, 64)).astype(np.float32)
    w = rng.standard_normal((32, 3, 3, 64)).astype(np.float32)
    ref = conv_reference.conv2d(x, w, padding=1)
    for m in (2, 4):
        y = conv2d(x, w, padding=1, m=m)
        error = np.max(np.abs(y - ref)) / np.max(np.abs(ref))
        print(f"F({m}x{m}, 3x3): largest error / largest output {error:.1e}")


if __name__ == "__main__":
    main()
