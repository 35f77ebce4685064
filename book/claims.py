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
test), so a loaded 2-core machine does not make them flake, and at least 2, so they
always claim something.
"""

import ast
import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from book import ROOT, SNIPPETS

MIN_FLOOR = 2.0  # a claim of "at least 1x faster" says nothing
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
            if kind == "claim" and entry["ratio"] < item.floor * MARGIN:
                found.append(
                    f"claim {item.id}: recorded {entry['ratio']:.1f}x leaves less than a "
                    f"{MARGIN}x margin over its floor {item.floor}x"
                )
        known = {item.id for item in items}
        found += [f"{kind} {extra} is not in book/claims.py" for extra in recorded.keys() - known]
    return found
