"""Which kernels OpenBLAS runs, and what forcing older ones costs.

OpenBLAS carries kernels for many CPUs and picks one set when it loads, from
the CPU it detects, unless the environment variable OPENBLAS_CORETYPE names
one (OPENBLAS_L2_SIZE, similarly, overrides the L2 cache size it detects).
Some machines set OPENBLAS_CORETYPE=Haswell, a fix for old OpenBLAS builds,
which forces the AVX2 kernels on CPUs with AVX-512. This module measures the
GEMM rate and the ResNet-50 forward pass (NumPy, and PyTorch when
installed) in fresh processes: with both variables removed (the library
decides) and with OPENBLAS_CORETYPE=Haswell; in rounds, one process per
setting in turn, keeping the best of the rounds. threadpoolctl reports the
kernels each process ran (for OpenBLAS and BLIS; it cannot tell for MKL or
Accelerate).

Run `python snippets/blas_kernels.py --compare` to compare on your machine
(without --compare, it measures only with the environment as it is).
"""

import math
import os
import sys

from capstone import forward_times
from resnet_bench import gemm_rate
from timing import blas_info, in_fresh_process

VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# --8<-- [start:kernels]
def measure_here() -> dict:
    """The BLAS kernels of this process, the GEMM rate, and the forward
    pass with NumPy and, when installed, PyTorch (capstone.forward_times:
    one new process each, as the caller takes turns already)."""
    (forward,) = forward_times(rounds=1)
    return {
        "blas": blas_info()["blas"],
        "gemm_gflops": gemm_rate(),
        "numpy_ms": forward["numpy_ms"],
        "torch_ms": forward["torch_ms"],
    }


def without(*names: str) -> dict[str, str]:
    """This process's environment without the variables `names`."""
    return {k: v for k, v in os.environ.items() if k not in names}


def kernel_table(rounds: int = 3) -> list[dict]:
    """The measurements above, best of `rounds`, for two environments."""
    own = without(*VARIABLES)
    settings = {
        "both unset: the library decides": own,
        "OPENBLAS_CORETYPE=Haswell": {**own, "OPENBLAS_CORETYPE": "Haswell"},
    }
    best: dict[str, dict] = {}
    for _ in range(rounds):  # one process per setting, in turn
        for setting, env in settings.items():
            row = in_fresh_process("blas_kernels", "measure_here", env)
            old = best.setdefault(setting, row)
            for key in ("numpy_ms", "torch_ms"):  # best time (NaN: no torch)
                old[key] = min(old[key], row[key])
            old["gemm_gflops"] = max(old["gemm_gflops"], row["gemm_gflops"])
    return [
        {
            "setting": setting,
            **row,
            "numpy_over_torch": row["numpy_ms"] / row["torch_ms"],
        }
        for setting, row in best.items()
    ]
# --8<-- [end:kernels]


def main() -> None:
    if "--compare" not in sys.argv:  # leave the environment alone by default
        print(f"{blas_info()['blas']}: GEMM {gemm_rate():.0f} GFLOP/s")
        print("Run with --compare to measure also without", *VARIABLES)
        return
    for row in kernel_table():
        torch_ms = row["torch_ms"]
        torch = "" if math.isnan(torch_ms) else f", PyTorch {torch_ms:.1f} ms"
        print(
            f"{row['setting']}\n  {row['blas']}: GEMM {row['gemm_gflops']:.0f}"
            f" GFLOP/s, forward pass {row['numpy_ms']:.1f} ms{torch}"
        )


if __name__ == "__main__":
    main()
