"""The memory hierarchy, measured: how fast data arrives from each level.

A core keeps recently used data in caches: a small, fast level 1 (L1) and a
larger level 2 (L2) of its own, a level 3 (L3) shared with other cores, and
behind them main memory. This file reads the cache sizes from the operating
system, then sweeps the working set (the bytes one call touches) from 4 KB to
1 GB, doubling, and measures at each:

- the bandwidth of np.dot(a, b), which reads two float64 vectors (16 bytes
  per element), and of np.add(a, b, out=c), which reads two and writes one
  (24 bytes), on one thread and on all CPUs of the process (the dot through
  BLAS's threads; a + b, which NumPy runs on one thread, split into one
  slice per thread by a thread pool);
- the latency of a load that must wait for the one before it: a Python loop
  follows a chain of pointers in random order, so each step also pays the
  interpreter.

Caches are hot: the same arrays are used again and again, so whatever fits
in a level stays there. `levels` then summarizes the sweep per level.

Run `python snippets/memory_hierarchy.py` (about half a minute) to measure
your machine.
"""

import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from timing import available_cpus, best_time

KB, MB, GB = 2**10, 2**20, 2**30
CHASE_LIMIT = 256 * MB  # larger chains take long to build; memory is reached


# --8<-- [start:sizes]
def cache_sizes() -> dict[str, int]:
    """Data cache sizes in bytes as Linux reports them for CPU 0, e.g.
    {"L1": 32768, "L2": 524288, "L3": 33554432}; {} where it does not."""
    sizes = {}
    caches = Path("/sys/devices/system/cpu/cpu0/cache")
    for index in sorted(caches.glob("index*")):
        kind = (index / "type").read_text().strip()
        if kind in ("Data", "Unified"):
            level = (index / "level").read_text().strip()
            size = (index / "size").read_text().strip()  # "32K", "32768K"
            units = {"K": KB, "M": MB, "G": GB}
            sizes[f"L{level}"] = int(size[:-1]) * units[size[-1]]
    return sizes
# --8<-- [end:sizes]


def caches() -> list[dict]:
    """The cache sizes as table rows, in KB."""
    return [
        {"level": level, "size_kb": size // KB}
        for level, size in cache_sizes().items()
    ]


# --8<-- [start:latency]
def chase_ns(size: int, steps: int = 200_000) -> float:
    """ns per step of following a random cycle of pointers through `size`
    bytes: every load waits for the one before it, so nothing overlaps."""
    n = size // 8
    order = np.random.default_rng(0).permutation(n)
    chain = np.empty(n, dtype=np.int64)
    chain[order] = np.roll(order, -1)  # each element holds the next one's index
    pointers = memoryview(chain)  # indexing it gives a Python int, fast

    def walk() -> int:
        i = 0
        for _ in range(steps):
            i = pointers[i]
        return i

    return best_time(walk, repeat=5) / steps * 1e9
# --8<-- [end:latency]


# --8<-- [start:sweep]
def label(size: int) -> str:
    """4096 -> "4 KB", 2**20 -> "1 MB", 2**30 -> "1 GB"."""
    for unit, name in ((GB, "GB"), (MB, "MB")):
        if size >= unit:
            return f"{size // unit} {name}"
    return f"{size // KB} KB"


def add_on_threads(a, b, out, pool: ThreadPoolExecutor, threads: int) -> None:
    """out = a + b, one slice per thread (NumPy's loop releases the GIL)."""
    edges = np.linspace(0, len(a), threads + 1).astype(int)
    slices = [slice(lo, hi) for lo, hi in itertools.pairwise(edges)]
    list(pool.map(lambda s: np.add(a[s], b[s], out=out[s]), slices))


def measure_at(size: int, pool: ThreadPoolExecutor, threads: int) -> dict:
    """GB/s of the dot and of a + b at a working set of `size` bytes (bytes
    moved by one call over its time, the call's fixed cost included), on one
    thread and on `threads`; and ns per step of the pointer chase."""
    a, b = np.ones(size // 16), np.ones(size // 16)
    x, y, out = np.ones(size // 24), np.ones(size // 24), np.empty(size // 24)
    repeat = 5 if size < 64 * MB else 3
    with threadpool_limits(1, "blas"):
        dot_1 = best_time(lambda: np.dot(a, b), repeat)
    dot_all = best_time(lambda: np.dot(a, b), repeat)
    add_1 = best_time(lambda: np.add(x, y, out=out), repeat)
    add_all = best_time(
        lambda: add_on_threads(x, y, out, pool, threads), repeat
    )
    dot_bytes, add_bytes = 2 * a.nbytes, 3 * x.nbytes
    return {
        "bytes": size,
        "working_set": label(size),
        "dot_1": dot_bytes / dot_1 / 1e9,
        "dot_all": dot_bytes / dot_all / 1e9,
        "add_1": add_bytes / add_1 / 1e9,
        "add_all": add_bytes / add_all / 1e9,
        "chase_ns": chase_ns(size) if size <= CHASE_LIMIT else math.nan,
    }


def best_of(rows: list[dict]) -> dict:
    """One working set measured in several rounds: the best of each figure."""
    best = dict(rows[0])
    for key in ("dot_1", "dot_all", "add_1", "add_all"):
        best[key] = max(row[key] for row in rows)
    chases = [r["chase_ns"] for r in rows if not math.isnan(r["chase_ns"])]
    best["chase_ns"] = min(chases, default=math.nan)
    return best


def sweep(largest: int = GB, rounds: int = 2) -> list[dict]:
    """One row per working set, 4 KB to `largest`, doubling. The whole sweep
    runs `rounds` times and each figure keeps its best: a slow spell of a
    shared machine shows only if it hits the same working set every round."""
    threads = available_cpus()
    sizes = [4 * KB * 2**k for k in range((largest // (4 * KB)).bit_length())]
    with ThreadPoolExecutor(threads) as pool:
        runs = [
            [measure_at(size, pool, threads) for size in sizes]
            for _ in range(rounds)
        ]
    return [best_of(list(rows)) for rows in zip(*runs, strict=True)]
# --8<-- [end:sweep]


# --8<-- [start:levels]
def levels(rows: list[dict], cache_rows: list[dict]) -> list[dict]:
    """The sweep, level by level. A working set belongs to a level when it
    is larger than the level before and at most half of this one (so it
    stays there); to memory when it is over twice the last cache. For each
    level: the best bandwidth of each operation and the chase at the
    smallest such working set, with how much longer it took than in L1."""
    bounds, previous = [], 0
    for cache in cache_rows:
        size = cache["size_kb"] * KB
        bounds.append((cache["level"], cache["size_kb"], previous, size // 2))
        previous = size
    bounds.append(("memory", 0, 2 * previous, math.inf))
    table = []
    for level, size_kb, low, high in bounds:
        inside = [r for r in rows if low < r["bytes"] <= high]
        if not inside:
            continue
        ops = ("dot_1", "dot_all", "add_1", "add_all")
        chased = [r for r in inside if not math.isnan(r["chase_ns"])]
        table.append(
            {
                "level": level,
                "size_kb": size_kb,
                "working_sets": f"{inside[0]['working_set']}"
                f" to {inside[-1]['working_set']}",
                **{op: max(r[op] for r in inside) for op in ops},
                "chase_ns": chased[0]["chase_ns"] if chased else math.nan,
            }
        )
    for row in table:
        row["extra_ns"] = row["chase_ns"] - table[0]["chase_ns"]
    return table
# --8<-- [end:levels]


def main() -> None:
    cache_rows = caches()
    print("caches:", ", ".join(f"{c['level']} {c['size_kb']:,} KB"
                               for c in cache_rows))
    print(f"{'working set':>12}   dot 1 dot all   add 1 add all"
          "  (GB/s)  chase (ns)")
    rows = sweep(256 * MB, rounds=1)  # the results command runs two rounds
    ops = ("dot_1", "dot_all", "add_1", "add_all", "chase_ns")
    for row in rows:
        print(f"{row['working_set']:>12}", *(f"{row[op]:7.1f}" for op in ops))
    print("per level (best GB/s; the chase at the smallest working set):")
    for row in levels(rows, cache_rows):
        print(f"{row['level']:>6} {row['working_sets']:>18}",
              *(f"{row[op]:7.1f}" for op in ops),
              f"({row['extra_ns']:+.1f} over L1)")


if __name__ == "__main__":
    main()
