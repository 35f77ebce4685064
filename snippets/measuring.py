"""How we measure: the clock, warm-up, minimum against median, ratios.

Small experiments behind the book's timing rules (snippets/timing.py): the
clock's resolution; why the first call is not timed, and how one large array,
freed, can make later calls faster; why the minimum of repeats is reported
rather than the median; and why two candidates are timed in alternation and
compared as a ratio.

Run `python snippets/measuring.py` to repeat them on your machine.
"""

import itertools
import multiprocessing
import multiprocessing.synchronize
import resource
import statistics
import time
import timeit

import numpy as np

from timing import best_time, calls_per_batch, in_fresh_process


# --8<-- [start:first-call]
def page_faults() -> int:
    """Minor page faults of this process so far: pages the OS had to map."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def timed_fill(a: np.ndarray) -> tuple[float, int]:
    """Seconds and page faults of one a.fill(1.0)."""
    faults, start = page_faults(), time.perf_counter()
    a.fill(1.0)
    return time.perf_counter() - start, page_faults() - faults


def first_call_vs_best(n: int = 8_000_000, repeat: int = 7) -> dict:
    """Fill a new array of n float64 once, then `repeat` times more. 64 MB is
    more than glibc's malloc ever takes from its heap (32 MiB at most), so the
    array comes straight from the OS, not yet mapped, in any process: the
    first fill makes the OS map every page of it."""
    a = np.empty(n)  # reserved, not yet touched
    first_s, first_faults = timed_fill(a)
    later = [timed_fill(a) for _ in range(repeat)]
    return {
        "first_ms": first_s * 1e3,
        "first_faults": first_faults,
        "best_ms": min(s for s, _ in later) * 1e3,
        "later_faults": max(f for _, f in later),
    }
# --8<-- [end:first-call]


# --8<-- [start:allocator]
def fft_cost(image: np.ndarray) -> tuple[float, float]:
    """Best time (s) of one 2-D FFT of image, and page faults per call."""
    seconds = best_time(lambda: np.fft.rfft2(image), repeat=5, min_time=0.01)
    calls = 100
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        np.fft.rfft2(image)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return seconds, faults / calls


def before_and_after_a_large_free() -> dict:
    """A 256 x 256 float32 FFT, timed; then one 8 MB array is made and freed;
    then the same FFT, timed again. Meant for a fresh process."""
    image = np.random.default_rng(0).standard_normal((256, 256))
    image = image.astype(np.float32)
    before_s, before_faults = fft_cost(image)
    large = np.ones(1_000_000)  # 8 MB of float64
    del large
    after_s, after_faults = fft_cost(image)
    return {
        "before_ms": before_s * 1e3,
        "after_ms": after_s * 1e3,
        "before_faults": before_faults,
        "after_faults": after_faults,
    }


def allocator_table() -> list[dict]:
    """The experiment above, in a fresh Python process."""
    return [in_fresh_process("measuring", "before_and_after_a_large_free")]
# --8<-- [end:allocator]


# --8<-- [start:spread]
def spread(samples: int = 200) -> dict:
    """Time one small computation many times; summarize the distribution."""
    a = np.random.default_rng(0).random(10_000)
    timer = timeit.Timer(lambda: np.sort(a))
    number = calls_per_batch(lambda: np.sort(a), min_time=0.002)
    times = sorted(timer.timeit(number) / number * 1e6 for _ in range(samples))
    return {
        "min_us": times[0],
        "median_us": statistics.median(times),
        "p90_us": times[int(0.9 * samples)],
        "max_us": times[-1],
    }
# --8<-- [end:spread]


# --8<-- [start:ratio]
def burn(stop: multiprocessing.synchronize.Event, period: float = 0.2) -> None:
    """A noisy neighbour: keep a core busy for `period` s, rest, repeat."""
    while not stop.is_set():
        end = time.perf_counter() + period
        while time.perf_counter() < end:
            pass
        time.sleep(period)


def ratio_steadiness(rounds: int = 40, neighbours: int = 0) -> dict:
    """In each round, time a batch of A (a Python sum), then a batch of B
    (np.sum), while `neighbours` processes load the CPUs on and off. How much
    do the times vary from round to round, and how much does their ratio?
    (Coefficient of variation: standard deviation / mean.)"""
    a = np.random.default_rng(0).random(20_000)
    values = a.tolist()
    timer_a = timeit.Timer(lambda: sum(values))
    timer_b = timeit.Timer(lambda: np.sum(a))
    n_a = calls_per_batch(lambda: sum(values), min_time=0.005)
    n_b = calls_per_batch(lambda: np.sum(a), min_time=0.005)
    stop = multiprocessing.Event()
    noise = [multiprocessing.Process(target=burn, args=(stop,))
             for _ in range(neighbours)]
    for process in noise:
        process.start()
    t_a, t_b = [], []
    try:
        for _ in range(rounds):
            t_a.append(timer_a.timeit(n_a) / n_a)
            t_b.append(timer_b.timeit(n_b) / n_b)
    finally:
        stop.set()
        for process in noise:
            process.join()
    ratios = [x / y for x, y in zip(t_a, t_b, strict=True)]

    def cv(xs: list[float]) -> float:
        return statistics.stdev(xs) / statistics.mean(xs)

    return {
        "cv_a": cv(t_a),
        "cv_b": cv(t_b),
        "cv_ratio": cv(ratios),
        "min_ratio": min(t_a) / min(t_b),  # what compare() reports
    }
# --8<-- [end:ratio]


# --8<-- [start:clock]
def clock_step_ns(samples: int = 100_000) -> float:
    """Smallest nonzero difference between two consecutive perf_counter()
    reads, in ns: the finest interval the clock can actually show here."""
    reads = [time.perf_counter() for _ in range(samples)]
    return min(b - a for a, b in itertools.pairwise(reads) if b > a) * 1e9
# --8<-- [end:clock]


def table() -> list[dict]:
    """The clock, warm-up and spread experiments as one row, for the results."""
    resolution = time.get_clock_info("perf_counter").resolution
    return [
        {
            "resolution_ns": resolution * 1e9,
            "step_ns": clock_step_ns(),
            **first_call_vs_best(),
            **spread(),
        }
    ]


def noise_table() -> list[dict]:
    """Round-to-round variation of times and of their ratio, on a quiet
    machine and with two noisy neighbours."""
    return [
        {"machine": machine, **ratio_steadiness(neighbours=neighbours)}
        for machine, neighbours in (("quiet", 0), ("two noisy neighbours", 2))
    ]


def main() -> None:
    for key, value in table()[0].items():
        print(f"{key:14} {value:10.3f}")
    (row,) = allocator_table()
    print(
        f"FFT of 256 x 256 in a fresh process: {row['before_ms']:.2f} ms,"
        f" {row['before_faults']:.0f} page faults per call; after one 8 MB"
        f" array was freed: {row['after_ms']:.2f} ms,"
        f" {row['after_faults']:.0f} page faults per call"
    )
    for row in noise_table():
        print(
            f"{row['machine']:22} times vary {row['cv_a']:.1%} and"
            f" {row['cv_b']:.1%}, their ratio {row['cv_ratio']:.1%}"
        )


if __name__ == "__main__":
    main()
