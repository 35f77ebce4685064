"""Stride tricks: every window as a view, then one contraction.

numpy.lib.stride_tricks.sliding_window_view gives all R x S windows of the
padded input as a view, without copying: an array of shape (N, P, Q, C, R, S)
whose strides step through the same memory. np.tensordot then contracts the
(R, S, C) axes with the weights. The copy is not gone, only hidden: to call
BLAS, tensordot reshapes the windows into a matrix, and a reshape of this
view must copy, R*S times the input, as im2col does.

Run `python snippets/conv_strided.py` to see the view's shape and strides.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import conv_reference
from shapes import conv_shapes


# --8<-- [start:windows]
def windows(
    x: np.ndarray, R: int, S: int, stride: tuple[int, int], pad: tuple[int, int]
) -> np.ndarray:
    """All R x S windows of the padded x as a view: (N, P, Q, C, R, S)."""
    (u, v), (pad_h, pad_w) = stride, pad
    x_pad = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)))
    return sliding_window_view(x_pad, (R, S), axis=(1, 2))[:, ::u, ::v]
# --8<-- [end:windows]


# --8<-- [start:conv2d]
def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """Cross-correlate x: (N, H, W, C) with w: (K, R, S, C) -> (N, P, Q, K)."""
    shapes = conv_shapes(x, w, stride, padding)
    view = windows(x, shapes.R, shapes.S, shapes.stride, shapes.padding)
    dtype = np.result_type(x, w, np.float32)
    # Order the window axes (r, s, c), as in memory and in w: tensordot's
    # hidden copy of the view then reads runs of C contiguous numbers.
    view = view.transpose(0, 1, 2, 4, 5, 3)
    y = np.tensordot(view, w, axes=([3, 4, 5], [1, 2, 3]))
    return y.astype(dtype, copy=False)
# --8<-- [end:conv2d]


# --8<-- [start:einsum]
def conv2d_einsum(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    optimize: bool = True,
) -> np.ndarray:
    """The same contraction written with np.einsum. Only with optimize=True
    does einsum hand it to BLAS (through tensordot); without, it runs its own
    loops over all n, p, q, k, c, r, s."""
    shapes = conv_shapes(x, w, stride, padding)
    view = windows(x, shapes.R, shapes.S, shapes.stride, shapes.padding)
    y = np.einsum("npqcrs,krsc->npqk", view, w, optimize=optimize)
    return y.astype(np.result_type(x, w, np.float32), copy=False)
# --8<-- [end:einsum]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 8, 8, 4)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 4)).astype(np.float32)
    view = windows(x, 3, 3, (1, 1), (1, 1))
    print(view.shape, view.strides)  # r, s step like h, w: no copy
    ref = conv_reference.conv2d(x, w, padding=1)
    for y in (conv2d(x, w, padding=1), conv2d_einsum(x, w, padding=1)):
        print(y.shape, np.allclose(y, ref, rtol=1e-4, atol=1e-4))


if __name__ == "__main__":
    main()
