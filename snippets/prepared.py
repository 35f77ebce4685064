"""Inference with the weights prepared once.

A trained network's weights never change from one image to the next, so all
the work a convolution does on its weights alone can be done once, before the
first image: the contiguous (R*S*C, K) matrix of im2col with the bias as one
more row, the Winograd transform of every 3x3 kernel (and, for the stem's
space-to-depth form, measured against im2col, the rearranged kernel).
`prepare` does it and returns a layer: a callable that takes x: (N, H, W, C)
and returns the convolution, plus its bias, plus its ReLU when asked,
(N, P, Q, K), as float32.

Run `python snippets/prepared.py` to see which method each ResNet-50 layer
gets, and its largest error against the float64 reference.
"""

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import conv_reference
from conv_winograd import TRANSFORMS
from resnet50_layers import layers
from shapes import conv_shapes, pair

Layer = Callable[[np.ndarray], np.ndarray]


# --8<-- [start:relu]
def relu_(y: np.ndarray) -> np.ndarray:
    """max(y, 0) in place. With an array of zeros as the second operand:
    np.maximum(y, 0) with the number 0 takes a slower loop in NumPy 2.4."""
    return np.maximum(y, np.zeros(y.shape, y.dtype), out=y)
# --8<-- [end:relu]


# --8<-- [start:gemm]
BLOCK = 1024  # output pixels per block of the patch matrix, at least


class Gemm:
    """im2col + GEMM with the weight matrix made once: (R*S*C + 1, K), its
    last row the bias, met by a column of ones in the patch matrix. The patch
    matrix is made and multiplied in blocks of whole output rows, BLOCK
    pixels or more each, so that a block is still in the caches when the
    product reads it. A 1x1 convolution with stride 1 reads the input as it
    is, so its bias is added afterwards."""

    def __init__(self, w, bias, stride, padding, relu):
        K, R, S, C = w.shape
        self.w, self.stride, self.padding, self.relu = w, stride, padding, relu
        self.bias = bias
        self.matrix = np.zeros((R * S * C + 1, K), np.float32)
        self.matrix[:-1] = w.reshape(K, R * S * C).T
        if bias is not None:
            self.matrix[-1] = bias

    def __call__(self, x: np.ndarray) -> np.ndarray:
        N, H, W, C, K, R, S, P, Q, (u, v), (ph, pw) = conv_shapes(
            x, self.w, self.stride, self.padding
        )
        if (R, S, u, v, ph, pw) == (1, 1, 1, 1, 0, 0):
            pixels = x.reshape(N * P * Q, C)  # the input is the patch matrix
            y = pixels.astype(np.float32, copy=False) @ self.matrix[:-1]
            y = y.reshape(N, P, Q, K)
            if self.bias is not None:
                y += self.bias
        else:
            x_pad = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
            windows = sliding_window_view(x_pad, (R, S), axis=(1, 2))
            windows = windows[:, ::u, ::v].transpose(0, 1, 2, 4, 5, 3)
            y = np.empty((N, P, Q, K), np.float32)
            if P * Q <= BLOCK:  # small images: the whole batch in one block
                self.patches_times_matrix(windows, y)
            else:  # large ones: blocks of output rows, one image at a time
                rows = -(-BLOCK // Q)
                for n in range(N):
                    for p in range(0, P, rows):
                        self.patches_times_matrix(
                            windows[n, p : p + rows], y[n, p : p + rows]
                        )
        return relu_(y) if self.relu else y

    def patches_times_matrix(self, windows: np.ndarray, out: np.ndarray):
        """Copy windows: (..., R, S, C) into one patch matrix, with its column
        of ones, and multiply it by the weight matrix into out: (..., K)."""
        pixels = out.size // out.shape[-1]
        cols = np.empty((pixels, self.matrix.shape[0]), np.float32)
        cols[:, -1] = 1  # meets the bias row
        np.copyto(cols[:, :-1].reshape(windows.shape), windows)
        np.matmul(cols, self.matrix, out=out.reshape(pixels, -1))
# --8<-- [end:gemm]


# --8<-- [start:winograd]
def tile_size(P: int, Q: int) -> int | None:
    """Winograd's m for a P x Q output: F(4x4) where 4 x 4 tiles fill the
    image and there are enough of them, F(2x2) where 2 x 2 tiles do, else
    none (im2col)."""
    if P % 4 == Q % 4 == 0 and min(P, Q) >= 28:
        return 4
    if P % 2 == Q % 2 == 0 and min(P, Q) >= 14:
        return 2
    return None


class Winograd:
    """3x3 kernels, stride 1, with F(m x m, 3 x 3): the kernels transformed
    once for each tile size into U: (a*a, C, K), a = m + 2. Each image: its
    a x a input tiles gathered, transformed by one matrix product (with the
    Kronecker product of B^T with itself), a*a products (T, C) @ (C, K), the
    output transform (the Kronecker product of A^T), the tiles put in place."""

    def __init__(self, w, bias, padding, relu):
        self.w, self.padding, self.relu = w, padding, relu
        self.bias = None if bias is None else np.asarray(bias, np.float32)
        self.fallback = Gemm(w, bias, 1, padding, relu)
        self.plans: dict[int, tuple] = {}  # m -> (U, B^T (x) B^T, A^T (x) A^T)

    def plan(self, m: int) -> tuple:
        if m not in self.plans:
            K, _, _, C = self.w.shape
            matrices = TRANSFORMS[m]
            G, BT, AT = (np.asarray(matrices[k]) for k in ("G", "BT", "AT"))
            U = np.einsum("ar,krsc,bs->abck", G, self.w.astype(np.float64), G)
            self.plans[m] = (
                U.reshape((m + 2) ** 2, C, K).astype(np.float32),
                np.kron(BT, BT).astype(np.float32),  # (a*a, a*a)
                np.kron(AT, AT).astype(np.float32),  # (m*m, a*a)
            )
        return self.plans[m]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        N, H, W, C, K, _, _, P, Q, _, (ph, pw) = conv_shapes(
            x, self.w, 1, self.padding
        )
        m = tile_size(P, Q)
        if m is None:
            return self.fallback(x)
        U, BB, AA = self.plan(m)
        a, tp, tq = m + 2, P // m, Q // m  # tiles down and across
        T = N * tp * tq
        x_pad = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
        # every a x a tile, m apart, copied once into d: (a, a, N, tp, tq, C)
        tiles = sliding_window_view(x_pad, (a, a), axis=(1, 2))[:, ::m, ::m]
        d = np.empty((a, a, N, tp, tq, C), np.float32)
        np.copyto(d, tiles[:, :tp, :tq].transpose(4, 5, 0, 1, 2, 3))
        V = BB @ d.reshape(a * a, T * C)  # B^T d B for every tile and channel
        M = np.matmul(V.reshape(a * a, T, C), U)  # (a*a, T, K)
        if self.bias is not None:
            # Column 1 of A^T is all ones: a number added to the products at
            # (1, 1) reaches every output of the tile.
            M[a + 1] += self.bias
        Y = AA @ M.reshape(a * a, T * K)  # A^T M A: (m*m, T*K)
        if self.relu:
            relu_(Y)
        y = np.empty((N, P, Q, K), np.float32)
        tiles = Y.reshape(m, m, N, tp, tq, K).transpose(2, 3, 0, 4, 1, 5)
        y.reshape(N, tp, m, tq, m, K)[...] = tiles
        return y
# --8<-- [end:winograd]


# --8<-- [start:space-to-depth]
class SpaceToDepth:
    """A stride-2 convolution with few channels, as a stride-1 one: every
    2 x 2 block of pixels becomes one pixel with 4 C channels, and the
    kernel, grown to an even size with zeros, is cut the same way."""

    def __init__(self, w, bias, padding, relu):
        K, R, S, C = w.shape
        R2, S2 = -(-R // 2), -(-S // 2)
        w_even = np.zeros((K, 2 * R2, 2 * S2, C), w.dtype)
        w_even[:, :R, :S] = w
        w2 = w_even.reshape(K, R2, 2, S2, 2, C).transpose(0, 1, 3, 2, 4, 5)
        self.w, self.padding = w, padding
        self.layer = Gemm(w2.reshape(K, R2, S2, 4 * C), bias, 1, 0, relu)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        N, H, W, C, K, R, S, P, Q, _, (ph, pw) = conv_shapes(
            x, self.w, 2, self.padding
        )
        R2, S2 = -(-R // 2), -(-S // 2)
        H2, W2 = P + R2 - 1, Q + S2 - 1  # blocks the outputs need
        x_pad = np.zeros((N, 2 * H2, 2 * W2, C), np.float32)
        h, w = min(H, 2 * H2 - ph), min(W, 2 * W2 - pw)
        x_pad[:, ph : ph + h, pw : pw + w] = x[:, :h, :w]
        blocks = x_pad.reshape(N, H2, 2, W2, 2, C).transpose(0, 1, 3, 2, 4, 5)
        return self.layer(blocks.reshape(N, H2, W2, 4 * C))
# --8<-- [end:space-to-depth]


# --8<-- [start:prepare]
def prepare(
    w: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    relu: bool = False,
    winograd: bool = True,
) -> Layer:
    """A layer for the kernels w: (K, R, S, C) and bias: (K,), made once:
    Winograd for 3x3 kernels with stride 1 (unless winograd=False), im2col
    and one GEMM otherwise."""
    w = np.asarray(w, np.float32)
    if w.ndim != 4:
        raise ValueError(f"w must have 4 dimensions (K, R, S, C),"
                         f" got {w.shape}")
    K, R, S, C = w.shape
    u, v = pair(stride, "stride")
    if (R, S, u, v) == (3, 3, 1, 1) and winograd:
        return Winograd(w, bias, padding, relu)
    return Gemm(w, bias, stride, padding, relu)
# --8<-- [end:prepare]


def main() -> None:
    rng = np.random.default_rng(0)
    for layer in layers():
        H, C, K, R = layer.H, layer.C, layer.K, layer.R
        x = rng.standard_normal((1, H, H, C)).astype(np.float32)
        w = rng.standard_normal((K, R, R, C)) / np.sqrt(R * R * C)
        f = prepare(w, None, layer.stride, layer.padding)
        ref = conv_reference.conv2d(x, w, layer.stride, layer.padding)
        error = np.max(np.abs(f(x) - ref)) / np.max(np.abs(ref))
        method = type(f).__name__
        if isinstance(f, Winograd):
            m = tile_size(layer.P, layer.P)
            method += f" F({m}x{m})" if m else ": im2col"
        print(f"{layer.name:26} {method:18} {error:.1e}")


if __name__ == "__main__":
    main()
