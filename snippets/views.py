"""Views, copies and strides: where the numbers are, and when NumPy copies.

An array is a buffer plus a shape, strides (bytes to step along each axis)
and an offset. Slicing, transposing and most reshapes only compute new
strides and an offset: a view, no copy. Every window of a convolution is
such a view too; the copy comes only when the windows must become one
matrix for BLAS.

Run `python snippets/views.py` to see the window view built by hand and the
bytes that turning it into a matrix copies.
"""

import tracemalloc
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view


# --8<-- [start:address]
def address(a: np.ndarray, index: tuple[int, ...]) -> int:
    """Bytes from a's first number to a[index]: the sum of index * stride."""
    return sum(i * stride for i, stride in zip(index, a.strides, strict=True))
# --8<-- [end:address]


# --8<-- [start:windows]
def windows_by_hand(
    x_pad: np.ndarray, R: int, S: int, u: int = 1, v: int = 1
) -> np.ndarray:
    """Every R x S window of x_pad: (N, Hp, Wp, C) as a view (N, P, Q, R, S, C).

    Window (n, p, q) starts at pixel (p*u, q*v); inside it, tap (r, s) is r
    rows and s columns further. So p steps u rows, q steps v columns, r one
    row, s one column, c one channel: no number is copied."""
    N, Hp, Wp, C = x_pad.shape
    P, Q = (Hp - R) // u + 1, (Wp - S) // v + 1
    sN, sH, sW, sC = x_pad.strides
    return as_strided(
        x_pad,
        shape=(N, P, Q, R, S, C),
        strides=(sN, u * sH, v * sW, sH, sW, sC),
        writeable=False,  # rows overlap: a write would change several windows
    )
# --8<-- [end:windows]


# --8<-- [start:copied]
def bytes_allocated(make: Callable[[], np.ndarray]) -> int:
    """Bytes that NumPy allocates while `make()` runs (and keeps or frees)."""
    tracemalloc.start()
    try:
        make()
        return tracemalloc.get_traced_memory()[1]  # the peak
    finally:
        tracemalloc.stop()
# --8<-- [end:copied]


def main() -> None:
    x_pad = np.zeros((1, 10, 10, 64), np.float32)
    by_hand = windows_by_hand(x_pad, 3, 3)
    library = sliding_window_view(x_pad, (3, 3), axis=(1, 2))
    library = library.transpose(0, 1, 2, 4, 5, 3)  # C last, as in x_pad
    print(by_hand.shape, by_hand.strides, by_hand.strides == library.strides)
    copied = bytes_allocated(lambda: by_hand.reshape(8 * 8, 3 * 3 * 64))
    print(f"input {x_pad.nbytes:,} bytes, the window matrix copies {copied:,}")


if __name__ == "__main__":
    main()
