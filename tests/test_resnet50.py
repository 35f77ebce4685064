"""The ResNet-50 forward pass in NumPy: finite, consistent with the reference
convolution, and (when PyTorch is installed) with PyTorch's own operators.

Tolerance: float32 rounding compounds over 53 convolutions of up to 4,608 terms
each plus the residual sums; the logits are compared relative to their largest
magnitude, within 1e-3 (about 8,000 units of float32 rounding, far below the
spread of the logits themselves).
"""

import conv_fast
import numpy as np
import pytest
import resnet50
from capstone import torch_forward
from conv_reference import conv2d as reference_conv2d
from layouts import nhwc_to_nchw
from test_conv_variants import assert_matches_reference

TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def params():
    return resnet50.init_params(seed=0)


def image(size: int) -> np.ndarray:
    return np.random.default_rng(1).standard_normal((1, size, size, 3)).astype(np.float32)


def assert_logits_close(actual, expected):
    scale = np.max(np.abs(expected))
    assert actual.shape == expected.shape == (1, 1000)
    assert np.max(np.abs(actual - expected)) <= TOLERANCE * scale


def test_forward_gives_finite_logits_at_224(params):
    logits = resnet50.forward(image(224), params)
    assert logits.shape == (1, 1000) and logits.dtype == np.float32
    assert np.isfinite(logits).all() and logits.std() > 0.1


def test_init_is_deterministic(params):
    again = resnet50.init_params(seed=0)
    assert all(np.array_equal(params[k][0], again[k][0]) for k in params)
    assert len([k for k in params if k != "fc"]) == 53  # 53 convolutions


def test_forward_matches_the_reference_convolution(params):
    """The same network with every convolution done by the float64 reference."""
    x = image(64)
    fast = resnet50.forward(x, params)
    slow = resnet50.forward(x, params, conv2d=reference_conv2d)
    assert_logits_close(fast, slow)


def convolution_calls(size: int, params: dict) -> list[tuple]:
    """Every conv_fast call of one forward pass on a size x size image, in order:
    (x, w, stride, padding, y), with y copied before the in-place bias."""
    calls = []

    def recording_conv2d(x, w, stride, padding):
        y = conv_fast.conv2d(x, w, stride, padding)
        calls.append((x, w, stride, padding, y.copy()))
        return y

    resnet50.forward(image(size), params, conv2d=recording_conv2d)
    return calls


def test_every_convolution_matches_the_reference_layer_by_layer(params):
    """Each of the 53 convolutions of a forward pass on a 64 x 64 image, on the input
    it actually received, against the float64 reference with the per-output bound of
    tests/test_conv_variants.py (the bound of the method conv_fast picks): an error
    in one layer shows up at that layer, not only, diluted, in the logits."""
    calls = convolution_calls(64, params)
    assert len(calls) == 53
    for x, w, stride, padding, y in calls:
        assert_matches_reference(y, x, w, stride, padding, "conv_fast")


def test_stage_outputs_have_the_shapes_of_the_page(params):
    """capstone.md's table of stages: 56x56x256, 28x28x512, 14x14x1024, 7x7x2048."""
    shapes = {}
    for _, w, _, _, y in convolution_calls(224, params):
        shapes.setdefault(w.shape[0], y.shape[1:])  # first output with K channels
    expected = {256: (56, 56, 256), 512: (28, 28, 512), 1024: (14, 14, 1024)}
    assert {k: shapes[k] for k in expected} == expected
    assert shapes[2048] == (7, 7, 2048)
    assert shapes[64] == (112, 112, 64)  # the stem's convolution, before the max-pool


def test_max_pool_matches_a_loop():
    x = np.random.default_rng(2).standard_normal((2, 7, 6, 3)).astype(np.float32)
    y = resnet50.max_pool(x)  # 3x3 windows, stride 2, padding 1
    expected = np.empty((2, 4, 3, 3), np.float32)
    for p in range(4):
        for q in range(3):
            rows = slice(max(2 * p - 1, 0), 2 * p + 2)
            cols = slice(max(2 * q - 1, 0), 2 * q + 2)
            expected[:, p, q] = x[:, rows, cols].max(axis=(1, 2))
    np.testing.assert_array_equal(y, expected)


def test_batch_norm_folding_is_exact():
    """Folded weights and bias give the same result as convolution, then BN."""
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 3, 3, 2))
    gamma, beta = rng.uniform(0.5, 1.5, 4), rng.normal(0, 0.1, 4)
    mean, var = rng.normal(0, 0.1, 4), rng.uniform(0.5, 1.5, 4)
    x = rng.standard_normal((1, 6, 6, 2))
    z = reference_conv2d(x, w, 1, 1)
    bn = gamma * (z - mean) / np.sqrt(var + resnet50.EPS) + beta
    scale = gamma / np.sqrt(var + resnet50.EPS)
    folded = reference_conv2d(x, w * scale[:, None, None, None], 1, 1) + beta - mean * scale
    np.testing.assert_allclose(folded, bn, rtol=1e-12, atol=1e-12)


def test_forward_matches_pytorch(params):
    """The same network, same weights, in torch.nn.functional (capstone.py)."""
    torch = pytest.importorskip("torch")
    x = image(224)
    forward = torch_forward(torch, params)
    with torch.inference_mode():
        logits = forward(torch.from_numpy(nhwc_to_nchw(x)))
    assert_logits_close(resnet50.forward(x, params), logits.numpy())
