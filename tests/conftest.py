"""Shared fixtures: the site, built once per test session."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from book import RESULTS, ROOT
from book.claims import CLAIMS

FAKE_MACHINE = "A reader's laptop (fake, for the tests)"

# Put before a program (`python -c QUICK_TIMING... file.py`): the program times with
# fewer, shorter batches than a reader's run gets (two batches of at least 2 ms, not
# five to seven of 20 ms: timing.py's defaults). It prints the same lines, with noisier
# figures: for the tests that run programs and chapter scripts to see them run, not to
# check their timings (the claims tests and the code blocks check those).
QUICK_TIMING = """
import importlib.util, inspect, os, sys
sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[1]))  # as `python file.py` has it
if importlib.util.find_spec("timing"):  # a program that times nothing comes without it
    import timing
    quick = {"repeat": 2, "min_time": 0.002}
    for f in (timing.calls_per_batch, timing.best_time, timing.compare, timing.best_times):
        f.__defaults__ = tuple(quick.get(p.name, p.default)
                               for p in inspect.signature(f).parameters.values()
                               if p.default is not p.empty)
"""
# Put after QUICK_TIMING: run the file as `python file.py` would, as __main__.
AS_A_PROGRAM = """
import runpy
sys.argv = sys.argv[1:]  # the program sees its own path and arguments only
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def write_fake_local_results(path: Path) -> Path:
    """A reader's results file: the published figures at 80%, on another machine, and
    the first claim below its floor."""
    results = json.loads(RESULTS.read_text())
    results["machine"]["cpu"] = FAKE_MACHINE
    for claim in results["claims"].values():
        claim["ratio"] *= 0.8
    results["claims"][CLAIMS[0].id]["ratio"] = CLAIMS[0].floor / 2
    path.write_text(json.dumps(results))
    return path


@pytest.fixture(scope="session")
def fake_local_results(tmp_path_factory) -> Path:
    return write_fake_local_results(tmp_path_factory.mktemp("local") / "results.local.json")


@pytest.fixture(scope="session")
def site(tmp_path_factory, fake_local_results) -> Path:
    """Build the site once, strictly, with every notebook executed, into a temporary folder;
    with a reader's local results present, which the published build must not show.
    BOOK_TEST_SITE=DIR tests a site built before instead (while working on the tests)."""
    if os.environ.get("BOOK_TEST_SITE"):
        return Path(os.environ["BOOK_TEST_SITE"])
    site_dir = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--site-dir",
            str(site_dir),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "BOOK_LOCAL_RESULTS": str(fake_local_results),
            # every chapter's notebook runs in this build, none is taken from
            # .cache/notebooks/ (tests/test_downloads.py checks them); two at a time
            # (a cell that prints a comparison using BLAS times it on one BLAS thread,
            # so the other notebook's kernel, busy beside it, cannot stall its threads)
            "BOOK_NOTEBOOK_CACHE": "0",
            "BOOK_NOTEBOOK_WORKERS": "2",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = build.stdout + build.stderr
    assert build.returncode == 0, log
    assert not re.search(r"^(WARNING|ERROR)\b", log, re.M), log
    site_dir.joinpath(".build-seconds").write_text(f"{time.perf_counter() - start:.1f}")
    return site_dir


def pytest_terminal_summary(terminalreporter):
    """Say how many code blocks of the book ran, and how many were skipped (with why)."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in counts:
        for report in terminalreporter.stats.get(outcome, []):
            if "::test_code_block[" in report.nodeid:
                counts[outcome] += 1
    if any(counts.values()):
        terminalreporter.write_line(
            f"book code blocks: {counts['passed']} executed and passed, "
            f"{counts['failed']} failed, {counts['skipped']} skipped by an explicit marker"
        )
