"""ResNet-50 inference in NumPy: the whole forward pass, NHWC, float32.

Stem (7x7 convolution with stride 2, 3x3 max-pool with stride 2), four stages
of bottleneck blocks (1x1 -> 3x3 -> 1x1, projection shortcuts where the shape
changes), global average pool and the fully connected layer: the torchvision
architecture ("v1.5": the stride sits in the 3x3 convolution).

The weights are random, from a seed (nothing is downloaded), scaled so that the
activations stay finite through all 50 layers. Batch normalization is folded
into the convolutions for inference: a convolution followed by
    y = gamma * (z - mean) / sqrt(var + eps) + beta
is the same convolution with its kernels scaled by gamma / sqrt(var + eps) and a
bias beta - mean * gamma / sqrt(var + eps).

Run `python snippets/resnet50.py` to run one 224 x 224 image through it.
"""

import time

import numpy as np

import conv_fast

# (width, blocks, stride) of the four stages of bottleneck blocks
STAGES = ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2))
EPS = 1e-5


# --8<-- [start:fold]
def folded_conv(
    rng: np.random.Generator, K: int, R: int, C: int, gain: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Random KRSC kernels (He initialization, times `gain`) and random batch
    normalization statistics, folded into (weights, bias)."""
    w = rng.standard_normal((K, R, R, C)) * np.sqrt(2.0 / (R * R * C)) * gain
    gamma, beta = rng.uniform(0.5, 1.5, K), rng.normal(0.0, 0.1, K)
    mean, var = rng.normal(0.0, 0.1, K), rng.uniform(0.5, 1.5, K)
    scale = gamma / np.sqrt(var + EPS)
    weights = (w * scale[:, None, None, None]).astype(np.float32)
    bias = (beta - mean * scale).astype(np.float32)
    return weights, bias
# --8<-- [end:fold]


def init_params(seed: int = 0) -> dict:
    """Every weight of the network, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    params = {"conv1": folded_conv(rng, 64, 7, 3)}  # 64 kernels of 7x7x3
    C = 64
    for stage, (width, blocks, _) in enumerate(STAGES, start=2):
        for block in range(blocks):
            name = f"conv{stage}.{block}"
            params[f"{name}.a"] = folded_conv(rng, width, 1, C)
            params[f"{name}.b"] = folded_conv(rng, width, 3, width)
            # the last convolution of a block starts small, as in "zero-gamma"
            # initialization: the residual sum then keeps its scale
            params[f"{name}.c"] = folded_conv(rng, 4 * width, 1, width, 0.2)
            if block == 0:
                params[f"{name}.shortcut"] = folded_conv(rng, 4 * width, 1, C)
            C = 4 * width
    fc_w = rng.standard_normal((1000, C)) * np.sqrt(1.0 / C)
    params["fc"] = (fc_w.astype(np.float32), np.zeros(1000, np.float32))
    return params


# --8<-- [start:forward]
def conv_bn(
    x, params, name, stride=1, padding=0, relu=True, conv2d=conv_fast.conv2d
):
    """Convolution with folded batch normalization, then ReLU. The bias and
    the ReLU work in place, in the convolution's fresh output array."""
    weights, bias = params[name]
    y = conv2d(x, weights, stride, padding)
    y += bias
    return np.maximum(y, 0, out=y) if relu else y


def max_pool(x: np.ndarray, size: int = 3, stride: int = 2, pad: int = 1):
    """3x3 max-pool with stride 2 over (N, H, W, C), padding with -inf."""
    N, H, W, C = x.shape
    pads = ((0, 0), (pad, pad), (pad, pad), (0, 0))
    x_pad = np.pad(x, pads, constant_values=-np.inf)
    P = (H + 2 * pad - size) // stride + 1
    Q = (W + 2 * pad - size) // stride + 1
    y = np.full((N, P, Q, C), -np.inf, x.dtype)
    for r in range(size):
        for s in range(size):
            rows = slice(r, r + stride * P, stride)
            cols = slice(s, s + stride * Q, stride)
            np.maximum(y, x_pad[:, rows, cols], out=y)
    return y


def forward(x: np.ndarray, params: dict, conv2d=conv_fast.conv2d) -> np.ndarray:
    """Logits (N, 1000) for images x: (N, H, W, 3), float32, NHWC."""
    y = conv_bn(x, params, "conv1", stride=2, padding=3, conv2d=conv2d)
    y = max_pool(y)
    for stage, (_, blocks, stride) in enumerate(STAGES, start=2):
        for block in range(blocks):
            name = f"conv{stage}.{block}"
            s = stride if block == 0 else 1
            z = conv_bn(y, params, f"{name}.a", conv2d=conv2d)
            z = conv_bn(z, params, f"{name}.b", s, 1, conv2d=conv2d)
            z = conv_bn(z, params, f"{name}.c", relu=False, conv2d=conv2d)
            if block == 0:
                y = conv_bn(
                    y, params, f"{name}.shortcut", s, relu=False, conv2d=conv2d
                )
            z += y  # the residual sum, in place
            y = np.maximum(z, 0, out=z)
    features = y.mean(axis=(1, 2))  # global average pool: (N, 2048)
    fc_w, fc_b = params["fc"]
    return features @ fc_w.T + fc_b
# --8<-- [end:forward]


def main() -> None:
    params = init_params()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 224, 224, 3)).astype(np.float32)
    forward(x, params)  # warm-up
    start = time.perf_counter()
    logits = forward(x, params)
    seconds = time.perf_counter() - start
    print(logits.shape, logits.dtype, bool(np.isfinite(logits).all()))
    print(f"one 224 x 224 image: {seconds * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
