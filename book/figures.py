"""Figures drawn from the results file, in a light and a dark variant.

`python -m book.results` calls `write_figures` after measuring (`python -m book.figures`
redraws them from the committed results alone); a test draws them again
from the committed results file and compares, so a figure can never drift from the
numbers beside it. Pages show the pair with Material's `#only-light` / `#only-dark`.
The SVGs are deterministic (fixed hash salt, no date) and draw text as paths, so they
load no font.
"""

import io
import itertools
import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import matplotlib

matplotlib.use("svg")

import conv_im2col
import matplotlib.pyplot as plt
import memory_hierarchy
import numpy as np
from conv_winograd import F2
from layouts import nhwc_to_nchw
from numpy.lib.stride_tricks import sliding_window_view

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


def cell(ax, theme: dict, x: float, y: float, color=None, alpha: float = 0.55, label="",
         width: float = 1.0, height: float = 1.0, hatch=None, fontsize: float = 7) -> None:
    """One cell of a schematic grid: an outlined square, filled with `color` at `alpha`
    over the background (blended here: one opaque rectangle per cell keeps the SVG small),
    hatched in the text colour if `hatch` is given."""
    face = np.array(matplotlib.colors.to_rgb(theme["background"]))
    if color is not None:
        face = alpha * np.array(matplotlib.colors.to_rgb(color)) + (1 - alpha) * face
    ax.add_patch(plt.Rectangle((x, y), width, height, facecolor=tuple(face), hatch=hatch,
                               hatchcolor=theme["text"], edgecolor=theme["text"],
                               linewidth=0.5))
    if label != "":
        ax.text(x + width / 2, y + height / 2, label, ha="center", va="center",
                color=theme["text"], fontsize=fontsize)


def bracket(ax, theme: dict, x0: float, x1: float, y: float, label: str, below=True,
            fontsize: float = 8) -> None:
    """A square bracket under (or over) x0..x1 at height y, labelled in the middle."""
    tick = -0.3 if below else 0.3
    ax.plot([x0, x0, x1, x1], [y, y + tick, y + tick, y], color=theme["text"], linewidth=0.8)
    ax.text((x0 + x1) / 2, y + 1.6 * tick, label, ha="center", va="top" if below else "bottom",
            color=theme["text"], fontsize=fontsize)


def im2col(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: one window of the padded input becomes one row of the patch
    matrix, and that row times the weight matrix is one output pixel's K outputs. The
    window's cells are found by running the book's own im2col on an array of indices."""
    text, accent, second = theme["text"], *theme["lines"]
    N, H, W, C, K, R, S, pad = 1, 3, 3, 3, 4, 3, 3, 1
    x_pad = np.pad(np.zeros((N, H, W, C)), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    Hp, Wp = x_pad.shape[1:3]
    P, Q = Hp - R + 1, Wp - S + 1
    index = np.arange(x_pad.size).reshape(x_pad.shape)  # each number's own position
    patches = conv_im2col.im2col(index, R, S, P, Q, 1, 1)  # (N*P*Q, R*S*C)
    weights = np.zeros((K, R, S, C)).reshape(K, -1).T  # (R*S*C, K), as conv2d makes it
    p, q = 1, 1  # the window that holds no padding
    row = p * Q + q
    _, h, w, c = np.unravel_index(patches[row], x_pad.shape)  # what the row holds
    r, s, _ = np.unravel_index(np.arange(R * S * C), (R, S, C))  # w[k].reshape(-1)'s order
    assert (h == p + r).all() and (w == q + s).all() and (c == np.tile(np.arange(C), R * S)).all()
    rows, depth = patches.shape
    shade = np.linspace(0.3, 0.8, C)  # channel c: the same hue, darker with c

    a_x, a_top = 0.0, rows + 2.0  # the patch matrix: rows (n, p, q), columns (r, s, c)
    w_x, w_top = depth + 3.0, depth + 0.0
    y_x = w_x + K + 3.0
    left, right, bottom, top = -3.2, y_x + K + 5.0, -1.8, w_top + 2.2
    fig, ax = plt.subplots(figsize=(8.8, 8.8 * (top - bottom) / (right - left)))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)

    def matrix(x0, top, n_rows, n_cols, group_rows=1, group_cols=1):
        for i in range(n_rows + 1):
            ax.plot([x0, x0 + n_cols], [top - i] * 2, color=text,
                    linewidth=1.0 if i % group_rows == 0 else 0.3)
        for j in range(n_cols + 1):
            ax.plot([x0 + j] * 2, [top - n_rows, top], color=text,
                    linewidth=1.0 if j % group_cols == 0 else 0.3)

    # the padded input, one layer per channel, the window shaded in each
    img_x, img_y, size = 0.0, a_top + 4.0, 1.5
    for layer in reversed(range(C)):
        for i in range(Hp):
            for j in range(Wp):
                inside = pad <= i < Hp - pad and pad <= j < Wp - pad
                hit = ((h == i) & (w == j) & (c == layer)).any()
                tap = np.flatnonzero((h == i) & (w == j) & (c == 0))
                cell(ax, theme, img_x + size * j + 0.3 * layer,
                     img_y + size * (Hp - 1 - i) + 0.3 * layer,
                     accent if hit else None if inside else theme["grid"],
                     shade[layer] if hit else 1.0, width=size, height=size, fontsize=8,
                     label=f"{r[tap[0]]},{s[tap[0]]}" if layer == 0 and hit else "")
    stack = img_y + size * Hp + 0.3 * C  # the top of the stack
    ax.text(img_x + size * Wp / 2, stack + 0.3, f"x_pad[n]: {Hp} × {Wp} pixels, C = {C}",
            ha="center", va="bottom", color=text, fontsize=9)
    note = img_x + size * Wp + 2.0
    ax.text(note, stack - 0.2,
            f"the window of output pixel (p, q) = ({p}, {q}):\n"
            f"R × S × C = {R} × {S} × {C} numbers, each pixel\n"
            "labelled with its kernel tap (r, s);\ngrey: the zero padding",
            ha="left", va="top", color=text, fontsize=8)
    ax.text(note, stack - 4.6, "channel c:", ha="left", va="center", color=text, fontsize=8)
    for channel in range(C):
        for color, dy in ((accent, 0.0), (second, -1.2)):
            cell(ax, theme, note + 4.2 + 1.2 * channel, stack - 5.1 + dy, color,
                 shade[channel], label=str(channel), fontsize=8)
    ax.text(note + 4.0 + 1.2 * C + 0.6, stack - 4.6, "in the window", ha="left", va="center",
            color=text, fontsize=8)
    ax.text(note + 4.0 + 1.2 * C + 0.6, stack - 5.8, "in the weights", ha="left",
            va="center", color=text, fontsize=8)

    # the patch matrix, its row (p, q) filled with the window in the order (r, s, c)
    matrix(a_x, a_top, rows, depth, group_cols=C)
    for j in range(depth):
        cell(ax, theme, a_x + j, a_top - row - 1, accent, shade[c[j]])
    for t in range(R * S):
        ax.text(a_x + C * t + C / 2, a_top + 0.2, f"{r[t * C]},{s[t * C]}", ha="center",
                va="bottom", color=text, fontsize=8)
    ax.text(a_x - 0.3, a_top + 0.2, "(r, s)", ha="right", va="bottom", color=text, fontsize=8)
    ax.text(a_x - 0.3, a_top - row - 0.5, f"(p, q)\n= ({p}, {q})", ha="right", va="center",
            color=text, fontsize=8)
    ax.annotate("", xy=(a_x + C * (R * S // 2), a_top + 1.1),
                xytext=(img_x + size * Wp / 2, img_y - 0.2),
                arrowprops={"arrowstyle": "->", "color": text})
    ax.text(a_x + depth / 2, a_top - rows - 0.4,
            f"patches = im2col(x_pad): N·P·Q × R·S·C = {rows} × {depth}\n"
            f"one row per output pixel (n, p, q), columns in the order (r, s, c)",
            ha="center", va="top", color=text, fontsize=8)

    # the weights, one column per kernel, and the product
    matrix(w_x, w_top, *weights.shape, group_rows=C)
    for i in range(depth):
        for k in range(K):
            cell(ax, theme, w_x + k, w_top - i - 1, second, shade[c[i]])
    for k in range(K):
        ax.text(w_x + k + 0.5, w_top + 0.2, f"{k}", ha="center", va="bottom", color=text,
                fontsize=8)
    ax.text(w_x - 0.3, w_top + 0.2, "k", ha="right", va="bottom", color=text, fontsize=8)
    ax.text(w_x + K / 2, -0.4, f"weights: {weights.shape[0]} × {weights.shape[1]}\n"
            "column k = w[k].reshape(-1)", ha="center", va="top", color=text, fontsize=8)
    matrix(y_x, a_top, rows, K)
    for k in range(K):
        cell(ax, theme, y_x + k, a_top - row - 1, accent, 0.8)
    middle = a_top - row - 0.5
    ax.text(w_x - 1.5, middle, "@", ha="center", va="center", color=text, fontsize=12)
    ax.text(y_x - 1.25, middle, "=", ha="center", va="center", color=text, fontsize=12)
    ax.text(y_x + K / 2, a_top + 0.3, f"y = patches @ weights\nN·P·Q × K = {rows} × {K}",
            ha="center", va="bottom", color=text, fontsize=8)
    ax.text(y_x + K + 0.3, middle, f"y[n, {p}, {q}, :]:\nthe K outputs\nof pixel ({p}, {q})",
            ha="left", va="center", color=text, fontsize=8)
    return fig


def layouts(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: one small float32 image in memory, NHWC and NCHW, with one
    pixel's channel vector marked. Every position comes from the arrays' own strides."""
    text, accent, second = theme["text"], *theme["lines"]
    N, H, W, C = 1, 2, 3, 4
    x = np.zeros((N, H, W, C), np.float32)
    x_nchw = nhwc_to_nchw(x)
    size = x.itemsize
    line = 64 // size  # numbers in one 64-byte cache line
    pixel = (0, 1)  # (h, w) of the marked pixel
    left, right, bottom, top = -0.3, x.size + 0.3, -2.6, 8.6
    fig, ax = plt.subplots(figsize=(8.8, 8.8 * (top - bottom) / (right - left)))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    for name, array, index, y0 in (
        ("NHWC: x", x, lambda h, w, c: (0, h, w, c), 5.0),
        ("NCHW: nhwc_to_nchw(x)", x_nchw, lambda h, w, c: (0, c, h, w), 0.0),
    ):
        def place(h, w, c, array=array, index=index):  # memory position, in numbers
            return int(np.dot(index(h, w, c), array.strides)) // size

        marked = [place(*pixel, c) for c in range(C)]
        for h in range(H):
            for w in range(W):
                for c in range(C):
                    at = place(h, w, c)
                    cell(ax, theme, at, y0, accent if at in marked else second,
                         0.8 if at in marked else 0.1 + 0.45 * c / C, f"{h},{w},{c}")
        ax.text(0, y0 + 2.35, f"{name}, shape {array.shape}, strides {array.strides} bytes",
                ha="left", va="bottom", color=text, fontsize=9)
        for at in range(0, x.size + 1, C):
            ax.text(at, y0 + 1.1, f"{at * size}", ha="center", va="bottom", color=text,
                    fontsize=7)
        ax.plot([0, 0, line, line], [y0 + 1.6, y0 + 1.8, y0 + 1.8, y0 + 1.6], color=text,
                linewidth=0.8)
        ax.text(line + 0.3, y0 + 1.8, f"one 64-byte cache line: {line} float32 numbers",
                ha="left", va="center", color=text, fontsize=8)
        h, w = pixel
        if marked == list(range(marked[0], marked[0] + C)):
            bracket(ax, theme, marked[0], marked[-1] + 1, y0 - 0.15,
                    f"x[0, {h}, {w}, :]: its {C} channels side by side, {C * size} bytes")
        else:
            for a, b in itertools.pairwise(marked):
                ax.annotate("", xy=(b + 0.5, y0 - 0.05), xytext=(a + 0.5, y0 - 0.05),
                            arrowprops={"arrowstyle": "->", "color": text,
                                        "connectionstyle": "arc3,rad=0.3"})
            gap = marked[1] - marked[0]
            ax.text((marked[0] + marked[-1] + 1) / 2, y0 - 1.45,
                    f"x[0, {h}, {w}, :]: its {C} channels H·W = {gap} numbers"
                    f" ({gap * size} bytes) apart",
                    ha="center", va="top", color=text, fontsize=8)
    ax.text(0, bottom + 0.1, "in each cell: the (h, w, c) of the number stored there;"
            " above the cells: byte offsets", ha="left", va="bottom", color=text, fontsize=8)
    return fig

def views(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: a view is a buffer, a shape, strides and an offset. Top: a
    slice; bottom: sliding windows, whose rows overlap, so flattening them copies. Every
    number is read from the arrays themselves."""
    text, accent, second = theme["text"], *theme["lines"]
    buffer = np.arange(12.0)
    a = buffer.reshape(3, 4)
    b = a[1:, ::2]
    s = np.arange(6.0)
    v = sliding_window_view(s, 3)
    flat = v.reshape(-1)

    def offset(view, base):  # bytes from the start of base's buffer to view's first number
        return view.__array_interface__["data"][0] - base.__array_interface__["data"][0]

    def where(view, base):  # the position in base's buffer of each number of view
        starts = offset(view, base) + sum(np.indices(view.shape)[i] * view.strides[i]
                                          for i in range(view.ndim))
        return starts // base.itemsize

    left, right, bottom, top = -1.2, 26.2, -0.2, 15.0
    fig, ax = plt.subplots(figsize=(8.8, 8.8 * (top - bottom) / (right - left)))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)

    def row_of_cells(x0, y0, values, marked=(), color=accent, alpha=0.6):
        for i, value in enumerate(values):
            cell(ax, theme, x0 + i, y0, color if i in marked else None, alpha, f"{value:g}",
                 fontsize=8)

    def under(x0, y0, numbers):  # small numbers under a row of cells
        for i, number in enumerate(numbers):
            ax.text(x0 + i + 0.5, y0 - 0.1, f"{number}", ha="center", va="top", color=text,
                    fontsize=7)

    # top: one buffer, two views of it
    in_b = set(where(b, buffer).ravel())
    ax.text(0, 14.2, "a view = a buffer + a shape + strides + an offset", ha="left",
            va="bottom", color=text, fontsize=9)
    ax.text(0, 13.2, f"buffer: {buffer.size} float64 numbers, {buffer.itemsize} bytes each"
            " (byte offsets below)", ha="left", va="bottom", color=text, fontsize=8)
    row_of_cells(0, 12, buffer, in_b)
    under(0, 12, np.arange(buffer.size) * buffer.itemsize)
    bracket(ax, theme, 0, offset(b, buffer) // buffer.itemsize, 11.3,
            f"b's offset: {offset(b, buffer)} bytes")
    for name, view, x0 in (("a = buffer.reshape(3, 4)", a, 14.5), ("b = a[1:, ::2]", b, 21.5)):
        ax.text(x0, 13.2, name, ha="left", va="bottom", color=text, fontsize=9)
        at = where(view, buffer)
        for i in range(view.shape[0]):
            for j in range(view.shape[1]):
                cell(ax, theme, x0 + j, 12 - i, accent if at[i, j] in in_b else None, 0.6,
                     f"{view[i, j]:g}", fontsize=8)
        ax.text(x0, 12.7 - view.shape[0], f"shape {view.shape}\nstrides {view.strides} bytes\n"
                f"offset {offset(view, buffer)} bytes", ha="left", va="top", color=text, fontsize=8)

    # bottom: the rows of a sliding window view overlap in memory
    ax.text(0, 6.9, f"s = np.arange({s.size}.0)", ha="left", va="bottom", color=text,
            fontsize=9)
    row_of_cells(0, 5.7, s)
    under(0, 5.7, np.arange(s.size) * s.itemsize)
    at = where(v, s)
    for i in range(v.shape[0]):
        y0 = 3.9 - 1.15 * i
        ax.text(at[i, 0] - 0.2, y0 + 0.5, f"v[{i}]", ha="right", va="center", color=text,
                fontsize=8)
        for j in range(v.shape[1]):  # each number drawn under the one of s it is
            cell(ax, theme, at[i, j], y0, second, 0.2 + 0.15 * i, f"{v[i, j]:g}", fontsize=8)
    ax.text(9.0, 6.9, f"v = sliding_window_view(s, {v.shape[1]}): shape {v.shape},"
            f" strides {v.strides}", ha="left", va="bottom", color=text, fontsize=9)
    ax.text(9.0, 6.5, f"each row starts {v.strides[0]} bytes after the one before and is"
            f" {v.shape[1]} numbers long,\nso the rows overlap: {v.size} numbers seen in"
            f" {s.size}; left, each row is drawn\nunder the numbers of s it views",
            ha="left", va="top", color=text, fontsize=8)
    ax.text(9.0, 3.6, f"v.reshape(-1): {flat.size} numbers in a row; below, where each"
            " is in s (bytes)", ha="left", va="bottom", color=text, fontsize=8)
    row_of_cells(9.0, 2.4, flat)  # a new buffer
    under(9.0, 2.4, at.ravel() * s.itemsize)
    steps = np.diff(at.ravel()) * s.itemsize
    ax.text(9.0, 1.4, "steps " + ", ".join(f"{d:+d}" for d in steps[:3]) + ", …: no"
            " single stride walks them, so the reshape copies:\n"
            f"np.shares_memory(v.reshape(-1), s) is {np.shares_memory(flat, s)}",
            ha="left", va="top", color=text, fontsize=8)
    return fig

def flat_rows(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: the flat-row trick of conv_shift_add's conv2d_flat. The padded
    image, one extra row of zeros at the bottom, seen as one long run of pixels; tap
    (r, s) of output row p reads Wp pixels in a row of it. Positions come from the same
    pad and reshape as the code's, on an image of pixel numbers."""
    text, accent = theme["text"], theme["lines"][0]
    H, W, R, S, pad = 3, 4, 3, 3, 1
    Hp, Wp = H + 2 * pad, W + 2 * pad
    P, Q = Hp - R + 1, Wp - S + 1
    image = np.ones((1, H, W, 1))
    x_pad = np.pad(image, ((0, 0), (pad, pad + 1), (pad, pad), (0, 0)))  # as conv2d_flat
    number = np.arange(x_pad.size).reshape(x_pad.shape)  # each pixel's place in memory
    pixels = number.reshape(1, (Hp + 1) * Wp, 1)[0, :, 0]  # the flat view of the code
    p, r, s = P - 1, R - 1, S - 1  # the last output row and the last tap: the last run
    start = (p + r) * Wp + s
    run = pixels[start : start + Wp]
    tap = pixels[r * Wp + s : r * Wp + s + P * Wp]  # the code's run: all P rows at once
    wide = np.arange(P * Wp).reshape(P, Wp)  # y_wide, one output row per image row
    kept = wide[:, :Q]  # the crop of conv2d_flat
    left, right, bottom, top = -1.0, pixels.size + 0.5, -2.4, Hp + 4.4
    fig, ax = plt.subplots(figsize=(8.8, 8.8 * (top - bottom) / (right - left)))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)

    def look(at):  # fill and alpha of the pixel numbered `at`
        if at in run:
            return accent, 0.85
        if at in tap:
            return accent, 0.3
        if x_pad.reshape(-1)[at] == 0:
            return theme["grid"], 1.0
        return None, 1.0

    # the padded image, row after row, with the extra zero row
    y_top = Hp + 2.0
    for at in pixels:
        i, j = divmod(int(at), Wp)
        cell(ax, theme, j, y_top - i, *look(at), str(at))
    ax.text(0, y_top + 1.3, f"x_pad: Hp × Wp = {Hp} × {Wp} pixels, + 1 row of zeros",
            ha="left", va="bottom", color=text, fontsize=9)
    ax.text(Wp + 0.3, y_top - Hp + 0.5, "← extra zero row", ha="left", va="center",
            color=text, fontsize=8)
    ax.text(Wp + 0.3, y_top + 0.5, "← grey: zero padding", ha="left", va="center",
            color=text, fontsize=8)
    ax.text(Wp + 0.6, y_top - 1.2,
            f"output row p = {p}, tap (r, s) = ({r}, {s}):\n"
            f"Wp = {Wp} pixels in a row, from (p + r)·Wp + s = {start};\n"
            f"it runs on into the next image row, and the\n"
            f"outputs it feeds there are garbage",
            ha="left", va="top", color=text, fontsize=8)

    # the wide output: P rows of Wp, the last S - 1 columns cropped
    out_x = pixels.size - Wp
    for i in range(P):
        for j in range(Wp):
            garbage = wide[i, j] not in kept
            cell(ax, theme, out_x + j, y_top - 1 - i,
                 accent if i == p else theme["grid"] if garbage else None,
                 0.85 if i == p else 1.0, str(run[j]) if i == p else "",
                 hatch="//" if garbage else None)
    ax.text(out_x, y_top + 0.3, f"y_wide: P × Wp = {P} × {Wp}", ha="left", va="bottom",
            color=text, fontsize=9)
    bracket(ax, theme, out_x + Q, out_x + Wp, y_top - P - 0.1,
            f"last S − 1 = {Wp - Q}:\ngarbage, cropped", fontsize=8)
    ax.text(out_x - 0.3, y_top - 1 - p + 0.5, f"row p = {p}: the pixels\ntap ({r}, {s})"
            " adds in", ha="right", va="center", color=text, fontsize=8)

    # the same pixels as one long strip, as pixels = x_pad.reshape(N, (Hp + 1)·Wp, C)
    for at in pixels:
        cell(ax, theme, at, 0, *look(at), str(at))
    for h in range(Hp + 1):
        ax.plot([h * Wp] * 2, [-0.2, 1.5], color=text, linewidth=1.2)
        ax.text(h * Wp + Wp / 2, 1.15, f"image row {h}" if h < Hp else "extra zero row",
                ha="center", va="bottom",
                color=text, fontsize=8)
    bracket(ax, theme, start, start + Wp, -0.1, f"Wp = {Wp} pixels from {start}")
    bracket(ax, theme, tap[0], tap[-1] + 1, -1.2,
            f"the code reads all {P} output rows at once: P·Wp = {tap.size} pixels from"
            f" r·Wp + s = {tap[0]}")
    return fig


def winograd_tiles(results: dict, theme: dict) -> plt.Figure:
    """Not a measurement: how conv_winograd tiles the padded input for F(2 x 2, 3 x 3):
    4 x 4 input tiles, m = 2 apart, so neighbours overlap by 2; each gives a 2 x 2 tile
    of outputs. Sizes come from the transform matrices, tiles from the code's own
    sliding_window_view."""
    text, accent, second = theme["text"], *theme["lines"]
    m, alpha, R = len(F2["AT"]), len(F2["BT"]), len(F2["G"][0])  # 2, 4, 3
    H = W = 6
    Hp, Wp = H + 2, W + 2  # padding 1
    P, Q = Hp - R + 1, Wp - R + 1
    number = np.arange(Hp * Wp).reshape(1, Hp, Wp, 1)  # each input pixel's number
    d = sliding_window_view(number, (alpha, alpha), axis=(1, 2))[:, ::m, ::m]
    output = np.arange(P * Q).reshape(P, Q)
    tiles = [  # (tile row, tile column, fill colour, line style)
        (P // m - 1, 0, accent, "-"),
        (P // m - 1, 1, second, "-"),
        (P // m - 2, 0, None, "--"),
    ]

    def cells(numbers, cols):  # (row, column) of each number in a grid of `cols` columns
        return np.divmod(np.asarray(numbers).ravel(), cols)

    left, right, bottom, top = -5.0, Wp + 10.5 + Q + 0.5, -2.4, Hp + 1.4
    fig, ax = plt.subplots(figsize=(8.8, 8.8 * (top - bottom) / (right - left)))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)

    def grid(x0, rows, cols, every, border=0):
        for i in range(rows):
            for j in range(cols):
                inside = border <= i < rows - border and border <= j < cols - border
                cell(ax, theme, x0 + j, rows - 1 - i, None if inside else theme["grid"], 1.0)
        for k in range(0, rows + 1, every):
            ax.plot([x0, x0 + cols], [rows - k] * 2, color=text, linewidth=1.2)
        for k in range(0, cols + 1, every):
            ax.plot([x0 + k] * 2, [0, rows], color=text, linewidth=1.2)

    def outline(x0, rows, numbers, cols, color, style, inset):
        i, j = cells(numbers, cols)
        if color is not None:
            for a, b in zip(i, j, strict=True):
                ax.add_patch(plt.Rectangle((x0 + b, rows - 1 - a), 1, 1, facecolor=color,
                                           alpha=0.35, linewidth=0))
        ax.add_patch(plt.Rectangle(
            (x0 + j.min() + inset, rows - 1 - i.max() + inset),
            j.max() - j.min() + 1 - 2 * inset, i.max() - i.min() + 1 - 2 * inset,
            facecolor="none", edgecolor=color or text, linestyle=style, linewidth=2.0))

    out_x = Wp + 10.5
    grid(0, Hp, Wp, 1, border=1)
    grid(out_x, P, Q, m)
    for n, (ti, tj, color, style) in enumerate(tiles):
        outline(0, Hp, d[0, ti, tj, 0], Wp, color, style, 0.08 + 0.08 * n)
        outline(out_x, P, output[ti * m : (ti + 1) * m, tj * m : (tj + 1) * m], Q, color,
                style, 0.08)
    a_rows, a_cols = cells(d[0, tiles[0][0], tiles[0][1], 0], Wp)
    _, b_cols = cells(d[0, tiles[1][0], tiles[1][1], 0], Wp)
    shared = np.intersect1d(a_cols, b_cols)
    ax.plot([-0.3, -0.5, -0.5, -0.3], [Hp - a_rows.min(), Hp - a_rows.min(),
            Hp - 1 - a_rows.max(), Hp - 1 - a_rows.max()], color=text, linewidth=0.8)
    ax.text(-0.7, Hp - (a_rows.min() + a_rows.max() + 1) / 2,
            f"{alpha} × {alpha} input\ntile (m + 2 = {m + 2})", ha="right", va="center",
            color=text, fontsize=8)
    bracket(ax, theme, shared.min(), shared.max() + 1, -0.15,
            f"tiles overlap by\nR − 1 = {shared.size}")
    ax.text(Wp / 2, Hp + 0.3, f"x_pad: {Hp} × {Wp} (H = W = {H}; grey: padding 1)",
            ha="center", va="bottom", color=text, fontsize=9)
    ax.text(out_x + Q / 2, P + 0.3, f"y: {P} × {Q} = {P // m} × {Q // m} output tiles",
            ha="center", va="bottom", color=text, fontsize=9)
    o_rows, _ = cells(output[-m:, :m], Q)
    ax.plot([out_x - 0.3, out_x - 0.5, out_x - 0.5, out_x - 0.3],
            [P - o_rows.min(), P - o_rows.min(), P - 1 - o_rows.max(), P - 1 - o_rows.max()],
            color=text, linewidth=0.8)
    ax.text(out_x - 0.7, P - (o_rows.min() + o_rows.max() + 1) / 2,
            f"{m} × {m} output\ntile", ha="right", va="center", color=text, fontsize=8)
    ax.annotate("", xy=(out_x - 4.2, Hp / 2), xytext=(Wp + 0.5, Hp / 2),
                arrowprops={"arrowstyle": "->", "color": text})
    ax.text((Wp + out_x - 3.7) / 2, Hp / 2 + 0.3,
            f"F({m} × {m}, {R} × {R}): each\ninput tile gives the output\ntile drawn in its colour",
            ha="center", va="bottom", color=text, fontsize=8)
    ax.text((Wp + out_x - 3.7) / 2, Hp / 2 - 0.3,
            f"tiles {m} apart, each\n{alpha} wide: neighbours\noverlap by R − 1 = {alpha - m}",
            ha="center", va="top", color=text, fontsize=8)
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
    lines = [(data[0]["ceiling"], "--", "GEMM rate")]
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
        ("prepared layers, with bias and ReLU", total["prepared_ms"], False),
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


def inference_steps(results: dict, theme: dict) -> plt.Figure:
    data = rows(results, "inference-steps")
    labels = {
        "plain": "conv_fast in every layer",
        "gemm": "prepared: im2col + GEMM, bias inside",
        "prepared": "prepared: + Winograd for 3 × 3",
    }
    fig, ax = plt.subplots(figsize=(8.8, 3.2))
    for i, row in enumerate(data):
        ax.barh(i, row["conv_ms"], color=theme["lines"][1],
                label="in convolutions" if i == 0 else None)
        ax.barh(i, row["rest_ms"], left=row["conv_ms"], color=theme["lines"][0],
                label="outside them" if i == 0 else None)
        ax.annotate(f"{row['numpy_ms']:.0f} ms", (row["conv_ms"], i), xytext=(-4, 0),
                    textcoords="offset points", va="center", ha="right",
                    color="white", fontsize=8)
    torch_ms = data[0]["torch_ms"]
    if torch_ms == torch_ms:  # PyTorch may be absent (NaN)
        ax.axvline(torch_ms, color=theme["text"], linestyle="--", linewidth=1)
        ax.annotate(f"PyTorch eager: {torch_ms:.0f} ms", (torch_ms, -0.55),
                    xytext=(-4, 2), textcoords="offset points", ha="right",
                    va="bottom", color=theme["text"], fontsize=8)
    ax.set_yticks(range(len(data)), [labels[r["step"]] for r in data], fontsize=8)
    ax.set_ylim(len(data) - 0.5, -0.9)  # room above the first bar for PyTorch's label
    ax.set_xlim(0, 1.15 * max(r["numpy_ms"] for r in data))
    ax.set_xlabel("ms per 224 × 224 image, ResNet-50 forward pass (the plain row's"
                  " split counts its bias and ReLU outside)")
    ax.set_title("Preparing the weights once, step by step")
    ax.legend(frameon=False, labelcolor=theme["text"], fontsize=8, ncol=2,
              loc="upper center", bbox_to_anchor=(0.5, -0.25))
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
    "inference-steps": inference_steps,
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
    "im2col": im2col,
    "layouts": layouts,
    "views": views,
    "flat-rows": flat_rows,
    "winograd-tiles": winograd_tiles,
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


def render_theme(results: dict, theme_name: str) -> dict[str, str]:
    """Every figure in one theme, as {file name: SVG text}."""
    plt.rcParams["svg.hashsalt"] = "loops-to-inner-products"
    theme, svgs = THEMES[theme_name], {}
    for name, draw in DRAWINGS.items():
        fig = draw(results, theme)
        style(fig, theme)
        buffer = io.StringIO()
        fig.savefig(
            buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
        )
        plt.close(fig)
        svgs[f"{name}-{theme_name}.svg"] = buffer.getvalue()
    return svgs


def render(results: dict) -> dict[str, str]:
    """Every figure in every theme, as {file name: SVG text}: one process per theme."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(THEMES), mp_context=context) as pool:
        parts = pool.map(render_theme, itertools.repeat(results), THEMES)
        return {name: svg for part in parts for name, svg in part.items()}


def write_figures(results: dict) -> list[str]:
    FIGURES.mkdir(parents=True, exist_ok=True)
    svgs = render(results)
    for file_name, svg in svgs.items():
        (FIGURES / file_name).write_text(svg)
    return sorted(svgs)


if __name__ == "__main__":  # redraw from the committed results, without measuring
    print(write_figures(json.loads(RESULTS.read_text())))
