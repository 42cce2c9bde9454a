"""Triton FlashAttention-style forward kernel for the ``attention`` drill.

``attention(q, k, v, mask=None, is_causal=False)`` with q (B, H, Sq, D), k and v (B, H, Sk, D)
in float16, bfloat16 or float32. Each program owns BLOCK_M query rows of one (batch, head)
and streams the keys BLOCK_N at a time, keeping the online-softmax state in registers::

    s = q·kᵀ/√D (masked to −inf)      m' = max(m, rowmax(s))
    p = exp(s − m')                   l' = l·exp(m − m') + Σp
    acc' = acc·exp(m − m') + p·v      out = acc / l   (after the last block)

so the Sq×Sk score matrix never exists and HBM traffic is O((Sq + Sk)·D) per head. Scores
are kept in base 2 (log2 e folded into the scale, exp2 instead of exp). Key blocks that lie
wholly inside Sk and below the causal diagonal take a fast path with no masking; only the
ragged last block and the diagonal blocks pay for it. All arithmetic and
accumulation is float32; fp32 inputs use IEEE-precision dots (not TF32) so they match the
reference to ~1e-6.

Supported: any D up to 256 (padded to a power of two ≥ 16, best at 16/32/64/128), any Sq and
Sk (ragged last blocks are masked), ``is_causal`` (query i sees keys j ≤ i; blocks above the
diagonal are skipped, not just masked), and a bool ``mask`` broadcastable to (B, H, Sq, Sk)
(True = may attend), read through broadcast strides without materialising it. A query row
with no allowed key returns zeros, like the reference. Not supported: float64 inputs
(TypeError) and gradients — this is a forward kernel, and backward raises
NotImplementedError. Works compiled on CUDA and under ``TRITON_INTERPRET=1`` on CPU.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import triton
import triton.language as tl
from triton.runtime.errors import OutOfResources

LOG2E = 1.4426950408889634


@triton.jit
def _attend_blocks(
    acc, l_i, m_i, q, k_base, v_base, mask_base,
    offs_m, offs_d, d_ok, m_ok, lo, hi, SK,
    stride_kn, stride_kd, stride_vn, stride_vd, stride_mm, stride_mn, qk_scale,
    BOUNDS: tl.constexpr, IS_CAUSAL: tl.constexpr, HAS_MASK: tl.constexpr,
    BLOCK_N: tl.constexpr, DOT_PRECISION: tl.constexpr,
):
    """Fold key blocks [lo, hi) into the online-softmax state (acc, l, m).

    BOUNDS=False is the fast path for blocks that are entirely inside Sk and (for causal)
    entirely at or below the diagonal: no key or causal masking at all.
    """
    for start_n in range(lo, hi, BLOCK_N):
        offs_n = start_n + tl.arange(0, BLOCK_N)
        n_ok = offs_n < SK
        if BOUNDS:
            k_t = tl.load(k_base + offs_n[None, :] * stride_kn + offs_d[:, None] * stride_kd,
                          mask=n_ok[None, :] & d_ok[:, None], other=0.0)
        else:
            k_t = tl.load(k_base + offs_n[None, :] * stride_kn + offs_d[:, None] * stride_kd,
                          mask=d_ok[:, None], other=0.0)
        s = tl.dot(q, k_t, input_precision=DOT_PRECISION) * qk_scale
        if BOUNDS:
            allowed = n_ok[None, :] & m_ok[:, None]
            if IS_CAUSAL:
                allowed = allowed & (offs_n[None, :] <= offs_m[:, None])
            s = tl.where(allowed, s, float("-inf"))
        if HAS_MASK:
            mask_ptrs = mask_base + offs_m[:, None] * stride_mm + offs_n[None, :] * stride_mn
            keep = tl.load(mask_ptrs, mask=m_ok[:, None] & n_ok[None, :], other=0)
            s = tl.where(keep != 0, s, float("-inf"))

        m_new = tl.maximum(m_i, tl.max(s, axis=1))
        if BOUNDS or HAS_MASK:
            # Rows with no allowed key so far keep m = −inf; shift them by 0 so that every
            # exponent is −inf − finite = −inf → 0, never −inf − (−inf) = NaN.
            m_fin = tl.where(m_new == float("-inf"), 0.0, m_new)
        else:
            m_fin = m_new
        alpha = tl.exp2(m_i - m_fin)
        p = tl.exp2(s - m_fin[:, None])
        l_i = l_i * alpha + tl.sum(p, axis=1)
        if BOUNDS:
            v = tl.load(v_base + offs_n[:, None] * stride_vn + offs_d[None, :] * stride_vd,
                        mask=n_ok[:, None] & d_ok[None, :], other=0.0)
        else:
            v = tl.load(v_base + offs_n[:, None] * stride_vn + offs_d[None, :] * stride_vd,
                        mask=d_ok[None, :], other=0.0)
        acc = acc * alpha[:, None]
        acc = tl.dot(p.to(v.dtype), v, acc, input_precision=DOT_PRECISION)
        m_i = m_new
    return acc, l_i, m_i


@triton.jit
def _attention_fwd_kernel(
    Q, K, V, MASK, OUT,
    stride_qb, stride_qh, stride_qm, stride_qd,
    stride_kb, stride_kh, stride_kn, stride_kd,
    stride_vb, stride_vh, stride_vn, stride_vd,
    stride_mb, stride_mh, stride_mm, stride_mn,
    stride_ob, stride_oh, stride_om, stride_od,
    H, SQ, SK, qk_scale,
    HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
    IS_CAUSAL: tl.constexpr, HAS_MASK: tl.constexpr, DOT_PRECISION: tl.constexpr,
):
    start_m = tl.program_id(0) * BLOCK_M
    bh = tl.program_id(1)
    b = (bh // H).to(tl.int64)
    h = (bh % H).to(tl.int64)
    offs_m = start_m + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    d_ok = offs_d < HEAD_DIM
    m_ok = offs_m < SQ

    q_ptrs = Q + b * stride_qb + h * stride_qh
    q_ptrs += offs_m[:, None] * stride_qm + offs_d[None, :] * stride_qd
    # Rows past Sq load zeros: their scores stay finite and their output is never stored.
    q = tl.load(q_ptrs, mask=m_ok[:, None] & d_ok[None, :], other=0.0)
    k_base = K + b * stride_kb + h * stride_kh
    v_base = V + b * stride_vb + h * stride_vh
    mask_base = MASK + b * stride_mb + h * stride_mh

    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)

    # Blocks [0, full_end) need no key masking; [full_end, hi) are ragged or on the diagonal.
    full_end = (SK // BLOCK_N) * BLOCK_N
    hi = SK
    if IS_CAUSAL:
        # A key block is fully visible when its last key ≤ this block's first query; keys past
        # this block's last query are masked for every row, so they are skipped entirely.
        full_end = tl.minimum(full_end, ((start_m + 1) // BLOCK_N) * BLOCK_N)
        hi = tl.minimum(SK, start_m + BLOCK_M)
    acc, l_i, m_i = _attend_blocks(
        acc, l_i, m_i, q, k_base, v_base, mask_base, offs_m, offs_d, d_ok, m_ok, 0, full_end,
        SK, stride_kn, stride_kd, stride_vn, stride_vd, stride_mm, stride_mn, qk_scale,
        False, IS_CAUSAL, HAS_MASK, BLOCK_N, DOT_PRECISION,
    )
    acc, l_i, m_i = _attend_blocks(
        acc, l_i, m_i, q, k_base, v_base, mask_base, offs_m, offs_d, d_ok, m_ok, full_end, hi,
        SK, stride_kn, stride_kd, stride_vn, stride_vd, stride_mm, stride_mn, qk_scale,
        True, IS_CAUSAL, HAS_MASK, BLOCK_N, DOT_PRECISION,
    )

    # Fully masked rows have l = 0 and acc = 0: dividing by 1 returns the zeros the drill wants.
    out = acc / tl.where(l_i == 0.0, 1.0, l_i)[:, None]
    o_ptrs = OUT + b * stride_ob + h * stride_oh
    o_ptrs += offs_m[:, None] * stride_om + offs_d[None, :] * stride_od
    tl.store(o_ptrs, out.to(OUT.dtype.element_ty), mask=m_ok[:, None] & d_ok[None, :])


# (BLOCK_M, BLOCK_N, num_warps, num_stages) to try on CUDA, best first; a later one is used
# only if the compiler reports the previous one does not fit (shared memory, registers).
_CUDA_CONFIGS_HALF = [(128, 64, 8, 3), (64, 64, 4, 3), (64, 32, 4, 2), (32, 16, 4, 1)]
_CUDA_CONFIGS_FP32 = [(64, 32, 4, 2), (32, 32, 4, 1), (32, 16, 4, 1)]
# Under TRITON_INTERPRET the blocks are numpy arrays: small ones waste the least on padding.
_INTERPRETER_CONFIG = (16, 16, 4, 1)
_working_config: dict[tuple[Any, ...], tuple[int, int, int, int]] = {}


def _launch(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None,
    is_causal: bool,
) -> torch.Tensor:
    b, h, sq, d = q.shape
    sk = k.shape[-2]
    out = torch.empty((b, h, sq, d), dtype=q.dtype, device=q.device)
    if sk == 0:
        return out.zero_()
    if mask is not None:
        # uint8 keeps the kernel's loads simple; expand() gives zero strides to broadcast
        # dimensions, so the mask is never materialised at full (B, H, Sq, Sk) size.
        mask_arg = mask.to(device=q.device, dtype=torch.uint8).expand(b, h, sq, sk)
        mask_strides = mask_arg.stride()
    else:
        mask_arg = q
        mask_strides = (0, 0, 0, 0)
    block_d = max(16, triton.next_power_of_2(d))
    fp32 = q.dtype == torch.float32
    args = (
        q, k, v, mask_arg, out,
        *q.stride(), *k.stride(), *v.stride(), *mask_strides, *out.stride(),
        h, sq, sk, LOG2E / math.sqrt(d),
    )
    meta = {
        "HEAD_DIM": d,
        "BLOCK_D": block_d,
        "IS_CAUSAL": is_causal,
        "HAS_MASK": mask is not None,
        "DOT_PRECISION": "ieee" if fp32 else "tf32",
    }
    if not q.is_cuda:
        configs = [_INTERPRETER_CONFIG]
    else:
        configs = _CUDA_CONFIGS_FP32 if fp32 else _CUDA_CONFIGS_HALF
    key = (q.dtype, block_d, is_causal, mask is not None, q.device)
    if key in _working_config:
        configs = [_working_config[key]]
    last_error: Exception | None = None
    for block_m, block_n, warps, stages in configs:
        grid = (triton.cdiv(sq, block_m), b * h)
        try:
            _attention_fwd_kernel[grid](
                *args, BLOCK_M=block_m, BLOCK_N=block_n, num_warps=warps, num_stages=stages,
                **meta,
            )
        except OutOfResources as err:
            last_error = err
            continue
        _working_config[key] = (block_m, block_n, warps, stages)
        return out
    raise RuntimeError(f"attention kernel: no launch configuration fits: {last_error}")


class _ForwardOnly(torch.autograd.Function):
    @staticmethod
    def forward(ctx, out: torch.Tensor, *inputs: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return out.view_as(out)

    @staticmethod
    def backward(ctx, *grads: torch.Tensor) -> Any:  # type: ignore[override]
        raise NotImplementedError(
            "attention kernel: this Triton kernel is forward-only; differentiate through "
            "solutions/attention/reference.py instead"
        )


def attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    is_causal: bool = False,
) -> torch.Tensor:
    """softmax(q·kᵀ/√D, masked)·v with a Triton FlashAttention forward kernel.

    Shapes (B, H, Sq, D) / (B, H, Sk, D); float16, bfloat16 or float32. Fully masked rows
    give zeros. Raises ValueError for ``is_causal`` with a mask or with Sq != Sk, TypeError
    for other dtypes; the result has no usable gradient (backward raises).
    """
    if q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        raise ValueError("attention kernel: q, k and v must be 4-D (B, H, S, D)")
    if q.dtype not in (torch.float16, torch.bfloat16, torch.float32):
        raise TypeError(f"attention kernel: float16, bfloat16 or float32 only, got {q.dtype}")
    if k.dtype != q.dtype or v.dtype != q.dtype:
        raise TypeError("attention kernel: q, k and v must share one dtype")
    if k.shape != v.shape or k.shape[:2] != q.shape[:2] or k.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"attention kernel: incompatible shapes q{tuple(q.shape)} k{tuple(k.shape)} "
            f"v{tuple(v.shape)}"
        )
    if q.shape[-1] > 256:
        raise ValueError(f"attention kernel: head dim up to 256, got {q.shape[-1]}")
    if is_causal and mask is not None:
        raise ValueError("attention: pass either mask or is_causal=True, not both")
    if is_causal and q.shape[-2] != k.shape[-2]:
        raise ValueError(
            f"attention: is_causal needs Sq == Sk, got Sq={q.shape[-2]}, Sk={k.shape[-2]}"
        )
    out = _launch(q, k, v, mask, is_causal)
    if torch.is_grad_enabled() and any(t.requires_grad for t in (q, k, v)):
        return _ForwardOnly.apply(out, q, k, v)
    return out
