"""Prepared layers (snippets/prepared.py) agree with the float64 reference.

A prepared layer computes relu(conv(x, w) + bias). Its tolerance is the bound of
the method it runs (tests/test_conv_variants.py: the direct methods' per-output
bound, or Winograd's, rerun on absolute values), plus 64 u |bias| for the bias:
it meets at most 2 (m + 2) + 2 roundings on its way to an output (the output
transform's two sums of m + 2 terms, its own addition, the final rounding), fewer
than 64. The ReLU cannot widen an error: |max(a, 0) - max(b, 0)| <= |a - b|.
"""

import numpy as np
import prepared
import pytest
import resnet50
from conv_reference import conv2d as reference
from test_conv_variants import SHAPES, U32, direct_bound, winograd_bound

# (x shape, w shape, stride, padding, the class prepare picks, Winograd's m)
PREPARED_SHAPES = [
    *((x, w, s, p, None, None) for x, w, s, p in SHAPES),
    ((1, 28, 28, 3), (4, 3, 3, 3), 1, 1, "Winograd", 4),
    ((2, 28, 32, 5), (3, 3, 3, 5), 1, 1, "Winograd", 4),
    ((1, 14, 16, 4), (2, 3, 3, 4), 1, 1, "Winograd", 2),
    ((1, 16, 14, 1), (1, 3, 3, 1), 1, (0, 1), "Winograd", 2),  # C = K = 1
    ((1, 13, 13, 2), (2, 3, 3, 2), 1, 1, "Winograd", None),  # odd: im2col
    ((1, 9, 9, 3), (5, 7, 7, 3), 2, 3, "Gemm", None),
    ((2, 40, 38, 2), (3, 5, 5, 2), 1, 2, "Gemm", None),  # blocks of 27 and 13 rows
]


def expected_and_bound(x, w, bias, stride, padding, m):
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    exact = reference(x64, w64, stride, padding) + bias
    if m is None:
        bound = direct_bound(x64, w64, stride, padding)
    else:
        bound = winograd_bound(x64, w64, padding, m)
    return np.maximum(exact, 0), bound + 64 * U32 * np.abs(bias)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "padding", "kind", "m"), PREPARED_SHAPES
)
def test_prepared_layer_matches_the_reference(x_shape, w_shape, stride, padding, kind, m):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    bias = rng.standard_normal(w_shape[0]).astype(np.float32)
    layer = prepared.prepare(w, bias, stride, padding, relu=True)
    if kind is not None:
        assert type(layer).__name__ == kind
    y = layer(x)
    expected, bound = expected_and_bound(x, w, bias, stride, padding, m)
    assert y.shape == expected.shape and y.dtype == np.float32
    assert y.flags.c_contiguous
    assert (np.abs(y - expected) <= bound).all()
    assert (y == layer(x)).all()  # a layer keeps nothing from one call to the next


@pytest.mark.parametrize(("P", "m"), [(56, 4), (28, 4), (24, 2), (14, 2), (7, None), (15, None)])
def test_tile_size_rules(P, m):
    assert prepared.tile_size(P, P) == m


@pytest.mark.parametrize(("H", "R", "padding"), [(224, 7, 3), (17, 7, 3), (12, 5, 2), (9, 3, 0)])
def test_space_to_depth_is_the_same_stride_2_convolution(H, R, padding):
    rng = np.random.default_rng(H + R)
    x = rng.standard_normal((2, H, H + 1, 3)).astype(np.float32)
    w = rng.standard_normal((4, R, R, 3)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    y = prepared.SpaceToDepth(w, bias, padding, relu=True)(x)
    expected, bound = expected_and_bound(x, w, bias, 2, padding, None)
    assert y.shape == expected.shape
    assert (np.abs(y - expected) <= bound).all()


def test_relu_in_place():
    y = np.array([[-1.5, 0.0, 2.0], [-0.0, 3.0, -7.0]], np.float32)
    assert prepared.relu_(y) is y
    assert y.tolist() == [[0.0, 0.0, 2.0], [0.0, 3.0, 0.0]]


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "message"),
    [
        ((5, 5, 3), (2, 3, 3, 3), {}, r"x must have 4 dimensions .* got shape \(5, 5, 3\)"),
        ((1, 5, 5, 3), (2, 3, 3, 4), {}, "channel mismatch: x has C=3 but w has C=4"),
        ((1, 30, 30, 4), (2, 3, 3, 3), {"padding": 1}, "channel mismatch"),  # Winograd
        ((1, 5, 5, 3), (2, 8, 3, 3), {"padding": 1}, "kernel 8x3 is larger than .* 7x7"),
        ((1, 5, 5, 3), (2, 3, 3, 3), {"stride": 0}, "stride must be positive"),
        ((1, 5, 5, 3), (2, 3, 3, 3), {"padding": (0, -1)}, "padding must be non-negative"),
    ],
)
def test_bad_input_raises_a_clear_error(x_shape, w_shape, kwargs, message):
    x, w = np.ones(x_shape, np.float32), np.ones(w_shape, np.float32)
    with pytest.raises(ValueError, match=message):
        prepared.prepare(w, **kwargs)(x)


def test_weights_of_the_wrong_rank_are_refused_when_prepared():
    with pytest.raises(ValueError, match=r"w must have 4 dimensions .* got \(3, 3, 3\)"):
        prepared.prepare(np.ones((3, 3, 3), np.float32))


def test_prepared_network_gives_the_logits_of_the_plain_one():
    """At 112 x 112 the 3 x 3 layers of stage 2 run F(4x4), those of stage 3
    F(2x2), the others im2col: within the capstone's tolerance, 1e-3 of the
    largest logit."""
    params = resnet50.init_params(seed=0)
    x = np.random.default_rng(2).standard_normal((2, 112, 112, 3)).astype(np.float32)
    net = resnet50.prepare(params)
    picked = {type(net[name]).__name__ for name in resnet50.layer_specs()}
    assert picked == {"Gemm", "Winograd"}
    plain, fast = resnet50.forward(x, params), resnet50.forward_prepared(x, net)
    assert fast.shape == (2, 1000)
    assert np.abs(fast - plain).max() <= 1e-3 * np.abs(plain).max()
