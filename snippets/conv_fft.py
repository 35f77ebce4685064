"""FFT convolution: multiply in the frequency domain.

By the convolution theorem, a convolution becomes an element-wise product
after a Fourier transform. Cross-correlation is a convolution with the
kernel flipped. So: transform each input channel and each flipped kernel
channel (numpy.fft.rfft2, to the padded image's size), multiply and sum over
the channels (for every frequency, an (N, C) @ (C, K) product), transform
back, and keep the outputs that the kernel covers fully (then every u-th,
v-th for a stride). The work grows with the image size, not with the kernel
size: FFT wins for large kernels, loses for 3 x 3.

Run `python snippets/conv_fft.py` to check it against the reference.
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
    """Cross-correlate x: (N, H, W, C) with w: (K, R, S, C) -> (N, P, Q, K).
    Computes in the precision of the inputs (complex64 for float32)."""
    N, H, W, C, K, R, S, P, Q, (u, v), (pad_h, pad_w) = conv_shapes(
        x, w, stride, padding
    )
    dtype = np.result_type(x, w, np.float32)
    x_pad = np.pad(x, ((0, 0), (pad_h, pad_h), (pad_w, pad_w), (0, 0)))
    Hp, Wp = x_pad.shape[1:3]
    flipped = w[:, ::-1, ::-1, :].astype(dtype, copy=False)
    x_f = np.fft.rfft2(x_pad.astype(dtype, copy=False), axes=(1, 2))
    w_f = np.fft.rfft2(flipped, s=(Hp, Wp), axes=(1, 2))  # (K, Hp, F, C)
    # for every frequency (h, f): (N, C) @ (C, K), as one batched matmul
    y_f = x_f.transpose(1, 2, 0, 3) @ w_f.transpose(1, 2, 3, 0)  # (Hp, F, N, K)
    y_full = np.fft.irfft2(y_f.transpose(2, 0, 1, 3), s=(Hp, Wp), axes=(1, 2))
    # circular result: the fully covered outputs start at (R - 1, S - 1)
    y = y_full[:, R - 1 :: u, S - 1 :: v][:, :P, :Q]
    return np.ascontiguousarray(y, dtype)
# --8<-- [end:conv2d]


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 32, 32, 8)).astype(np.float32)
    w = rng.standard_normal((4, 11, 11, 8)).astype(np.float32)
    y, ref = conv2d(x, w, padding=5), conv_reference.conv2d(x, w, padding=5)
    error = np.max(np.abs(y - ref)) / np.max(np.abs(ref))
    print(y.shape, y.dtype, f"largest error / largest output: {error:.0e}")


if __name__ == "__main__":
    main()
