"""How this book times code: interleaved runs, the best of repeats, a ratio.

Absolute times on a shared machine wander with whatever else runs on it. Two
candidates timed in alternation, in one process, meet the same quiet and busy
periods, so the ratio of their best times stays put while either time
wanders. Every speed claim in the book
is such a ratio, measured by `compare` below; every figure is printed with
`machine()`, which says what it was measured on.

Run `python snippets/timing.py` to time a sum over a list against np.sum.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
import timeit
from collections.abc import Callable
from typing import NamedTuple

import numpy as np


# --8<-- [start:compare]
def calls_per_batch(f: Callable[[], object], min_time: float = 0.02) -> int:
    """Smallest power of two of calls to f that take at least min_time s."""
    number = 1
    while timeit.Timer(f).timeit(number) < min_time:
        number *= 2
    return number


def best_time(
    f: Callable[[], object], repeat: int = 7, min_time: float = 0.02
) -> float:
    """Best time of one call to f, in seconds, over `repeat` batches."""
    number = calls_per_batch(f, min_time)
    return min(timeit.Timer(f).timeit(number) / number for _ in range(repeat))


class Comparison(NamedTuple):
    baseline_s: float  # best time of one call to the baseline, in seconds
    candidate_s: float  # best time of one call to the candidate, in seconds

    @property
    def ratio(self) -> float:
        """How many times faster the candidate is than the baseline."""
        return self.baseline_s / self.candidate_s


def compare(
    baseline: Callable[[], object],
    candidate: Callable[[], object],
    repeat: int = 7,
    min_time: float = 0.02,
) -> Comparison:
    """Time two callables in alternation; keep the best batch of each.

    The best (minimum) time estimates the cost without interference:
    noise only ever adds time.
    """
    n_base = calls_per_batch(baseline, min_time)
    n_cand = calls_per_batch(candidate, min_time)
    best_base = best_cand = float("inf")
    for _ in range(repeat):
        t_base = timeit.Timer(baseline).timeit(n_base) / n_base
        t_cand = timeit.Timer(candidate).timeit(n_cand) / n_cand
        best_base, best_cand = min(best_base, t_base), min(best_cand, t_cand)
    return Comparison(best_base, best_cand)


def best_times(
    calls: dict[str, Callable[[], object]],
    repeat: int = 5,
    min_time: float = 0.02,
) -> dict[str, float]:
    """compare for any number of candidates: one batch of each per round, in
    turn, so a burst of load spoils one batch of several candidates rather
    than every batch of one; the best batch of each, in seconds per call."""
    numbers = {name: calls_per_batch(f, min_time) for name, f in calls.items()}
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(repeat):
        for name, f in calls.items():
            seconds = timeit.Timer(f).timeit(numbers[name]) / numbers[name]
            best[name] = min(best[name], seconds)
    return best
# --8<-- [end:compare]


# --8<-- [start:machine]
def cpu_model() -> str:
    """The CPU's model name, family and model, as the operating system
    reports them (a virtual machine may hide the exact model)."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            fields = dict(
                (key.strip(), value.strip())
                for key, _, value in (line.partition(":") for line in cpuinfo)
                if value
            )
        return (
            f"{fields['model name']} (family {fields.get('cpu family', '?')},"
            f" model {fields.get('model', '?')})"
        )
    except (OSError, KeyError):
        return platform.processor() or platform.machine()


def blas_info() -> dict[str, object]:
    """The BLAS library NumPy calls and its thread count (via threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"blas": "unknown (install threadpoolctl)", "threads": None}
    for pool in threadpool_info():
        if pool["user_api"] == "blas":
            name = f"{pool['internal_api']} {pool['version']}"
            if pool.get("architecture"):
                name += f" ({pool['architecture']})"
            return {"blas": name, "threads": pool["num_threads"]}
    return {"blas": "none found", "threads": None}


def simd_extensions() -> str:
    """The widest SIMD extensions that NumPy found on this CPU."""
    try:  # what np.show_runtime() prints; NumPy has no public API for it
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        return "unknown"
    widest = ["AVX512F", "AVX2", "FMA3", "AVX", "SSE42", "ASIMD", "NEON"]
    return " ".join(f for f in widest if __cpu_features__.get(f)) or "none"


def available_cpus() -> int:
    """Logical CPUs this process may run on. Not os.cpu_count(), which
    counts the machine's CPUs even in a container or under `taskset` that
    leaves the process fewer."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def machine() -> dict[str, object]:
    """What a measurement depends on: CPU, Python, NumPy, BLAS, threads."""
    return {
        "cpu": cpu_model(),
        "simd": simd_extensions(),
        "cpus": available_cpus(),  # logical CPUs this process may use
        "python": platform.python_version(),
        "numpy": np.__version__,
        **blas_info(),
        "date": datetime.date.today().isoformat(),
    }
# --8<-- [end:machine]


# --8<-- [start:fresh-process]
def in_fresh_process(
    module: str, function: str, env: dict[str, str] | None = None
) -> object:
    """Call module.function() in a new Python process, with the environment
    env (default: this one's), and return its result, sent back as JSON.
    The new process finds the modules this one can import."""
    code = f"import json, {module}\nprint(json.dumps({module}.{function}()))"
    path = os.pathsep.join(p for p in sys.path if p)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**(os.environ if env is None else env), "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)
# --8<-- [end:fresh-process]


def main() -> None:
    a = np.random.default_rng(0).random(10_000)
    items = a.tolist()
    result = compare(lambda: sum(items), lambda: np.sum(a))
    print(f"sum over a list: {result.baseline_s * 1e6:.1f} us")
    print(f"np.sum:          {result.candidate_s * 1e6:.1f} us")
    print(f"np.sum is {result.ratio:.0f}x faster")
    print(machine())


if __name__ == "__main__":
    main()
