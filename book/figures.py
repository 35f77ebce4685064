"""Figures drawn from the results file, in a light and a dark variant.

`python -m book.results` calls `write_figures` after measuring (`python -m book.figures`
redraws them from the committed results alone); a test draws them again
from the committed results file and compares, so a figure can never drift from the
numbers beside it. Pages show the pair with Material's `#only-light` / `#only-dark`.
The SVGs are deterministic (fixed hash salt, no date) and draw text as paths, so they
load no font.
"""

import io
import json
from collections.abc import Callable

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt
import memory_hierarchy
import numpy as np

from book import DOCS, RESULTS

FIGURES = DOCS / "figures"
THEMES = {
    "light": {
        "text": "#333333",
        "grid": "#dddddd",
        "background": "#ffffff",
        "lines": ("#d9480f", "#1c7ed6"),
    },
    "dark": {  # on Material's slate background
        "text": "#dddddd",
        "grid": "#444444",
        "background": "#1e2129",
        "lines": ("#ffa94d", "#74c0fc"),
    },
}


def loop_vs_dot(results: dict, theme: dict) -> plt.Figure:
    rows = results["tables"]["loop-vs-dot"]["rows"]
    lengths = [row["length"] for row in rows]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    loop_color, dot_color = theme["lines"]
    ax.loglog(lengths, [r["loop_us"] for r in rows], "o-", color=loop_color, label="Python loop")
    ax.loglog(lengths, [r["dot_us"] for r in rows], "s-", color=dot_color, label="np.dot")
    ax.set_xlabel("vector length (float64 numbers)")
    ax.set_ylabel("time per call (µs)")
    ax.set_title("One inner product: a Python loop against np.dot")
    ax.legend(frameon=False, labelcolor=theme["text"])
    return fig


def channel_sweep(results: dict, theme: dict) -> plt.Figure:
    rows = results["tables"]["channel-sweep"]["rows"]
    (model,) = results["tables"]["dot-model"]["rows"]
    C = np.array([row["C"] for row in rows], float)
    grid = np.geomspace(C[0], C[-1], 100)
    a_ns, b_ns, naive_ns = model["a_us"] * 1e3, model["b_ns"], model["naive_ns"]
    measured, fitted = theme["lines"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.8, 3.6))
    left.loglog(C, [row["speedup"] for row in rows], "o", color=measured, label="measured")
    left.loglog(
        grid,
        naive_ns * grid / (a_ns + b_ns * grid),
        "-",
        color=fitted,
        label="model: naive ns per MAC × C / (a + b·C)",
    )
    left.axhline(1, color=theme["text"], linewidth=0.8, linestyle=":")
    left.set_xlabel("input channels C")
    left.set_ylabel("speed-up of conv_dot over conv_naive")
    left.set_title("The np.dot trick pays for large C only")
    right.semilogx(C, [row["dot_call_us"] for row in rows], "o", color=measured, label="measured")
    right.set_ylim(0, 1.3 * max(row["dot_call_us"] for row in rows))
    right.semilogx(
        grid,
        (a_ns + b_ns * grid) / 1e3,
        "-",
        color=fitted,
        label=f"fit: a + b·C, a = {model['a_us']:.2f} µs, b = {b_ns:.3f} ns",
    )
    right.set_xlabel("input channels C")
    right.set_ylabel("time per np.dot call (µs)")
    right.set_title("Each call costs a, whatever C")
    for ax in (left, right):
        ax.legend(frameon=False, labelcolor=theme["text"], fontsize=8)
    return fig


def conv_window(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: how one output of a 3x3 convolution is made."""
    text, accent, second = theme["text"], *theme["lines"]
    fig, ax = plt.subplots(figsize=(8.8, 3.4))
    ax.set_xlim(0, 22)
    ax.set_ylim(-0.5, 8)
    ax.set_aspect("equal")
    ax.axis("off")

    def grid(x0, y0, rows, cols, depth, highlight=(), color=accent, label=""):
        """A stack of `depth` channels, back to front; each layer hides the one
        behind it, so only the back layers' edges show."""
        for d in reversed(range(depth)):
            for i in range(rows):
                for j in range(cols):
                    xy = (x0 + j + 0.25 * d, y0 + rows - 1 - i + 0.25 * d)
                    ax.add_patch(
                        plt.Rectangle(
                            xy, 1, 1, facecolor=theme["background"], edgecolor=text, lw=0.6
                        )
                    )
                    if (i, j) in highlight:
                        ax.add_patch(plt.Rectangle(xy, 1, 1, facecolor=color, alpha=0.6))
        ax.text(x0 + cols / 2, y0 - 0.45, label, ha="center", va="top", color=text, fontsize=9)

    window = [(i, j) for i in range(1, 4) for j in range(2, 5)]
    grid(0.2, 1, 5, 6, 3, window, label="x[n]: H × W pixels, C channels each")
    grid(
        8.5,
        2,
        3,
        3,
        3,
        [(i, j) for i in range(3) for j in range(3)],
        second,
        label="w[k]: R × S × C",
    )
    grid(14.5, 2, 3, 4, 1, [(1, 2)], accent, label="y[n, :, :, k]")
    ax.annotate(
        "", xy=(14.4, 3.5), xytext=(12.6, 3.5), arrowprops={"arrowstyle": "->", "color": text}
    )
    ax.text(13.5, 3.9, "sum of\nR·S·C products", ha="center", va="bottom", color=text, fontsize=8)
    ax.text(
        11.0,
        7.4,
        "one output y[n, p, q, k] = the window (orange) times w[k], summed",
        ha="center",
        color=text,
        fontsize=9,
    )
    # one channel vector of the window and of the kernel: an inner product
    for x0, color, name in ((19.6, accent, "x[n, h, w, :]"), (20.9, second, "w[k, r, s, :]")):
        for c in range(5):
            ax.add_patch(
                plt.Rectangle(
                    (x0, 1.5 + c * 0.8),
                    0.7,
                    0.8,
                    facecolor=color,
                    alpha=0.55,
                    edgecolor=text,
                    linewidth=0.6,
                )
            )
        ax.text(x0 + 0.35, 1.3, name, rotation=90, ha="center", va="top", color=text, fontsize=8)
    ax.text(20.6, 5.9, "· = one\nnp.dot", ha="center", va="bottom", color=text, fontsize=8)
    return fig


def bottleneck(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: one bottleneck block of ResNet-50, with its shortcut."""
    text, accent, second = theme["text"], *theme["lines"]
    fig, ax = plt.subplots(figsize=(8.8, 3.0))
    ax.set_xlim(0, 22)
    ax.set_ylim(0, 6.2)
    ax.axis("off")
    boxes = [  # (x, label, detail)
        (0.3, "input", "H × W × C"),
        (4.1, "1 × 1 conv\n+ ReLU", "narrow to w"),
        (7.9, "3 × 3 conv\n+ ReLU", "w channels\n(stride here)"),
        (11.7, "1 × 1 conv", "widen to 4w"),
        (17.6, "ReLU", "output"),
    ]
    for x, label, detail in boxes:
        ax.add_patch(
            plt.Rectangle((x, 2.6), 3.0, 1.6, facecolor=accent, alpha=0.35, edgecolor=text)
        )
        ax.text(x + 1.5, 3.4, label, ha="center", va="center", color=text, fontsize=9)
        ax.text(x + 1.5, 2.35, detail, ha="center", va="top", color=text, fontsize=7.5)
    arrow = {"arrowstyle": "->", "color": text}
    for x_from, x_to in ((3.3, 4.1), (7.1, 7.9), (10.9, 11.7), (14.7, 15.55), (16.45, 17.6)):
        ax.annotate("", xy=(x_to, 3.4), xytext=(x_from, 3.4), arrowprops=arrow)
    ax.add_patch(plt.Circle((16.0, 3.4), 0.45, facecolor="none", edgecolor=text))
    ax.text(16.0, 3.4, "+", ha="center", va="center", color=text, fontsize=12)
    # the shortcut: over the top, from the input to the sum
    ax.plot([1.8, 1.8, 16.0], [4.2, 5.4, 5.4], color=second, linewidth=1.5)
    ax.annotate("", xy=(16.0, 3.85), xytext=(16.0, 5.4),
                arrowprops={"arrowstyle": "->", "color": second, "linewidth": 1.5})
    ax.text(8.9, 5.55, "shortcut: the input itself, or a 1 × 1 conv (projection) in the"
            " first block of a stage", ha="center", va="bottom", color=text, fontsize=8)
    ax.text(11.0, 1.0, "every convolution: batch normalization folded into its weights"
            " and a bias", ha="center", color=text, fontsize=8)
    return fig


def gemm_blocking(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: the blocks of a GEMM (Goto and van de Geijn, 2008)."""
    text, accent, second = theme["text"], *theme["lines"]
    fig, ax = plt.subplots(figsize=(8.8, 4.6))
    ax.set_xlim(0, 22)
    ax.set_ylim(0, 11.5)
    ax.set_aspect("equal")
    ax.axis("off")

    def box(x, y, w, h, color=None, alpha=0.45, label="", where="center"):
        face = theme["background"] if color is None else color
        ax.add_patch(
            plt.Rectangle((x, y), w, h, facecolor=face, alpha=1 if color is None else alpha,
                          edgecolor=text, linewidth=0.8)
        )
        if label:
            ax.text(x + w / 2, y + h / 2, label, ha="center", va="center", color=text,
                    fontsize=8)

    # B on top (k x n), A on the left (m x k), C below B (m x n); the k_c
    # columns of A's block are the k_c rows of B's panel
    box(6.5, 6.5, 9, 4.5)
    ax.text(11.0, 11.2, "B  (k × n)", ha="center", va="bottom", color=text, fontsize=9)
    box(8.5, 7.5, 4.5, 2, second, 0.25)
    ax.text(10.3, 8.5, "panel of B\nk_c × n_c, packed:\nin L3 (or L2)", ha="center",
            va="center", color=text, fontsize=8)
    box(12.1, 7.5, 0.9, 2, second, 0.7)
    ax.annotate("sliver k_c × n_r\nof the panel: in L1", xy=(13.0, 8.5), xytext=(16.0, 8.5),
                color=text, fontsize=8, va="center",
                arrowprops={"arrowstyle": "->", "color": text})
    box(1.3, 0.5, 4.5, 5.5)
    ax.text(3.55, 6.2, "A  (m × k)", ha="center", va="bottom", color=text, fontsize=9)
    box(2.8, 2.0, 2, 2.5, accent, 0.25)
    ax.text(3.8, 3.25, "block of A\nm_c × k_c,\npacked:\nin L2", ha="center",
            va="center", color=text, fontsize=8)
    box(6.5, 0.5, 9, 5.5)
    ax.text(11.0, 0.3, "C = A @ B  (m × n)", ha="center", va="top", color=text, fontsize=9)
    box(12.1, 3.6, 0.9, 0.9, accent, 0.8)
    ax.annotate("micro-tile m_r × n_r of C:\nin SIMD registers while the kernel\n"
                "does k_c multiply-adds into each number", xy=(13.0, 4.05), xytext=(16.0, 3.2),
                color=text, fontsize=8, va="center",
                arrowprops={"arrowstyle": "->", "color": text})
    ax.text(16.0, 5.9, "every number loaded from\nmemory is used by many\nmultiply-adds",
            ha="left", va="center", color=text, fontsize=8)
    return fig


def rows(results: dict, table: str) -> list[dict]:
    return results["tables"][table]["rows"]


def peak_lines(ax, results: dict, theme: dict) -> None:
    """Dashed horizontal lines at the derived float32 peaks."""
    for style, peak in zip(("--", ":"), rows(results, "peaks"), strict=False):
        ax.axhline(peak["gflops"], color=theme["text"], linestyle=style, linewidth=0.9)
        ax.annotate(
            f"derived peak: {peak['simd']} at {peak['ghz']:.1f} GHz",
            (0.02, peak["gflops"]),
            xycoords=("axes fraction", "data"),
            ha="left",
            va="bottom",
            color=theme["text"],
            fontsize=7,
        )


def dot_calls(results: dict, theme: dict) -> plt.Figure:
    data = rows(results, "calls")
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.loglog(
        [r["length"] for r in data],
        [r["ns_per_element"] for r in data],
        "o-",
        color=theme["lines"][1],
    )
    ax.set_xlabel("vector length (float64 numbers)")
    ax.set_ylabel("ns per element")
    ax.set_title("np.dot: the fixed cost of a call, spread over the elements")
    return fig


def gemm_threads(results: dict, theme: dict) -> plt.Figure:
    data = rows(results, "threads")
    n = [r["n"] for r in data]
    one, all_threads = theme["lines"]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.semilogx(n, [r["one_thread"] for r in data], "o-", color=one, label="1 thread", base=2)
    ax.semilogx(
        n, [r["all_threads"] for r in data], "s-", color=all_threads, label="all threads", base=2
    )
    peak_lines(ax, results, theme)
    ax.set_ylim(0, 1.1 * max(p["gflops"] for p in rows(results, "peaks")))
    ax.set_xlabel("matrix size n (n x n float32)")
    ax.set_ylabel("GFLOP/s")
    ax.set_title("One matrix product A @ B")
    ax.legend(frameon=False, labelcolor=theme["text"], loc="lower right")
    return fig


def memory_sweep(results: dict, theme: dict) -> plt.Figure:
    """Bandwidth and the pointer chase against working set, cache sizes marked."""
    data = rows(results, "memory-sweep")
    size = [r["bytes"] for r in data]
    dot, add = theme["lines"]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(8.8, 6.4), sharex=True, gridspec_kw={"height_ratios": (3, 2)}
    )
    for key, color, marker, style, label in (
        ("dot_all", dot, "o", "-", "np.dot, all threads"),
        ("dot_1", dot, "o", "--", "np.dot, one thread"),
        ("add_all", add, "s", "-", "a + b, all threads (one slice each)"),
        ("add_1", add, "s", "--", "a + b, one thread"),
    ):
        top.loglog(size, [r[key] for r in data], marker + style, color=color, label=label,
                   markersize=3)
    top.set_xscale("log", base=2)
    chased = [(r["bytes"], r["chase_ns"]) for r in data if r["chase_ns"] == r["chase_ns"]]
    bottom.semilogx(*zip(*chased, strict=True), "o-", color=dot, markersize=3, base=2)
    bottom.set_ylim(0, 1.15 * max(ns for _, ns in chased))
    for cache in rows(results, "caches"):
        for ax in (top, bottom):
            ax.axvline(cache["size_kb"] * 2**10, color=theme["text"], linestyle=":",
                       linewidth=0.9)
        top.annotate(
            f"{cache['level']}: {cache['size_kb']:,} KB",
            (cache["size_kb"] * 2**10, 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            va="bottom",
            color=theme["text"],
            fontsize=7,
        )
    ticks = [2**k for k in range(12, 31, 2)]
    bottom.set_xticks(ticks, [memory_hierarchy.label(t) for t in ticks], fontsize=8)
    bottom.minorticks_off()
    top.set_ylabel("GB/s (call included)")
    top.set_title("Bandwidth and latency by working set (float64, hot caches)")
    top.legend(frameon=False, labelcolor=theme["text"], fontsize=8, loc="center right")
    bottom.set_ylabel("ns per step")
    bottom.set_xlabel("working set: bytes one call reads and writes")
    bottom.set_title("A Python loop following random pointers", fontsize=9)
    return fig


def roofline(results: dict, theme: dict) -> plt.Figure:
    """GFLOP/s against FLOPs per byte moved, under the roofs min(peak, GB/s x
    FLOP/byte). Intensities: a + b, 1 FLOP per 24 bytes (float64); dot of long
    float64 vectors, 2 FLOPs per 16 bytes; strided float32 dot, 2 FLOPs per
    64-byte line; w @ x, 2 FLOPs per 4-byte weight; n x n GEMM, n/6 FLOPs per byte."""
    bandwidth = max(r["gbs"] for r in rows(results, "bandwidth"))
    points = [  # label, FLOPs per byte, GFLOP/s, label offset in points
        ("a + b", 1 / 24, rows(results, "bandwidth")[1]["gflops"], (6, 4)),
        ("np.dot, 10⁶ float64", 2 / 16, rows(results, "calls")[-1]["gflops"], (6, -12)),
        ("strided np.dot", 2 / 64, rows(results, "memory")[1]["gflops"], (-6, -14)),
        ("w @ x (weights in cache)", 2 / 4, 2 * rows(results, "fc")[1]["gmacs"], (6, -12)),
        ("A @ B, n = 2048", 2048 / 6, rows(results, "gemm-sizes")[-1]["gflops"], (-6, -14)),
    ]
    intensity = np.geomspace(1e-2, 1e3, 200)
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for style, peak in zip(("--", ":"), rows(results, "peaks"), strict=False):
        ax.loglog(
            intensity,
            np.minimum(peak["gflops"], bandwidth * intensity),
            style,
            color=theme["text"],
            linewidth=0.9,
        )
    for level in rows(results, "memory-levels"):  # a roof per cache level above memory's
        roof = level["dot_all"]
        if level["level"] == "memory" or roof <= bandwidth:
            continue
        x = intensity[intensity * roof < rows(results, "peaks")[0]["gflops"]]
        ax.loglog(x, roof * x, "-", color=theme["grid"], linewidth=0.9)
        ax.annotate(  # the level's name where its roof crosses 3 GFLOP/s
            level["level"],
            (3 / roof, 3),
            textcoords="offset points",
            xytext=(-3, 0),
            ha="right",
            va="center",
            color=theme["text"],
            fontsize=6,
        )
    peak_lines(ax, results, theme)
    for label, x, y, offset in points:
        ax.loglog([x], [y], "o", color=theme["lines"][0])
        ax.annotate(
            label,
            (x, y),
            textcoords="offset points",
            xytext=offset,
            ha="right" if offset[0] < 0 else "left",
            color=theme["text"],
            fontsize=7,
        )
    ax.set_xlabel("arithmetic intensity (FLOPs per byte moved)")
    ax.set_ylabel("GFLOP/s")
    plural = "s" if len(rows(results, "peaks")) > 1 else ""
    ax.set_title(f"Roofline: memory {bandwidth:.0f} GB/s, float32 peak{plural}")
    return fig


def ladder(results: dict, theme: dict) -> plt.Figure:
    sweep = {r["C"]: r for r in rows(results, "channel-sweep")}
    macs_c64 = 4 * 4 * 4 * 3 * 3 * 64  # the sweep's layer at C = 64
    ways = {r["way"]: r["gflops"] for r in rows(results, "blas-ways")}
    steps = [
        ("conv_naive: 7 loops", 2 / rows(results, "ns-per-mac")[0]["ns_per_mac"]),
        ("matmul_loops: 3 loops", ways["matmul_loops"]),
        ("conv_dot: np.dot per channel vector", 2 * macs_c64 / (sweep[64]["dot_ms"] * 1e-3) / 1e9),
        ("matmul_dots: np.dot per output", ways["matmul_dots"]),
        ("matmul_matvecs: matrix-vector", ways["matmul_matvecs"]),
        ("w @ x: the FC layer", 2 * rows(results, "fc")[1]["gmacs"]),
        ("A @ B: one GEMM, n = 2048", rows(results, "gemm-sizes")[-1]["gflops"]),
    ]
    fig, ax = plt.subplots(figsize=(8.8, 4.0))
    labels = [label for label, _ in steps]
    ax.barh(labels, [g for _, g in steps], color=theme["lines"][1])
    ax.set_xscale("log")
    ax.invert_yaxis()
    for style, peak in zip(("--", ":"), rows(results, "peaks"), strict=False):
        ax.axvline(peak["gflops"], color=theme["text"], linestyle=style, linewidth=0.9)
    ax.set_xlabel("GFLOP/s, float32 (dashed and dotted: the derived peaks)")
    ax.set_title("The ladder: more work per call to compiled code")
    ax.tick_params(axis="y", labelsize=8)
    return fig


def im2col_memory(results: dict, theme: dict) -> plt.Figure:
    data = rows(results, "im2col-memory")
    y = np.arange(len(data))
    fig, ax = plt.subplots(figsize=(8.8, 6.4))
    inputs, patches = theme["lines"][1], theme["lines"][0]
    ax.barh(y - 0.2, [r["input_mb"] for r in data], 0.4, color=inputs, label="input")
    ax.barh(
        y + 0.2,
        [r["patch_mb"] for r in data],
        0.4,
        color=patches,
        label="patch matrix (none for 1x1, stride 1)",
    )
    ax.set_yticks(y, [r["layer"] for r in data], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("MB (float32, batch 1)")
    ax.set_title("im2col: the patch matrix against the input, per ResNet-50 shape")
    ax.legend(frameon=False, labelcolor=theme["text"], loc="lower right")
    return fig


def resnet_bench(results: dict, theme: dict) -> plt.Figure:
    data = rows(results, "resnet-bench")
    variants = ("patch", "im2col", "strided", "shift-add", "winograd", "fft", "fast")
    markers = dict(zip(variants, "<os^vDx", strict=True))
    y = np.arange(len(data))
    fig, ax = plt.subplots(figsize=(8.8, 6.8))
    colors = plt.get_cmap("tab10").colors
    for i, variant in enumerate(variants):
        values = [r[variant] for r in data]
        ax.plot(
            values,
            y,
            markers[variant],
            color=colors[i],
            label=variant,
            markersize=7 if variant == "fast" else 5,
        )
    lines = [(data[0]["ceiling"], "--", "GEMM ceiling")]
    lines += [(p["gflops"], ":", f"peak {p['simd']}") for p in rows(results, "peaks")]
    for gflops, style, label in lines:  # labelled above the plot, rotated
        ax.axvline(gflops, color=theme["text"], linestyle=style, linewidth=0.9)
        ax.annotate(
            label,
            (gflops, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            rotation=90,
            ha="center",
            va="bottom",
            color=theme["text"],
            fontsize=7,
        )
    ax.set_xscale("log")
    ax.set_yticks(y, [r["layer"] for r in data], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("GFLOP/s (float32, batch 1, all threads)")
    ax.set_title("Every variant on every ResNet-50 convolution shape", pad=58)
    ax.legend(
        frameon=False,
        labelcolor=theme["text"],
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        fontsize=8,
    )
    return fig


def journey(results: dict, theme: dict) -> plt.Figure:
    total = rows(results, "journey")[-1]
    steps = [
        ("7 nested loops (estimate)", total["naive_ms"], True),
        ("np.dot per channel vector (estimate)", total["dot_ms"], True),
        ("conv_patch: matrix-vector per pixel", total["patch_ms"], False),
        ("conv_im2col: one GEMM", total["im2col_ms"], False),
        ("conv_fast: best method per shape", total["fast_ms"], False),
        ("PyTorch (oneDNN)", total["torch_ms"], False),
    ]
    steps = [step for step in steps if step[1] == step[1]]  # PyTorch may be absent
    fig, ax = plt.subplots(figsize=(8.8, 3.6))
    for i, (_, ms, estimated) in enumerate(steps):
        ax.barh(
            i,
            ms / 1e3,
            color=theme["lines"][0 if estimated else 1],
            hatch="//" if estimated else None,
            edgecolor=theme["text"],
            linewidth=0.5,
        )
        ax.annotate(
            f"{ms / 1e3:.3g} s",
            (ms / 1e3, i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            color=theme["text"],
            fontsize=8,
        )
    ax.set_yticks(range(len(steps)), [s[0] for s in steps], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("seconds for all 53 convolutions of ResNet-50 (hatched: estimated)")
    ax.set_title("The journey: one image, from loops to GEMM")
    return fig


def single_channel(results: dict, theme: dict) -> plt.Figure:
    data = rows(results, "scipy")
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    if not data:  # SciPy was not installed when the results were measured
        ax.text(0.5, 0.5, "SciPy not measured", ha="center", color=theme["text"])
        return fig
    R = [r["R"] for r in data]
    colors = plt.get_cmap("tab10").colors
    lines = (
        ("im2col", "conv_im2col", "o-", colors[1]),
        ("fft", "conv_fft", "D-", colors[5]),
        ("scipy_direct", "SciPy correlate2d (direct)", "o--", colors[2]),
        ("scipy_fft", "SciPy correlate (FFT)", "D--", colors[3]),
    )
    for key, label, style_, color in lines:
        ax.loglog(R, [r[key] for r in data], style_, color=color, label=label)
    ax.loglog(R, [r["fast"] for r in data], "x", color=theme["text"], markersize=9,
              label="conv_fast")
    ax.set_xticks(R, [r["kernel"] for r in data])
    ax.minorticks_off()
    ax.set_xlabel("kernel size (one 256 × 256 channel in, one out)")
    ax.set_ylabel("time per call (ms)")
    ax.set_title("Image filtering: this book's conv2d against SciPy")
    ax.legend(frameon=False, labelcolor=theme["text"], fontsize=8)
    return fig


DRAWINGS: dict[str, Callable[[dict, dict], plt.Figure]] = {
    "journey": journey,
    "single-channel": single_channel,
    "im2col-memory": im2col_memory,
    "resnet-bench": resnet_bench,
    "dot-calls": dot_calls,
    "gemm-threads": gemm_threads,
    "roofline": roofline,
    "memory-sweep": memory_sweep,
    "ladder": ladder,
    "loop-vs-dot": loop_vs_dot,
    "channel-sweep": channel_sweep,
    "conv-window": conv_window,
    "bottleneck": bottleneck,
    "gemm-blocking": gemm_blocking,
}


def style(fig: plt.Figure, theme: dict) -> None:
    """Transparent background; text, axes and grid in the theme's colours."""
    fig.patch.set_alpha(0)
    for ax in fig.axes:
        ax.set_facecolor("none")
        ax.grid(True, which="major", color=theme["grid"], linewidth=0.6)
        ax.tick_params(colors=theme["text"], which="both")
        for spine in ax.spines.values():
            spine.set_color(theme["text"])
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            text.set_color(theme["text"])
    fig.tight_layout()


def render(results: dict) -> dict[str, str]:
    """Every figure in every theme, as {file name: SVG text}."""
    plt.rcParams["svg.hashsalt"] = "loops-to-inner-products"
    svgs = {}
    for name, draw in DRAWINGS.items():
        for theme_name, theme in THEMES.items():
            fig = draw(results, theme)
            style(fig, theme)
            buffer = io.StringIO()
            fig.savefig(
                buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
            )
            plt.close(fig)
            svgs[f"{name}-{theme_name}.svg"] = buffer.getvalue()
    return svgs


def write_figures(results: dict) -> list[str]:
    FIGURES.mkdir(parents=True, exist_ok=True)
    svgs = render(results)
    for file_name, svg in svgs.items():
        (FIGURES / file_name).write_text(svg)
    return sorted(svgs)


if __name__ == "__main__":  # redraw from the committed results, without measuring
    print(write_figures(json.loads(RESULTS.read_text())))
