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

from book import DOCS, RESULTS

FIGURES = DOCS / "figures"
THEMES = {
    "light": {"text": "#333333", "grid": "#dddddd", "lines": ("#d9480f", "#1c7ed6")},
    "dark": {"text": "#dddddd", "grid": "#444444", "lines": ("#ffa94d", "#74c0fc")},
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


DRAWINGS: dict[str, Callable[[dict, dict], plt.Figure]] = {"loop-vs-dot": loop_vs_dot}


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
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
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
