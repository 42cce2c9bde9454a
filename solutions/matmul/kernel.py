"""Triton tiled matmul for the ``matmul`` drill: ``matmul(a, b)`` with a (M, K), b (K, N).

One program computes one BLOCK_M × BLOCK_N tile of C. It walks K in BLOCK_K steps, loading a
BLOCK_M × BLOCK_K tile of a and a BLOCK_K × BLOCK_N tile of b through their strides (so
transposed views work without a copy), and accumulates ``tl.dot`` in a float32 register tile.
Every load is masked on all of its dimensions with ``other=0`` — the K mask matters most: K
is summed over, so a stray element past K changes every output, while rows past M and
columns past N are only ever computed, never stored. The tile is cast to a's dtype once, at
the store. Programs are ordered in groups of GROUP_M tile rows so that neighbouring programs
share tiles of b in L2 (the "grouped ordering" of Triton's matmul tutorial).

float32 inputs use ``input_precision="ieee"``: ``tl.dot`` would otherwise round them to TF32
(10-bit mantissa) on the GPU, which ``torch.matmul`` does not do by default. Block sizes are
fixed per dtype (no autotuning: the grade must not depend on a timing search); 128 × 256 × 64
with 8 warps and 3 stages is a configuration of the tutorial's tuned list for half precision
on Hopper-class GPUs. Works compiled on CUDA and under ``TRITON_INTERPRET=1`` on CPU
(float16/float32 there: the interpreter has no bfloat16 arithmetic).
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl


@triton.jit
def _matmul_kernel(
    A, B, C,
    M, N, K,
    stride_am, stride_ak,
    stride_bk, stride_bn,
    stride_cm, stride_cn,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
    GROUP_M: tl.constexpr, DOT_PRECISION: tl.constexpr,
):
    pid = tl.program_id(0)
    tiles_m = tl.cdiv(M, BLOCK_M)
    tiles_n = tl.cdiv(N, BLOCK_N)
    # Grouped ordering: GROUP_M tile rows are swept column by column.
    per_group = GROUP_M * tiles_n
    first_m = (pid // per_group) * GROUP_M
    group_rows = min(tiles_m - first_m, GROUP_M)
    pid_m = first_m + (pid % per_group) % group_rows
    pid_n = (pid % per_group) // group_rows

    rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    ks = tl.arange(0, BLOCK_K)
    # int64 offsets: M·K can pass 2³¹ elements at realistic sizes.
    a_ptrs = A + rows[:, None].to(tl.int64) * stride_am + ks[None, :].to(tl.int64) * stride_ak
    b_ptrs = B + ks[:, None].to(tl.int64) * stride_bk + cols[None, :].to(tl.int64) * stride_bn
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):
        k_left = K - k * BLOCK_K
        a = tl.load(a_ptrs, mask=(rows[:, None] < M) & (ks[None, :] < k_left), other=0.0)
        b = tl.load(b_ptrs, mask=(ks[:, None] < k_left) & (cols[None, :] < N), other=0.0)
        acc = tl.dot(a, b, acc, input_precision=DOT_PRECISION)
        a_ptrs += BLOCK_K * stride_ak
        b_ptrs += BLOCK_K * stride_bk
    c_ptrs = C + rows[:, None].to(tl.int64) * stride_cm + cols[None, :].to(tl.int64) * stride_cn
    tl.store(c_ptrs, acc.to(C.dtype.element_ty), mask=(rows[:, None] < M) & (cols[None, :] < N))


def _config(dtype: torch.dtype) -> dict[str, int | str]:
    """Block sizes, warps and stages per dtype (float32 tiles are smaller: 4 bytes each)."""
    if dtype == torch.float32:
        return {"BLOCK_M": 64, "BLOCK_N": 64, "BLOCK_K": 32, "GROUP_M": 8,
                "DOT_PRECISION": "ieee", "num_warps": 4, "num_stages": 3}
    return {"BLOCK_M": 128, "BLOCK_N": 256, "BLOCK_K": 64, "GROUP_M": 8,
            "DOT_PRECISION": "tf32", "num_warps": 8, "num_stages": 3}


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """C = a · b for a (M, K) and b (K, N) of the same dtype (float16, bfloat16, float32),
    accumulated in float32 and returned in a's dtype."""
    if a.dim() != 2 or b.dim() != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul needs a (M, K) and b (K, N), got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    if a.dtype != b.dtype or a.dtype not in (torch.float16, torch.bfloat16, torch.float32):
        raise TypeError(f"matmul takes float16, bfloat16 or float32 of one dtype, got "
                        f"{a.dtype} and {b.dtype}")
    (m, k), n = a.shape, b.shape[1]
    c = torch.empty((m, n), dtype=a.dtype, device=a.device)
    if m == 0 or n == 0:
        return c
    if k == 0:
        return c.zero_()
    cfg = _config(a.dtype)
    grid = (triton.cdiv(m, cfg["BLOCK_M"]) * triton.cdiv(n, cfg["BLOCK_N"]),)
    _matmul_kernel[grid](a, b, c, m, n, k, a.stride(0), a.stride(1), b.stride(0), b.stride(1),
                         c.stride(0), c.stride(1), **cfg)
    return c
