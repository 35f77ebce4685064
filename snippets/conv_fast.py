"""The fastest convolution in this book: pick a method for each shape.

The choice follows measurements (float32, batch 1, see the Part II pages
and, for one channel, the Benchmarks page): one matrix product for 1x1
kernels; FFT for very large kernels, and from 5x5 on when one channel goes in
and one comes out (image filtering); shift-and-add (one product per tap) over
the flattened image for 3x3 kernels with stride 1 on large images with more
than one channel; stride tricks for few input channels with a large kernel
(ResNet-50's first layer); im2col + GEMM otherwise.

Run `python snippets/conv_fast.py` to see which method each ResNet-50 layer
gets.
"""

import numpy as np

import conv_fft
import conv_im2col
import conv_shift_add
import conv_strided
from resnet50_layers import layers
from shapes import ConvShapes, conv_shapes

METHODS = {
    "fft": conv_fft.conv2d,
    "im2col": conv_im2col.conv2d,
    "shift-add": conv_shift_add.conv2d,
    "strided": conv_strided.conv2d,
}


# --8<-- [start:choose]
def choose(shapes: ConvShapes) -> str:
    """The method for one convolution shape."""
    if shapes.R == shapes.S == 1:
        return "im2col"  # 1x1: the input already is the GEMM's matrix
    if shapes.stride == (1, 1) and (
        shapes.R * shapes.S >= 15 * 15
        or (shapes.C == shapes.K == 1 and shapes.R * shapes.S >= 5 * 5)
    ):
        return "fft"  # the work no longer grows with the kernel
    if (
        (shapes.R, shapes.S, shapes.stride) == (3, 3, (1, 1))
        and shapes.P >= 56
        and shapes.C > 1  # one channel: each of the 9 products is rank 1
    ):
        return "shift-add"  # 9 products over contiguous runs, no patch copy
    if shapes.C < 8 and shapes.R * shapes.S >= 25:
        return "strided"  # a large, thin patch: one copy of the window view
    return "im2col"
# --8<-- [end:choose]


# --8<-- [start:conv2d]
def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """Cross-correlate x: (N, H, W, C) with w: (K, R, S, C) -> (N, P, Q, K)."""
    method = choose(conv_shapes(x, w, stride, padding))
    return METHODS[method](x, w, stride, padding)
# --8<-- [end:conv2d]


def main() -> None:
    for layer in layers():
        x = np.empty((1, layer.H, layer.H, layer.C), np.float32)
        w = np.empty((layer.K, layer.R, layer.R, layer.C), np.float32)
        shapes = conv_shapes(x, w, layer.stride, layer.padding)
        print(f"{layer.name:26} {choose(shapes)}")


if __name__ == "__main__":
    main()
