"""Triton cross-entropy for the ``cross_entropy`` drill, loss and gradient fused per row.

``cross_entropy(logits, targets, ignore_index=-100, label_smoothing=0.0)`` with logits (N, V).

Forward: one program per row streams the row once in BLOCK_V chunks, keeping per-lane online
statistics — the running max m and Σ exp(x − m), rescaled whenever m grows — plus Σ x for
the smoothing term, and reads the target logit directly. It writes the row's
loss_i = (1 − ε)(lse − x_t) + ε(lse − Σx/V) (0 on an ignored row) and lse_i. The mean over
the valid rows is a torch sum of N numbers.

Backward: one program per row re-reads x and writes

    dx_ij = g / #valid · (exp(x_ij − lse_i) − ε/V − (1 − ε)·[j = t_i])      (0 if ignored)

with g and #valid read from device memory (no host synchronisation). Statistics are float32
(float64 for float64 logits); the gradient is written in the logits' dtype. Logits may be
non-contiguous (any row and column stride). Runs compiled on CUDA and under
``TRITON_INTERPRET=1`` on the CPU (float32/float16 there: the interpreter has no bfloat16).
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

#: Columns per chunk; wider rows take several chunks.
MAX_BLOCK = 4096


@triton.jit
def _ce_fwd_kernel(X, T, LOSS, LSE, SMOOTHING, stride_row, stride_col, V, ignore_index,
                   BLOCK_V: tl.constexpr, FP64: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    x_row = X + row * stride_row
    cols = tl.arange(0, BLOCK_V)
    # m starts at the lowest float32 rather than -inf, so exp(m - m_new) is never
    # exp(-inf - -inf) = NaN on lanes that have only seen padding.
    if FP64:
        m = tl.full([BLOCK_V], -3.4028234663852886e38, tl.float64)
        s = tl.zeros([BLOCK_V], dtype=tl.float64)
        sx = tl.zeros([BLOCK_V], dtype=tl.float64)
    else:
        m = tl.full([BLOCK_V], -3.4028234663852886e38, tl.float32)
        s = tl.zeros([BLOCK_V], dtype=tl.float32)
        sx = tl.zeros([BLOCK_V], dtype=tl.float32)
    for start in range(0, V, BLOCK_V):
        c = start + cols
        ok = c < V
        x = tl.load(x_row + c * stride_col, mask=ok, other=float("-inf"))
        x = x.to(tl.float64) if FP64 else x.to(tl.float32)
        m_new = tl.maximum(m, x)
        s = s * tl.exp(m - m_new) + tl.exp(x - m_new)
        sx += tl.where(ok, x, 0.0)
        m = m_new
    row_max = tl.max(m, axis=0)
    total = tl.sum(s * tl.exp(m - row_max), axis=0)
    lse = row_max + tl.log(total)
    t = tl.load(T + row)
    valid = t != ignore_index
    safe_t = tl.where(valid, t, 0)
    xt = tl.load(x_row + safe_t * stride_col)
    xt = xt.to(tl.float64) if FP64 else xt.to(tl.float32)
    smoothing = tl.load(SMOOTHING)  # in the statistics' dtype (a float argument is float32)
    loss = (1.0 - smoothing) * (lse - xt) + smoothing * (lse - tl.sum(sx, axis=0) / V)
    tl.store(LOSS + row, tl.where(valid, loss, 0.0))
    tl.store(LSE + row, lse)


@triton.jit
def _ce_bwd_kernel(X, T, LSE, SCALE, DX, stride_row, stride_col, stride_dx, V, ignore_index,
                   BLOCK_V: tl.constexpr, FP64: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    x_row = X + row * stride_row
    dx_row = DX + row * stride_dx
    cols = tl.arange(0, BLOCK_V)
    t = tl.load(T + row)
    valid = t != ignore_index
    lse = tl.load(LSE + row)
    g = tl.load(SCALE)  # grad_output / #valid, computed on the device
    smoothing = tl.load(SCALE + 1)
    g = tl.where(valid, g, 0.0)
    for start in range(0, V, BLOCK_V):
        c = start + cols
        ok = c < V
        x = tl.load(x_row + c * stride_col, mask=ok, other=0.0)
        x = x.to(tl.float64) if FP64 else x.to(tl.float32)
        p = tl.exp(x - lse)
        d = p - smoothing / V - tl.where(c == t, 1.0 - smoothing, 0.0)
        tl.store(dx_row + c, (d * g).to(DX.dtype.element_ty), mask=ok)


def _check(logits: torch.Tensor, targets: torch.Tensor) -> None:
    if logits.dim() != 2:
        raise ValueError(f"cross_entropy: logits must be (N, V), got {tuple(logits.shape)}")
    if targets.shape != logits.shape[:1]:
        raise ValueError(f"cross_entropy: targets must be ({logits.shape[0]},), "
                         f"got {tuple(targets.shape)}")
    if logits.device != targets.device:
        raise ValueError("cross_entropy: logits and targets must be on the same device")


def _block(v: int) -> int:
    return min(triton.next_power_of_2(max(v, 1)), MAX_BLOCK)


def _warps(block: int) -> int:
    return max(1, min(16, block // 256))


class _CrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits: torch.Tensor, targets: torch.Tensor, ignore_index: int,  # type: ignore[override]
                smoothing: float) -> torch.Tensor:
        n, v = logits.shape
        fp64 = logits.dtype == torch.float64
        stat = torch.float64 if fp64 else torch.float32
        loss_rows = torch.empty(n, dtype=stat, device=logits.device)
        eps = torch.full((1,), smoothing, dtype=stat, device=logits.device)
        lse = torch.empty(n, dtype=stat, device=logits.device)
        targets = targets.contiguous()
        if n > 0:
            block = _block(v)
            _ce_fwd_kernel[(n,)](logits, targets, loss_rows, lse, eps, logits.stride(0),
                                 logits.stride(1), v, ignore_index,
                                 BLOCK_V=block, FP64=fp64, num_warps=_warps(block))
        count = (targets != ignore_index).sum().clamp_min(1).to(stat)
        ctx.save_for_backward(logits, targets, lse, count, eps)
        ctx.ignore_index = ignore_index
        return (loss_rows.sum() / count).to(logits.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None, None, None]:  # type: ignore[override]
        logits, targets, lse, count, eps = ctx.saved_tensors
        n, v = logits.shape
        scale = torch.cat([(grad.to(lse.dtype) / count).reshape(1), eps])
        dx = torch.empty((n, v), dtype=logits.dtype, device=logits.device)
        if n > 0:
            block = _block(v)
            _ce_bwd_kernel[(n,)](logits, targets, lse, scale, dx, logits.stride(0),
                                 logits.stride(1), dx.stride(0), v, ctx.ignore_index,
                                 BLOCK_V=block, FP64=lse.dtype == torch.float64,
                                 num_warps=_warps(block))
        return dx, None, None, None


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = -100,
                  label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean softmax cross-entropy over the rows whose target is not ignore_index (0 if none),
    a 0-dim tensor in the logits' dtype, differentiable in logits (Triton backward)."""
    _check(logits, targets)
    return _CrossEntropy.apply(logits, targets, int(ignore_index), float(label_smoothing))
