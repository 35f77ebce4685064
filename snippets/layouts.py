"""Convert between this book's layouts and PyTorch's.

The book stores activations NHWC (N, H, W, C) and weights KRSC (K, R, S, C),
so the C numbers that one inner product reads sit next to each other in
memory. PyTorch stores activations NCHW and weights OIHW, which is
(K, C, R, S) in this book's letters.

Each function is a transpose that returns a contiguous copy, so the result is
laid out in memory the way its shape says. Run `python snippets/layouts.py`
to see the shapes.
"""

import numpy as np


# --8<-- [start:convert]
def nhwc_to_nchw(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) -> (N, C, H, W)."""
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def nchw_to_nhwc(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N, H, W, C)."""
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def krsc_to_oihw(w: np.ndarray) -> np.ndarray:
    """(K, R, S, C) -> (K, C, R, S): PyTorch's (out, in, kernel h, kernel w)."""
    return np.ascontiguousarray(w.transpose(0, 3, 1, 2))


def oihw_to_krsc(w: np.ndarray) -> np.ndarray:
    """(K, C, R, S) -> (K, R, S, C)."""
    return np.ascontiguousarray(w.transpose(0, 2, 3, 1))
# --8<-- [end:convert]


def main() -> None:
    x = np.zeros((2, 32, 30, 3), np.float32)  # N, H, W, C
    w = np.zeros((16, 5, 3, 3), np.float32)  # K, R, S, C
    print(nhwc_to_nchw(x).shape, krsc_to_oihw(w).shape)
    print(nchw_to_nhwc(nhwc_to_nchw(x)).shape)
    print(oihw_to_krsc(krsc_to_oihw(w)).shape)


if __name__ == "__main__":
    main()
