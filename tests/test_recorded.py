"""The published figures match the code, and support every sentence built on them.

Nothing here measures: these tests read docs/data/results.json, whatever machine runs them.
"""

import copy
import json
import math
import re

import pytest

from book import DOCS, RESULTS, ROOT
from book.claims import (
    BY_ID,
    CLAIMS,
    MARGIN,
    MIN_FLOOR,
    TABLES,
    Table,
    dtype_of,
    problems,
    sources_of,
)
from book.figures import FIGURES, render

RECORDED = json.loads(RESULTS.read_text())


def test_published_figures_match_the_code():
    """Results file: complete, fresh, and consistent with the floors in the prose."""
    assert problems(RECORDED) == []


@pytest.mark.parametrize("item", CLAIMS + TABLES, ids=lambda c: c.id)
def test_every_claim_and_table_is_on_its_page(item):
    """A claim states its floor on its page; a table is shown there, whole or by cells."""
    text = (DOCS / item.page).read_text()
    if item in CLAIMS:
        assert f"[[floor:{item.id}]]" in text
    else:
        assert f"[[table:{item.id}]]" in text or f"[[value:{item.id}." in text


def test_a_changed_snippet_makes_its_figures_stale():
    stale = copy.deepcopy(RECORDED)
    claim = CLAIMS[0]
    path = next(iter(sources_of(claim)))
    stale["claims"][claim.id]["sources"][path] = "0" * 16
    assert problems(stale) == [
        f"claim {claim.id} is stale: {path} changed since it was measured "
        "(run `python -m book.results`)"
    ]


def test_a_floor_above_the_recorded_figure_is_caught():
    low = copy.deepcopy(RECORDED)
    claim = CLAIMS[0]
    low["claims"][claim.id]["ratio"] = claim.floor * MARGIN * 0.9
    assert len(problems(low)) == 1 and "margin" in problems(low)[0]


def test_a_missing_figure_is_caught():
    missing = copy.deepcopy(RECORDED)
    del missing["tables"][TABLES[0].id]
    assert problems(missing) == [f"table {TABLES[0].id} is not in the results file"]


def test_a_caption_cannot_name_the_wrong_dtype():
    """A measured table states its dtype; a table derived from one other shows that
    one's and cannot state its own; the results file records what the registry says."""
    with pytest.raises(ValueError, match="state the dtype"):
        Table("t", "index.md", "m:f", ())
    with pytest.raises(ValueError, match="takes its dtype"):
        Table("t", "index.md", "m:f", (), dtype="float64", source="torch")
    assert dtype_of(BY_ID["torch-totals"]) == dtype_of(BY_ID["torch"])
    assert dtype_of(BY_ID["torch"]).startswith("float32")
    wrong = copy.deepcopy(RECORDED)
    wrong["tables"]["torch-totals"]["dtype"] = "float64"
    assert len(problems(wrong)) == 1 and "registry says" in problems(wrong)[0]


def test_figures_are_drawn_from_the_results_file():
    """A figure redrawn from the committed results is byte for byte the committed figure."""
    for name, svg in render(RECORDED).items():
        assert (FIGURES / name).read_text() == svg, f"{name}: run `python -m book.figures`"


NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@pytest.mark.parametrize("path", [ROOT / "README.md", DOCS / "benchmarks.md"], ids=str)
def test_the_results_command_is_described_as_it_ran(path):
    """"It takes about N minutes" and the "k/N" progress lines match the last run."""
    run = RECORDED["run"]
    text = path.read_text()
    (words,) = set(re.findall(r"about (\w+) minutes on two cores", text))
    assert abs(NUMBER_WORDS[words] - run["seconds"] / 60) <= 0.75, run["seconds"]
    for total in re.findall(r"\] +\d+/(\d+) ", text):
        assert int(total) == run["figures"] == len(CLAIMS) + len(TABLES)


def test_floors_claim_something():
    assert all(claim.floor >= MIN_FLOOR for claim in CLAIMS)
    assert all(1.3 <= claim.margin <= MARGIN for claim in CLAIMS)


def test_recorded_loop_vs_dot_table_supports_the_prose():
    """inner-products.md: for one number the loop is faster, for ten about as fast,
    and the ratio grows with the length."""
    rows = RECORDED["tables"]["loop-vs-dot"]["rows"]
    ratios = [row["ratio"] for row in rows]
    assert [row["length"] for row in rows[:2]] == [1, 10]
    assert ratios[0] < 1 and 0.5 < ratios[1] < 2
    assert ratios == sorted(ratios)


def rows_of(table_id: str) -> list[dict]:
    return RECORDED["tables"][table_id]["rows"]


def test_recorded_loop_costs_support_the_prose():
    """why-loops-are-slow.md: over 100 ns per MAC; float32 and float64 about the same;
    lists faster than arrays; the series' chained indexing slower still, and tens of
    minutes for ResNet-50."""
    rows = rows_of("ns-per-mac")
    naive32, naive64, lists, chained = (row["ns_per_mac"] for row in rows)
    assert naive32 > 100
    assert 0.8 < naive32 / naive64 < 1.25
    assert lists < naive32
    assert chained > naive64
    assert 10 < rows[3]["resnet50_minutes"] < 100


def test_recorded_channel_sweep_supports_the_prose():
    """dot-optimization.md: slower at C=1, no faster at C=3, then growing with C;
    the cost per call nearly flat; the whole network far from 100x."""
    rows = rows_of("channel-sweep")
    speedups = {row["C"]: row["speedup"] for row in rows}
    assert speedups[1] < 1 and 0.7 < speedups[3] < 1.5  # "only about as fast as the loop"
    assert [speedups[C] for C in sorted(speedups) if C >= 3] == sorted(
        speedups[C] for C in speedups if C >= 3
    )
    calls = [row["dot_call_us"] for row in rows]
    assert max(calls) / min(calls) < 2  # "less than twice as much"
    (model,) = rows_of("dot-model")
    assert model["first_layer_share"] > 0.5 and model["speedup"] < 100
    assert 1 < model["break_even_C"] < 8 < 100 < model["C_for_100x"] < 1024
    assert model["C_where_bC_is_a"] > 2048  # "far more channels than any layer"
    for row in rows:  # "the measured speed-up at small C is higher than the model says"
        if 3 <= row["C"] <= 16:
            model_speedup = model["naive_ns"] * row["C"] / (
                model["a_us"] * 1e3 + model["b_ns"] * row["C"]
            )
            assert row["speedup"] > model_speedup, row["C"]
    assert rows_of("strided")[0]["ratio"] > 1


def test_recorded_dot_rows_support_the_prose():
    """dot-optimization.md, "More work per call": one np.dot per kernel row."""
    first, three = rows_of("dot-rows")
    # "7 calls of 21 numbers instead of 49 calls of 3"
    calls = (first["rows_calls"], first["rows_numbers"], first["dot_calls"], first["dot_numbers"])
    assert calls == (7, 21, 49, 3)
    assert first["speedup"] > three["speedup"] > 1  # "on the 3 × 3 layer the gain is smaller"
    (model,) = rows_of("dot-rows-model")
    # "the model predicts a speed-up close to S"
    assert 0.9 * 7 < model["predicted_7x7"] <= 7 and 0.9 * 3 < model["predicted_3x3"] <= 3
    # "the measurements reach most of that, not all of it"
    for shape in ("7x7", "3x3"):
        assert 0.6 < model[f"measured_{shape}"] / model[f"predicted_{shape}"] < 1, shape
    # "a call of conv_dot_rows costs a little more"
    assert 1 < model["rows_call_us"] / model["dot_call_us"] < 1.5
    assert model["rows_s"] < model["dot_s"] / 2  # the first layer: "become about ... s"
    # "a call on 3 numbers costs almost as much as one on 1,024"
    per_call = {row["C"]: row["dot_call_us"] for row in rows_of("channel-sweep")}
    assert per_call[3] > 0.8 * per_call[1024]


def test_recorded_short_vectors_and_fc_support_the_prose():
    """For 3 numbers the built-ins beat np.dot; batching the FC layer helps."""
    us = {row["way"]: row["us"] for row in rows_of("short-vectors")}
    assert us["sum(map(operator.mul, a, b)) on lists"] < us["np.dot(a, b)"]
    assert 0.7 < us["np.vdot(a, b)"] / us["np.dot(a, b)"] < 1.3
    loop, matvec, batched = (row["us_per_image"] for row in rows_of("fc"))
    assert batched < matvec < loop
    weights_gbs = rows_of("fc")[1]["weight_gbs"]
    memory_gbs = max(row["gbs"] for row in rows_of("bandwidth"))
    assert weights_gbs > 2 * memory_gbs  # fully-connected.md: "stay in the CPU's caches"


def test_recorded_blocking_supports_the_prose():
    """why-numpy-is-fast.md, section 5: the matrix-vector products read B near the
    one-thread L3 rate of np.dot; one @ is faster at both sizes."""
    rows = {row["n"]: row for row in rows_of("blocking")}
    l3 = next(row for row in rows_of("memory-levels") if row["level"] == "L3")
    assert 0.6 < rows[1024]["matvecs_gbs"] / l3["dot_1"] < 1.1
    assert all(row["blas_gflops"] > 1.5 * row["matvecs_gflops"] for row in rows.values())


def test_recorded_fft_weight_traffic_supports_the_prose():
    """part2-fast-algorithms.md: reading FFT's kernels takes more than twice as long as
    im2col's whole convolution on the strided 3x3 of stages 3 to 5, about as long (within
    a factor of about 2) on the other 3x3 shapes."""
    first = rows_of("fft-weights")[0]  # the 7x7 first layer: "only a small part"
    assert first["layer"] == "conv1 7x7" and first["read_ms"] < 0.5 * first["im2col_ms"]
    for row in rows_of("fft-weights"):
        ratio = row["read_ms"] / row["im2col_ms"]
        if "3x3 (first)" in row["layer"] and not row["layer"].startswith("conv2"):
            assert ratio > 2, row
        elif "3x3" in row["layer"]:
            assert 0.5 < ratio < 2.5, row  # "from about half ... to about twice as long"


def test_recorded_forward_pass_splits_into_its_parts():
    """capstone.md: the convolutions and the rest come from the timed pass itself."""
    (row,) = rows_of("forward")
    assert math.isclose(row["conv_ms"] + row["rest_ms"], row["numpy_ms"], rel_tol=1e-9)


def test_recorded_measuring_figures_support_the_prose():
    """how-we-measure.md: the first fill is slower, by its page faults; min <= median <= p90 <= max;
    with noisy neighbours the times vary more and the ratio of minima stays."""
    (m,) = rows_of("measuring")
    assert m["first_ms"] > 3 * m["best_ms"]  # the faults, not noise
    assert m["first_faults"] > 0 == m["later_faults"]
    assert m["first_faults"] <= 64e6 / 4096 + 100  # "one fault per 4 KiB page": 15,625
    assert m["min_us"] <= m["median_us"] <= m["p90_us"] <= m["max_us"]
    quiet, noisy = rows_of("noise")
    assert noisy["cv_a"] > quiet["cv_a"] and noisy["cv_b"] > quiet["cv_b"]
    assert abs(noisy["min_ratio"] / quiet["min_ratio"] - 1) < 0.15  # "almost the same"
    assert 1e5 <= 20e6 / m["step_ns"] < 1e6  # a 20 ms batch: "hundreds of thousands" of steps


def test_recorded_reasons_support_the_prose():
    """why-numpy-is-fast.md, reason by reason."""
    calls = {row["length"]: row for row in rows_of("calls")}
    assert calls[10]["us"] < 1.3 * calls[1]["us"]  # 10 numbers cost about as much as 1
    per_element = {n: row["ns_per_element"] for n, row in calls.items()}
    assert per_element[1_000_000] > 0.8 * per_element[100_000]  # "stops falling"
    split = {row["length"]: row for row in rows_of("split")}
    assert split[1000]["speedup_without_fixed"] > split[1000]["speedup"]
    assert split[1000]["fixed_share"] > 0.5 > split[100_000]["fixed_share"]
    simd = {row["kernel"]: row for row in rows_of("simd")}
    for kernel in ("np.add", "np.multiply"):  # faster at every size, typically ~2
        ratios = sorted(v for k, v in simd[kernel].items() if k.startswith("n"))
        assert ratios[0] > 1.2 and 1.8 < (ratios[1] + ratios[2]) / 2 < 3.2  # "two to three"
    assert all(v > 2 for k, v in simd["np.sqrt"].items() if k.startswith("n"))
    memory = {row["way"]: row["ms"] for row in rows_of("memory")}
    assert memory["strided view"] > 16 * memory["contiguous"]  # "more than the factor of 16"
    assert memory["copy, then dot"] > 0.9 * memory["strided view"]  # "does not help"
    gemm = {row["n"]: row["gflops"] for row in rows_of("gemm-sizes")}
    (peak,) = rows_of("peaks")  # "has AVX2 and no AVX-512": one row
    assert peak["simd"] == "AVX2" and "(Haswell)" in RECORDED["machine"]["blas"]
    # "from 256 rows on, at or above the derived peak"; the largest above it
    assert all(0.95 < gemm[n] / peak["gflops"] < 1.5 for n in gemm if n >= 256)
    assert gemm[2048] > peak["gflops"]
    threads = {row["n"]: row["speedup"] for row in rows_of("threads")}
    assert threads[32] < 1.1 and threads[64] < 1.1  # "nothing up to 64 x 64"
    assert all(threads[n] > 1.2 for n in threads if n >= 256)  # "from 256 on, more"
    assert max(threads.values()) > 1.8  # "up to almost a factor of two"
    (clock,) = rows_of("implied-clock")  # "more than the reported clock"
    assert clock["ghz_avx2"] > peaks_clock()
    naive = 2 / rows_of("ns-per-mac")[0]["ns_per_mac"]
    assert gemm[2048] / naive > 1e4  # "by a factor of more than 10,000"


def peaks_clock() -> float:
    return rows_of("peaks")[0]["ghz"]


def test_recorded_dot_threads_support_the_prose():
    """why-numpy-is-fast.md: on the published machine's OpenBLAS, threads play no part
    in a dot of 1024 numbers, and help for long float64 vectors. Where OpenBLAS starts
    threading a dot is a fact of one build and one machine, so it is a recorded figure,
    not a test of the reader's machine."""
    speedup = {row["n"]: row["speedup"] for row in rows_of("dot-threads")}
    assert 0.8 < speedup[1024] < 1.25
    assert speedup[1_000_000] > 1.15


def test_recorded_series_reasons_support_the_prose():
    """simd-blas-threads.md, "The series' speed-up, reason by reason"."""
    ratios = {row["C"]: row for row in rows_of("series-ratios")}
    assert ratios[3]["compiled"] < 1  # three numbers: the loop beats one call
    assert ratios[3]["scalars"] < ratios[64]["scalars"] < ratios[1024]["scalars"]
    assert all(row["fixed_share"] > 0.85 for row in ratios.values())  # "almost all"
    assert ratios[1024]["layout"] > ratios[3]["layout"]
    assert all(row["mixed"] > 1 for row in ratios.values())
    assert all(row["chained"] > 1 for row in ratios.values())  # "at every C"
    gained = [ratios[C]["gained"] for C in (3, 64, 1024)]  # "what the series gained"
    assert 1 < gained[0] < gained[1] < gained[2] and gained[2] > 10


def test_recorded_batch_sizes_support_the_prose():
    """part2-choosing.md, "One image or many": larger batches help the last stage's
    shapes and hurt the first stage's 3x3; FFT gains most and stays far behind;
    Winograd gains more than im2col on the stage-4 3x3 and at best catches up."""
    by = {(row["layer"], row["N"]): row for row in rows_of("batch-sizes")}
    layers = sorted({layer for layer, _ in by})
    # the [[value:batch-sizes.*.12/14]] tokens of the page: conv5 1x1 at N = 1 and 32
    rows = rows_of("batch-sizes")
    assert [(rows[i]["layer"], rows[i]["N"]) for i in (12, 14)] == [
        ("conv5 1x1 expand", 1), ("conv5 1x1 expand", 32)]
    for layer in ("conv5 3x3 (first)", "conv5 1x1 expand"):  # "a larger batch helps"
        for method in ("im2col", "fft", "fast"):
            assert by[layer, 8][method] > by[layer, 1][method], (layer, method)
    for method in ("im2col", "shift-add"):  # "slower per FLOP as the batch grows"
        speeds = [by["conv2 3x3", N][method] for N in (1, 8, 32)]
        assert speeds == sorted(speeds, reverse=True), method
    assert by["conv1 7x7", 32]["im2col"] <= by["conv1 7x7", 1]["im2col"]  # "gains nothing"
    for layer in layers:
        methods = ("im2col", "shift-add", "winograd", "fft", "fast")
        gain = {m: by[layer, 32][m] / by[layer, 1][m] for m in methods}
        others = [g for m, g in gain.items() if m != "fft" and g == g]  # not NaN
        assert gain["fft"] > max(others), layer  # "FFT gains the most"
        for N in (1, 8, 32):
            row = by[layer, N]
            # "far behind im2col and conv_fast on every row"
            assert row["fft"] < 0.5 * min(row["im2col"], row["fast"]), (layer, N)
    stage4 = {N: by["conv4 3x3", N] for N in (1, 8, 32)}
    assert stage4[32]["winograd"] / stage4[1]["winograd"] > 2 * (
        stage4[32]["im2col"] / stage4[1]["im2col"])  # "gains much more than im2col"
    assert all(row["winograd"] < 1.15 * row["im2col"] for row in stage4.values())


def test_recorded_allocator_effect_supports_the_prose():
    """how-we-measure.md: the same FFT faster, with fewer page faults, once a large
    array has been freed."""
    (row,) = rows_of("allocator")
    assert row["after_ms"] < row["before_ms"] / 2
    assert row["after_faults"] < row["before_faults"] / 10


def test_recorded_part2_figures_support_the_prose():
    """part2-gemm.md, part2-fast-algorithms.md, part2-choosing.md."""
    steps = [row["gflops"] for row in rows_of("gemm-steps")]
    assert steps[0] < steps[1] < steps[2]  # dot < patch < im2col
    memory = {row["layer"]: row for row in rows_of("im2col-memory")}
    largest = max(memory.values(), key=lambda row: row["patch_mb"])
    assert largest["layer"] == "conv1 7x7"  # "the first layer has the largest"
    assert memory["conv2 1x1 expand"]["patch_mb"] == 0
    assert abs(memory["conv3 3x3"]["patch_mb"] / memory["conv3 3x3"]["input_mb"] - 9) < 1e-9
    einsum = {row["C"]: row["ratio"] for row in rows_of("einsum")}
    assert einsum[256] > max(einsum[8], einsum[64])
    fft = [row["ratio"] for row in rows_of("fft-kernels")]
    assert fft[0] < 1 < fft[-1]
    fft_ms = {row["R"]: row["fft_ms"] for row in rows_of("fft-kernels")}
    assert fft_ms[11] > fft_ms[15]  # "do not grow smoothly": 74 = 2 * 37 is slow
    errors = {row["method"]: row for row in rows_of("accuracy")}
    direct = errors["im2col + GEMM (direct), 3x3"]["float32"]
    assert errors["Winograd F(2x2, 3x3), 3x3"]["float32"] < 2 * direct
    assert errors["Winograd F(4x4, 3x3), 3x3"]["float32"] > 5 * direct
    assert errors["FFT, 3x3"]["float32"] < 2 * direct
    assert all(row["float64"] < 3e-14 for row in errors.values())  # "about 14 digits"
    bench = rows_of("resnet-bench")
    summary = {row["variant"]: row for row in rows_of("resnet-summary")}
    geomean = {variant: row["geomean_of_ceiling"] for variant, row in summary.items()}
    # "most of the way ... comes from one GEMM": im2col alone gets more than half
    assert geomean["conv_im2col"] > 0.5
    assert 0 < geomean["conv_fast"] - geomean["conv_im2col"] < 0.1  # "a few percentage points"
    assert all(not row["fft"] >= row["fast"] for row in bench)  # FFT "never the right choice"
    others = ("patch", "im2col", "strided", "shift-add", "winograd", "fast")
    for row in bench:  # figure's text: "FFT is far below everything else"
        assert not row["fft"] >= min(row[v] for v in others if row[v] == row[v]), row["layer"]
    by_layer = {row["layer"]: row for row in bench}
    assert by_layer["conv1 7x7"]["strided"] > by_layer["conv1 7x7"]["im2col"]  # one copy
    for layer in ("conv2 3x3 (first)", "conv2 3x3"):  # 56 x 56: "both ahead of im2col"
        row = by_layer[layer]
        assert min(row["shift-add"], row["strided"]) > 1.05 * row["im2col"], layer
    for stage in (3, 4, 5):  # smaller images and stride 2: "within a fifth of each other"
        smaller = by_layer[f"conv{stage} 3x3"]  # "shift-and-add never clearly ahead"
        assert smaller["shift-add"] < 1.1 * max(smaller["im2col"], smaller["strided"])
        for row in (smaller, by_layer[f"conv{stage} 3x3 (first)"]):
            assert 0.8 < row["strided"] / row["im2col"] < 1.25, row["layer"]
    assert any(  # "conv_fast gives away part of the speed on some 3 x 3 shapes"
        row["fast"] < 0.9 * max(row["im2col"], row["strided"], row["shift-add"])
        for row in bench
        if "3x3" in row["layer"]
    )
    assert summary["conv_fast"]["network_ms"] < summary["conv_im2col"]["network_ms"]
    ones = [r["fast"] / r["ceiling"] for r in bench if "1x1" in r["layer"]]
    # "most of them at two thirds of the GEMM rate or more"
    assert sum(r >= 2 / 3 for r in ones) > len(ones) / 2 and max(ones) < 1.1
    first = bench[0]
    assert first["layer"] == "conv1 7x7"
    ratios = sorted(r["fast"] / r["ceiling"] for r in bench)
    assert first["fast"] / first["ceiling"] < ratios[len(ratios) // 2]  # below the median
    for row in bench:  # conv_fast gives away part of the speed, never most of it
        best = max(row[v] for v in ("im2col", "strided", "shift-add", "winograd"))
        assert row["fast"] > 0.7 * best, row["layer"]


def test_recorded_torch_comparison_supports_the_prose():
    """part2-choosing.md: PyTorch ahead on the first layer and most 3x3 shapes, NumPy
    on most 1x1 shapes, the two about equal in total."""
    rows = rows_of("torch")
    if not rows:
        pytest.skip("PyTorch was not installed when the figures were measured")
    assert rows[0]["layer"] == "conv1 7x7" and rows[0]["torch"] > rows[0]["fast"]
    three = [r for r in rows if "3x3" in r["layer"]]
    one = [r for r in rows if "1x1" in r["layer"]]
    assert sum(r["torch"] > r["fast"] for r in three) > len(three) / 2
    assert sum(r["fast"] > r["torch"] for r in one) > len(one) / 2
    (total,) = rows_of("torch-totals")
    assert 0.9 < total["torch_over_fast"] < 1.15  # "about equal"


def test_recorded_scipy_comparison_supports_the_prose():
    """benchmarks.md: im2col first at 3x3, SciPy's loop first at 21x21, the FFTs
    flat and SciPy's a little faster, conv_fast with the better of im2col and FFT."""
    rows = {row["kernel"]: row for row in rows_of("scipy")}
    if not rows:
        pytest.skip("SciPy was not installed when the figures were measured")
    assert rows["3x3"]["im2col"] < rows["3x3"]["scipy_direct"]
    assert rows["3x3"]["im2col"] < rows["3x3"]["fft"]  # part2-choosing: "im2col ahead"
    assert rows["21x21"]["scipy_direct"] < rows["21x21"]["im2col"]
    for method in ("fft", "scipy_fft"):
        times = [row[method] for row in rows.values()]
        assert max(times) < 2 * min(times), method  # "hardly notice the kernel size"
    others = ("im2col", "fft", "fast", "scipy_direct")
    for row in rows.values():  # SciPy's FFT "the fastest from 5 x 5 on"; im2col at 3 x 3
        if row["R"] == 3:
            assert row["im2col"] < row["scipy_fft"]
        else:
            assert row["scipy_fft"] < min(row[m] for m in others), row["kernel"]
    for row in rows.values():
        assert row["fast"] < 1.25 * min(row["im2col"], row["fft"]), row["kernel"]


def test_recorded_blas_kernels_support_the_prose():
    """capstone.md: on this CPU (AVX2, no AVX-512) OpenBLAS's own choice is already
    Haswell, so both rows run the same kernels and differ only by noise."""
    own, forced = rows_of("blas-kernels")
    assert own["setting"].startswith("both unset") and "Haswell" in forced["blas"]
    assert own["blas"] == forced["blas"] and own["blas"].endswith("(Haswell)")
    assert "AVX512F" not in RECORDED["machine"]["simd"]
    assert 0.8 < own["gemm_gflops"] / forced["gemm_gflops"] < 1.25  # "only by noise"
    assert 0.8 < own["numpy_ms"] / forced["numpy_ms"] < 1.25


def test_published_figures_ran_the_blas_own_kernels():
    """The machine line names the kernels, chosen by the library, not forced."""
    machine = RECORDED["machine"]
    assert machine["kernels"].startswith("kernels of its own choice")
    assert "(" in machine["blas"]  # threadpoolctl named the kernels


def test_recorded_capstone_figures_support_the_prose():
    """capstone.md: the journey's order of methods; NumPy and PyTorch about equal."""
    total = rows_of("journey")[-1]
    assert total["layer"] == "all 53 convolutions"
    assert total["naive_ms"] > total["dot_ms"] > total["patch_ms"] > total["fast_ms"]
    # the journey's words: "about half an hour", "a minute or two", "a fraction of a
    # second", "about a tenth of a second"
    assert 20 < total["naive_ms"] / 60e3 < 40
    assert 60 < total["dot_ms"] / 1e3 < 150
    assert 100 < total["patch_ms"] < 1000
    for key in ("im2col_ms", "fast_ms", "prepared_ms", "torch_ms"):
        assert not total[key] < 60 and not total[key] >= 160, key  # NaN: not measured
    # "the fitted model even puts the np.dot version behind" in the first layer, while
    # the channel sweep measured "about the same time" at C = 3
    stem = rows_of("journey")[0]
    assert stem["layer"] == "conv1 7x7" and stem["dot_ms"] > stem["naive_ms"]
    sweep = {row["C"]: row["speedup"] for row in rows_of("channel-sweep")}
    assert 0.8 < sweep[3] < 1.25
    (forward,) = rows_of("forward")
    assert 0 < forward["conv_ms"] < forward["numpy_ms"]
    assert forward == rows_of("inference-steps")[-1]  # the last step of the chapter
    if forward["torch_ms"] == forward["torch_ms"]:  # PyTorch was measured
        assert forward["numpy_over_torch"] < 1  # "NumPy is ahead"
        plain = rows_of("inference-steps")[0]
        assert 0.9 < plain["numpy_over_torch"] < 1.1  # "about equal" before


def test_recorded_inference_figures_support_the_prose():
    """inference.md: each step faster (the figure's alt text), Winograd's step gains
    inside the convolutions; the three things in the way."""
    plain, gemm, ready = rows_of("inference-steps")
    assert [r["step"] for r in (plain, gemm, ready)] == ["plain", "gemm", "prepared"]
    assert plain["numpy_ms"] > gemm["numpy_ms"] > ready["numpy_ms"]
    assert gemm["conv_ms"] - ready["conv_ms"] > gemm["rest_ms"] - ready["rest_ms"]
    for row in (plain, gemm, ready):  # one pass: the split adds up
        assert math.isclose(row["conv_ms"] + row["rest_ms"], row["numpy_ms"], rel_tol=1e-9)
    assert 0.05 < ready["rest_ms"] / ready["numpy_ms"] < 0.07  # "about 6%", "5%: not reached"
    if ready["torch_ms"] == ready["torch_ms"]:
        assert 0.8 < ready["numpy_over_torch"] < 1  # "ahead", "did not get there"
    layers = rows_of("prepared-layers")
    assert layers[0]["layer"] == "conv1 7x7" and layers[0]["method"] == "Gemm"
    for i in (2, 6):  # the 3x3 layers at 56 x 56: Winograd's largest gain
        assert layers[i]["method"] == "Winograd" and "conv2 3x3" in layers[i]["layer"]
        assert layers[i]["prepared"] > 1.2 * layers[i]["plain"]
        if layers[i]["torch"] == layers[i]["torch"]:  # "level or ahead, far from 4x"
            assert 0.85 < layers[i]["prepared"] / layers[i]["torch"] < 2
    conv4 = layers[18]  # exercise 4: at 14 x 14, "most of the 2.25-fold saving is lost"
    assert conv4["layer"] == "conv4 3x3" and conv4["method"] == "Winograd"
    assert conv4["prepared"] < 1.5 * conv4["plain"]
    (totals,) = rows_of("prepared-totals")
    assert totals["prepared_ms"] < totals["plain_ms"]
    if layers[0]["torch"] == layers[0]["torch"]:  # "well above the rate of our im2col"
        assert layers[0]["torch"] > 1.3 * layers[0]["prepared"]
    stem = {row["way"].split(":")[0].split(" (")[0]: row["gflops"] for row in rows_of("stem")}
    assert stem["prepared, space-to-depth"] < stem["prepared"]  # "costs more than it saves"
    # "Batches did not help NumPy here", the rest "nearly doubled at batch 8"; PyTorch
    # "ahead at batch 8"
    batch = {row["batch"]: row for row in rows_of("forward-batches")}
    assert batch[32]["numpy_ms"] > batch[1]["numpy_ms"]
    assert 1.5 < batch[8]["rest_ms"] / batch[1]["rest_ms"] < 2.2
    if batch[8]["torch_ms"] == batch[8]["torch_ms"]:
        assert batch[8]["numpy_over_torch"] > 1


# Every working set that a page places in a level of the memory hierarchy, with its
# exact size in bytes: the rows of the table in memory-hierarchy.md.
WORKING_SETS = {
    "`B` of a 64 × 64 float32 product | 16 KB": 64 * 64 * 4,
    "the three matrices of a 64 × 64 float32 product | 48 KB": 3 * 64 * 64 * 4,
    "`B` of a 1024 × 1024 float32 product | 4 MB": 1024 * 1024 * 4,
    "`B` of a 2048 × 2048 float32 product | 16 MB": 2048 * 2048 * 4,
    "a dot of 100,000 float64 | 1.6 MB": 2 * 100_000 * 8,
    "a dot of 1,000,000 float64 | 16 MB": 2 * 1_000_000 * 8,
    "the contiguous float32 dot of a million numbers | 4 MB": 1_000_000 * 4,
    "the same million, every 16th of 64 MB | 64 MB": 16_000_000 * 4,
    "`a + b` on 256 MB arrays | 768 MB": 3 * 32_000_000 * 8,
    "the weights of `w @ x` | 8 MB": 2048 * 1000 * 4,
    "the first layer's patch matrix | 7.4 MB": None,  # from the im2col-memory table
    "the transformed kernels of a 512-channel layer | 302 MB": 16 * 9 * 512 * 512 * 8,
}


def level_of(size: int) -> str:
    """The smallest recorded cache that holds `size` bytes twice over (as
    memory_hierarchy.levels counts a working set inside a level), or memory."""
    for cache in rows_of("caches"):
        if 2 * size <= cache["size_kb"] * 1024:
            return cache["level"]
    return "memory"


@pytest.mark.parametrize("row", WORKING_SETS)
def test_every_cache_statement_matches_the_recorded_caches(row):
    """memory-hierarchy.md: each working set lives where its row says, for the cache
    sizes of the machine that measured the book."""
    page = (DOCS / "memory-hierarchy.md").read_text()
    line = next(line for line in page.splitlines() if row in line)
    stated = line.rstrip(" |").rsplit("|", 1)[1].strip()
    size = WORKING_SETS[row]
    if size is None:
        size = rows_of("im2col-memory")[0]["patch_mb"] * 1e6
        assert f"{size / 1e6:.1f} MB" in row
    assert level_of(size) == stated, (row, size)


def test_recorded_memory_hierarchy_supports_the_prose():
    """memory-hierarchy.md, statement by statement."""
    sweep = {row["bytes"]: row for row in rows_of("memory-sweep")}
    levels = {row["level"]: row for row in rows_of("memory-levels")}
    KB = 1024
    MB = 1024 * KB
    l3 = levels["L3"]["size_kb"] * KB
    smallest = sweep[4 * KB]
    # "the fixed cost of a call (about a microsecond)": the dot at 4 KB
    assert 0.5e-6 < 4 * KB / (smallest["dot_1"] * 1e9) < 2e-6
    # "the thread pool's cost (close to a hundred microseconds)": a + b on threads at 4 KB
    assert 50e-6 < 3 * 8 * (4 * KB // 24) / (smallest["add_all"] * 1e9) < 200e-6
    # "the rate rises by a half or more with each doubling of the working set up to 16 KB"
    for size in (4 * KB, 8 * KB):
        assert sweep[2 * size]["dot_1"] > 1.45 * sweep[size]["dot_1"], size
    # "OpenBLAS keeps short dots on one thread: up to 128 KB the two dot curves are the same"
    for size in sweep:
        if size <= 128 * KB:
            assert 0.85 < sweep[size]["dot_all"] / sweep[size]["dot_1"] < 1.15, size
    # "one thread's dot reads about ... at best, whether the data sits in L2 or in L3"
    assert 0.8 < levels["L2"]["dot_1"] / levels["L3"]["dot_1"] < 1.25
    # "at 4 MB ... all threads read ... from L3: two of them move about twice as much,
    # and here more than twice: one thread alone at 4 MB reads less than its best"
    at_4mb = sweep[4 * MB]
    assert 2 < at_4mb["dot_all"] / at_4mb["dot_1"] < 3
    assert at_4mb["dot_1"] < levels["L3"]["dot_1"]
    # "threads help work that waits for memory too"
    memory = levels["memory"]
    assert memory["dot_all"] > 1.2 * memory["dot_1"]
    assert memory["dot_1"] < 0.5 * levels["L3"]["dot_1"]  # memory is the slow level
    # "a + b on threads loses to one thread on arrays of a few megabytes or less, and
    # can win only on larger ones"
    assert all(r["add_all"] < r["add_1"] for b, r in sweep.items() if b <= 4 * MB)
    assert any(r["add_all"] > r["add_1"] for b, r in sweep.items() if b > l3)
    # "the fall from L3 to memory starts before the working set reaches L3's size"
    assert sweep[l3]["dot_1"] < 0.75 * levels["L3"]["dot_1"]
    # the chase: "about as long in L2 and in the first megabytes of L3" (up to 2 MB) as
    # in L1; "somewhere between 4 and 16 MB, still inside L3, the chase slows down";
    # 128 MB the most
    l1 = levels["L1"]["chase_ns"]
    for size, row in sweep.items():
        if size <= 2 * MB:
            assert abs(row["chase_ns"] - l1) < 0.15 * l1, size
        elif 16 * MB <= size <= l3 // 2:
            assert row["chase_ns"] > 1.5 * l1, size
    assert memory["extra_ns"] > sweep[l3 // 2]["chase_ns"] - l1
    # fully-connected.md: w @ x reads its 8 MB of weights from L3, "much faster than
    # main memory"
    assert rows_of("fc")[1]["weight_gbs"] > 2 * memory["dot_all"]
