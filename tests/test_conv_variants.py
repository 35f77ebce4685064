"""Every convolution variant `snippets/conv_<variant>.py` agrees with the reference.

Tolerance, for float32 inputs: a sum of m products computed in float32, in any
order, is within gamma_m * sum(|x * w|) of the exact sum (Higham, "Accuracy and
Stability of Numerical Algorithms", 2nd ed., section 3.1), with gamma_m ~ m * u and
u = 2**-24 the unit roundoff of float32, and the result is rounded once more when
stored as float32. So each output y[n, p, q, k] may differ from the float64
reference by at most (R*S*C + 2) * u times the same convolution of |x| and |w|
(one u for the final rounding, one to cover gamma_m = m*u / (1 - m*u) > m*u for
the small m of these tests). That bound is the tolerance: safe for the worst case,
far from vacuous (a wrong index or a missing term breaks it by a factor of 100 or more).
"""

import importlib
import inspect

import conv_fast
import conv_winograd
import numpy as np
import pytest
from conv_reference import conv2d as reference
from hypothesis import given, settings
from hypothesis import strategies as st
from shapes import conv_shapes

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


def direct_bound(x64, w64, stride, padding):
    """Any summation order: (R*S*C + 2) * u * sum(|x * w|), for every output."""
    K, R, S, C = w64.shape
    return (R * S * C + 2) * U32 * reference(np.abs(x64), np.abs(w64), stride, padding)


def fft_bound(x64, w64, stride, padding):
    """The FFT mixes every input into every frequency, so its rounding errors
    spread over all outputs of an (n, k) plane. Higham (ch. 24) bounds the
    FFT's error normwise, about u * log2(size) relative to the data; this
    heuristic elementwise version uses the largest sum(|x * w|) of the plane,
    with 10 * log2(size) added to m as a safety factor."""
    K, R, S, C = w64.shape
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    size = (x64.shape[1] + 2 * ph) * (x64.shape[2] + 2 * pw)
    terms = reference(np.abs(x64), np.abs(w64), stride, padding)
    plane_max = terms.max(axis=(1, 2), keepdims=True)
    return (R * S * C + 2 + 10 * np.log2(size)) * U32 * plane_max


def winograd_bound(x64, w64, padding, m):
    """Winograd's sums and products, rerun on |x|, |w| and the absolute
    values of the transform matrices, bound every term of the computation.
    The roundings along the path to one output, with alpha = m + 2: B^T d B,
    two products of alpha terms (2 alpha); G g G^T, two of 3 terms, plus the
    float32 rounding of G's entries such as 1/6 (7); the sum over C channels
    (C); A^T M A, two products of alpha terms (2 alpha); the stored result (1).
    Total 4 alpha + C + 8."""
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    x_pad = np.pad(np.abs(x64), ((0, 0), (ph, ph), (pw, pw), (0, 0)))
    absolute = {k: np.abs(np.asarray(v)) for k, v in conv_winograd.TRANSFORMS[m].items()}
    terms = conv_winograd.winograd(x_pad, np.abs(w64), m, absolute)
    roundings = 4 * (m + 2) + w64.shape[3] + 8
    return roundings * U32 * terms


def bound(name, x64, w64, stride, padding, m=2):
    winograd_shape = w64.shape[1:3] == (3, 3) and stride in (1, (1, 1))
    if name == "conv_fast":  # the bound of the method it picks
        picked = conv_fast.choose(conv_shapes(x64, w64, stride, padding))
        name = "conv_fft" if picked == "fft" else "direct"
    if name == "conv_fft":
        return fft_bound(x64, w64, stride, padding)
    if name == "conv_winograd" and winograd_shape:
        return winograd_bound(x64, w64, padding, m)
    return direct_bound(x64, w64, stride, padding)


def assert_matches_reference(y, x, w, stride, padding, name="direct", m=2):
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    expected = reference(x64, w64, stride, padding)
    assert y.shape == expected.shape
    assert y.dtype == np.float32
    excess = np.abs(y - expected) - bound(name, x64, w64, stride, padding, m)
    assert excess.max() <= 0, f"worst excess over the bound: {excess.max():.3g}"


@pytest.mark.parametrize("name", VARIANTS)
@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), SHAPES)
def test_variant_matches_the_reference(name, x_shape, w_shape, stride, padding):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    y = VARIANTS[name].conv2d(x, w, stride=stride, padding=padding)
    assert_matches_reference(y, x, w, stride, padding, name)


def test_fft_errors_spread_over_the_plane_so_its_bound_is_per_plane():
    """part2-fast-algorithms.md: on an image whose top half is 10^4 times smaller,
    FFT's errors on the small outputs break the per-output bound of the direct
    methods, which im2col keeps; FFT's per-plane bound holds."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 32, 32, 8))
    x[:, :16] *= 1e-4
    w = rng.standard_normal((4, 3, 3, 8))
    expected = reference(x, w, 1, 1)
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    fft_error = np.abs(VARIANTS["conv_fft"].conv2d(x32, w32, 1, 1) - expected)
    im2col_error = np.abs(VARIANTS["conv_im2col"].conv2d(x32, w32, 1, 1) - expected)
    assert (fft_error > direct_bound(x, w, 1, 1)).mean() > 0.2  # many outputs, not one
    assert (im2col_error <= direct_bound(x, w, 1, 1)).all()
    assert (fft_error <= fft_bound(x, w, 1, 1)).all()


def test_fast_picks_fft_for_a_large_kernel_and_stays_correct():
    rng = np.random.default_rng(15)
    x = rng.standard_normal((1, 20, 18, 3)).astype(np.float32)
    w = rng.standard_normal((2, 15, 15, 3)).astype(np.float32)
    assert conv_fast.choose(conv_shapes(x, w, 1, 7)) == "fft"
    assert_matches_reference(conv_fast.conv2d(x, w, 1, 7), x, w, 1, 7, "conv_fast")


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "method"),
    [
        ((1, 60, 60, 1), (1, 3, 3, 1), "im2col"),  # not shift-add: C = 1
        ((1, 60, 60, 2), (1, 3, 3, 2), "shift-add"),
        ((1, 30, 30, 1), (1, 5, 5, 1), "fft"),  # one channel in and out
        ((1, 30, 30, 1), (2, 5, 5, 1), "strided"),  # two out: not image filtering
    ],
)
def test_fast_rules_for_few_channels(x_shape, w_shape, method):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    assert conv_fast.choose(conv_shapes(x, w, 1, 0)) == method
    assert_matches_reference(conv_fast.conv2d(x, w), x, w, 1, 0, "conv_fast")


@pytest.mark.parametrize(("x_shape", "padding"), [((1, 9, 7, 5), 1), ((2, 8, 8, 16), (0, 1))])
def test_winograd_f4_matches_the_reference(x_shape, padding):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, x_shape[3])).astype(np.float32)
    y = conv_winograd.conv2d(x, w, padding=padding, m=4)
    assert_matches_reference(y, x, w, 1, padding, "conv_winograd", m=4)


def test_the_tolerance_catches_a_wrong_answer():
    """A result off by one missing product is far outside the bound."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 5, 5, 3)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    y = reference(x, w).astype(np.float32)
    y[0, 1, 1, 0] -= x[0, 1, 1, 0] * w[0, 0, 0, 0]  # drop one term
    with pytest.raises(AssertionError):
        assert_matches_reference(y, x, w, 1, 0)
    # convolution-loops.md: "a single missing product breaks it by a factor of 100 or more"
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    error = abs(y[0, 1, 1, 0] - reference(x64, w64)[0, 1, 1, 0])
    assert error > 100 * direct_bound(x64, w64, 1, 0)[0, 1, 1, 0]


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
    """conv2d(x, w, stride=1, padding=0); any further option is keyword-only."""
    for name, module in VARIANTS.items():
        parameters = list(inspect.signature(module.conv2d).parameters.values())
        assert [p.name for p in parameters[:4]] == ["x", "w", "stride", "padding"], name
        assert parameters[2].default == 1 and parameters[3].default == 0
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters[4:]), name


@st.composite
def conv_problems(draw):
    """Random shapes within small sizes: N, H, W, C, K, R, S, stride, padding
    (ints or pairs), always valid (the kernel fits in the padded input)."""
    R, S = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, R - 2 * ph), 9))
    W = draw(st.integers(max(1, S - 2 * pw), 9))
    N, C, K = draw(st.integers(1, 2)), draw(st.integers(1, 6)), draw(st.integers(1, 4))
    u, v = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = u if u == v and draw(st.booleans()) else (u, v)
    padding = ph if ph == pw and draw(st.booleans()) else (ph, pw)
    seed = draw(st.integers(0, 2**32 - 1))
    return (N, H, W, C), (K, R, S, C), stride, padding, seed


@pytest.mark.parametrize("name", VARIANTS)
@settings(max_examples=25, deadline=None, derandomize=True)
@given(problem=conv_problems())
def test_variant_matches_the_reference_on_random_shapes(name, problem):
    x_shape, w_shape, stride, padding, seed = problem
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    y = VARIANTS[name].conv2d(x, w, stride=stride, padding=padding)
    assert_matches_reference(y, x, w, stride, padding, name)
