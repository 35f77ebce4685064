"""Reason 7, the limits: the machine's peak FLOP/s and memory bandwidth.

Peak from first principles: a core can start FMA_UNITS fused multiply-adds
per cycle, each on a whole SIMD register of LANES numbers, and each FMA counts
as 2 FLOPs. So peak = LANES x FMA_UNITS x 2 x clock x cores. The lanes come
from what NumPy reports about the CPU; the number of FMA units and the clock
are assumptions, stated below. Memory bandwidth is measured: a large copy and
a large a + b, whose arrays do not fit in any cache.

Run `python snippets/fast_peak.py` to see your machine's numbers.
"""

import os
import platform

import numpy as np

from timing import Comparison, best_time, compare, simd_extensions

FMA_UNITS = 2  # per core: Intel since Haswell, AMD since Zen 2 (assumption)
FLOAT32_LANES = {"AVX512F": 16, "AVX2": 8, "AVX": 8, "SSE42": 4, "ASIMD": 4}


def physical_cores() -> int:
    """Cores, not logical CPUs: two hyper-threads of a core share its FMA
    units. Linux: distinct (physical id, core id) pairs; else cpu_count()."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            ids, physical = set(), "0"
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == "physical id":
                    physical = value.strip()
                elif key.strip() == "core id":
                    ids.add((physical, value.strip()))
        return len(ids) or os.cpu_count()
    except OSError:
        return os.cpu_count()


# --8<-- [start:peak]
def nominal_clock_ghz() -> float:
    """The clock the operating system reports (Linux), in GHz: the highest
    "cpu MHz" in /proc/cpuinfo. On a virtual machine this is often the base
    clock; busy cores may run faster ("boost")."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            mhz = [float(line.split(":")[1]) for line in cpuinfo
                   if line.startswith("cpu MHz")]
        return max(mhz) / 1e3
    except (OSError, ValueError):
        return float("nan")  # not Linux: set the clock of your CPU by hand


def peak_gflops(lanes: int, ghz: float, cores: int) -> float:
    """float32 FLOP/s if every core starts FMA_UNITS full-width FMAs a cycle."""
    return lanes * FMA_UNITS * 2 * ghz * cores
# --8<-- [end:peak]


def peaks() -> list[dict]:
    """The peak with the widest SIMD the CPU has, and with 256-bit AVX2, the
    width that OpenBLAS's Haswell kernels (used here) work with."""
    found = simd_extensions().split()
    widest = next((f for f in FLOAT32_LANES if f in found), None)
    ghz, cores = nominal_clock_ghz(), physical_cores()
    rows = []
    for name in dict.fromkeys([widest, "AVX2"]):
        if name in found:
            lanes = FLOAT32_LANES[name]
            rows.append(
                {
                    "simd": name,
                    "lanes": lanes,
                    "ghz": ghz,
                    "cores": cores,
                    "gflops": peak_gflops(lanes, ghz, cores),
                }
            )
    return rows


def implied_clock(thread_rows: list[dict]) -> list[dict]:
    """The clock a single thread's best GEMM rate needs at the least, if every
    cycle started FMA_UNITS full-width FMAs: rate / (lanes x FMA_UNITS x 2)."""
    best = max(row["one_thread"] for row in thread_rows)
    return [
        {
            "one_thread_gflops": best,
            "ghz_avx2": best / (8 * FMA_UNITS * 2),
            "ghz_avx512": best / (16 * FMA_UNITS * 2),
        }
    ]


# --8<-- [start:bandwidth]
def bandwidth(n: int = 32_000_000) -> list[dict]:
    """Bytes moved per second by a copy and by a + b on arrays of n float64
    (256 MB each), and the FLOP/s of a + b: one FLOP per 24 bytes."""
    rng = np.random.default_rng(0)
    a, b, out = rng.random(n), rng.random(n), np.empty(n)
    copy_s = best_time(lambda: np.copyto(out, a), repeat=3)
    add_s = best_time(lambda: np.add(a, b, out=out), repeat=3)
    return [
        {"kernel": "copy: out[:] = a", "gbs": 2 * a.nbytes / copy_s / 1e9,
         "gflops": 0.0},
        {"kernel": "a + b", "gbs": 3 * a.nbytes / add_s / 1e9,
         "gflops": n / add_s / 1e9},
    ]
# --8<-- [end:bandwidth]


# --8<-- [start:compute-vs-memory]
def memory_vs_compute_bound(
    n_add: int = 8_000_000, n_gemm: int = 512
) -> Comparison:
    """Time per FLOP of a + b on large float32 arrays (memory-bound) against
    an n x n float32 matrix product (compute-bound), timed in alternation."""
    rng = np.random.default_rng(0)
    a, b = rng.random(n_add, np.float32), rng.random(n_add, np.float32)
    out = np.empty_like(a)
    A = rng.random((n_gemm, n_gemm), np.float32)
    B = rng.random((n_gemm, n_gemm), np.float32)
    result = compare(lambda: np.add(a, b, out=out), lambda: A @ B)
    flops_add, flops_gemm = n_add, 2 * n_gemm**3
    return Comparison(
        result.baseline_s / flops_add, result.candidate_s / flops_gemm
    )
# --8<-- [end:compute-vs-memory]


def main() -> None:
    print(platform.processor() or platform.machine(), "-", simd_extensions())
    for row in peaks():
        print(
            f"{row['simd']:8} {row['lanes']:2} lanes x {FMA_UNITS} FMA x 2"
            f" x {row['ghz']:.2f} GHz x {row['cores']} cores"
            f" = {row['gflops']:.0f} GFLOP/s"
        )
    for row in bandwidth():
        print(f"{row['kernel']:18} {row['gbs']:6.1f} GB/s")


if __name__ == "__main__":
    main()
