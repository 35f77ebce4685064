"""Which kernels OpenBLAS runs, and what they are worth on this machine.

OpenBLAS carries kernels for many CPUs and picks one set when it loads, from
the CPU it detects, unless the environment variable OPENBLAS_CORETYPE names
one. Some machines set it (with OPENBLAS_L2_SIZE) on purpose: older OpenBLAS
builds crash or compute wrong results on some new processors. The machine of
this book's figures sets OPENBLAS_CORETYPE=Haswell, so every other figure was
measured with OpenBLAS's AVX2 kernels. This module measures the same things
in two fresh processes: with the environment as it is, and with both
variables removed, so that OpenBLAS detects the CPU itself. threadpoolctl
reports the kernel set each process really ran.

Run `python snippets/blas_kernels.py --compare` to compare on your machine
(without --compare, it measures only with the environment as it is).
"""

import os
import sys

from capstone import forward_times
from resnet50_layers import layers
from resnet_bench import gemm_ceiling, layer_gflops
from timing import blas_info, in_fresh_process

VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# --8<-- [start:kernels]
def measure_here() -> dict:
    """The BLAS kernels of this process, the GEMM ceiling, conv_fast on all
    53 convolutions (shape by shape), and the forward pass with NumPy and,
    when it is installed, PyTorch (capstone.forward_times)."""
    convs_s = sum(
        layer.count * 2 * layer.macs / 1e9 / layer_gflops(layer, "fast")
        for layer in layers()
    )
    (forward,) = forward_times()
    return {
        "blas": blas_info()["blas"],
        "gemm_gflops": gemm_ceiling(),
        "convs_ms": convs_s * 1e3,
        "numpy_ms": forward["numpy_ms"],
        "torch_ms": forward["torch_ms"],
        "torch_over_numpy": forward["torch_over_numpy"],
    }


def kernel_table() -> list[dict]:
    """The measurements above with the environment as it is, and with
    OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (OpenBLAS decides)."""
    as_set = {name: os.environ.get(name, "not set") for name in VARIABLES}
    detected = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    return [
        {
            "setting": ", ".join(f"{k}={v}" for k, v in as_set.items()),
            **in_fresh_process("blas_kernels", "measure_here"),
        },
        {
            "setting": "both removed: OpenBLAS detects the CPU",
            **in_fresh_process("blas_kernels", "measure_here", detected),
        },
    ]
# --8<-- [end:kernels]


def main() -> None:
    if "--compare" not in sys.argv:  # leave the environment alone by default
        print(f"{blas_info()['blas']}: GEMM {gemm_ceiling():.0f} GFLOP/s")
        print("Run with --compare to measure also without", *VARIABLES)
        return
    for row in kernel_table():
        print(
            f"{row['setting']}\n  {row['blas']}: GEMM {row['gemm_gflops']:.0f}"
            f" GFLOP/s, 53 convolutions {row['convs_ms']:.1f} ms,"
            f" forward pass {row['numpy_ms']:.1f} ms"
            f" (PyTorch {row['torch_ms']:.1f} ms)"
        )


if __name__ == "__main__":
    main()
