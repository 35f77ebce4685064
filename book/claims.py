"""Every speed claim and every measured table in the book, in one registry.

A Claim is a sentence of the form "B is at least FLOOR times faster than A". Its
`measure` names a function in `snippets/` that returns a `timing.Comparison` (A timed
against B, interleaved, best of repeats). Three things keep it honest:

- the page never writes the number itself: it writes `[[floor:ID]]`, which the site
  hook renders from FLOOR, and `[[measured:ID]]`, rendered from the results file;
- `tests/test_claims.py` re-measures every claim on the machine running the tests and
  fails below FLOOR;
- the results file records a hash of every snippet a figure depends on, and a test
  fails when one changed after the figure was measured (re-run `python -m book.results`).

Floors are set at most half of what the published machine measured (checked by a
test), so a loaded 2-core machine does not make them flake, and at least MIN_FLOOR, so they
always claim something.

Every claim but the one about threads is measured with BLAS on one thread (`blas_threads`),
on the tests' machine as on the published one. A call that BLAS splits between threads
ends when its slowest thread does: on a machine where other programs keep the cores busy,
one preempted thread makes a 20 µs dot wait a scheduler time slice (milliseconds), and a
ratio of "best times" against a one-thread loop drops a hundredfold. One thread against
one thread, both sides lose the same share of the CPU. The threads claim needs what it
compares (`needs_cpus`): that many CPUs in the process's affinity, BLAS threads, and idle
CPUs; otherwise its test is skipped with what is missing.
"""

import ast
import contextlib
import hashlib
import importlib
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from threadpoolctl import threadpool_limits
from timing import Comparison, available_cpus, blas_info

from book import ROOT, SNIPPETS

MIN_FLOOR = 1.25  # a claim of "at least 1x faster" says nothing
MARGIN = 2.0  # published ratio / floor must be at least this


@dataclass(frozen=True)
class Claim:
    id: str
    page: str  # the docs page that states the claim
    what: str  # the comparison, as a table row shows it
    floor: float  # "at least FLOOR times faster"
    measure: str  # "module:function" in snippets/, returning a timing.Comparison
    kwargs: dict = field(default_factory=dict)
    dtype: str = field(kw_only=True)  # no default: every claim says what it computes in
    # A smaller margin only where the effect itself is bounded (threads cannot
    # gain more than the core count), with the reason given where it is used.
    margin: float = MARGIN
    blas_threads: int | None = 1  # BLAS threads while measuring; None: as many as it has
    needs_cpus: int = 1  # CPUs the comparison needs: in the affinity, BLAS threads, idle


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    fmt: str  # format spec for the value, e.g. ",d" or ".2f"


@dataclass(frozen=True)
class Table:
    id: str
    page: str
    measure: str  # "module:function" in snippets/, returning a list of row dicts
    columns: tuple[Column, ...]
    kwargs: dict = field(default_factory=dict)
    # What the measured work computes in, for the table's caption. No default: a
    # measured table states it; a table derived from one other takes that one's
    # (see `dtype_of`), and may not state its own.
    dtype: str | None = None
    # A derived table: `measure` computes its rows from the recorded rows of the
    # table(s) `source` (a fit, an estimate), so the tests can check it exactly.
    source: str | tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        inherits = isinstance(self.source, str)
        if inherits == (self.dtype is not None):
            raise ValueError(
                f"table {self.id}: "
                + ("a table derived from one other takes its dtype" if inherits
                   else "state the dtype of the measured work")
            )

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else (self.source or ())


CLAIMS = (
    Claim(
        id="dot-1000",
        page="inner-products.md",
        what="`np.dot` vs a Python loop, 1,000 float64",
        floor=10,
        measure="inner_products:loop_vs_dot",
        kwargs={"length": 1000},
        dtype="float64",
    ),
    Claim(
        id="dot-100000",
        page="inner-products.md",
        what="`np.dot` vs a Python loop, 100,000 float64",
        floor=50,
        measure="inner_products:loop_vs_dot",
        kwargs={"length": 100_000},
        dtype="float64",
    ),
    Claim(
        id="lists-vs-indexing",
        page="inner-products.md",
        what="the Python loop over lists vs over NumPy arrays by index, 1,000 float64",
        floor=2,
        measure="inner_products:indexing_vs_lists",
        kwargs={"length": 1000},
        dtype="float64",
    ),
    Claim(
        id="matmul-float-vs-int",
        page="inner-products.md",
        what="float64 `@` (BLAS) vs int64 `@` (no BLAS), 256 x 256",
        floor=8,
        measure="inner_products:float_vs_int_matmul",
        kwargs={"n": 256},
        dtype="float64 vs int64",
    ),
    Claim(
        id="conv-lists-vs-arrays",
        page="why-loops-are-slow.md",
        what="the seven loops over lists vs over NumPy arrays, 6x6x64 input, 3x3x64x4",
        floor=1.3,
        measure="loop_costs:arrays_vs_lists",
        dtype="float32 arrays, lists of Python floats",
    ),
    Claim(
        id="tuple-vs-chained",
        page="why-loops-are-slow.md",
        what="the seven loops indexing x[n, h, w, c] vs chained x[n][h][w][c], as the series",
        floor=1.3,
        measure="loop_costs:chained_vs_tuple",
        dtype="float64",
        # A bounded effect: five views per MAC added to a loop that already makes two
        # scalars and two tuples; about 2x here, and no machine makes it much more.
        margin=1.5,
    ),
    Claim(
        id="dot-vs-naive-c64",
        page="dot-optimization.md",
        what="`conv_dot` vs `conv_naive`, C = 64",
        floor=4,
        measure="channel_sweep:naive_vs_dot",
        kwargs={"C": 64},
        dtype="float32",
    ),
    Claim(
        id="dot-vs-naive-c1024",
        page="dot-optimization.md",
        what="`conv_dot` vs `conv_naive`, C = 1024",
        floor=100,
        measure="channel_sweep:naive_vs_dot",
        kwargs={"C": 1024},
        dtype="float32",
    ),
    Claim(
        id="rows-vs-dot-7x7",
        page="dot-optimization.md",
        what="`conv_dot_rows` vs `conv_dot`, 32 x 32 x 3, 4 kernels 7 x 7, stride 2",
        floor=2,
        measure="dot_rows:dot_vs_rows",
        kwargs={"layer": "7x7"},
        dtype="float32",
    ),
    Claim(
        id="fc-loop-vs-matvec",
        page="fully-connected.md",
        what="`w @ x` vs 1000 `np.dot` calls, 2048 → 1000",
        floor=1.5,
        measure="fc_dot:loop_vs_matvec",
        dtype="float32",
    ),
    Claim(
        id="interp-sum",
        page="why-numpy-is-fast.md",
        what="`np.sum` vs a Python loop, 100,000 float64",
        floor=20,
        measure="fast_interpreter:loop_vs_numpy",
        dtype="float64",
    ),
    Claim(
        id="calls-short-vs-long",
        page="why-numpy-is-fast.md",
        what="`np.dot` per element: 100,000 numbers vs 10 numbers, float64",
        floor=100,
        measure="fast_calls:short_vs_long",
        dtype="float64",
    ),
    Claim(
        id="memory-strided",
        page="why-numpy-is-fast.md",
        what="`np.dot` on contiguous vs every 16th number, 1,000,000 float32",
        floor=10,
        measure="fast_memory:strided_vs_contiguous",
        dtype="float32",
    ),
    Claim(
        id="simd-sqrt",
        page="simd-blas-threads.md",
        what="`np.sqrt` in float32 vs float64, 65,536 numbers",
        floor=1.5,
        measure="fast_simd:float64_vs_float32",
        kwargs={"kernel": "sqrt"},
        dtype="float32 vs float64",
    ),
    Claim(
        id="gemm-vs-add",
        page="simd-blas-threads.md",
        what="FLOPs per second: 512 x 512 `A @ B` vs `a + b` on 8,000,000 float32",
        floor=20,
        measure="fast_peak:memory_vs_compute_bound",
        dtype="float32",
    ),
    Claim(
        id="threads-large-gemm",
        page="simd-blas-threads.md",
        what="1024 x 1024 float32 `@` on all threads vs on one",
        floor=1.25,
        measure="fast_threads:gemm_one_thread_vs_all",
        kwargs={"n": 1024},
        dtype="float32",
        # On 2 cores the ideal is 2x: a 2x margin would leave no claim at all.
        margin=1.3,
        blas_threads=None,
        needs_cpus=2,
    ),
    Claim(
        id="blas-vs-dots",
        page="simd-blas-threads.md",
        what="`A @ B` vs one `np.dot` per output, 64 x 64 float32",
        floor=100,
        measure="fast_blas:versus_blas",
        kwargs={"way": "dots", "n": 64},
        dtype="float32",
    ),
    Claim(
        id="blas-vs-loops",
        page="simd-blas-threads.md",
        what="`A @ B` vs three Python loops, 64 x 64 float32",
        floor=300,
        measure="fast_blas:versus_blas",
        kwargs={"way": "loops", "n": 64},
        dtype="float32",
    ),
    Claim(
        id="blas-vs-matvecs",
        page="simd-blas-threads.md",
        what="`A @ B` vs n matrix-vector products, 1024 x 1024 float32",
        floor=1.5,
        measure="fast_blas:versus_blas",
        kwargs={"way": "matvecs", "n": 1024},
        dtype="float32",
    ),
    Claim(
        id="patch-vs-dot",
        page="part2-gemm.md",
        what="`conv_patch` vs `conv_dot`, 14 x 14 x 64, 64 kernels 3 x 3",
        floor=50,
        measure="gemm_steps:versus",
        kwargs={"slow": "dot", "fast": "patch"},
        dtype="float32",
    ),
    Claim(
        id="fast-vs-dot",
        page="part2-gemm.md",
        what="`conv_fast` vs `conv_dot`, 14 x 14 x 64, 64 kernels 3 x 3",
        floor=100,
        measure="gemm_steps:versus",
        kwargs={"slow": "dot", "fast": "fast"},
        dtype="float32",
    ),
    Claim(
        id="einsum-optimize",
        page="part2-gemm.md",
        what="`np.einsum(..., optimize=True)` vs `optimize=False`, C = K = 256",
        floor=2,
        measure="gemm_steps:einsum_optimize",
        kwargs={"C": 256},
        dtype="float32",
    ),
    Claim(
        id="fft-large-kernel",
        page="part2-fast-algorithms.md",
        what="FFT vs im2col + GEMM, 21 x 21 kernels, 64 x 64 x 16",
        floor=2,
        measure="fast_algorithms:fft_vs_im2col",
        kwargs={"R": 21},
        dtype="float32",
    ),
    Claim(
        id="gemm-small-kernel",
        page="part2-fast-algorithms.md",
        what="im2col + GEMM vs FFT, 3 x 3 kernels, 64 x 64 x 16",
        floor=2.5,
        measure="fast_algorithms:im2col_vs_fft",
        kwargs={"R": 3},
        dtype="float32",
    ),
    Claim(
        id="relu-zeros",
        page="inference.md",
        what="ReLU in place: `np.maximum(y, zeros, out=y)` vs `np.maximum(y, 0, out=y)`,"
        " 56 x 56 x 256",
        floor=1.5,
        measure="inference:relu_spellings",
        dtype="float32",
    ),
)

TABLES = (
    Table(
        id="loop-vs-dot",
        page="inner-products.md",
        measure="inner_products:loop_vs_dot_table",
        columns=(
            Column("length", "length", ",d"),
            Column("loop_us", "Python loop (µs)", ",.2f"),
            Column("dot_us", "`np.dot` (µs)", ",.2f"),
            Column("ratio", "loop / `np.dot`", ".1f"),
        ),
        dtype="float64",
    ),
    Table(
        id="ns-per-mac",
        page="why-loops-are-slow.md",
        measure="loop_costs:ns_per_mac",
        columns=(
            Column("variant", "seven loops", ""),
            Column("ns_per_mac", "ns per MAC", ".0f"),
            Column("resnet50_minutes", "ResNet-50, all convolutions (estimate, min)", ".0f"),
        ),
        dtype="float32 and float64",
    ),
    Table(
        id="channel-sweep",
        page="dot-optimization.md",
        measure="channel_sweep:sweep",
        columns=(
            Column("C", "C", "d"),
            Column("naive_ms", "`conv_naive` (ms)", ",.2f"),
            Column("dot_ms", "`conv_dot` (ms)", ".2f"),
            Column("speedup", "speed-up", ".1f"),
            Column("naive_ns_per_mac", "`conv_naive` (ns per MAC)", ".0f"),
            Column("dot_call_us", "µs per `np.dot` call", ".2f"),
        ),
        dtype="float32, 6x6xC input, four 3x3 kernels",
    ),
    Table(
        id="dot-model",
        page="dot-optimization.md",
        measure="channel_sweep:model_and_estimate",
        source="channel-sweep",
        columns=(
            Column("a_us", "a (µs per call)", ".2f"),
            Column("b_ns", "b (ns per MAC)", ".3f"),
            Column("naive_ns", "naive (ns per MAC)", ".0f"),
            Column("break_even_C", "C where the speed-up is 1", ".0f"),
            Column("C_for_100x", "C where the speed-up is 100", ".0f"),
            Column("C_where_bC_is_a", "C where b·C equals a", ",.0f"),
            Column("dot_calls_million", "`np.dot` calls (million)", ".1f"),
            Column("first_layer_share", "share of calls in the first layer", ".0%"),
            Column("first_layer_dot_s", "first layer, `conv_dot` (s)", ".0f"),
            Column("dot_s", "ResNet-50, `conv_dot` (s)", ".0f"),
            Column("naive_min", "ResNet-50, `conv_naive` (min)", ".0f"),
            Column("speedup", "whole-network speed-up", ".0f"),
        ),
    ),
    Table(
        id="strided",
        page="dot-optimization.md",
        measure="channel_sweep:strided_table",
        columns=(
            Column("nchw_us", "NCHW, strided (µs per row)", ".1f"),
            Column("nhwc_us", "NHWC, contiguous (µs per row)", ".1f"),
            Column("ratio", "ratio", ".1f"),
        ),
        dtype="float32, C = 1024, 56 dots per row",
    ),
    Table(
        id="short-vectors",
        page="dot-optimization.md",
        measure="channel_sweep:short_vector_calls",
        columns=(
            Column("way", "one inner product of 3 numbers", ""),
            Column("us", "µs per call", ".2f"),
        ),
        dtype="float64",
    ),
    Table(
        id="dot-rows",
        page="dot-optimization.md",
        measure="dot_rows:table",
        columns=(
            Column("layer", "layer", ""),
            Column("dot_calls", "`conv_dot`: calls per output", "d"),
            Column("dot_numbers", "numbers per call", "d"),
            Column("rows_calls", "`conv_dot_rows`: calls per output", "d"),
            Column("rows_numbers", "numbers per call", "d"),
            Column("dot_ms", "`conv_dot` (ms)", ".2f"),
            Column("rows_ms", "`conv_dot_rows` (ms)", ".2f"),
            Column("speedup", "speed-up", ".1f"),
        ),
        dtype="float32, one image",
    ),
    Table(
        id="dot-rows-model",
        page="dot-optimization.md",
        measure="dot_rows:model_and_resnet",
        source=("dot-rows", "dot-model"),
        columns=(
            Column("predicted_7x7", "first layer, scaled down: speed-up the model predicts", ".1f"),
            Column("measured_7x7", "… measured", ".1f"),
            Column("predicted_3x3", "3 × 3, C = 64: speed-up the model predicts", ".1f"),
            Column("measured_3x3", "… measured", ".1f"),
            Column("dot_call_us", "first layer, scaled down: µs per call, `conv_dot`", ".2f"),
            Column("rows_call_us", "… `conv_dot_rows`", ".2f"),
            Column(
                "dot_calls_million", "ResNet-50's first layer: `conv_dot` calls (million)", ".1f"
            ),
            Column("rows_calls_million", "… `conv_dot_rows` calls (million)", ".1f"),
            Column("dot_s", "… `conv_dot` (s, the model's estimate)", ".0f"),
            Column("rows_s", "… `conv_dot_rows` (s, divided by the measured speed-up)", ".0f"),
        ),
        dtype="float32",
    ),
    Table(
        id="fc",
        page="fully-connected.md",
        measure="fc_dot:fc_table",
        columns=(
            Column("way", "2048 → 1000", ""),
            Column("us_per_image", "µs per image", ",.1f"),
            Column("gmacs", "billion MACs per second", ".1f"),
            Column("weight_gbs", "GB of weights read per second", ".1f"),
        ),
        dtype="float32",
    ),
    Table(
        id="measuring",
        page="how-we-measure.md",
        measure="measuring:table",
        columns=(
            Column("resolution_ns", "clock resolution, reported (ns)", ".0f"),
            Column("step_ns", "smallest step between two reads (ns)", ".0f"),
            Column("first_ms", "first fill of a new 64 MB array (ms)", ".1f"),
            Column("first_faults", "its page faults", ",d"),
            Column("best_ms", "best later fill (ms)", ".1f"),
            Column("later_faults", "page faults of a later fill, at most", ",d"),
            Column("min_us", "np.sort of 10,000 numbers: minimum (µs)", ".1f"),
            Column("median_us", "median (µs)", ".1f"),
            Column("p90_us", "90th percentile (µs)", ".1f"),
            Column("max_us", "maximum (µs)", ".1f"),
        ),
        dtype="float64",
    ),
    Table(
        id="allocator",
        page="allocator.md",
        measure="measuring:allocator_table",
        columns=(
            Column("before_ms", "2-D FFT, fresh process (ms)", ".2f"),
            Column("before_faults", "page faults per call", ".0f"),
            Column("after_ms", "after one 8 MB array was freed (ms)", ".2f"),
            Column("after_faults", "page faults per call", ".0f"),
        ),
        dtype="float32, 256 x 256, numpy.fft.rfft2, one thread",
    ),
    Table(
        id="noise",
        page="how-we-measure.md",
        measure="measuring:noise_table",
        columns=(
            Column("machine", "machine", ""),
            Column("cv_a", "variation of the loop's times", ".1%"),
            Column("cv_b", "variation of np.sum's times", ".1%"),
            Column("cv_ratio", "variation of their ratio", ".1%"),
            Column("min_ratio", "ratio of the minima", ".1f"),
        ),
        dtype="float64",
    ),
    Table(
        id="interp",
        page="why-numpy-is-fast.md",
        measure="fast_interpreter:per_element",
        columns=(
            Column("way", "sum of 100,000 float64", ""),
            Column("ns", "ns per element", ".2f"),
        ),
        dtype="float64",
    ),
    Table(
        id="calls",
        page="why-numpy-is-fast.md",
        measure="fast_calls:sweep",
        columns=(
            Column("length", "length", ",d"),
            Column("us", "µs per call", ",.2f"),
            Column("ns_per_element", "ns per element", ",.3f"),
            Column("gflops", "GFLOP/s", ".2f"),
        ),
        dtype="float64",
    ),
    Table(
        id="split",
        page="why-numpy-is-fast.md",
        measure="fast_calls:split_dot_time",
        source="loop-vs-dot",
        columns=(
            Column("length", "length", ",d"),
            Column("loop_us", "Python loop (µs)", ",.2f"),
            Column("dot_us", "`np.dot` (µs)", ".2f"),
            Column("fixed_us", "fitted fixed cost (µs)", ".2f"),
            Column("fixed_share", "share of the fixed cost", ".0%"),
            Column("speedup", "speed-up", ",.1f"),
            Column("speedup_without_fixed", "speed-up without the fixed cost", ",.0f"),
        ),
    ),
    Table(
        id="memory",
        page="why-numpy-is-fast.md",
        measure="fast_memory:table",
        columns=(
            Column("way", "np.dot of 1,000,000 float32", ""),
            Column("ms", "ms", ".3f"),
            Column("gflops", "GFLOP/s", ".2f"),
        ),
        dtype="float32",
    ),
    Table(
        id="simd",
        page="simd-blas-threads.md",
        measure="fast_simd:table",
        columns=(
            Column("kernel", "float32 / float64 speed", ""),
            Column("n16384", "16,384 numbers", ".1f"),
            Column("n65536", "65,536", ".1f"),
            Column("n262144", "262,144", ".1f"),
            Column("n1048576", "1,048,576", ".1f"),
        ),
        dtype="float32 and float64",
    ),
    Table(
        id="blas-ways",
        page="simd-blas-threads.md",
        measure="fast_blas:ways_table",
        columns=(
            Column("way", "64 x 64 matrix product", ""),
            Column("ms", "ms", ",.3f"),
            Column("gflops", "GFLOP/s", ",.3f"),
        ),
        dtype="float32",
    ),
    Table(
        id="blocking",
        page="simd-blas-threads.md",
        measure="fast_blas:blocking",
        columns=(
            Column("n", "n", ",d"),
            Column("b_mb", "B (MB)", ".0f"),
            Column("matvecs_gflops", "n matrix-vector products (GFLOP/s)", ".1f"),
            Column("matvecs_gbs", "… reading B at (GB/s)", ".1f"),
            Column("blas_gflops", "one `@` (GFLOP/s)", ".1f"),
        ),
        dtype="float32, one BLAS thread",
    ),
    Table(
        id="gemm-sizes",
        page="simd-blas-threads.md",
        measure="fast_blas:gemm_sizes",
        columns=(
            Column("n", "n", ",d"),
            Column("us", "µs", ",.1f"),
            Column("gflops", "GFLOP/s", ".1f"),
        ),
        dtype="float32",
    ),
    Table(
        id="threads",
        page="simd-blas-threads.md",
        measure="fast_threads:table",
        columns=(
            Column("n", "n", ",d"),
            Column("one_thread", "1 thread (GFLOP/s)", ".1f"),
            Column("all_threads", "all threads (GFLOP/s)", ".1f"),
            Column("speedup", "speed-up", ".2f"),
        ),
        dtype="float32",
    ),
    Table(
        id="dot-threads",
        page="why-numpy-is-fast.md",
        measure="fast_threads:dot_table",
        columns=(
            Column("n", "float64 numbers", ",d"),
            Column("one_us", "1 thread (µs)", ",.2f"),
            Column("all_us", "all threads (µs)", ",.2f"),
            Column("speedup", "speed-up", ".2f"),
        ),
        dtype="float64",
    ),
    Table(
        id="series-times",
        page="simd-blas-threads.md",
        measure="series_reasons:table",
        columns=(
            Column("C", "C", ",d"),
            Column("loop_indexed", "loop on arrays (µs)", ",.2f"),
            Column("loop_lists", "loop on lists (µs)", ",.2f"),
            Column("dot", "`np.dot` (µs)", ".2f"),
            Column("dot_length_1", "`np.dot`, length 1 (µs)", ".2f"),
            Column("dot_strided", "`np.dot`, NCHW (µs)", ".2f"),
            Column("vdot_mixed", "`np.vdot`, float32 · float64 (µs)", ".2f"),
            Column("series_loop", "the series' loop (µs)", ",.2f"),
            Column("series_vdot", "the series' `np.vdot` (µs)", ".2f"),
        ),
        dtype="float32 input; float64 weights for np.vdot and the series' code, as in the series",
    ),
    Table(
        id="series-ratios",
        page="simd-blas-threads.md",
        measure="series_reasons:ratios",
        source="series-times",
        columns=(
            Column("C", "C", ",d"),
            Column("scalars", "NumPy scalars: arrays / lists", ".1f"),
            Column("compiled", "compiled: lists / `np.dot`", ",.1f"),
            Column("fixed_share", "fixed cost: share of `np.dot`", ".0%"),
            Column("layout", "layout: NCHW / NHWC", ".2f"),
            Column("mixed", "mixed dtypes: `np.vdot` / `np.dot`", ".2f"),
            Column("chained", "chained indexing: the series' loop / arrays loop", ".2f"),
            Column("gained", "what the series gained: its loop / its `np.vdot`", ",.1f"),
        ),
    ),
    Table(
        id="peaks",
        page="simd-blas-threads.md",
        measure="fast_peak:peaks",
        columns=(
            Column("simd", "SIMD", ""),
            Column("lanes", "float32 lanes", "d"),
            Column("ghz", "clock (GHz, reported)", ".2f"),
            Column("cores", "cores (physical)", "d"),
            Column("gflops", "peak (GFLOP/s)", ".0f"),
        ),
        dtype="float32",
    ),
    Table(
        id="implied-clock",
        page="simd-blas-threads.md",
        measure="fast_peak:implied_clock",
        source="threads",
        columns=(
            Column("one_thread_gflops", "best GEMM on 1 thread (GFLOP/s)", ".1f"),
            Column("ghz_avx2", "clock it needs with AVX2 (GHz)", ".2f"),
            Column("ghz_avx512", "clock it needs with AVX-512 (GHz)", ".2f"),
        ),
    ),
    Table(
        id="bandwidth",
        page="simd-blas-threads.md",
        measure="fast_peak:bandwidth",
        columns=(
            Column("kernel", "256 MB arrays", ""),
            Column("gbs", "GB/s", ".1f"),
            Column("gflops", "GFLOP/s", ".2f"),
        ),
        dtype="float64",
    ),
    Table(
        id="caches",
        page="memory-hierarchy.md",
        measure="memory_hierarchy:caches",
        columns=(Column("level", "cache", ""), Column("size_kb", "size (KB)", ",d")),
        dtype="sizes as the operating system reports them",
    ),
    Table(
        id="memory-sweep",
        page="memory-hierarchy.md",
        measure="memory_hierarchy:sweep",
        columns=(
            Column("working_set", "working set", ""),
            Column("dot_1", "`np.dot`, 1 thread (GB/s)", ",.1f"),
            Column("dot_all", "`np.dot`, all threads (GB/s)", ",.1f"),
            Column("add_1", "`a + b`, 1 thread (GB/s)", ",.1f"),
            Column("add_all", "`a + b`, all threads (GB/s)", ",.1f"),
            Column("chase_ns", "chase (ns per step)", ".0f"),
        ),
        dtype="float64, hot caches",
    ),
    Table(
        id="memory-levels",
        page="memory-hierarchy.md",
        measure="memory_hierarchy:levels",
        source=("memory-sweep", "caches"),
        columns=(
            Column("level", "level", ""),
            Column("size_kb", "size (KB)", ",d"),
            Column("working_sets", "working sets inside it", ""),
            Column("dot_1", "`np.dot`, 1 thread (GB/s)", ",.1f"),
            Column("dot_all", "`np.dot`, all threads (GB/s)", ",.1f"),
            Column("add_1", "`a + b`, 1 thread (GB/s)", ",.1f"),
            Column("add_all", "`a + b`, all threads (GB/s)", ",.1f"),
            Column("chase_ns", "chase (ns per step)", ".0f"),
            Column("extra_ns", "more than in L1 (ns)", ".0f"),
        ),
        dtype="float64, hot caches; best of the working sets inside each level",
    ),
    Table(
        id="gemm-steps",
        page="part2-gemm.md",
        measure="gemm_steps:steps",
        columns=(
            Column("way", "14 x 14 x 64, 64 kernels 3 x 3", ""),
            Column("ms", "ms", ",.3f"),
            Column("gflops", "GFLOP/s", ",.2f"),
        ),
        dtype="float32",
    ),
    Table(
        id="im2col-memory",
        page="part2-gemm.md",
        measure="gemm_steps:im2col_memory",
        columns=(
            Column("layer", "layer", ""),
            Column("input_mb", "input (MB)", ".2f"),
            Column("patch_mb", "patch matrix (MB)", ".2f"),
        ),
        dtype="float32, batch 1 (computed, not timed)",
    ),
    Table(
        id="einsum",
        page="part2-gemm.md",
        measure="gemm_steps:einsum_table",
        columns=(
            Column("C", "C = K", "d"),
            Column("plain_ms", "`optimize=False` (ms)", ",.2f"),
            Column("optimized_ms", "`optimize=True` (ms)", ",.2f"),
            Column("ratio", "ratio", ".1f"),
        ),
        dtype="float32, 28 x 28 x C input, C kernels 3 x 3",
    ),
    Table(
        id="fft-kernels",
        page="part2-fast-algorithms.md",
        measure="fast_algorithms:kernel_size_table",
        columns=(
            Column("R", "kernel R x R", "d"),
            Column("im2col_ms", "im2col + GEMM (ms)", ",.2f"),
            Column("fft_ms", "FFT (ms)", ",.2f"),
            Column("ratio", "FFT speed / im2col speed", ".2f"),
        ),
        dtype="float32, 64 x 64 x 16 input, 16 kernels",
    ),
    Table(
        id="accuracy",
        page="part2-fast-algorithms.md",
        measure="fast_algorithms:accuracy",
        columns=(
            Column("method", "method, kernel", ""),
            Column("float32", "largest error, float32", ".1e"),
            Column("float64", "largest error, float64", ".1e"),
        ),
        dtype="error relative to the largest output; 28 x 28 x 128 input, 64 kernels",
    ),
    Table(
        id="resnet-bench",
        page="part2-choosing.md",
        measure="resnet_bench:table",
        columns=(
            Column("layer", "layer (GFLOP/s)", ""),
            Column("count", "count", "d"),
            Column("patch", "patch", ".0f"),
            Column("im2col", "im2col", ".0f"),
            Column("strided", "strided", ".0f"),
            Column("shift-add", "shift-add", ".0f"),
            Column("winograd", "Winograd", ".0f"),
            Column("fft", "FFT", ".0f"),
            Column("fast", "fast", ".0f"),
            Column("ceiling", "GEMM rate", ".0f"),
        ),
        dtype="float32, batch 1, all threads",
    ),
    Table(
        id="fft-weights",
        page="part2-fast-algorithms.md",
        measure="fast_algorithms:fft_weight_traffic",
        source=("resnet-bench", "memory-levels"),
        columns=(
            Column("layer", "layer", ""),
            Column("weights_mb", "FFT's transformed kernels (MB)", ",.0f"),
            Column("read_ms", "reading them once from memory (ms)", ".1f"),
            Column("im2col_ms", "im2col + GEMM, the whole convolution (ms)", ".1f"),
        ),
        dtype="complex64 kernels, float32 convolution, batch 1; memory bandwidth of"
        " np.dot on all threads, 128 MB to 1 GB",
    ),
    Table(
        id="resnet-summary",
        page="part2-choosing.md",
        measure="resnet_bench:summary",
        source="resnet-bench",
        columns=(
            Column("variant", "variant", ""),
            Column("shapes", "shapes", "d"),
            Column("network_ms", "all 53 convolutions (ms)", ",.1f"),
            Column("geomean_of_ceiling", "geometric mean of GFLOP/s / GEMM rate", ".0%"),
        ),
    ),
    Table(
        id="batch-sizes",
        page="part2-choosing.md",
        measure="batch_sizes:table",
        columns=(
            Column("layer", "layer (GFLOP/s)", ""),
            Column("N", "batch N", "d"),
            Column("im2col", "im2col", ".0f"),
            Column("shift-add", "shift-add", ".0f"),
            Column("winograd", "Winograd", ".0f"),
            Column("fft", "FFT", ".1f"),
            Column("fast", "fast", ".0f"),
            Column("gemm_rate", "GEMM rate", ".0f"),
        ),
        dtype="float32, N images per call, all threads",
    ),
    Table(
        id="torch",
        page="part2-choosing.md",
        measure="torch_compare:torch_table",
        columns=(
            Column("layer", "layer (GFLOP/s)", ""),
            Column("count", "count", "d"),
            Column("fast", "`conv_fast`", ".0f"),
            Column("torch", "PyTorch", ".0f"),
            Column("torch_version", "PyTorch version", ""),
        ),
        dtype="float32, batch 1, all threads; empty when PyTorch was not installed",
    ),
    Table(
        id="torch-totals",
        page="part2-choosing.md",
        measure="torch_compare:totals",
        source="torch",
        columns=(
            Column("fast_ms", "`conv_fast`, all 53 convolutions (ms)", ".1f"),
            Column("torch_ms", "PyTorch, all 53 convolutions (ms)", ".1f"),
            Column("torch_over_fast", "PyTorch time / `conv_fast` time", ".2f"),
            Column("torch_version", "PyTorch version", ""),
        ),
    ),
    Table(
        id="scipy",
        page="benchmarks.md",
        measure="scipy_compare:scipy_table",
        columns=(
            Column("kernel", "kernel (ms)", ""),
            Column("im2col", "`conv_im2col`", ",.2f"),
            Column("fft", "`conv_fft`", ".2f"),
            Column("fast", "`conv_fast`", ".2f"),
            Column("scipy_direct", "SciPy `correlate2d`", ".2f"),
            Column("scipy_fft", "SciPy `correlate`, FFT", ".2f"),
            Column("scipy_version", "SciPy version", ""),
        ),
        dtype="float32, one 256 x 256 channel, one kernel, stride 1, no padding;"
        " empty when SciPy was not installed",
    ),
    Table(
        id="inference-steps",
        page="inference.md",
        measure="capstone:forward_times",
        kwargs={"rounds": 5, "steps": ("plain", "gemm", "prepared")},
        columns=(
            Column("step", "step", ""),
            Column("what", "NumPy forward pass", ""),
            Column("numpy_ms", "time per image (ms)", ".1f"),
            Column("conv_ms", "in convolutions (ms)", ".1f"),
            Column("rest_ms", "outside them (ms)", ".1f"),
            Column("torch_ms", "PyTorch eager (ms)", ".1f"),
            Column("numpy_over_torch", "NumPy time / PyTorch time", ".2f"),
        ),
        dtype="float32, one 224 x 224 image, all threads; each library in its own new"
        " process, in turns, best of 5 rounds; PyTorch: NaN if absent",
    ),
    Table(
        id="forward",
        page="capstone.md",
        measure="capstone:final_step",
        source="inference-steps",
        columns=(
            Column("numpy_ms", "NumPy forward pass (ms)", ".1f"),
            Column("conv_ms", "of which in convolutions (ms)", ".1f"),
            Column("rest_ms", "and outside them (ms)", ".1f"),
            Column("torch_ms", "PyTorch forward pass (ms)", ".1f"),
            Column("numpy_over_torch", "NumPy time / PyTorch time", ".2f"),
        ),
    ),
    Table(
        id="forward-batches",
        page="inference.md",
        measure="inference:batch_table",
        columns=(
            Column("batch", "images per pass", "d"),
            Column("numpy_ms", "NumPy, per image (ms)", ".1f"),
            Column("conv_ms", "in convolutions (ms)", ".1f"),
            Column("rest_ms", "outside them (ms)", ".1f"),
            Column("torch_ms", "PyTorch eager, per image (ms)", ".1f"),
            Column("numpy_over_torch", "NumPy time / PyTorch time", ".2f"),
        ),
        dtype="float32, 224 x 224 images, all threads, prepared layers; each library in"
        " its own new process, in turns, best of 3 rounds; PyTorch: NaN if absent",
    ),
    Table(
        id="prepared-layers",
        page="inference.md",
        measure="inference:layer_table",
        columns=(
            Column("layer", "layer", ""),
            Column("method", "prepared as", ""),
            Column("plain", "`conv_fast` + 2 passes (GFLOP/s)", ".0f"),
            Column("prepared", "prepared (GFLOP/s)", ".0f"),
            Column("torch", "PyTorch (GFLOP/s)", ".0f"),
        ),
        dtype="float32, batch 1, all threads, convolution + bias + ReLU; PyTorch timed"
        " on its own, NaN if absent",
    ),
    Table(
        id="prepared-totals",
        page="inference.md",
        measure="inference:layer_totals",
        source="prepared-layers",
        columns=(
            Column("plain_ms", "`conv_fast` + 2 passes (ms)", ".1f"),
            Column("prepared_ms", "prepared (ms)", ".1f"),
            Column("torch_ms", "PyTorch (ms)", ".1f"),
            Column("prepared_over_torch", "prepared / PyTorch", ".2f"),
        ),
    ),
    Table(
        id="stem",
        page="inference.md",
        measure="inference:stem_table",
        columns=(
            Column("way", "first layer, with bias and ReLU", ""),
            Column("gflops", "GFLOP/s", ".0f"),
        ),
        dtype="float32, one 224 x 224 x 3 image, 64 kernels of 7 x 7 x 3, stride 2,"
        " all threads",
    ),
    Table(
        id="blas-kernels",
        page="capstone.md",
        measure="blas_kernels:kernel_table",
        columns=(
            Column("setting", "environment", ""),
            Column("blas", "kernels run", ""),
            Column("gemm_gflops", "GEMM rate (GFLOP/s)", ".0f"),
            Column("numpy_ms", "NumPy forward pass (ms)", ".1f"),
            Column("torch_ms", "PyTorch forward pass (ms)", ".1f"),
            Column("numpy_over_torch", "NumPy time / PyTorch time", ".2f"),
        ),
        dtype="float32, one 224 x 224 image, all threads; each row: best of 3 fresh"
        " processes, the two settings in turn",
    ),
    Table(
        id="journey",
        page="capstone.md",
        measure="capstone:journey",
        source=("ns-per-mac", "dot-model", "resnet-bench", "torch", "prepared-layers"),
        columns=(
            Column("layer", "layer (ms, all convolutions of the shape)", ""),
            Column("naive_ms", "7 loops (estimate)", ",.0f"),
            Column("dot_ms", "`np.dot` per channel vector (estimate)", ",.0f"),
            Column("patch_ms", "`conv_patch`", ",.1f"),
            Column("im2col_ms", "`conv_im2col`", ".2f"),
            Column("fast_ms", "`conv_fast`", ".2f"),
            Column("prepared_ms", "prepared, + bias, ReLU", ".2f"),
            Column("torch_ms", "PyTorch", ".2f"),
        ),
        dtype="float32, batch 1, all threads",
    ),
    Table(
        id="journey-summary",
        page="capstone.md",
        measure="capstone:journey_summary",
        source="journey",
        columns=(
            Column("naive_min", "7 loops, all convolutions (min, estimate)", ".0f"),
            Column("fast_ms", "`conv_fast`, all convolutions (ms)", ".0f"),
            Column("naive_over_fast", "7 loops / `conv_fast`", ",.0f"),
            Column("naive_over_dot", "7 loops / `np.dot` per channel vector", ".0f"),
        ),
    ),
)

BY_ID: dict[str, Claim | Table] = {item.id: item for item in CLAIMS + TABLES}


def dtype_of(item: Claim | Table) -> str:
    """The dtype a caption shows: the item's own, or that of the table it derives from."""
    while item.dtype is None:
        item = BY_ID[item.source]
    return item.dtype


def cpu_ticks(cpus: set[int]) -> dict[int, list[int]]:
    """Linux's /proc/stat counters of each of `cpus` since boot: user, nice, system,
    idle, iowait, irq, softirq, steal (time the hypervisor gave to other machines)."""
    found = {}
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
                found[int(name[3:])] = [int(v) for v in fields[:8]]
    return found


def ticks_spent(before: dict, after: dict) -> list[list[int]]:
    """For each CPU of `after`, the /proc/stat counters it added since `before`."""
    return [[t1 - t0 for t1, t0 in zip(after[cpu], before[cpu], strict=True)] for cpu in after]


def idle_cpus(cpus: set[int], seconds: float = 0.3) -> float:
    """How many of `cpus` no program used during `seconds` (Linux's /proc/stat;
    elsewhere all of them are taken to be idle)."""
    try:
        before = cpu_ticks(cpus)
        time.sleep(seconds)
        after = cpu_ticks(cpus)
    except OSError:
        return float(len(cpus))
    return sum((spent[3] + spent[4]) / max(sum(spent), 1) for spent in ticks_spent(before, after))


@contextlib.contextmanager
def stolen_share(cpus: set[int]):
    """Yields a list that, when the block ends, holds the share of the time of
    `cpus` that the hypervisor gave to other machines meanwhile ("steal"; 0.0
    where the system does not count it)."""
    share: list[float] = []
    try:
        before = cpu_ticks(cpus)
    except OSError:
        before = {}
    yield share
    spent = ticks_spent(before, cpu_ticks(cpus) if before else {})
    share.append(sum(s[7] for s in spent) / max(sum(map(sum, spent)), 1))


def unmet_needs(claim: Claim) -> str | None:
    """Why this machine, now, cannot check the claim; None when it can."""
    if claim.needs_cpus == 1:
        return None
    wanted = claim.needs_cpus
    cpus = available_cpus()
    if cpus < wanted:
        return f"{claim.id} needs {wanted} CPUs; this process may use {cpus}"
    threads = blas_info()["threads"] or 1
    if threads < wanted:
        return f"{claim.id} needs {wanted} BLAS threads; the BLAS runs {threads}"
    if hasattr(os, "sched_getaffinity"):
        idle = idle_cpus(os.sched_getaffinity(0))
        if idle < wanted - 0.5:
            return f"{claim.id} needs {wanted} idle CPUs; other programs leave {idle:.1f}"
    return None


def measure_claim(claim: Claim) -> Comparison:
    """The claim's comparison, with BLAS on the claim's number of threads."""
    limit = (
        threadpool_limits(claim.blas_threads, "blas")
        if claim.blas_threads is not None
        else contextlib.nullcontext()
    )
    with limit:
        return function(claim.measure)(**claim.kwargs)


def function(measure: str) -> Callable:
    """The snippet function named "module:function"."""
    module_name, name = measure.split(":")
    return getattr(importlib.import_module(module_name), name)


def snippet_sources(module_name: str) -> dict[str, str]:
    """Hash of the snippet file `module_name` and of every snippet it imports, recursively.

    Returns {path relative to the repository: first 16 hex digits of its SHA-256}.
    """
    sources: dict[str, str] = {}
    pending = [module_name]
    while pending:
        path = SNIPPETS / f"{pending.pop()}.py"
        key = path.relative_to(ROOT).as_posix()
        if key in sources:
            continue
        data = path.read_bytes()
        sources[key] = hashlib.sha256(data).hexdigest()[:16]
        for node in ast.walk(ast.parse(data)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            pending += [n for n in names if (SNIPPETS / f"{n}.py").exists()]
    return dict(sorted(sources.items()))


def sources_of(item: Claim | Table) -> dict[str, str]:
    return snippet_sources(item.measure.split(":")[0])


def rows_close(a: list[dict], b: list[dict]) -> bool:
    """Same rows, numbers equal to 1e-9 relative (JSON keeps 17 digits)."""
    if len(a) != len(b) or any(x.keys() != y.keys() for x, y in zip(a, b, strict=True)):
        return False

    def same(p, q) -> bool:
        if isinstance(p, float) and isinstance(q, float):
            return (math.isnan(p) and math.isnan(q)) or math.isclose(p, q, rel_tol=1e-9)
        return p == q

    return all(same(x[k], y[k]) for x, y in zip(a, b, strict=True) for k in x)


def out_of_step(kind: str, item: Claim | Table, entry: dict | None) -> list[str]:
    """Why the recorded figure `entry` of a claim or table no longer matches the code,
    as messages: missing, measured before a snippet it depends on last changed, with
    another dtype or (a claim) another floor. `python -m book.results --stale` measures
    exactly these again."""
    if entry is None:
        return [f"{kind} {item.id} is not in the results file"]
    found = []
    current = sources_of(item)
    for path in sorted(set(current) | set(entry["sources"])):
        if current.get(path) != entry["sources"].get(path):
            found.append(
                f"{kind} {item.id} is stale: {path} changed since it was measured "
                "(run `python -m book.results`)"
            )
    if entry.get("dtype") != dtype_of(item):
        found.append(
            f"{kind} {item.id}: recorded as {entry.get('dtype')!r}, but the registry"
            f" says {dtype_of(item)!r} (run `python -m book.results`)"
        )
    if kind == "claim" and entry["floor"] != item.floor:
        found.append(
            f"claim {item.id}: recorded with floor {entry['floor']}, "
            f"but the registry says {item.floor} (run `python -m book.results`)"
        )
    return found


def problems(results: dict) -> list[str]:
    """Everything wrong with a results file, as messages; empty when it is in step.

    Figures out of step with the code (`out_of_step`), unknown figures, derived tables
    that no longer follow from their sources, and recorded ratios that no longer clear
    their floor with MARGIN to spare.
    """
    found = []
    for kind, items in (("claim", CLAIMS), ("table", TABLES)):
        recorded = results[f"{kind}s"]
        for item in items:
            entry = recorded.get(item.id)
            found += out_of_step(kind, item, entry)
            if entry is None:
                continue
            if kind == "table" and item.sources and set(item.sources) <= recorded.keys():
                derived = function(item.measure)(*(recorded[s]["rows"] for s in item.sources))
                if not rows_close(derived, entry["rows"]):
                    found.append(
                        f"table {item.id} does not follow from {', '.join(item.sources)} "
                        "(run `python -m book.results`)"
                    )
            if kind == "claim" and entry["ratio"] < item.floor * item.margin:
                found.append(
                    f"claim {item.id}: recorded {entry['ratio']:.1f}x leaves less than a "
                    f"{item.margin}x margin over its floor {item.floor}x"
                )
        known = {item.id for item in items}
        found += [f"{kind} {extra} is not in book/claims.py" for extra in recorded.keys() - known]
    return found
