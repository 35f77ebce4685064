"""What the pages say about the machine's libraries and the environment the book
measures in: glibc's allocator, oneDNN's kernels, the BLAS's own kernels for the results,
what the threads claim needs, the portability run's summary.

Live checks, but not speed claims: the environment variables they are about are set in
fresh processes by the tests themselves.
"""

import copy
import json
import os
import platform
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from measuring import allocator_table
from timing import in_fresh_process, simd_extensions

from book import RESULTS, ROOT, SNIPPETS, results
from book.claims import CLAIMS, TABLES, dtype_of, sources_of
from book.portability import CONFIGURATIONS, neighbours, parse_junit, summary


def python_output(code: str, **env: str) -> str:
    """What `python -c code` prints, run with this environment plus `env`."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


FORWARD_FAULTS = """
import resource, numpy as np, resnet50
params = resnet50.init_params()
x = np.random.default_rng(1).standard_normal((1, 224, 224, 3)).astype(np.float32)
resnet50.forward(x, params)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
resnet50.forward(x, params)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="about glibc's malloc")
def test_malloc_top_pad_acts_as_the_page_says(monkeypatch):
    """how-we-measure.md: MALLOC_TOP_PAD_=16000000 removes the FFT's page faults and
    gives the ResNet-50 forward pass thousands it did not have; both thresholds set
    high remove both."""

    def forward_faults() -> int:
        return int(python_output(FORWARD_FAULTS, PYTHONPATH=str(SNIPPETS)))

    assert forward_faults() < 1000
    monkeypatch.setenv("MALLOC_TOP_PAD_", "16000000")
    (padded,) = allocator_table()
    assert padded["before_faults"] < 10
    assert forward_faults() > 2000
    monkeypatch.delenv("MALLOC_TOP_PAD_")  # both thresholds high: neither case faults
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "33554432")
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1073741824")
    (high,) = allocator_table()
    assert high["before_faults"] < 10
    assert forward_faults() < 1000


ONEDNN_CONV = """
import torch
x, w = torch.randn(1, 64, 56, 56), torch.randn(64, 64, 3, 3)
with torch.inference_mode():
    torch.nn.functional.conv2d(x, w, padding=1)
"""


def test_onednn_uses_the_widest_simd_here():
    """part2-choosing.md: oneDNN's log names a kernel for the widest SIMD this CPU has
    (AVX-512 where it has it, else AVX2), as OpenBLAS's own choice does."""
    pytest.importorskip("torch")
    found = simd_extensions().split()
    if "AVX2" not in found:
        pytest.skip("this CPU has neither AVX-512 nor AVX2")
    wanted = "jit:avx512_core" if "AVX512F" in found else "jit:avx2"
    output = python_output(ONEDNN_CONV, ONEDNN_VERBOSE="1")
    kernels = [line for line in output.splitlines() if ",convolution," in line]
    assert kernels and all(f"{wanted}," in line for line in kernels), kernels


def kernels_in(env: dict[str, str]) -> str:
    """The BLAS and its kernels, as threadpoolctl reports them in a process with `env`."""
    return in_fresh_process("timing", "blas_info", env)["blas"]


def test_results_are_measured_with_the_blas_own_kernels():
    """book.results removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE together, in its
    measuring process only, and the kernels that then run are the library's choice."""
    plain = {k: v for k, v in os.environ.items() if k not in results.KERNEL_VARIABLES}
    forced = {**plain, "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1048576"}
    measuring = results.environment_for_measuring(forced)
    assert not results.kernel_overrides(measuring)
    assert results.blas_setting(measuring) == (
        "kernels of its own choice (the machine's OPENBLAS_CORETYPE=Haswell,"
        " OPENBLAS_L2_SIZE=1048576 unset while measuring)"
    )
    assert results.blas_setting(plain) == "kernels of its own choice"
    assert results.blas_setting(forced).startswith("kernels forced by OPENBLAS_CORETYPE")
    assert kernels_in(measuring) == kernels_in(plain)
    if platform.machine() == "x86_64" and "(" in kernels_in(plain):  # kernels named
        assert kernels_in(forced).endswith("(Haswell)")  # the override did act


def test_stale_figures_are_the_ones_the_code_no_longer_matches():
    """`book.results --stale` measures again what changed and keeps the rest, on the
    machine that measured it only."""
    recorded = json.loads(RESULTS.read_text())
    fresh = copy.deepcopy(recorded)  # as if measured with the code as it is now
    fresh["run"]["slow_phase"] = []
    for kind, items in (("claims", CLAIMS), ("tables", TABLES)):
        for item in items:
            entry = fresh[kind].setdefault(item.id, {})
            entry.update(sources=sources_of(item), dtype=dtype_of(item))
            if kind == "claims":
                entry["floor"] = item.floor
    assert results.stale_ids(fresh) == set()
    changed = copy.deepcopy(fresh)
    changed["claims"]["dot-1000"]["sources"]["snippets/timing.py"] = "edited"
    changed["claims"]["dot-100000"]["floor"] += 1
    changed["tables"]["ns-per-mac"]["dtype"] = "float16"
    del changed["tables"]["caches"]
    changed["run"]["slow_phase"] = ["peaks"]
    assert results.stale_ids(changed) == {
        "dot-1000",
        "dot-100000",
        "ns-per-mac",
        "caches",
        "peaks",
    }
    machine = recorded["machine"]
    assert results.same_machine(machine, {**machine, "date": "2030-01-01"})
    assert not results.same_machine(machine, {**machine, "cpus": 64})


def test_figures_are_measured_in_the_machines_fast_phases(monkeypatch):
    """The results command measures again what a slow phase of the machine overlapped:
    here the probe is slow right after the first measurement."""
    probes = iter([1.0] * 20 + [1.0, 2.0, 1.0, 1.0] + [1.0, 2.0] * 3)
    monkeypatch.setattr(results, "probe_s", lambda: next(probes))
    monkeypatch.setattr(results.time, "sleep", lambda seconds: None)
    gate = results.Gate()
    calls = []
    assert gate.measure("a figure", lambda: calls.append(1) or len(calls)) == 2
    assert gate.slow == []
    # three tries, each spoilt: the last is kept, and the figure is named as slow
    assert gate.measure("another", lambda: calls.append(1) or len(calls)) == 5
    assert gate.slow == ["another"]
    assert next(probes, None) is None  # every probe was used, no more
    assert gate.fastest == 1.0
    page = (ROOT / "docs" / "how-we-measure.md").read_text()
    assert f"more than {results.SLACK - 1:.0%} slower" in page


def test_steady_means_within_the_gates_slack(monkeypatch):
    """The claims tests' check and the results command's gate use one slack."""
    monkeypatch.setattr(results.time, "sleep", lambda seconds: None)
    for times, expected in (([1.0, 1.1, 1.14, 1.05], True), ([1.0, 1.1, 1.2, 1.0], False)):
        probes = iter(times)
        monkeypatch.setattr(results, "probe_s", lambda probes=probes: next(probes))
        assert results.steady(count=len(times)) is expected
        assert next(probes, None) is None  # each probe taken once


def test_the_results_command_leaves_the_callers_environment(monkeypatch):
    """With an override set, main() runs itself again without it; this process keeps it."""
    calls = []
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setattr(
        results.subprocess, "run", lambda *a, **k: calls.append(k) or SimpleNamespace(returncode=0)
    )
    with pytest.raises(SystemExit):
        results.main()
    (call,) = calls
    assert "OPENBLAS_CORETYPE" not in call["env"] and results.REMOVED in call["env"]
    assert os.environ["OPENBLAS_CORETYPE"] == "Haswell"


NEEDS = """
import os, sys
sys.path[:0] = {paths!r}
if {pin}:
    os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
import numpy
from book.claims import BY_ID, unmet_needs
print(unmet_needs(BY_ID["threads-large-gemm"]))
"""


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity")
@pytest.mark.parametrize(
    "pin, env, busy, reason",
    [
        (True, {}, False, "needs 2 CPUs; this process may use 1"),
        (False, {"OPENBLAS_NUM_THREADS": "1"}, False, "needs 2 BLAS threads; the BLAS runs 1"),
        (False, {}, True, "needs 2 idle CPUs; other programs leave"),
    ],
    ids=["one CPU", "one BLAS thread", "busy neighbours"],
)
def test_the_threads_claim_says_what_it_lacks(pin, env, busy, reason):
    """Checked from the affinity, threadpoolctl and /proc/stat, not os.cpu_count()."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("this process has one CPU: nothing to take away")
    code = NEEDS.format(paths=[str(ROOT), str(SNIPPETS)], pin=pin)
    with neighbours(len(os.sched_getaffinity(0)) if busy else 0):
        if busy:
            time.sleep(0.3)  # let them start
        output = python_output(code, **env)
    assert reason in output, output


def test_the_portability_summary_counts_failures_per_configuration(tmp_path):
    report = tmp_path / "report.xml"
    report.write_text(
        '<testsuites><testsuite><testcase name="a"/>'
        '<testcase name="b"><failure message="x"/></testcase>'
        '<testcase name="c"><skipped message="needs 2 CPUs"/></testcase>'
        "</testsuite></testsuites>"
    )
    outcome = parse_junit(str(report))
    assert (outcome.passed, outcome.failed, outcome.skipped) == (1, ["b"], ["c: needs 2 CPUs"])
    table = summary({"one CPU": [outcome, parse_junit(str(report))]}).splitlines()
    assert table[2] == "| one CPU | 2 | 2 | b (2x) | c: needs 2 CPUs |"
    names = [c.name for c in CONFIGURATIONS]
    assert {"OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "OPENBLAS_CORETYPE=Haswell"} <= set(
        names
    )


def test_stolen_share_is_the_steal_column_over_all_ticks(monkeypatch):
    """The threads claim is skipped, not failed, when the hypervisor took its CPUs:
    the share is steal ticks over all ticks of the process's CPUs, meanwhile."""
    from book import claims

    readings = iter([{0: [10, 0, 5, 80, 0, 0, 0, 5]}, {0: [40, 0, 5, 100, 0, 0, 0, 55]}])
    monkeypatch.setattr(claims, "cpu_ticks", lambda cpus: next(readings))
    with claims.stolen_share({0}) as stolen:
        pass
    assert stolen == [50 / 100]  # 30 user + 20 idle + 50 steal: half was stolen
