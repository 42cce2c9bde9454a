"""Triton LayerNorm for the ``layernorm`` drill: forward, backward and the weight/bias reduction.

``layer_norm(x, weight, bias, eps=1e-5)`` and
``layer_norm_backward(grad_out, x, weight, eps=1e-5) -> (grad_x, grad_weight, grad_bias)``.

x is viewed as (M, N) rows (any leading dims, last-dim stride 1 after a copy if needed).

- ``_ln_stats_kernel``: one program per row, two passes over the row in BLOCK_N chunks (Σx,
  then Σ(x − μ)²: the two-pass variance, no E[x²] − μ² cancellation), storing μ and rstd.
- ``_ln_fwd_kernel``: one program per row writes y = (x − μ)·rstd·w + b.
- ``_ln_bwd_kernel``: P programs, each owning rows pid, pid + P, …; per row a first pass
  accumulates mean(g) and mean(g·x̂) with g = dy·w, a second writes
  dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) and adds dy·x̂ and dy into the program's own row of
  two (P, N) partial buffers (no atomics: nothing else writes that row); torch sums the P
  partial rows at the end, giving dweight and dbias.

Statistics and partial sums are float32 (float64 for float64 inputs); results are rounded once
to the input dtypes. `layer_norm` is differentiable: its autograd backward is the same
kernels. Runs compiled on CUDA and under ``TRITON_INTERPRET=1`` on the CPU (float32/float16
there: the interpreter has no bfloat16 arithmetic).
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

#: Columns per chunk; longer rows take several chunks.
MAX_BLOCK = 4096


@triton.jit
def _ln_stats_kernel(X, MEAN, RSTD, stride_x, N, eps, BLOCK_N: tl.constexpr,
                     FP64: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    x_row = X + row * stride_x
    cols = tl.arange(0, BLOCK_N)
    if FP64:
        acc = tl.zeros([BLOCK_N], dtype=tl.float64)
    else:
        acc = tl.zeros([BLOCK_N], dtype=tl.float32)
    for start in range(0, N, BLOCK_N):
        c = start + cols
        x = tl.load(x_row + c, mask=c < N, other=0.0)
        acc += x.to(tl.float64) if FP64 else x.to(tl.float32)
    mean = tl.sum(acc, axis=0) / N
    acc = acc * 0.0
    for start in range(0, N, BLOCK_N):
        c = start + cols
        x = tl.load(x_row + c, mask=c < N, other=0.0)
        x = x.to(tl.float64) if FP64 else x.to(tl.float32)
        d = tl.where(c < N, x - mean, 0.0)
        acc += d * d
    var = tl.sum(acc, axis=0) / N
    tl.store(MEAN + row, mean)
    tl.store(RSTD + row, 1.0 / tl.sqrt(var + eps))


@triton.jit
def _ln_fwd_kernel(X, W, B, Y, MEAN, RSTD, stride_x, stride_y, N, BLOCK_N: tl.constexpr,
                   FP64: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    cols = tl.arange(0, BLOCK_N)
    mean = tl.load(MEAN + row)
    rstd = tl.load(RSTD + row)
    for start in range(0, N, BLOCK_N):
        c = start + cols
        ok = c < N
        x = tl.load(X + row * stride_x + c, mask=ok, other=0.0)
        w = tl.load(W + c, mask=ok, other=0.0)
        b = tl.load(B + c, mask=ok, other=0.0)
        if FP64:
            x, w, b = x.to(tl.float64), w.to(tl.float64), b.to(tl.float64)
        else:
            x, w, b = x.to(tl.float32), w.to(tl.float32), b.to(tl.float32)
        y = (x - mean) * rstd * w + b
        tl.store(Y + row * stride_y + c, y.to(Y.dtype.element_ty), mask=ok)


@triton.jit
def _ln_bwd_kernel(X, W, DY, DX, MEAN, RSTD, DW_PART, DB_PART, stride_x, stride_dy, stride_dx,
                   M, N, BLOCK_N: tl.constexpr, FP64: tl.constexpr):
    pid = tl.program_id(0)
    n_programs = tl.num_programs(0)
    cols = tl.arange(0, BLOCK_N)
    part = pid.to(tl.int64) * N
    for first in range(0, M, n_programs):
        row = first + pid.to(tl.int64)
        # Rows past M are fully masked (a broadcast mask: the interpreter rejects scalar & block).
        live = (row + tl.zeros([BLOCK_N], dtype=tl.int64)) < M
        safe_row = tl.minimum(row, M - 1)
        mean = tl.load(MEAN + safe_row)
        rstd = tl.load(RSTD + safe_row)
        if FP64:
            s_g = tl.zeros([BLOCK_N], dtype=tl.float64)
            s_gx = tl.zeros([BLOCK_N], dtype=tl.float64)
        else:
            s_g = tl.zeros([BLOCK_N], dtype=tl.float32)
            s_gx = tl.zeros([BLOCK_N], dtype=tl.float32)
        for start in range(0, N, BLOCK_N):
            c = start + cols
            ok = (c < N) & live
            x = tl.load(X + row * stride_x + c, mask=ok, other=0.0)
            dy = tl.load(DY + row * stride_dy + c, mask=ok, other=0.0)
            w = tl.load(W + c, mask=c < N, other=0.0)
            if FP64:
                x, dy, w = x.to(tl.float64), dy.to(tl.float64), w.to(tl.float64)
            else:
                x, dy, w = x.to(tl.float32), dy.to(tl.float32), w.to(tl.float32)
            x_hat = tl.where(ok, (x - mean) * rstd, 0.0)
            g = dy * w
            s_g += g
            s_gx += g * x_hat
        mean_g = tl.sum(s_g, axis=0) / N
        mean_gx = tl.sum(s_gx, axis=0) / N
        for start in range(0, N, BLOCK_N):
            c = start + cols
            ok = (c < N) & live
            x = tl.load(X + row * stride_x + c, mask=ok, other=0.0)
            dy = tl.load(DY + row * stride_dy + c, mask=ok, other=0.0)
            w = tl.load(W + c, mask=c < N, other=0.0)
            if FP64:
                x, dy, w = x.to(tl.float64), dy.to(tl.float64), w.to(tl.float64)
            else:
                x, dy, w = x.to(tl.float32), dy.to(tl.float32), w.to(tl.float32)
            x_hat = tl.where(ok, (x - mean) * rstd, 0.0)
            dx = rstd * (dy * w - mean_g - x_hat * mean_gx)
            tl.store(DX + row * stride_dx + c, dx.to(DX.dtype.element_ty), mask=ok)
            # This program's own row of the partial buffers: a plain read-add-write.
            in_row = c < N
            dw = tl.load(DW_PART + part + c, mask=in_row, other=0.0)
            db = tl.load(DB_PART + part + c, mask=in_row, other=0.0)
            tl.store(DW_PART + part + c, dw + dy * x_hat, mask=in_row)
            tl.store(DB_PART + part + c, db + dy, mask=in_row)


def _rows(t: torch.Tensor) -> torch.Tensor:
    n = t.shape[-1]
    t2 = t.reshape(-1, n)
    return t2 if t2.stride(-1) == 1 else t2.contiguous()


def _block(n: int) -> int:
    return min(triton.next_power_of_2(max(n, 1)), MAX_BLOCK)


def _warps(block: int) -> int:
    return max(1, min(16, block // 256))


def _check(x: torch.Tensor, weight: torch.Tensor, what: str) -> None:
    if x.dim() == 0:
        raise ValueError(f"{what}: x needs at least one dimension")
    if weight.shape != (x.shape[-1],):
        raise ValueError(f"{what}: weight must have shape ({x.shape[-1]},), "
                         f"got {tuple(weight.shape)}")


def _stats(x2: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x2.shape
    stat = torch.float64 if x2.dtype == torch.float64 else torch.float32
    mean = torch.empty(m, dtype=stat, device=x2.device)
    rstd = torch.empty(m, dtype=stat, device=x2.device)
    if m > 0 and n > 0:
        block = _block(n)
        _ln_stats_kernel[(m,)](x2, mean, rstd, x2.stride(0), n, eps, BLOCK_N=block,
                               FP64=stat == torch.float64, num_warps=_warps(block))
    return mean, rstd


def _forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    x2 = _rows(x)
    m, n = x2.shape
    mean, rstd = _stats(x2, eps)
    y = torch.empty((m, n), dtype=x.dtype, device=x.device)
    if m > 0 and n > 0:
        block = _block(n)
        _ln_fwd_kernel[(m,)](x2, weight.contiguous(), bias.contiguous(), y, mean, rstd,
                             x2.stride(0), y.stride(0), n, BLOCK_N=block,
                             FP64=mean.dtype == torch.float64, num_warps=_warps(block))
    return y.reshape(x.shape), x2, mean, rstd


def _backward(dy: torch.Tensor, x2: torch.Tensor, weight: torch.Tensor, mean: torch.Tensor,
              rstd: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    m, n = x2.shape
    dy2 = _rows(dy)
    dx = torch.empty((m, n), dtype=x2.dtype, device=x2.device)
    if x2.is_cuda:
        programs = 4 * torch.cuda.get_device_properties(x2.device).multi_processor_count
    else:
        programs = 4
    programs = max(1, min(programs, m))
    dw_part = torch.zeros((programs, n), dtype=mean.dtype, device=x2.device)
    db_part = torch.zeros((programs, n), dtype=mean.dtype, device=x2.device)
    if m > 0 and n > 0:
        block = _block(n)
        _ln_bwd_kernel[(programs,)](x2, weight.contiguous(), dy2, dx, mean, rstd, dw_part,
                                    db_part, x2.stride(0), dy2.stride(0), dx.stride(0), m, n,
                                    BLOCK_N=block, FP64=mean.dtype == torch.float64,
                                    num_warps=_warps(block))
    return dx, dw_part.sum(dim=0).to(weight.dtype), db_part.sum(dim=0).to(weight.dtype)


class _LayerNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,  # type: ignore[override]
                eps: float) -> torch.Tensor:
        y, x2, mean, rstd = _forward(x, weight, bias, eps)
        ctx.save_for_backward(x2, weight, mean, rstd)
        ctx.x_shape = x.shape
        return y

    @staticmethod
    def backward(ctx, dy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, None]:  # type: ignore[override]
        x2, weight, mean, rstd = ctx.saved_tensors
        dx, dw, db = _backward(dy, x2, weight, mean, rstd)
        return dx.reshape(ctx.x_shape), dw, db, None


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
               eps: float = 1e-5) -> torch.Tensor:
    """(x − μ)/sqrt(σ² + eps)·weight + bias over the last dim (biased σ²), in x's dtype;
    differentiable in x, weight and bias through the Triton backward."""
    _check(x, weight, "layer_norm")
    if torch.is_grad_enabled() and any(t.requires_grad for t in (x, weight, bias)):
        return _LayerNorm.apply(x, weight, bias, eps)
    return _forward(x, weight, bias, eps)[0]


def layer_norm_backward(grad_out: torch.Tensor, x: torch.Tensor, weight: torch.Tensor,
                        eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(grad_x, grad_weight, grad_bias) of layer_norm, μ and rstd recomputed from x."""
    _check(x, weight, "layer_norm_backward")
    if grad_out.shape != x.shape:
        raise ValueError(f"layer_norm_backward: grad_out has shape {tuple(grad_out.shape)}, "
                         f"x {tuple(x.shape)}")
    x2 = _rows(x)
    mean, rstd = _stats(x2, eps)
    dx, dw, db = _backward(grad_out, x2, weight, mean, rstd)
    return dx.reshape(x.shape), dw, db
