"""Fully connected layers are inner products too: ResNet-50's last layer.

The layer maps the 2048 averaged features of an image to 1000 class scores:
y[k] = sum over c of w[k, c] * x[c] (+ a bias, left out here). Three ways:
one np.dot per output (what the series does, with np.vdot), one
matrix-vector product, and one matrix product for a batch of images.

Run `python snippets/fc_dot.py` to compare them on your machine.
"""

import numpy as np

from timing import Comparison, compare

C, K = 2048, 1000  # input features, output classes


# --8<-- [start:fc]
def fc_loop(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x: (C,), w: (K, C) -> y: (K,), one inner product per output."""
    y = np.empty(w.shape[0], np.result_type(x, w))
    for k in range(w.shape[0]):
        y[k] = np.dot(w[k], x)  # w[k] is a contiguous row of C numbers
    return y


def fc_matvec(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x: (C,), w: (K, C) -> y: (K,), one matrix-vector product."""
    return w @ x


def fc_batched(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """X: (N, C) -> Y: (N, K), one matrix product for N images at once."""
    return X @ w.T
# --8<-- [end:fc]


def data(N: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, C)).astype(np.float32)
    w = (rng.standard_normal((K, C)) / np.sqrt(C)).astype(np.float32)
    return X, w


# --8<-- [start:compare]
def loop_vs_matvec() -> Comparison:
    """One image: 1000 np.dot calls against one w @ x."""
    X, w = data()
    x = X[0]
    return compare(lambda: fc_loop(x, w), lambda: fc_matvec(x, w))


def matvec_vs_batched(N: int = 64) -> Comparison:
    """N images: N matrix-vector products against one matrix product."""
    X, w = data(N)

    def one_by_one() -> list:
        return [fc_matvec(x, w) for x in X]

    return compare(one_by_one, lambda: fc_batched(X, w))
# --8<-- [end:compare]


def fc_table(N: int = 64) -> list[dict]:
    """Time per image of each way (the batch: N images at once)."""
    loop = loop_vs_matvec()
    batch = matvec_vs_batched(N)
    per_image = (
        ("1000 np.dot calls (the series)", loop.baseline_s, 1),
        ("w @ x, one image", loop.candidate_s, 1),
        (f"X @ w.T, {N} images at once", batch.candidate_s / N, N),
    )
    weight_bytes = C * K * 4  # float32 weights, read once per call
    return [
        {
            "way": way,
            "us_per_image": seconds * 1e6,
            "gmacs": C * K / seconds / 1e9,  # billion MACs per second
            "weight_gbs": weight_bytes / (seconds * images) / 1e9,
        }
        for way, seconds, images in per_image
    ]


def main() -> None:
    X, w = data(4)
    y = fc_batched(X, w)
    same = all(
        np.allclose(fc_loop(x, w), y_n, rtol=1e-4, atol=1e-5)
        and np.allclose(fc_matvec(x, w), y_n, rtol=1e-4, atol=1e-5)
        for x, y_n in zip(X, y, strict=True)
    )
    print(y.shape, same)
    print(f"matvec is {loop_vs_matvec().ratio:.0f}x faster than 1000 dots")
    ratio = matvec_vs_batched().ratio
    print(f"one matrix product is {ratio:.1f}x faster than 64 matvecs")


if __name__ == "__main__":
    main()
