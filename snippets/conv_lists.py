"""The seven loops again, over nested Python lists instead of NumPy arrays.

Indexing a NumPy array with four integers, x_pad[n, h, w, c], creates a new
NumPy scalar object on every access. Nested Python lists hand back the float
object they already hold. Same loops, same arithmetic (in float64, Python's
float), only the containers differ.

Run `python snippets/conv_lists.py` to check it against conv_naive.
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
    pads = ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0))
    x_pad = np.pad(x, pads).tolist()  # nested lists of Python floats
    w_list = np.asarray(w).tolist()
    y = [[[[0.0] * K for q in range(Q)] for p in range(P)] for n in range(N)]
    for n in range(N):
        for p in range(P):
            for q in range(Q):
                for k in range(K):
                    total = 0.0
                    for r in range(R):
                        for s in range(S):
                            for c in range(C):
                                total += (
                                    x_pad[n][p * u + r][q * v + s][c]
                                    * w_list[k][r][s][c]
                                )
                    y[n][p][q][k] = total
    return np.array(y, np.result_type(x, w, np.float32))
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 6, 6, 8)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 8)).astype(np.float32)
    y_lists, y_naive = conv2d(x, w), conv_naive.conv2d(x, w)
    print(y_lists.shape, np.allclose(y_lists, y_naive, rtol=1e-4, atol=1e-4))


if __name__ == "__main__":
    main()
