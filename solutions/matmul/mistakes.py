"""Known-wrong variants of the ``matmul`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic tiled-matmul bug and is otherwise
correct, computing in float64 (except ``fp16_accumulator``, whose bug *is* the precision it
accumulates in). A tiled kernel's wrong answer depends on its tile sizes; these variants
assume the starter's launcher, BLOCK_M = BLOCK_N = BLOCK_K = 32 (:data:`BLOCK`). A kernel
with other tiles that makes the same bug still fails the same cases; only the name may not
be given.

The Triton kernels that make each bug, graded as a user's file and named as themselves, are
in ``test_grading.py``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

#: The starter's tile size (M, N and K), which the variants below reproduce.
BLOCK = 32


def _exact(a: Tensor, b: Tensor) -> Tensor:
    return torch.matmul(a.double(), b.double())


def no_k_mask(a: Tensor, b: Tensor) -> Tensor:
    """The K offsets of the last block wrap around (`% K`, the tutorial's trick for M and
    N) instead of being masked: K indices past the end add products of the first columns of
    a and rows of b again."""
    k = a.shape[1]
    idx = torch.arange(math.ceil(k / BLOCK) * BLOCK) % k
    return _exact(a[:, idx], b[idx, :]).to(a.dtype)


def fp16_accumulator(a: Tensor, b: Tensor) -> Tensor:
    """The accumulator tile in the inputs' dtype: each K block's partial product (float32
    inside tl.dot) is rounded to float16 and added to a float16 running sum, which rounds
    at every block and overflows to inf once it passes 65504."""
    if a.dtype == torch.float32:
        return _exact(a, b).float()
    acc = torch.zeros(a.shape[0], b.shape[1], dtype=a.dtype)
    for start in range(0, a.shape[1], BLOCK):
        part = (a[:, start:start + BLOCK].float() @ b[start:start + BLOCK, :].float())
        acc = (acc.float() + part.to(a.dtype).float()).to(a.dtype)
    return acc


def _as_row_major(t: Tensor) -> Tensor:
    """What a kernel that assumes a contiguous (row-major) operand reads from `t`'s storage:
    the same memory, walked with strides (columns, 1)."""
    if t.is_contiguous():
        return t
    return t.mT.contiguous().reshape(t.shape)


def strides_assumed_contiguous(a: Tensor, b: Tensor) -> Tensor:
    """The launcher passes (K, 1) and (N, 1) as the strides (or the kernel hard-codes them)
    instead of a.stride() and b.stride(): a transposed view is read as if it were row-major."""
    return _exact(_as_row_major(a), _as_row_major(b)).to(a.dtype)


def grid_drops_last_tile(a: Tensor, b: Tensor) -> Tensor:
    """The grid is M // BLOCK_M × N // BLOCK_N (floor, not cdiv): the last partial row and
    column of tiles are never computed and keep the zeros the output was created with."""
    out = torch.zeros(a.shape[0], b.shape[1], dtype=torch.float64)
    m = a.shape[0] // BLOCK * BLOCK
    n = b.shape[1] // BLOCK * BLOCK
    out[:m, :n] = _exact(a[:m], b[:, :n])
    return out.to(a.dtype)


def acc_overwritten(a: Tensor, b: Tensor) -> Tensor:
    """`acc = tl.dot(a, b)` inside the K loop instead of `acc += …` (or `tl.dot(a, b, acc)`):
    every K block replaces the sum, so only the last block counts."""
    k = a.shape[1]
    last = (k - 1) // BLOCK * BLOCK
    return _exact(a[:, last:], b[last:, :]).to(a.dtype)


def pointers_not_advanced(a: Tensor, b: Tensor) -> Tensor:
    """The K loop never moves its pointers (`a_ptrs += BLOCK_K * stride_ak` forgotten): every
    step multiplies the first K block again, under the K mask of the step it is on."""
    k = a.shape[1]
    out = torch.zeros(a.shape[0], b.shape[1], dtype=torch.float64)
    for start in range(0, k, BLOCK):
        width = min(BLOCK, k - start)
        out += _exact(a[:, :width], b[:width, :])
    return out.to(a.dtype)


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "no_k_mask",
        "title": {"en": "the last K block is not masked",
                  "zh": "最后一个 K 块没有加 mask"},
        "explanation": {
            "en": "K is summed over, so every element the last K block loads past K lands in "
                  "every output: wrapping the offsets with `% K` (fine for M and N, whose "
                  "extra rows are never stored) adds the first columns of a times the first "
                  "rows of b a second time, and an unmasked load reads past the end of the "
                  "row. Mask both loads with `k_offsets < K - k` and `other=0.0`.",
            "zh": "K 是被求和的维度，最后一个 K 块读到的越界元素会加进每一个输出：用 `% K` 回绕"
                  "（对 M、N 没问题，多出来的行列不会被写回）会把 a 的前几列乘 b 的前几行再加一遍；"
                  "不加 mask 则会读到行尾之外的内存。两个 load 都要用 `k_offsets < K - k` 作 "
                  "mask，并且 `other=0.0`。"},
        "exposed_by": "primes 67 × 71 × 53",
        "agrees_on": "multiples of 32",
        "matmul": no_k_mask,
    },
    {
        "id": "fp16_accumulator",
        "title": {"en": "accumulates in float16", "zh": "用 float16 累加"},
        "explanation": {
            "en": "The accumulator tile has the inputs' dtype: each block's partial sum is "
                  "rounded to float16 and the running sum overflows to inf once it passes "
                  "65504, even when the final result is small. Keep `acc` in tl.float32 "
                  "(`tl.zeros(..., dtype=tl.float32)`, `acc = tl.dot(a, b, acc)`) and cast "
                  "once, at the store.",
            "zh": "累加器用了输入的 dtype：每个块的部分和都被舍入到 float16，累加和一旦超过 65504 "
                  "就溢出成 inf——即使最终结果不大。`acc` 要用 tl.float32"
                  "（`tl.zeros(..., dtype=tl.float32)`，`acc = tl.dot(a, b, acc)`），只在 store "
                  "时转换一次。"},
        "exposed_by": "float16, K = 4096, partial sums past 65504",
        "agrees_on": "float32 basic",
        "matmul": fp16_accumulator,
    },
    {
        "id": "strides_assumed_contiguous",
        "title": {"en": "a transposed input is read as if it were contiguous",
                  "zh": "把转置后的输入当成连续张量来读"},
        "explanation": {
            "en": "The kernel walks a and b with the strides of a row-major tensor ((K, 1) "
                  "and (N, 1)) instead of `a.stride()` and `b.stride()`. A transposed view "
                  "such as `W.T` has strides (1, K): read row-major, it is a different "
                  "matrix. Pass both strides of every operand to the kernel (or call "
                  ".contiguous(), which copies).",
            "zh": "kernel 按行主序的步长（(K, 1) 和 (N, 1)）访问 a、b，而不是 `a.stride()`、"
                  "`b.stride()`。像 `W.T` 这样的转置视图步长是 (1, K)，按行主序读就成了另一个"
                  "矩阵。把每个操作数的两个步长都传给 kernel（或者调用会复制的 .contiguous()）。"},
        "exposed_by": "b transposed (x · Wᵀ)",
        "agrees_on": "float32 basic",
        "matmul": strides_assumed_contiguous,
    },
    {
        "id": "grid_drops_last_tile",
        "title": {"en": "the grid drops the last partial tile",
                  "zh": "grid 漏掉了最后一个不完整的块"},
        "explanation": {
            "en": "The grid is sized with floor division (`M // BLOCK_M`), so when M or N is "
                  "not a multiple of the block the last row or column of tiles never runs "
                  "and those outputs are never written. Use `triton.cdiv(M, BLOCK_M)` and "
                  "mask the loads and the store.",
            "zh": "grid 用了向下取整（`M // BLOCK_M`），M 或 N 不是块大小的整数倍时，最后一行或"
                  "一列块根本不会运行，那些输出从未被写入。用 `triton.cdiv(M, BLOCK_M)`，并对 "
                  "load 和 store 加 mask。"},
        "exposed_by": "float32 basic",
        "agrees_on": "multiples of 32",
        "matmul": grid_drops_last_tile,
    },
    {
        "id": "acc_overwritten",
        "title": {"en": "each K block overwrites the accumulator",
                  "zh": "每个 K 块都覆盖了累加器"},
        "explanation": {
            "en": "`acc = tl.dot(a, b)` inside the K loop assigns instead of adding, so only "
                  "the last K block survives; it is right only when K fits in one block. "
                  "Write `acc += tl.dot(a, b)` or pass the accumulator: `acc = tl.dot(a, b, "
                  "acc)`.",
            "zh": "K 循环里写成 `acc = tl.dot(a, b)` 是赋值而不是累加，只留下最后一个 K 块的结果；"
                  "只有 K 不超过一个块时才碰巧正确。写 `acc += tl.dot(a, b)`，或者把累加器传进去："
                  "`acc = tl.dot(a, b, acc)`。"},
        "exposed_by": "primes 67 × 71 × 53",
        "agrees_on": "K = 1 (outer product)",
        "matmul": acc_overwritten,
    },
    {
        "id": "pointers_not_advanced",
        "title": {"en": "the K loop never advances its pointers",
                  "zh": "K 循环里没有移动指针"},
        "explanation": {
            "en": "Inside the K loop the tile pointers must move by `BLOCK_K * stride_ak` and "
                  "`BLOCK_K * stride_bk` after every step; without that each step multiplies "
                  "the first K block again, which is right only when K fits in one block.",
            "zh": "K 循环每一步之后，块指针要分别前进 `BLOCK_K * stride_ak` 和 "
                  "`BLOCK_K * stride_bk`；忘了的话每一步都在重复乘第一个 K 块，只有 K 不超过"
                  "一个块时才碰巧正确。"},
        "exposed_by": "primes 67 × 71 × 53",
        "agrees_on": "K = 1 (outer product)",
        "matmul": pointers_not_advanced,
    },
]
