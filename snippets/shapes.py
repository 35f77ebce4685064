"""Shapes and argument checks shared by every conv2d in this book.

Every variant `snippets/conv_<variant>.py` calls `conv_shapes` first, so all
of them accept the same arguments and reject bad input with the same error.

Run `python snippets/shapes.py` to print the output size of ResNet-50's first
layer and to see the error that a bad call gets.
"""

from typing import NamedTuple

import numpy as np


def pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """Return `value` as an (h, w) pair of ints; accepts an int or a pair."""
    values = value if isinstance(value, (tuple, list)) else (value, value)
    if len(values) == 2 and all(is_int(v) for v in values):
        return int(values[0]), int(values[1])
    raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")


def is_int(value: object) -> bool:
    """True for Python and NumPy integers, but not for True and False."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


# --8<-- [start:output-size]
def output_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """Output length along one axis: (size + 2*pad - kernel) // stride + 1."""
    return (size + 2 * pad - kernel) // stride + 1
# --8<-- [end:output-size]


class ConvShapes(NamedTuple):
    """Everything a conv2d needs to know before it computes anything."""

    N: int
    H: int
    W: int
    C: int
    K: int
    R: int
    S: int
    P: int
    Q: int
    stride: tuple[int, int]
    padding: tuple[int, int]


def conv_shapes(
    x: np.ndarray,
    w: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> ConvShapes:
    """Check the arguments of conv2d and return its shapes.

    x: (N, H, W, C) activations, w: (K, R, S, C) weights.
    Raises ValueError or TypeError with a message that names the problem.
    """
    x, w = np.asarray(x), np.asarray(w)
    for name, array in (("x", x), ("w", w)):
        if array.dtype.kind not in "iuf":
            raise TypeError(
                f"{name} must hold real numbers, got dtype {array.dtype}"
            )
    if x.ndim != 4:
        raise ValueError(
            f"x must have 4 dimensions (N, H, W, C), got shape {x.shape}"
        )
    if w.ndim != 4:
        raise ValueError(
            f"w must have 4 dimensions (K, R, S, C), got shape {w.shape}"
        )
    sh, sw = pair(stride, "stride")
    ph, pw = pair(padding, "padding")
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be positive, got {(sh, sw)}")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be non-negative, got {(ph, pw)}")
    N, H, W, C = x.shape
    K, R, S, C_w = w.shape
    if C != C_w:
        raise ValueError(f"channel mismatch: x has C={C} but w has C={C_w}")
    if min(x.shape) == 0 or min(w.shape) == 0:
        raise ValueError(f"empty input: x {x.shape}, w {w.shape}")
    if R > H + 2 * ph or S > W + 2 * pw:
        raise ValueError(
            f"kernel {R}x{S} is larger than the padded input "
            f"{H + 2 * ph}x{W + 2 * pw}"
        )
    P, Q = output_size(H, R, sh, ph), output_size(W, S, sw, pw)
    return ConvShapes(N, H, W, C, K, R, S, P, Q, (sh, sw), (ph, pw))


def main() -> None:
    # ResNet-50's first layer: a 224x224x3 image, 64 kernels of 7x7x3,
    # stride 2, padding 3.
    print(output_size(224, 7, 2, 3))
    x, w = np.zeros((1, 224, 224, 3)), np.zeros((64, 7, 7, 3))
    s = conv_shapes(x, w, stride=2, padding=3)
    print(s.P, s.Q, s.K)
    try:
        conv_shapes(np.zeros((1, 8, 8, 3)), np.zeros((4, 3, 3, 16)))
    except ValueError as error:
        print("ValueError:", error)


if __name__ == "__main__":
    main()
