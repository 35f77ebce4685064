"""Unit tests of the snippet modules, and each snippet as the program a reader runs."""

import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from conftest import AS_A_PROGRAM, QUICK_TIMING
from conv_reference import conv2d
from inner_products import (
    dot_indexed,
    dot_loop,
    float_vs_int_matmul,
    loop_vs_dot,
    relative_errors,
)
from layouts import krsc_to_oihw, nchw_to_nhwc, nhwc_to_nchw, oihw_to_krsc
from shapes import conv_shapes, output_size
from timing import calls_per_batch, compare, machine

from book import ROOT, SNIPPETS
from book.claims import function

RNG = np.random.default_rng(0)


def random(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


# --- shapes: the errors every conv2d raises -------------------------------------------


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "error", "message"),
    [
        ((8, 8, 3), (4, 3, 3, 3), {}, ValueError, "x must have 4 dimensions"),
        ((1, 8, 8, 3), (3, 3, 3), {}, ValueError, "w must have 4 dimensions"),
        ((1, 8, 8, 3), (4, 3, 3, 2), {}, ValueError, "channel mismatch"),
        ((1, 8, 8, 3), (4, 9, 3, 3), {}, ValueError, "larger than the padded input"),
        (
            (1, 8, 8, 3),
            (4, 3, 11, 3),
            {"padding": 1},
            ValueError,
            "larger than the padded",
        ),
        (
            (1, 8, 8, 3),
            (4, 3, 3, 3),
            {"stride": 0},
            ValueError,
            "stride must be positive",
        ),
        (
            (1, 8, 8, 3),
            (4, 3, 3, 3),
            {"stride": (1, -1)},
            ValueError,
            "stride must be pos",
        ),
        (
            (1, 8, 8, 3),
            (4, 3, 3, 3),
            {"padding": -1},
            ValueError,
            "padding must be non-neg",
        ),
        (
            (1, 8, 8, 3),
            (4, 3, 3, 3),
            {"stride": 1.0},
            TypeError,
            "stride must be an int",
        ),
        (
            (1, 8, 8, 3),
            (4, 3, 3, 3),
            {"padding": (1, 2, 3)},
            TypeError,
            "padding must be",
        ),
        ((0, 8, 8, 3), (4, 3, 3, 3), {}, ValueError, "empty input"),
        ((1, 8, 8, 3), (4, 3, 3, 3), {"stride": True}, TypeError, "stride must be an int"),
    ],
)
def test_bad_input_gets_a_clear_error(x_shape, w_shape, kwargs, error, message):
    x, w = np.zeros(x_shape, np.float32), np.zeros(w_shape, np.float32)
    with pytest.raises(error, match=message):
        conv_shapes(x, w, **kwargs)
    with pytest.raises(error, match=message):
        conv2d(x, w, **kwargs)


@pytest.mark.parametrize("dtype", [np.complex64, np.bool_, object])
def test_arrays_that_do_not_hold_real_numbers_are_rejected(dtype):
    x, w = np.zeros((1, 4, 4, 2), dtype), np.zeros((3, 3, 3, 2), np.float32)
    with pytest.raises(TypeError, match="x must hold real numbers"):
        conv2d(x, w)
    with pytest.raises(TypeError, match="w must hold real numbers"):
        conv2d(w[:1], x)


def test_a_kernel_as_large_as_the_padded_input_is_fine():
    assert conv2d(random(1, 4, 4, 2), random(3, 6, 6, 2), padding=1).shape == (
        1,
        1,
        1,
        3,
    )


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "pad", "expected"),
    [
        (224, 7, 2, 3, 112),
        (56, 3, 1, 1, 56),
        (56, 1, 2, 0, 28),
        (7, 3, 2, 0, 3),
        (5, 5, 3, 0, 1),
    ],
)
def test_output_size(size, kernel, stride, pad, expected):
    assert output_size(size, kernel, stride, pad) == expected


# --- the reference convolution ------------------------------------------------------


def test_reference_by_hand():
    """y[p, q] = x[p, q] - x[p + 1, q + 1] on a 4x4 image numbered 0..15: always -5."""
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    w = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(conv2d(x, w), np.full((1, 3, 3, 1), -5.0))


def test_reference_one_by_one_kernel_is_a_matrix_product():
    x, w = random(2, 5, 3, 4), random(6, 1, 1, 4)
    np.testing.assert_allclose(
        conv2d(x, w), x.astype(np.float64) @ w[:, 0, 0, :].T.astype(np.float64)
    )


def test_reference_is_cross_correlation_not_convolution():
    """A kernel that picks the pixel below-right shifts the image up-left (no flip)."""
    x = random(1, 5, 5, 1)
    w = np.zeros((1, 3, 3, 1))
    w[0, 2, 2, 0] = 1.0
    np.testing.assert_array_equal(conv2d(x, w)[0, :, :, 0], x[0, 2:, 2:, 0])


@pytest.mark.parametrize("stride", [(2, 2), (3, 1), (1, 2)])
@pytest.mark.parametrize("padding", [0, 1, (1, 2)])
def test_reference_stride_and_padding_agree_with_stride_one_on_a_padded_input(stride, padding):
    x, w = random(2, 9, 8, 3), random(4, 3, 2, 3)
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    dense = conv2d(np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0))), w)
    np.testing.assert_allclose(
        conv2d(x, w, stride, padding), dense[:, :: stride[0], :: stride[1]], rtol=1e-12
    )


def test_reference_is_float64_and_linear():
    x1, x2, w = random(1, 6, 7, 2), random(1, 6, 7, 2), random(3, 3, 3, 2)
    y = conv2d(x1 + 2 * x2.astype(np.float64), w)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, conv2d(x1, w) + 2 * conv2d(x2, w), rtol=1e-10, atol=1e-12)


def test_reference_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    x, w = random(2, 9, 7, 3), random(4, 3, 2, 3)
    expected = torch.nn.functional.conv2d(
        torch.from_numpy(nhwc_to_nchw(x)).double(),
        torch.from_numpy(krsc_to_oihw(w)).double(),
        stride=(2, 1),
        padding=(1, 2),
    )
    y = conv2d(x, w, stride=(2, 1), padding=(1, 2))
    np.testing.assert_allclose(y, nchw_to_nhwc(expected.numpy()), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("size", "kernel"), [((7, 9), (3, 3)), ((12, 5), (5, 2)), ((6, 6), (6, 6))]
)
def test_reference_agrees_with_scipy_correlate2d_on_one_channel(size, kernel):
    """SciPy's correlate2d is this book's conv2d with one channel in and one out."""
    signal = pytest.importorskip("scipy.signal")
    image, k = random(*size).astype(np.float64), random(*kernel).astype(np.float64)
    y = conv2d(image[None, :, :, None], k[None, :, :, None])
    expected = signal.correlate2d(image, k, mode="valid")
    np.testing.assert_allclose(y[0, :, :, 0], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("peer", "measure"),
    [("scipy", "scipy_compare:scipy_table"), ("torch", "torch_compare:torch_table")],
)
def test_peer_tables_are_empty_without_the_peer(monkeypatch, peer, measure):
    """A missing optional peer gives an empty table, not an error."""
    monkeypatch.setitem(sys.modules, peer, None)  # `import peer` raises ImportError
    assert function(measure)() == []


# --- layouts ------------------------------------------------------------------------


def test_layouts_round_trip_and_are_contiguous():
    x, w = random(2, 5, 4, 3), random(6, 3, 2, 3)
    assert nhwc_to_nchw(x).shape == (2, 3, 5, 4) and krsc_to_oihw(w).shape == (
        6,
        3,
        3,
        2,
    )
    assert nhwc_to_nchw(x).flags["C_CONTIGUOUS"] and krsc_to_oihw(w).flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(nchw_to_nhwc(nhwc_to_nchw(x)), x)
    np.testing.assert_array_equal(oihw_to_krsc(krsc_to_oihw(w)), w)
    assert nhwc_to_nchw(x)[1, 2, 3, 0] == x[1, 3, 0, 2]


# --- inner products -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "R", "S", "u", "v"),
    [((1, 5, 5, 1), 3, 3, 1, 1), ((2, 7, 6, 3), 3, 2, 2, 1), ((1, 9, 8, 4), 1, 1, 3, 2),
     ((3, 4, 4, 2), 4, 4, 1, 1), ((1, 11, 7, 5), 5, 3, 2, 3)],
)
def test_windows_by_hand_are_the_library_windows_and_copy_nothing(shape, R, S, u, v):
    from numpy.lib.stride_tricks import sliding_window_view
    from views import address, bytes_allocated, windows_by_hand

    x_pad = random(*shape)
    mine = windows_by_hand(x_pad, R, S, u, v)
    library = sliding_window_view(x_pad, (R, S), axis=(1, 2))[:, ::u, ::v]
    np.testing.assert_array_equal(mine, library.transpose(0, 1, 2, 4, 5, 3))
    assert np.shares_memory(mine, x_pad) and not mine.flags.writeable
    assert bytes_allocated(lambda: windows_by_hand(x_pad, R, S, u, v)) < 10_000
    N, P, Q = mine.shape[:3]
    copied = bytes_allocated(lambda: mine.reshape(N * P * Q, -1))
    if mine.flags.c_contiguous:  # one window covering the whole image: no overlap
        assert copied < 10_000
    else:  # overlapping windows: the matrix is a copy
        assert copied >= mine.size * 4
    index = tuple(d - 1 for d in x_pad.shape)
    assert x_pad.ravel()[address(x_pad, index) // 4] == x_pad[index]


def test_dot_loop_is_the_inner_product():
    a, b = RNG.random(1000), RNG.random(1000)
    assert dot_loop(a.tolist(), b.tolist()) == pytest.approx(np.dot(a, b), rel=1e-12)
    with pytest.raises(ValueError):
        dot_loop([1.0, 2.0], [1.0])


def test_accuracy_ordering_stated_on_the_page():
    errors = relative_errors()
    assert errors["float64, np.dot"] < 1e-14 < errors["float64, one running total"] < 1e-12
    assert errors["float32, np.sum(a * b)"] < errors["float32, np.dot"] < 1e-5
    assert 1e-5 < errors["float32, one running total"] < 1e-3


def test_indexing_arrays_computes_the_same_inner_product():
    a, b = RNG.random(50), RNG.random(50)
    assert dot_indexed(a, b) == pytest.approx(dot_loop(a.tolist(), b.tolist()), rel=1e-12)


def test_comparisons_return_per_call_times():
    result = loop_vs_dot(10)
    assert result.baseline_s > 0 and result.candidate_s > 0
    assert float_vs_int_matmul(16).ratio > 0


# --- timing -------------------------------------------------------------------------


def test_calls_per_batch_is_a_power_of_two_long_enough_to_time():
    number = calls_per_batch(lambda: sum(range(1000)), min_time=0.01)
    assert number & (number - 1) == 0
    assert number > 1


def test_compare_tells_more_work_from_less():
    items = list(range(20_000))
    assert compare(lambda: sum(items), lambda: sum(items[:200]), repeat=3).ratio > 10


def test_machine_line_has_every_field():
    line = machine()
    assert set(line) == {"cpu", "simd", "cpus", "python", "numpy", "blas", "threads", "date"}
    assert line["threads"] >= 1


# --- each snippet is a program ------------------------------------------------------


# Every program runs here with QUICK_TIMING (conftest.py): half the time.
# The two benchmarks of every ResNet-50 shape take a minute and half a minute as
# programs. Here they run as programs on three shapes (the stem and the last stage's
# 3x3, which Winograd measures): `layers` is cut down before the program imports it.
# `python -m book.results` runs their functions on every shape.
FEWER_SHAPES = """
import resnet50_layers
every_shape = resnet50_layers.layers
resnet50_layers.layers = lambda: [
    layer for layer in every_shape() if layer.name.startswith(("conv1", "conv5 3x3"))
]
""" + AS_A_PROGRAM
EVERY_SHAPE = ("resnet_bench.py", "torch_compare.py", "batch_sizes.py", "inference.py")
ARGUMENTS = {"batch_sizes.py": ["1", "2"]}  # two small batches, not 1, 8 and 32
# capstone.py times five rounds of two new processes, a full forward pass each: here,
# one round. The file runs as a program would, then main() with one round.
ONE_ROUND = """
import runpy
program = runpy.run_path(sys.argv[1], run_name="program")
program["forward_times"].__defaults__ = (1, *program["forward_times"].__defaults__[1:])
program["main"]()
"""
# memory_hierarchy.py sweeps working sets up to 256 MB (25 s): here up to 16 MB, which
# reaches L3 but not memory on the machines this book was measured on (levels() leaves
# out a level no working set reached).
SMALLER_SWEEP = """
import runpy
program = runpy.run_path(sys.argv[1], run_name="program")
every_size = program["sweep"]
program["main"].__globals__["sweep"] = lambda largest, rounds: every_size(16 * 2**20, rounds)
program["main"]()
"""
WRAPPERS = {name: FEWER_SHAPES for name in EVERY_SHAPE} | {
    "capstone.py": ONE_ROUND,
    "memory_hierarchy.py": SMALLER_SWEEP,
}


PROGRAM_TEST = "test_snippet_runs_as_a_program_and_says_what_it_shows"


def run_program(site: Path, folder: Path, name: str) -> subprocess.CompletedProcess:
    """Unzip the program's download from the site into an empty folder and run it
    there as `python snippets/<file>.py` (no PYTHONPATH) runs it for a reader, with
    quicker timing (QUICK_TIMING) and, for the slowest, less to measure (WRAPPERS)."""
    with zipfile.ZipFile(site / "downloads" / "programs" / f"{Path(name).stem}.zip") as archive:
        archive.extractall(folder)
    wrapper = QUICK_TIMING + WRAPPERS.get(name, AS_A_PROGRAM)
    return subprocess.run(
        [sys.executable, "-c", wrapper, f"snippets/{name}", *ARGUMENTS.get(name, [])],
        cwd=folder,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def program_runs(request, site, tmp_path_factory):
    """The selected programs, run two at a time (they print timings but check none):
    a future per program, the slowest started first."""
    names = {
        item.callspec.params["path"].name
        for item in request.session.items
        if getattr(item, "originalname", "") == PROGRAM_TEST
    }
    slow_first = sorted(names, key=lambda name: (name not in WRAPPERS, name))
    folder = tmp_path_factory.mktemp("programs")
    with ThreadPoolExecutor(2) as pool:
        yield {name: pool.submit(run_program, site, folder / name, name) for name in slow_first}


@pytest.mark.parametrize("path", sorted(SNIPPETS.glob("*.py")), ids=lambda p: p.name)
def test_snippet_runs_as_a_program_and_says_what_it_shows(path, program_runs):
    """As a reader gets it: the program's download from the site, unzipped into an
    empty folder, run there (see run_program)."""
    text = path.read_text()
    assert text.startswith('"""'), f"{path.name} has no docstring"
    assert 'if __name__ == "__main__":' in text
    done = program_runs[path.name].result()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_snippets_use_numpy_and_the_standard_library_only():
    """Other imports only for a peer the file is about (torch in torch_compare.py)
    or as an optional import, inside a try block that catches ImportError."""
    from book.downloads import imports

    allowed = set(sys.stdlib_module_names) | {"numpy", "threadpoolctl"}
    allowed |= {p.stem for p in SNIPPETS.glob("*.py")}
    for path in SNIPPETS.glob("*.py"):
        for module in imports(path.read_text(), required=True):
            peer = path.name.startswith(f"{module}_")  # torch_compare.py: torch
            assert module in allowed or peer, f"{path.name}: {module}"


def test_code_is_ruff_clean():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "snippets", "book", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
