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
import math
import os
import subprocess
import sys
import time
import timeit
from collections.abc import Callable

from blas_kernels import VARIABLES
from timing import machine

from book import LOCAL_RESULTS, RESULTS, ROOT
from book.claims import (
    CLAIMS,
    TABLES,
    dtype_of,
    function,
    measure_claim,
    out_of_step,
    sources_of,
)
from book.figures import write_figures


def progress(done: int, total: int, label: str, seconds: float) -> None:
    """One line per figure: a bar, the count, what was measured, how long."""
    bar = "#" * (20 * done // total)
    print(f"[{bar:<20}] {done:2}/{total} {label} ({seconds:.1f} s)", flush=True)


# A shared machine has slow phases: the same loop takes up to twice as long for seconds
# or minutes at a time, with no steal time to show for it (on these virtual machines,
# another guest on the same physical core). Every figure is measured in a fast phase:
# a fixed loop, timed on each CPU before and after, must run within SLACK of the
# fastest time it has taken on this machine (in this run, or in the run that measured
# the results file, which records it).
SLACK = 1.15
PATIENCE_S = 60  # the longest wait for a fast phase before measuring anyway


def probe_loop() -> float:
    total = 0.0
    for i in range(20_000):
        total += i * 0.5
    return total


def probe_s() -> float:
    """The fixed loop's best time on the slowest CPU of this process."""
    if not hasattr(os, "sched_setaffinity"):
        return min(timeit.repeat(probe_loop, number=5, repeat=3))
    cpus = os.sched_getaffinity(0)
    try:
        times = []
        for cpu in sorted(cpus):
            os.sched_setaffinity(0, {cpu})
            times.append(min(timeit.repeat(probe_loop, number=5, repeat=3)))
        return max(times)
    finally:
        os.sched_setaffinity(0, cpus)


def probe_series(count: int, pause_s: float) -> list[float]:
    """`count` times of the fixed loop, `pause_s` apart: how the machine's speed moves."""
    times = []
    for _ in range(count):
        times.append(probe_s())
        time.sleep(pause_s)
    return times


def steady(count: int = 20, pause_s: float = 0.1) -> bool:
    """Whether the fixed loop keeps its speed for a few seconds, within SLACK: a test
    that needs every CPU asks this before it measures."""
    times = probe_series(count, pause_s)
    return max(times) <= SLACK * min(times)


class Gate:
    """Lets measurements through in the machine's fast phases only."""

    def __init__(self, fastest: float = math.inf) -> None:
        # ten seconds of probes: long enough to see a fast phase
        self.fastest = min(fastest, *probe_series(20, 0.5))
        self.slow: list[str] = []  # figures that no fast phase lasted long enough for
        self.lost_s = 0.0  # time spent waiting, and on tries that were thrown away

    def fast_now(self) -> bool:
        probe = probe_s()
        self.fastest = min(self.fastest, probe)
        return probe <= SLACK * self.fastest

    def wait(self) -> None:
        start = time.monotonic()
        while not self.fast_now() and time.monotonic() < start + PATIENCE_S:
            time.sleep(1)
        self.lost_s += time.monotonic() - start

    def measure(self, label: str, f: Callable[[], object]) -> object:
        """f() in a fast phase; again (twice at most) if the phase ended meanwhile."""
        for tries in range(1, 4):
            self.wait()
            start = time.monotonic()
            value = f()
            if self.fast_now():
                return value
            if tries < 3:
                self.lost_s += time.monotonic() - start
                print(f"  the machine slowed down while measuring {label}: again", flush=True)
        self.slow.append(label)
        print(f"  {label}: kept, measured partly in a slow phase", flush=True)
        return value


def stale_ids(results: dict) -> set[str]:
    """Claims and tables of `results` that the code no longer matches
    (`book.claims.out_of_step`), and those that no fast phase of the machine lasted
    long enough for."""
    stale = set(results.get("run", {}).get("slow_phase", []))
    for kind, items in (("claim", CLAIMS), ("table", TABLES)):
        for item in items:
            if out_of_step(kind, item, results[f"{kind}s"].get(item.id)):
                stale.add(item.id)
    return stale


def measure_all(previous: dict | None = None, gate: Gate | None = None) -> dict:
    """Every claim and table measured; with `previous`, only its stale ones, the
    others kept as they were. Derived tables are always computed again."""
    keep = set() if previous is None else {c.id for c in CLAIMS} | {t.id for t in TABLES}
    keep -= set() if previous is None else stale_ids(previous)
    results: dict = {"machine": machine(), "claims": {}, "tables": {}}
    total, done = len(CLAIMS) + len(TABLES), 0
    gate = gate or Gate()
    for claim in CLAIMS:
        done += 1
        if claim.id in keep:
            results["claims"][claim.id] = previous["claims"][claim.id]
            continue
        start = time.perf_counter()
        comparison = gate.measure(claim.id, lambda claim=claim: measure_claim(claim))
        # A claim about several CPUs loses a CPU to any other program of a shared
        # machine for the whole comparison: the best of three, as noise only adds time
        # to the side that uses more CPUs.
        for _ in range(2 if claim.needs_cpus > 1 else 0):
            again = gate.measure(claim.id, lambda claim=claim: measure_claim(claim))
            comparison = max(comparison, again, key=lambda c: c.ratio)
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
            measure = function(table.measure)
            rows = gate.measure(table.id, lambda f=measure, t=table: f(**t.kwargs))
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
    current = {**machine(), "kernels": blas_setting(dict(os.environ))}
    recorded = json.loads(target.read_text()) if target.exists() else None
    if recorded and not same_machine(recorded["machine"], current):
        recorded = None  # its probe time is another machine's
    gate = Gate(recorded["run"].get("probe_s", math.inf) if recorded else math.inf)
    previous = None
    if "--stale" in sys.argv[1:]:
        previous = recorded
        if previous is None:
            raise SystemExit(
                f"{target} was measured on another machine or setup (or is missing);"
                f" this one is\n  {current}\nmeasure every figure again: run without --stale"
            )
        print("measuring again:", ", ".join(sorted(stale_ids(previous))) or "nothing", flush=True)
    start = time.perf_counter()
    results = measure_all(previous, gate)
    results["machine"]["kernels"] = blas_setting(dict(os.environ))
    results["run"] = {  # what the pages say about this command: a full run's time
        "figures": len(CLAIMS) + len(TABLES),
        # measuring time: without the waits for fast phases and the tries they spoilt
        "seconds": previous["run"]["seconds"]
        if previous
        else round(time.perf_counter() - start - gate.lost_s),
        "probe_s": gate.fastest,  # the fast phase's probe time, for the next run's gate
        # figures measured partly in a slow phase (after three tries); `--stale`
        # measures them again
        "slow_phase": sorted(set(gate.slow)),
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
