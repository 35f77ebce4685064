"""Every convolution variant `snippets/conv_<variant>.py` agrees with the reference.

Tolerance, for float32 inputs: a sum of m products computed in float32, in any
order, is within gamma_m * sum(|x * w|) of the exact sum (Higham, "Accuracy and
Stability of Numerical Algorithms", 2nd ed., section 3.1), with gamma_m ~ m * u and
u = 2**-24 the unit roundoff of float32, and the result is rounded once more when
stored as float32. So each output y[n, p, q, k] may differ from the float64
reference by at most (R*S*C + 2) * u times the same convolution of |x| and |w|
(one u for the final rounding, one to cover gamma_m = m*u / (1 - m*u) > m*u for
the small m of these tests). That bound is the tolerance: safe for the worst case,
far from vacuous (a wrong index or a missing term breaks it by orders of magnitude).
"""

import importlib
import inspect

import numpy as np
import pytest
from conv_reference import conv2d as reference

from book import SNIPPETS

VARIANTS = {
    path.stem: importlib.import_module(path.stem)
    for path in sorted(SNIPPETS.glob("conv_*.py"))
    if path.stem != "conv_reference"
}
U32 = 2.0**-24

# (x shape NHWC, w shape KRSC, stride, padding): strides 1, 2 and (2, 1); paddings
# 0, 1, (1, 2); non-square inputs and kernels; C = 1; K = 1; N > 1; 1x1 kernels;
# a kernel as large as the (padded) input.
SHAPES = [
    ((1, 5, 5, 1), (1, 3, 3, 1), 1, 0),
    ((2, 6, 5, 3), (4, 3, 2, 3), 2, 1),
    ((1, 7, 4, 2), (3, 2, 3, 2), (2, 1), (1, 2)),
    ((3, 4, 6, 5), (2, 1, 1, 5), 1, 0),
    ((1, 5, 7, 4), (1, 5, 3, 4), (1, 2), (2, 1)),
    ((2, 3, 3, 2), (2, 3, 3, 2), 1, 0),
    ((1, 4, 4, 3), (2, 6, 6, 3), 1, 1),
    ((1, 9, 9, 1), (2, 3, 3, 1), 3, 0),
    ((1, 6, 6, 16), (3, 3, 3, 16), 2, 1),
]


def assert_matches_reference(y, x, w, stride, padding):
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    expected = reference(x64, w64, stride, padding)
    K, R, S, C = w.shape
    bound = (R * S * C + 2) * U32 * reference(np.abs(x64), np.abs(w64), stride, padding)
    assert y.shape == expected.shape
    assert y.dtype == np.float32
    excess = np.abs(y - expected) - bound
    assert excess.max() <= 0, f"worst excess over the bound: {excess.max():.3g}"


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), SHAPES)
def test_variant_matches_the_reference(name, x_shape, w_shape, stride, padding):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    y = VARIANTS[name].conv2d(x, w, stride=stride, padding=padding)
    assert_matches_reference(y, x, w, stride, padding)


def test_the_tolerance_catches_a_wrong_answer():
    """A result off by one missing product is far outside the bound."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 5, 5, 3)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    y = reference(x, w).astype(np.float32)
    y[0, 1, 1, 0] -= x[0, 1, 1, 0] * w[0, 0, 0, 0]  # drop one term
    with pytest.raises(AssertionError):
        assert_matches_reference(y, x, w, 1, 0)


@pytest.mark.parametrize("name", [*VARIANTS, "conv_reference"])
@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "message"),
    [
        ((5, 5, 3), (2, 3, 3, 3), {}, r"x must have 4 dimensions .* got shape \(5, 5, 3\)"),
        ((1, 5, 5, 3), (2, 3, 3, 4), {}, "channel mismatch: x has C=3 but w has C=4"),
        ((1, 5, 5, 3), (2, 8, 3, 3), {"padding": 1}, "kernel 8x3 is larger than .* 7x7"),
        ((1, 5, 5, 3), (2, 3, 3, 3), {"stride": 0}, "stride must be positive"),
        ((1, 5, 5, 3), (2, 3, 3, 3), {"stride": (2, -1)}, "stride must be positive"),
        ((1, 5, 5, 3), (2, 3, 3, 3), {"padding": (0, -1)}, "padding must be non-negative"),
    ],
)
def test_bad_input_raises_a_clear_error(name, x_shape, w_shape, kwargs, message):
    conv2d = reference if name == "conv_reference" else VARIANTS[name].conv2d
    x, w = np.ones(x_shape, np.float32), np.ones(w_shape, np.float32)
    with pytest.raises(ValueError, match=message):
        conv2d(x, w, **kwargs)


def test_every_variant_has_the_books_interface():
    for name, module in VARIANTS.items():
        parameters = inspect.signature(module.conv2d).parameters
        assert list(parameters) == ["x", "w", "stride", "padding"], name
        assert parameters["stride"].default == 1 and parameters["padding"].default == 0
