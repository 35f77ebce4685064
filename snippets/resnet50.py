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
import prepared
from prepared import relu_

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


# --8<-- [start:specs]
def layer_specs() -> dict[str, tuple[int, int, bool]]:
    """(stride, padding, ReLU after it) of each convolution, by name, in the
    order of the forward pass."""
    specs = {"conv1": (2, 3, False)}  # its ReLU comes after the max-pool
    for stage, (_, blocks, stride) in enumerate(STAGES, start=2):
        for block in range(blocks):
            name = f"conv{stage}.{block}"
            s = stride if block == 0 else 1
            specs[f"{name}.a"] = (1, 0, True)
            specs[f"{name}.b"] = (s, 1, True)
            specs[f"{name}.c"] = (1, 0, False)  # ReLU after the residual sum
            if block == 0:
                specs[f"{name}.shortcut"] = (s, 0, False)
    return specs
# --8<-- [end:specs]


# --8<-- [start:forward]
def conv_bn(x, weights, bias, stride, padding, relu, conv2d=conv_fast.conv2d):
    """Convolution with folded batch normalization, then ReLU. The bias and
    the ReLU work in place, in the convolution's fresh output array."""
    y = conv2d(x, weights, stride, padding)
    y += bias
    return relu_(y) if relu else y


def max_pool(x: np.ndarray) -> np.ndarray:
    """3x3 max-pool with stride 2 and padding 1 over (N, H, W, C): along the
    rows, then along the columns, each output the largest of its centre
    (even index 2p) and its two neighbours (2p - 1 and 2p + 1, odd)."""
    return pool_axis(pool_axis(x, 1), 2)


def pool_axis(x: np.ndarray, axis: int) -> np.ndarray:
    """Largest of x[2p - 1], x[2p], x[2p + 1] along axis 1 or 2, for every p."""

    def along(index: slice) -> tuple:
        return (slice(None),) * axis + (index,)

    y = x[along(slice(0, None, 2))].copy()  # the centres 2p: one per output
    odd = x[along(slice(1, None, 2))]  # 2p + 1, and 2p - 1 of the next p
    n, n_odd = y.shape[axis], odd.shape[axis]
    right, left = y[along(slice(0, n_odd))], y[along(slice(1, None))]
    np.maximum(right, odd, out=right)
    np.maximum(left, odd[along(slice(0, n - 1))], out=left)
    return y


def network(x: np.ndarray, conv, fc: tuple) -> np.ndarray:
    """Logits (N, 1000) for images x: (N, H, W, 3), float32, NHWC, where
    conv(name, x) runs the convolution `name` with its bias and ReLU."""
    y = max_pool(conv("conv1", x))
    y = relu_(y)  # ReLU after the max-pool: the two commute, and it is smaller
    for stage, (_, blocks, _) in enumerate(STAGES, start=2):
        for block in range(blocks):
            name = f"conv{stage}.{block}"
            z = conv(f"{name}.c", conv(f"{name}.b", conv(f"{name}.a", y)))
            if block == 0:
                y = conv(f"{name}.shortcut", y)
            z += y  # the residual sum, in place
            y = relu_(z)
    features = y.mean(axis=(1, 2))  # global average pool: (N, 2048)
    fc_w, fc_b = fc
    return features @ fc_w.T + fc_b


def forward(x: np.ndarray, params: dict, conv2d=conv_fast.conv2d) -> np.ndarray:
    """Logits (N, 1000) for images x: (N, H, W, 3), each convolution computed
    by conv2d(x, w, stride, padding)."""
    specs = layer_specs()

    def conv(name, x):
        return conv_bn(x, *params[name], *specs[name], conv2d=conv2d)

    return network(x, conv, params["fc"])
# --8<-- [end:forward]


# --8<-- [start:prepared]
def prepare(params: dict, winograd: bool = True) -> dict:
    """Every convolution as a prepared layer (prepared.py), made once. Where
    a block has a projection shortcut, its last convolution and the shortcut
    meet in the residual sum: one bias, the sum of both, goes to the
    shortcut, whose strided input is copied anyway (the bias is free there)."""
    specs, params = layer_specs(), dict(params)
    for name in specs:
        if name.endswith(".shortcut"):
            block = name.removesuffix(".shortcut")
            (w_c, b_c), (w_s, b_s) = params[f"{block}.c"], params[name]
            params[f"{block}.c"], params[name] = (w_c, None), (w_s, b_c + b_s)
    net = {
        name: prepared.prepare(*params[name], *specs[name], winograd=winograd)
        for name in specs
    }
    return net | {"fc": params["fc"]}


def forward_prepared(x: np.ndarray, net: dict) -> np.ndarray:
    """Logits (N, 1000) for images x: (N, H, W, 3) with prepared layers."""
    return network(x, lambda name, x: net[name](x), net["fc"])
# --8<-- [end:prepared]


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
