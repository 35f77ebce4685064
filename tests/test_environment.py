"""What the pages say about the machine's libraries: glibc's allocator, oneDNN's kernels.

Live checks, but not speed claims: the environment variables they are about are set in
fresh processes by the tests themselves.
"""

import os
import platform
import subprocess
import sys

import pytest
from measuring import allocator_table
from timing import simd_extensions

from book import SNIPPETS


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


def test_onednn_uses_avx512_here():
    """part2-choosing.md: oneDNN's log names an AVX-512 kernel on this CPU."""
    pytest.importorskip("torch")
    if "AVX512F" not in simd_extensions():
        pytest.skip("this CPU has no AVX-512")
    output = python_output(ONEDNN_CONV, ONEDNN_VERBOSE="1")
    kernels = [line for line in output.splitlines() if ",convolution," in line]
    assert kernels and all("jit:avx512_core" in line for line in kernels), kernels
