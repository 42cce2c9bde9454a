"""A correct Triton attention solution: the Triton starter with its kernel body filled in the
way a candidate would (graded by the generic drill tests; it also proves the starter's
launcher right)."""

import math

import torch
import triton
import triton.language as tl

LOG2E = 1.4426950408889634  # scores are kept in base 2: exp(x) = exp2(x · log2 e)


@triton.jit
def attention_kernel(
    Q, K, V, MASK, OUT,
    stride_qb, stride_qh, stride_qm, stride_qd,
    stride_kb, stride_kh, stride_kn, stride_kd,
    stride_vb, stride_vh, stride_vn, stride_vd,
    stride_mb, stride_mh, stride_mm, stride_mn,
    stride_ob, stride_oh, stride_om, stride_od,
    H, SQ, SK, qk_scale,
    HEAD_DIM: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
    IS_CAUSAL: tl.constexpr, HAS_MASK: tl.constexpr, DOT_PRECISION: tl.constexpr,
):
    """Queries [start_m, start_m + BLOCK_M) of one (batch, head): stream the keys BLOCK_N at a
    time and keep the online-softmax state (m, l, acc) in registers, in float32."""
    start_m = tl.program_id(0) * BLOCK_M
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    offs_m = start_m + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    m_ok = offs_m < SQ
    d_ok = offs_d < HEAD_DIM
    q = tl.load(Q + b * stride_qb + h * stride_qh + offs_m[:, None] * stride_qm
                + offs_d[None, :] * stride_qd, mask=m_ok[:, None] & d_ok[None, :], other=0.0)
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)   # running row max (base 2)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)                 # running Σ exp2(s − m)
    acc = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)        # running Σ exp2(s − m) · v
    hi = SK
    if IS_CAUSAL:
        hi = tl.minimum(SK, start_m + BLOCK_M)  # later key blocks are all in the future
    for start_n in range(0, hi, BLOCK_N):
        offs_n = start_n + tl.arange(0, BLOCK_N)
        n_ok = offs_n < SK
        k_t = tl.load(K + b * stride_kb + h * stride_kh + offs_n[None, :] * stride_kn
                      + offs_d[:, None] * stride_kd, mask=n_ok[None, :] & d_ok[:, None],
                      other=0.0)
        s = tl.dot(q, k_t, input_precision=DOT_PRECISION) * qk_scale
        keep = n_ok[None, :] & m_ok[:, None]
        if IS_CAUSAL:
            keep = keep & (offs_n[None, :] <= offs_m[:, None])
        if HAS_MASK:
            mk = tl.load(MASK + b * stride_mb + h * stride_mh + offs_m[:, None] * stride_mm
                         + offs_n[None, :] * stride_mn, mask=keep, other=0)
            keep = keep & (mk != 0)
        s = tl.where(keep, s, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(s, axis=1))
        shift = tl.where(m_new == float("-inf"), 0.0, m_new)
        alpha = tl.exp2(m_i - shift)
        p = tl.exp2(s - shift[:, None])
        l_i = l_i * alpha + tl.sum(p, axis=1)
        v = tl.load(V + b * stride_vb + h * stride_vh + offs_n[:, None] * stride_vn
                    + offs_d[None, :] * stride_vd, mask=n_ok[:, None] & d_ok[None, :], other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v, input_precision=DOT_PRECISION)
        m_i = m_new
    out = acc / tl.where(l_i == 0.0, 1.0, l_i)[:, None]
    tl.store(OUT + b * stride_ob + h * stride_oh + offs_m[:, None] * stride_om
             + offs_d[None, :] * stride_od, out.to(OUT.dtype.element_ty),
             mask=m_ok[:, None] & d_ok[None, :])


def attention(q, k, v, mask=None, is_causal=False):
    """softmax(q·kᵀ/√D, masked) · v. q: (B, H, Sq, D); k, v: (B, H, Sk, D); mask: bool,
    broadcastable to (B, H, Sq, Sk), True = may attend; is_causal: key j allowed for query i
    iff j <= i. Rows with no allowed key return zeros. Returns (B, H, Sq, D) in q's dtype."""
    b, h, sq, d = q.shape
    sk = k.shape[-2]
    out = torch.zeros((b, h, sq, d), dtype=q.dtype, device=q.device)
    if mask is not None:
        # expand() gives broadcast dims a stride of 0: the kernel reads any broadcastable
        # shape through the strides, and the (B, H, Sq, Sk) mask is never materialised.
        mask = mask.to(device=q.device, dtype=torch.uint8).expand(b, h, sq, sk)
        mask_arg, mask_strides = mask, mask.stride()
    else:
        mask_arg, mask_strides = q, (0, 0, 0, 0)  # never read: HAS_MASK is False
    block_m = block_n = 16  # tl.dot needs tiles of at least 16 × 16
    grid = (triton.cdiv(sq, block_m), b * h)
    attention_kernel[grid](
        q, k, v, mask_arg, out,
        *q.stride(), *k.stride(), *v.stride(), *mask_strides, *out.stride(),
        h, sq, sk, LOG2E / math.sqrt(d),
        HEAD_DIM=d, BLOCK_D=max(16, triton.next_power_of_2(d)), BLOCK_M=block_m,
        BLOCK_N=block_n, IS_CAUSAL=bool(is_causal), HAS_MASK=mask is not None,
        # float32 inputs: exact float32 dots (a GPU's default TF32 is off by ~1e-3).
        DOT_PRECISION="ieee" if q.dtype == torch.float32 else "tf32",
    )
    return out
