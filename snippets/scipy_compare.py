"""This book's convolutions against SciPy's on one channel.

scipy.signal filters 2-D images: one channel in, one channel out. That is
the case where a convolution is image filtering (a blur, an edge detector),
with no channel loop and so no inner product over channels. Each library in
its native layout: an (N, H, W, C) = (1, H, W, 1) array for this book's
conv2d, an (H, W) array for SciPy, made before the timing. "valid" mode
(no padding), stride 1, float32. SciPy is optional: without it, the table
is empty.

scipy.signal.correlate2d is the direct method (a loop in C over every
output pixel and kernel tap); scipy.signal.correlate with method="fft" goes
through the Fourier transform. Both correlate, like every conv2d here: the
kernel is not flipped.

Run `python snippets/scipy_compare.py` to measure on your machine.
"""

# --8<-- [start:compare]
import numpy as np

import conv_fast
import conv_fft
import conv_im2col
from timing import best_times

SIZE = 256  # a 256 x 256 single-channel image
KERNELS = (3, 5, 7, 11, 15, 21)  # square kernels, R = S


def scipy_table() -> list[dict]:
    """Time (ms) per kernel size: three conv2d variants and SciPy's two
    methods, on one 256 x 256 channel ([] without SciPy)."""
    try:
        import scipy
        from scipy import signal
    except ImportError:
        return []
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, SIZE, SIZE, 1)).astype(np.float32)
    image = np.ascontiguousarray(x[0, :, :, 0])  # (H, W) for SciPy
    rows = []
    for R in KERNELS:
        w = rng.standard_normal((1, R, R, 1)).astype(np.float32)
        kernel = np.ascontiguousarray(w[0, :, :, 0])  # (R, S) for SciPy
        candidates = {
            "im2col": lambda w=w: conv_im2col.conv2d(x, w),
            "fft": lambda w=w: conv_fft.conv2d(x, w),
            "fast": lambda w=w: conv_fast.conv2d(x, w),
            "scipy_direct": lambda k=kernel: signal.correlate2d(
                image, k, mode="valid"
            ),
            "scipy_fft": lambda k=kernel: signal.correlate(
                image, k, mode="valid", method="fft"
            ),
        }
        times = best_times(candidates, min_time=0.01)  # in alternation
        row = {"kernel": f"{R}x{R}", "R": R}
        row |= {name: seconds * 1e3 for name, seconds in times.items()}
        row["scipy_version"] = scipy.__version__
        rows.append(row)
    return rows
# --8<-- [end:compare]


def main() -> None:
    rows = scipy_table()
    if not rows:
        print("SciPy is not installed: nothing to compare")
        return
    names = ("im2col", "fft", "fast", "scipy_direct", "scipy_fft")
    print("kernel  " + "".join(f"{name:>13}" for name in names) + "   (ms)")
    for row in rows:
        print(f"{row['kernel']:8}" + "".join(f"{row[n]:13.3f}" for n in names))


if __name__ == "__main__":
    main()
