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
"""

import ast
import hashlib
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

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
    dtype: str = "float64"


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
    dtype: str = "float64"
    # A derived table: `measure` computes its rows from the recorded rows of the
    # table `source` (a fit, an estimate), so the tests can check it exactly.
    source: str | None = None


CLAIMS = (
    Claim(
        id="dot-1000",
        page="inner-products.md",
        what="`np.dot` vs a Python loop, 1,000 float64",
        floor=10,
        measure="inner_products:loop_vs_dot",
        kwargs={"length": 1000},
    ),
    Claim(
        id="dot-100000",
        page="inner-products.md",
        what="`np.dot` (all cores) vs a Python loop, 100,000 float64",
        floor=100,
        measure="inner_products:loop_vs_dot",
        kwargs={"length": 100_000},
    ),
    Claim(
        id="lists-vs-indexing",
        page="inner-products.md",
        what="the Python loop over lists vs over NumPy arrays by index, 1,000 float64",
        floor=2,
        measure="inner_products:indexing_vs_lists",
        kwargs={"length": 1000},
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
        floor=1.4,
        measure="loop_costs:arrays_vs_lists",
        dtype="float32 arrays, lists of Python floats",
    ),
    Claim(
        id="dot-vs-naive-c64",
        page="dot-optimization.md",
        what="`conv_dot` vs `conv_naive`, C = 64",
        floor=5,
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
        id="fc-loop-vs-matvec",
        page="fully-connected.md",
        what="`w @ x` vs 1000 `np.dot` calls, 2048 → 1000",
        floor=5,
        measure="fc_dot:loop_vs_matvec",
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
        dtype="float32",
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
)

BY_ID: dict[str, Claim | Table] = {item.id: item for item in CLAIMS + TABLES}


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
    return all(
        math.isclose(x[k], y[k], rel_tol=1e-9) if isinstance(x[k], float) else x[k] == y[k]
        for x, y in zip(a, b, strict=True)
        for k in x
    )


def problems(results: dict) -> list[str]:
    """Everything wrong with a results file, as messages; empty when it is in step.

    Missing or unknown figures, figures measured before a snippet they depend on last
    changed, and recorded ratios that no longer clear their floor with MARGIN to spare.
    """
    found = []
    for kind, items in (("claim", CLAIMS), ("table", TABLES)):
        recorded = results[f"{kind}s"]
        for item in items:
            entry = recorded.get(item.id)
            if entry is None:
                found.append(f"{kind} {item.id} is not in the results file")
                continue
            current = sources_of(item)
            for path in sorted(set(current) | set(entry["sources"])):
                if current.get(path) != entry["sources"].get(path):
                    found.append(
                        f"{kind} {item.id} is stale: {path} changed since it was measured "
                        "(run `python -m book.results`)"
                    )
            if kind == "table" and item.source and item.source in results["tables"]:
                derived = function(item.measure)(results["tables"][item.source]["rows"])
                if not rows_close(derived, entry["rows"]):
                    found.append(
                        f"table {item.id} does not follow from table {item.source} "
                        "(run `python -m book.results`)"
                    )
            if kind == "claim" and entry["floor"] != item.floor:
                found.append(
                    f"claim {item.id}: recorded with floor {entry['floor']}, "
                    f"but the registry says {item.floor} (run `python -m book.results`)"
                )
            if kind == "claim" and entry["ratio"] < item.floor * MARGIN:
                found.append(
                    f"claim {item.id}: recorded {entry['ratio']:.1f}x leaves less than a "
                    f"{MARGIN}x margin over its floor {item.floor}x"
                )
        known = {item.id for item in items}
        found += [f"{kind} {extra} is not in book/claims.py" for extra in recorded.keys() - known]
    return found
