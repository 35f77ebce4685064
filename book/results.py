"""Regenerate the results file: `python -m book.results`.

Measures every claim and table of `book.claims` on this machine and writes
`docs/data/results.json` with the machine line, the figures, and the hash of every
snippet each figure depends on; then draws the plots in `docs/figures/` from it.
Commit both; the site renders them and `tests/test_claims.py` keeps them in step with
the code.

`python -m book.results --stale` measures again only the figures that the code no longer
matches (a snippet they depend on changed, a new claim or table, another dtype or floor),
keeps the others, and refuses when this is not the machine that measured them.

`python -m book.results --local` measures the same on a reader's machine into the
git-ignored results.local.json (book.LOCAL_RESULTS) and draws nothing: `mkdocs serve`
then shows the reader's figures beside the published ones.

The figures are measured with the BLAS's own choice of kernels: where the environment
sets OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE (a fix for old OpenBLAS builds, which only
slows the pinned NumPy), the command runs its measurements in a new process without
both, and the machine line says what it removed and which kernels then ran. The tests
leave the environment as they find it.
"""

import json
import os
import subprocess
import sys
import time

from blas_kernels import VARIABLES
from timing import machine

from book import LOCAL_RESULTS, RESULTS, ROOT
from book.claims import CLAIMS, TABLES, dtype_of, function, measure_claim, sources_of
from book.figures import write_figures


def progress(done: int, total: int, label: str, seconds: float) -> None:
    """One line per figure: a bar, the count, what was measured, how long."""
    bar = "#" * (20 * done // total)
    print(f"[{bar:<20}] {done:2}/{total} {label} ({seconds:.1f} s)", flush=True)


def stale_ids(results: dict) -> set[str]:
    """Claims and tables of `results` that the code no longer matches: missing, or
    recorded with other snippet sources, another dtype or another floor."""
    stale = set()
    for kind, items in (("claim", CLAIMS), ("table", TABLES)):
        for item in items:
            entry = results[f"{kind}s"].get(item.id)
            if (
                entry is None
                or entry["sources"] != sources_of(item)
                or entry["dtype"] != dtype_of(item)
                or (kind == "claim" and entry["floor"] != item.floor)
            ):
                stale.add(item.id)
    return stale


def measure_all(previous: dict | None = None) -> dict:
    """Every claim and table measured; with `previous`, only its stale ones, the
    others kept as they were. Derived tables are always computed again."""
    keep = set() if previous is None else {c.id for c in CLAIMS} | {t.id for t in TABLES}
    keep -= set() if previous is None else stale_ids(previous)
    results: dict = {"machine": machine(), "claims": {}, "tables": {}}
    total, done = len(CLAIMS) + len(TABLES), 0
    for claim in CLAIMS:
        done += 1
        if claim.id in keep:
            results["claims"][claim.id] = previous["claims"][claim.id]
            continue
        start = time.perf_counter()
        comparison = measure_claim(claim)
        # A claim about several CPUs loses a CPU to any other program of a shared
        # machine for the whole comparison: the best of three, as noise only adds time
        # to the side that uses more CPUs.
        for _ in range(2 if claim.needs_cpus > 1 else 0):
            comparison = max(comparison, measure_claim(claim), key=lambda c: c.ratio)
        results["claims"][claim.id] = {
            "baseline_s": comparison.baseline_s,
            "candidate_s": comparison.candidate_s,
            "ratio": comparison.ratio,
            "floor": claim.floor,
            "dtype": claim.dtype,
            "sources": sources_of(claim),
        }
        label = f"claim {claim.id}: {comparison.ratio:.1f}x (floor {claim.floor}x)"
        progress(done, total, label, time.perf_counter() - start)
    for table in TABLES:
        done += 1
        if table.id in keep and not table.sources:
            results["tables"][table.id] = previous["tables"][table.id]
            continue
        start = time.perf_counter()
        if table.sources:  # derived from tables measured above
            rows = function(table.measure)(*(results["tables"][s]["rows"] for s in table.sources))
        else:
            rows = function(table.measure)(**table.kwargs)
        results["tables"][table.id] = {
            "rows": rows,
            "dtype": dtype_of(table),
            "sources": sources_of(table),
        }
        progress(done, total, f"table {table.id}: {len(rows)} rows", time.perf_counter() - start)
    return results


def same_machine(recorded: dict, current: dict) -> bool:
    """Whether two machine lines describe one machine, whatever their dates."""
    return {k: v for k, v in recorded.items() if k != "date"} == {
        k: v for k, v in current.items() if k != "date"
    }


KERNEL_VARIABLES = VARIABLES  # the overrides blas_kernels.py compares
REMOVED = "BOOK_RESULTS_REMOVED"  # what the parent process removed, passed to the child


def kernel_overrides(env: dict[str, str]) -> dict[str, str]:
    """The variables of `env` that override the BLAS's choice of kernels."""
    return {name: env[name] for name in KERNEL_VARIABLES if name in env}


def environment_for_measuring(env: dict[str, str]) -> dict[str, str]:
    """`env` without the kernel overrides, remembering what was removed."""
    removed = kernel_overrides(env)
    kept = {k: v for k, v in env.items() if k not in KERNEL_VARIABLES}
    return {**kept, REMOVED: json.dumps(removed)}


def blas_setting(env: dict[str, str]) -> str:
    """How the BLAS chose its kernels in this process, for the machine line."""
    removed = json.loads(env.get(REMOVED, "{}"))
    if kernel_overrides(env):
        forced = ", ".join(f"{k}={v}" for k, v in kernel_overrides(env).items())
        return f"kernels forced by {forced}"
    if removed:
        unset = ", ".join(f"{k}={v}" for k, v in removed.items())
        return f"kernels of its own choice (the machine's {unset} unset while measuring)"
    return "kernels of its own choice"


def main() -> None:
    overrides = kernel_overrides(dict(os.environ))
    if overrides:  # measure in a process without them
        env = environment_for_measuring(dict(os.environ))
        print("measuring without", ", ".join(overrides), flush=True)
        command = [sys.executable, "-m", "book.results", *sys.argv[1:]]
        raise SystemExit(subprocess.run(command, env=env, cwd=ROOT).returncode)
    target = LOCAL_RESULTS if "--local" in sys.argv[1:] else RESULTS
    previous = None
    if "--stale" in sys.argv[1:]:
        previous = json.loads(target.read_text())
        current = {**machine(), "kernels": blas_setting(dict(os.environ))}
        if not same_machine(previous["machine"], current):
            raise SystemExit(
                f"{target} was measured on another machine or setup:\n"
                f"  {previous['machine']}\nthis one is\n  {current}\n"
                "measure every figure again: run without --stale"
            )
        print("measuring again:", ", ".join(sorted(stale_ids(previous))) or "nothing", flush=True)
    start = time.perf_counter()
    results = measure_all(previous)
    results["machine"]["kernels"] = blas_setting(dict(os.environ))
    results["run"] = {  # what the pages say about this command: a full run's time
        "figures": len(CLAIMS) + len(TABLES),
        "seconds": previous["run"]["seconds"] if previous else round(time.perf_counter() - start),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {target} on {results['machine']['cpu']}")
    if target == LOCAL_RESULTS:
        print("run `mkdocs serve`: every measured figure now shows yours beside it")
    else:
        print("drew", ", ".join(write_figures(results)))


if __name__ == "__main__":
    main()
