"""Regenerate the results file: `python -m book.results`.

Measures every claim and table of `book.claims` on this machine and writes
`docs/data/results.json` with the machine line, the figures, and the hash of every
snippet each figure depends on; then draws the plots in `docs/figures/` from it.
Commit both; the site renders them and `tests/test_claims.py` keeps them in step with
the code.
"""

import json
import time

from timing import machine

from book import RESULTS, ROOT
from book.claims import CLAIMS, TABLES, function, sources_of
from book.figures import write_figures


def progress(done: int, total: int, label: str, seconds: float) -> None:
    """One line per figure: a bar, the count, what was measured, how long."""
    bar = "#" * (20 * done // total)
    print(f"[{bar:<20}] {done:2}/{total} {label} ({seconds:.1f} s)", flush=True)


def measure_all() -> dict:
    results: dict = {"machine": machine(), "claims": {}, "tables": {}}
    total, done = len(CLAIMS) + len(TABLES), 0
    for claim in CLAIMS:
        start = time.perf_counter()
        comparison = function(claim.measure)(**claim.kwargs)
        results["claims"][claim.id] = {
            "baseline_s": comparison.baseline_s,
            "candidate_s": comparison.candidate_s,
            "ratio": comparison.ratio,
            "floor": claim.floor,
            "dtype": claim.dtype,
            "sources": sources_of(claim),
        }
        done += 1
        label = f"claim {claim.id}: {comparison.ratio:.1f}x (floor {claim.floor}x)"
        progress(done, total, label, time.perf_counter() - start)
    for table in TABLES:
        start = time.perf_counter()
        if table.sources:  # derived from tables measured above
            rows = function(table.measure)(*(results["tables"][s]["rows"] for s in table.sources))
        else:
            rows = function(table.measure)(**table.kwargs)
        results["tables"][table.id] = {
            "rows": rows,
            "dtype": table.dtype,
            "sources": sources_of(table),
        }
        done += 1
        progress(done, total, f"table {table.id}: {len(rows)} rows", time.perf_counter() - start)
    return results


def main() -> None:
    start = time.perf_counter()
    results = measure_all()
    results["run"] = {  # what the pages say about this command
        "figures": len(CLAIMS) + len(TABLES),
        "seconds": round(time.perf_counter() - start),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)} on {results['machine']['cpu']}")
    print("drew", ", ".join(write_figures(results)))


if __name__ == "__main__":
    main()
