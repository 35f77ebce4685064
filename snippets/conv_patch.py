"""One inner product per output pixel over the whole R x S x C patch.

The series' trick makes one np.dot per kernel tap and channel vector: C
numbers per call. Here the window under the kernel, R x S x C numbers, is
flattened once per output pixel, and all K kernels take their inner product
with it in one matrix-vector product: (K, R*S*C) @ (R*S*C,). Longer inner
products, far fewer calls.

Run `python snippets/conv_patch.py` to check it against the reference.
"""

import numpy as np

import conv_reference
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
    w_rows = w.reshape(K, R * S * C)  # one row of R*S*C weights per kernel
    y = np.empty((N, P, Q, K), np.result_type(x, w, np.float32))
    for n in range(N):
        for p in range(P):
            for q in range(Q):
                patch = x_pad[n, p * u : p * u + R, q * v : q * v + S, :]
                y[n, p, q] = w_rows @ patch.reshape(R * S * C)
    return y
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 12, 12, 16)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 16)).astype(np.float32)
    y, ref = conv2d(x, w, padding=1), conv_reference.conv2d(x, w, padding=1)
    print(y.shape, np.allclose(y, ref, rtol=1e-4, atol=1e-4))


if __name__ == "__main__":
    main()
