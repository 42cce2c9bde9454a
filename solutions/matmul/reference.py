"""Reference (oracle) for the ``matmul`` drill: C = a · b.

``a`` is (M, K), ``b`` is (K, N), both float16, bfloat16 or float32 of one dtype; the
result is (M, N) in a's dtype. The oracle multiplies in float64 (exact products, a float64
sum) and rounds once to a's dtype — what a kernel that accumulates in float32 comes within
the tolerances of, and what a float16 accumulator does not (its partial sums round to
float16 and overflow past 65504).

The oracle runs in the grader, where ``torch.matmul`` is allowed; the drill forbids it in
solutions (the point is the kernel). ``--bench`` times solutions against ``torch.matmul`` in
the inputs' own dtype — cuBLAS on CUDA.
"""

from __future__ import annotations

import torch


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a · b computed in float64, returned in a's dtype."""
    return torch.matmul(a.to(torch.float64), b.to(torch.float64)).to(a.dtype)


def matmul_same_precision(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``torch.matmul`` in the inputs' dtype (cuBLAS on CUDA; float16 and bfloat16 accumulate
    in float32 there): the baseline `--bench` times a solution against."""
    return torch.matmul(a, b)


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"matmul": matmul_same_precision}
