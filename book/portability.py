"""Run the claims tests as readers' machines would: `python -m book.portability`.

The speed claims must hold wherever the tests run, not only on the machine that measured
the published figures. This command runs `tests/test_claims.py` (the tests that measure)
in a new process under each configuration below, prints one line per run, and ends with a
table of failures per configuration. It exits with 1 if any test failed.

    python -m book.portability             # each configuration once (what CI runs)
    python -m book.portability --runs 10   # each configuration ten times
    python -m book.portability --only "one CPU" --runs 3

A configuration this machine cannot produce (one CPU without `sched_setaffinity`, forced
x86 kernels on another CPU) is reported as not run, with the reason.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from book import ROOT

TESTS = "tests/test_claims.py"


@dataclass(frozen=True)
class Configuration:
    name: str
    env: dict[str, str] = field(default_factory=dict)  # set for the test process
    one_cpu: bool = False  # pin the test process to one CPU, as `taskset -c 0` does
    busy_neighbours: bool = False  # one spinning process per CPU, for the whole run

    def unavailable(self) -> str | None:
        """Why this machine cannot run the configuration; None when it can."""
        if self.one_cpu and not hasattr(os, "sched_setaffinity"):
            return "this system cannot pin a process to one CPU"
        if "OPENBLAS_CORETYPE" in self.env and platform.machine() not in ("x86_64", "AMD64"):
            return "Haswell kernels exist only on x86-64"
        return None


CONFIGURATIONS = (
    Configuration("as found"),
    Configuration("OPENBLAS_NUM_THREADS=1", env={"OPENBLAS_NUM_THREADS": "1"}),
    Configuration("OMP_NUM_THREADS=1", env={"OMP_NUM_THREADS": "1"}),
    Configuration("one CPU (taskset -c 0)", one_cpu=True),
    Configuration("a busy neighbour on every CPU", busy_neighbours=True),
    Configuration("OPENBLAS_CORETYPE=Haswell", env={"OPENBLAS_CORETYPE": "Haswell"}),
)


@dataclass
class Outcome:
    passed: int = 0
    failed: list[str] = field(default_factory=list)  # test ids
    skipped: list[str] = field(default_factory=list)  # "test id: reason"
    seconds: float = 0.0


def parse_junit(path: str) -> Outcome:
    """Counts and names from pytest's JUnit XML report."""
    outcome = Outcome()
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "?")
        if case.find("failure") is not None or case.find("error") is not None:
            outcome.failed.append(name)
        elif (skip := case.find("skipped")) is not None:
            outcome.skipped.append(f"{name}: {skip.get('message', '')}")
        else:
            outcome.passed += 1
    return outcome


@contextmanager
def neighbours(count: int):
    """`count` processes that keep a CPU busy each, until the block ends, or until
    this process dies: a killed run must not leave them spinning."""
    spin = f"import os\nwhile os.getppid() == {os.getpid()}: pass"
    spinning = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(count)]
    try:
        yield
    finally:
        for process in spinning:
            process.kill()
            process.wait()


def run_once(configuration: Configuration) -> Outcome:
    """tests/test_claims.py in a new process under `configuration`."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin: Callable[[], None] | None = None
    if configuration.one_cpu:

        def pin() -> None:
            os.sched_setaffinity(0, {cpus[0]})

    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "report.xml")
        command = [
            sys.executable, "-m", "pytest", TESTS, "-q", "-p", "no:cacheprovider",
            f"--junitxml={report}",
        ]
        env = {**os.environ, **configuration.env}
        start = time.perf_counter()
        busy = len(cpus) or os.cpu_count() or 1
        with neighbours(busy if configuration.busy_neighbours else 0):
            done = subprocess.run(
                command, cwd=ROOT, env=env, preexec_fn=pin, capture_output=True, text=True
            )
        if not os.path.exists(report):  # pytest did not even start its tests
            raise RuntimeError(done.stdout + done.stderr)
        outcome = parse_junit(report)
    outcome.seconds = time.perf_counter() - start
    return outcome


def summary(results: dict[str, list[Outcome]]) -> str:
    """A Markdown table: failures per configuration over all its runs."""
    lines = [
        "| configuration | runs | runs with a failure | failed tests | skipped (reason) |",
        "|:---|---:|---:|:---|:---|",
    ]
    for name, outcomes in results.items():
        failed: dict[str, int] = {}
        for outcome in outcomes:
            for test in outcome.failed:
                failed[test] = failed.get(test, 0) + 1
        skipped = sorted({s for outcome in outcomes for s in outcome.skipped})
        lines.append(
            f"| {name} | {len(outcomes)} | {sum(bool(o.failed) for o in outcomes)} | "
            + (", ".join(f"{t} ({n}x)" for t, n in sorted(failed.items())) or "none")
            + " | "
            + ("; ".join(skipped) or "none")
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each configuration")
    parser.add_argument("--only", action="append", help="run only these configurations")
    args = parser.parse_args(argv)
    chosen = [c for c in CONFIGURATIONS if not args.only or c.name in args.only]
    results: dict[str, list[Outcome]] = {}
    total, done = args.runs * len(chosen), 0
    start = time.perf_counter()
    for run in range(args.runs):
        for configuration in chosen:
            done += 1
            reason = configuration.unavailable()
            if reason:
                print(f"[{done:2}/{total}] {configuration.name}: not run ({reason})", flush=True)
                continue
            outcome = run_once(configuration)
            results.setdefault(configuration.name, []).append(outcome)
            failed = ", ".join(outcome.failed) or "none failed"
            print(
                f"[{done:2}/{total}] run {run + 1}, {configuration.name}: {outcome.passed}"
                f" passed, {len(outcome.skipped)} skipped, {failed} ({outcome.seconds:.0f} s)",
                flush=True,
            )
    print(f"\n{TESTS} under {len(chosen)} configurations, {args.runs} run(s) each,"
          f" {time.perf_counter() - start:.0f} s:\n")
    print(summary(results))
    return 1 if any(o.failed for outcomes in results.values() for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
