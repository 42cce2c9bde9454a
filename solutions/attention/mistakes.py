"""Known-wrong variants of the ``attention`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` carries an ``id``, a bilingual ``title`` and ``explanation``,
and an ``attention`` callable with the drill's signature that reproduces one classic bug and
is otherwise correct. The variants compute in float64 (like the reference) so that their
output is the bug's exact signature, whatever precision the user computed in.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor


def _allowed(
    mask: Tensor | None, is_causal: bool, sq: int, sk: int, device: torch.device
) -> Tensor | None:
    """The keys each query may attend to, as the drill defines them (None: all)."""
    if is_causal:
        return torch.ones(sq, sk, dtype=torch.bool, device=device).tril()
    if mask is not None:
        return mask.to(device=device, dtype=torch.bool)
    return None


def _softmax_zero_empty(scores: Tensor, dim: int = -1) -> Tensor:
    """Softmax that gives zeros (not NaN) to slices with no finite score, like the reference."""
    top = scores.amax(dim=dim, keepdim=True).detach()
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    p = torch.exp(scores - top)
    denom = p.sum(dim=dim, keepdim=True)
    return p / torch.where(denom > 0, denom, torch.ones_like(denom))


def _finish(q: Tensor, k: Tensor, v: Tensor, allowed: Tensor | None, scale: float) -> Tensor:
    """Correct masked softmax attention with a given score scale (float64 inside)."""
    scores = (q.double() @ k.double().transpose(-2, -1)) * scale
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))
    return (_softmax_zero_empty(scores) @ v.double()).to(q.dtype)


def no_scale(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Scores q·kᵀ without the 1/√D factor."""
    allowed = _allowed(mask, is_causal, q.shape[-2], k.shape[-2], q.device)
    return _finish(q, k, v, allowed, 1.0)


def scale_by_d(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Scores divided by D instead of √D."""
    allowed = _allowed(mask, is_causal, q.shape[-2], k.shape[-2], q.device)
    return _finish(q, k, v, allowed, 1.0 / q.shape[-1])


def softmax_over_queries(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Softmax over dim=-2 (the queries) instead of dim=-1 (the keys)."""
    allowed = _allowed(mask, is_causal, q.shape[-2], k.shape[-2], q.device)
    scores = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))
    return (_softmax_zero_empty(scores, dim=-2) @ v.double()).to(q.dtype)


def causal_excludes_diagonal(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Causal mask built with tril(diagonal=-1): query i only sees keys j < i. Row 0 then sees
    nothing and, like every fully masked row in a solution that handles those, becomes 0."""
    sq, sk = q.shape[-2], k.shape[-2]
    allowed = _allowed(mask, is_causal, sq, sk, q.device)
    if is_causal:
        allowed = torch.ones(sq, sk, dtype=torch.bool, device=q.device).tril(diagonal=-1)
    return _finish(q, k, v, allowed, 1 / math.sqrt(q.shape[-1]))


def causal_attends_future(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Causal mask transposed (triu instead of tril): query i sees keys j ≥ i."""
    sq, sk = q.shape[-2], k.shape[-2]
    allowed = _allowed(mask, is_causal, sq, sk, q.device)
    if is_causal:
        allowed = torch.ones(sq, sk, dtype=torch.bool, device=q.device).triu()
    return _finish(q, k, v, allowed, 1 / math.sqrt(q.shape[-1]))


def mask_inverted(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Reads True in the bool mask as "masked out" (the key_padding_mask convention)."""
    sq, sk = q.shape[-2], k.shape[-2]
    allowed = _allowed(mask, is_causal, sq, sk, q.device)
    if mask is not None and not is_causal:
        allowed = ~mask.to(device=q.device, dtype=torch.bool)
    return _finish(q, k, v, allowed, 1 / math.sqrt(q.shape[-1]))


def mask_fills_zero(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Masked scores set to 0 instead of −inf: exp(0) = 1 still gives them weight."""
    allowed = _allowed(mask, is_causal, q.shape[-2], k.shape[-2], q.device)
    scores = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if allowed is not None:
        scores = scores.masked_fill(~allowed, 0.0)
    return (torch.softmax(scores, dim=-1) @ v.double()).to(q.dtype)


def masked_rows_nan(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Plain softmax after filling −inf: a row with no allowed key becomes 0/0 = NaN."""
    allowed = _allowed(mask, is_causal, q.shape[-2], k.shape[-2], q.device)
    scores = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))
    return (torch.softmax(scores, dim=-1) @ v.double()).to(q.dtype)


def mask_indexed_by_batch(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """Applies `mask[b]` to batch b's (H, Sq, Sk) scores: right for a (B, 1, Sq, Sk) or
    (B, 1, 1, Sk) mask, wrong for a mask whose first axis is not the batch — a (Sq, Sk) mask
    gives batch b row b of it for every query, an (H, Sq, Sk) one gives it head b's mask.
    (Where the first axis has size 1, a user's `mask[b]` raises IndexError for b > 0, so no
    output is ever compared there; this variant reads it as `mask[0]` so that it runs on
    every case.)"""
    if mask is None or is_causal:
        return _finish(q, k, v, _allowed(mask, is_causal, q.shape[-2], k.shape[-2], q.device),
                       1 / math.sqrt(q.shape[-1]))
    scores = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.shape[-1])
    keep = mask.to(device=q.device, dtype=torch.bool)
    scores = torch.stack([scores[b].masked_fill(~keep[b % keep.shape[0]], float("-inf"))
                          for b in range(q.shape[0])])
    return (_softmax_zero_empty(scores) @ v.double()).to(q.dtype)


# ----------------------------------------------------------------------------- Triton track
# Bugs of a FlashAttention-style kernel's online softmax. Their output depends on how the keys
# are tiled, so they replay the kernel's loop with key blocks of KEY_BLOCK = 16 (the starter's
# launcher; the exposing case has Sk = 37, whose last block starts at key 32 for blocks of 8,
# 16 or 32 alike) and, when causal, stop each query block's loop at its diagonal as
# FlashAttention does (query blocks of QUERY_BLOCK = 16). A kernel tiled differently still
# fails those cases, possibly without a name.

KEY_BLOCK = 16
QUERY_BLOCK = 16


def _online(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, is_causal: bool, *,
    carry_max: bool = True, rescale_acc: bool = True, mask_before_max: bool = True,
) -> Tensor:
    """The kernel's online softmax over key blocks of KEY_BLOCK, with one step left out.

    `mask_before_max=False` takes each block's max over the scores before the mask and the
    causal rule remove any (keys past Sk never count); its exponentials are then computed in
    float32, as the kernel does, so that allowed keys far below a masked one underflow to 0
    exactly where a kernel's do."""
    sq, sk, d = q.shape[-2], k.shape[-2], q.shape[-1]
    s = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(d)
    allowed = _allowed(mask, is_causal, sq, sk, q.device)
    allowed = torch.ones_like(s, dtype=torch.bool) if allowed is None else allowed.expand_as(s)
    neg_inf = float("-inf")

    def exp(x: Tensor) -> Tensor:
        return torch.exp(x) if mask_before_max else torch.exp(x.float()).double()

    m = torch.full(s.shape[:-1], neg_inf, dtype=torch.float64, device=q.device)
    l_sum = torch.zeros_like(m)
    acc = torch.zeros(*s.shape[:-1], v.shape[-1], dtype=torch.float64, device=q.device)
    # causal: query block [i0, i0 + QUERY_BLOCK) stops before key i0 + QUERY_BLOCK
    rows = torch.arange(sq, device=q.device)
    row_end = (rows // QUERY_BLOCK + 1) * QUERY_BLOCK if is_causal else torch.full_like(rows, sk)
    for start in range(0, sk, KEY_BLOCK):
        live = start < row_end  # (Sq,): the rows whose loop reaches this block
        before = m, l_sum, acc
        block = slice(start, start + KEY_BLOCK)
        masked = s[..., block].masked_fill(~allowed[..., block], neg_inf)
        top = (masked if mask_before_max else s[..., block]).amax(-1)
        m_new = torch.maximum(m, top)
        # a row with no allowed key so far is shifted by 0: exp(−inf − 0) = 0, never NaN
        m_fin = torch.where(m_new == neg_inf, torch.zeros_like(m_new), m_new)
        alpha = exp(m - m_fin)
        p = exp(masked - m_fin[..., None])
        l_sum = l_sum * alpha + p.sum(-1)
        # p goes into the p·v dot in v's dtype, as a kernel's `p.to(v.dtype)` does: in
        # float16, weights below 2^-24 vanish there (only this variant gets near them)
        pv = p if mask_before_max else p.to(v.dtype).double()
        acc = (acc * alpha[..., None] if rescale_acc else acc) + pv @ v.double()[..., block, :]
        if carry_max:
            m = m_new
        m = torch.where(live, m, before[0])
        l_sum = torch.where(live, l_sum, before[1])
        acc = torch.where(live[:, None], acc, before[2])
    out = acc / torch.where(l_sum > 0, l_sum, torch.ones_like(l_sum))[..., None]
    return out.to(q.dtype)


def running_max_not_carried(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """`m_i = m_new` left out: the running max stays −inf, so each block's rescale factor
    exp2(m_i − m_new) is 0 and only the last key block reaches the output."""
    return _online(q, k, v, mask, is_causal, carry_max=False)


def accumulator_not_rescaled(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """`acc = acc * alpha[:, None]` left out: l is rescaled when the max grows, acc is not."""
    return _online(q, k, v, mask, is_causal, rescale_acc=False)


def mask_after_max(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> Tensor:
    """The row max taken before the mask (and the causal rule) is applied: a masked-out key
    with a large score sets the max, and every allowed key's exp2(s − max) underflows to 0 —
    in float32, or already in the float16 p of the p·v dot for float16 inputs."""
    return _online(q, k, v, mask, is_causal, mask_before_max=False)


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "no_scale",
        "exposed_by": "float32 basic",
        "agrees_on": "size one",
        "title": {"en": "No 1/√D scaling", "zh": "缺少 1/√D 缩放"},
        "explanation": {
            "en": "Scores are q·kᵀ without dividing by √D. Their variance grows with D, so the "
            "softmax saturates towards one-hot and its gradients vanish.",
            "zh": "打分直接用 q·kᵀ，没有除以 √D。点积的方差随 D 线性增长，softmax 会趋于 one-hot，"
            "梯度几乎消失——这正是 Transformer 引入 scaled dot-product 的原因。",
        },
        "excerpt": (
            "scores = q @ k.transpose(-2, -1)\n"
            "weights = torch.softmax(scores, dim=-1)\n"
            "out = weights @ v"
        ),
        "fix": "scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))",
        "attention": no_scale,
    },
    {
        "id": "scale_by_d",
        "exposed_by": "float32 basic",
        "agrees_on": "size one",
        "title": {"en": "Scaled by 1/D instead of 1/√D", "zh": "缩放因子写成 1/D 而不是 1/√D"},
        "explanation": {
            "en": "Scores are divided by D. q·k has standard deviation ≈ √D, so dividing by √D "
            "(not D) is what brings it back to unit scale; 1/D over-flattens the softmax.",
            "zh": "打分除以了 D。q·k 的标准差约为 √D，除以 √D 才能把它拉回单位尺度；"
            "除以 D 会让 softmax 过于平滑，注意力分布被抹平。",
        },
        "excerpt": (
            "scores = q @ k.transpose(-2, -1) / q.size(-1)\n"
            "weights = torch.softmax(scores, dim=-1)"
        ),
        "fix": "scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))",
        "attention": scale_by_d,
    },
    {
        "id": "softmax_over_queries",
        "exposed_by": "float32 basic",
        "agrees_on": "size one",
        "title": {"en": "Softmax over the wrong dimension", "zh": "softmax 的维度用错了"},
        "explanation": {
            "en": "softmax is taken over dim=-2 (the queries). Each query's weights over the keys "
            "must sum to 1, so the softmax belongs on dim=-1, the key axis of the Sq×Sk scores.",
            "zh": "softmax 做在了 dim=-2（query 维）上。每个 query 对所有 key 的权重之和应为 1，"
            "所以 softmax 必须沿 Sq×Sk 打分矩阵的 key 维，即 dim=-1。",
        },
        "excerpt": (
            "scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))\n"
            "weights = torch.softmax(scores, dim=-2)\n"
            "out = weights @ v"
        ),
        "fix": "weights = torch.softmax(scores, dim=-1)  # over the keys",
        "attention": softmax_over_queries,
    },
    {
        "id": "causal_excludes_diagonal",
        "exposed_by": "causal",
        "agrees_on": "float32 basic",
        "title": {
            "en": "Causal mask off by one (diagonal excluded)",
            "zh": "causal mask 差一位（把对角线也遮住了）",
        },
        "explanation": {
            "en": "The causal mask lets query i see only keys j < i (tril with diagonal=-1). A "
            "token must also attend to itself (j ≤ i); the first row ends up with no key at all.",
            "zh": "causal mask 只允许 query i 看 j < i 的 key（tril 用了 diagonal=-1）。"
            "token 必须能看到自己（j ≤ i）；这样第一行一个 key 都没有，整行输出变成 0（或 NaN）。",
        },
        "excerpt": (
            "causal = torch.ones(sq, sk, dtype=torch.bool).tril(diagonal=-1)\n"
            "scores = scores.masked_fill(~causal, float('-inf'))"
        ),
        "fix": "causal = torch.ones(sq, sk, dtype=torch.bool).tril()  # j <= i",
        "attention": causal_excludes_diagonal,
    },
    {
        "id": "causal_attends_future",
        "exposed_by": "causal",
        "agrees_on": "float32 basic",
        "title": {
            "en": "Causal mask transposed (attends to the future)",
            "zh": "causal mask 方向反了（看到了未来的 token）",
        },
        "explanation": {
            "en": "The mask keeps the upper triangle (triu), so query i attends to keys j ≥ i — "
            "the future — instead of j ≤ i. Keep the lower triangle: torch.tril.",
            "zh": "mask 保留的是上三角（triu），query i 看到的是 j ≥ i 的未来 token，"
            "而不是 j ≤ i。应保留下三角：torch.tril。",
        },
        "excerpt": (
            "causal = torch.ones(sq, sk, dtype=torch.bool).triu()\n"
            "scores = scores.masked_fill(~causal, float('-inf'))"
        ),
        "fix": "causal = torch.ones(sq, sk, dtype=torch.bool).tril()  # j <= i",
        "attention": causal_attends_future,
    },
    {
        "id": "mask_inverted",
        "exposed_by": "bool mask (B, 1, Sq, Sk)",
        "agrees_on": "float32 basic",
        "title": {"en": "Boolean mask polarity inverted", "zh": "bool mask 的含义取反了"},
        "explanation": {
            "en": "True is treated as 'masked out', but in this drill (as in SDPA's attn_mask) "
            "True means 'may attend'. nn.MultiheadAttention's key_padding_mask uses the "
            "opposite convention, which is where this mix-up usually comes from.",
            "zh": "把 True 当成了「屏蔽」，"
            "但本题（与 SDPA 的 attn_mask 一致）True 表示「可以关注」。"
            "nn.MultiheadAttention 的 key_padding_mask 恰好是相反约定，最容易混淆。",
        },
        "excerpt": (
            "if mask is not None:\n"
            "    scores = scores.masked_fill(mask, float('-inf'))"
        ),
        "fix": "scores = scores.masked_fill(~mask, float('-inf'))  # True = may attend",
        "attention": mask_inverted,
    },
    {
        "id": "mask_fills_zero",
        "exposed_by": "bool mask (B, 1, Sq, Sk)",
        "agrees_on": "float32 basic",
        "title": {
            "en": "Masked scores set to 0 instead of −inf",
            "zh": "被 mask 的打分填了 0 而不是 −inf",
        },
        "explanation": {
            "en": "masked_fill(~mask, 0) leaves masked keys with score 0, and exp(0) = 1 still "
            "gives them weight. Masked positions must become −inf so softmax gives them 0.",
            "zh": "masked_fill(~mask, 0) 只是把打分置 0，exp(0) = 1，被屏蔽的 key 仍有权重。"
            "应填 −inf，softmax 之后才恰好为 0。",
        },
        "excerpt": (
            "if mask is not None:\n"
            "    scores = scores.masked_fill(~mask, 0)\n"
            "weights = torch.softmax(scores, dim=-1)"
        ),
        "fix": "scores = scores.masked_fill(~mask, float('-inf'))",
        "attention": mask_fills_zero,
    },
    {
        "id": "masked_rows_nan",
        "exposed_by": "fully masked rows",
        "agrees_on": "float32 basic",
        "title": {"en": "Fully masked rows give NaN", "zh": "整行被 mask 时输出 NaN"},
        "explanation": {
            "en": "When a query may attend to no key, every score is −inf and softmax computes "
            "0/0 = NaN, which then poisons the loss and the gradients. Such rows must return 0, "
            "as PyTorch's scaled_dot_product_attention does.",
            "zh": "某个 query 一个 key 都不能看时，整行打分都是 −inf，softmax 算出 0/0 = NaN，"
            "并会污染 loss 和梯度。这样的行应输出 0"
            "（与 PyTorch 的 scaled_dot_product_attention 一致）。",
        },
        "excerpt": (
            "scores = scores.masked_fill(~mask, float('-inf'))\n"
            "weights = torch.softmax(scores, dim=-1)\n"
            "out = weights @ v"
        ),
        "fix": (
            "weights = torch.softmax(scores, dim=-1)\n"
            "# a row with no allowed key is all NaN: make it 0, as SDPA does\n"
            "weights = weights.masked_fill(~mask.any(dim=-1, keepdim=True), 0.0)"
        ),
        "attention": masked_rows_nan,
    },
    {
        "id": "mask_indexed_by_batch",
        "exposed_by": "2-D mask (Sq, Sk)",
        "agrees_on": "bool mask (B, 1, Sq, Sk)",
        "title": {
            "en": "Mask indexed as mask[b] (assumes a batch axis)",
            "zh": "用 mask[b] 取 mask（默认它有 batch 维）",
        },
        "explanation": {
            "en": "The mask is read as mask[b] for batch b. That only works when its first axis "
            "is the batch. A mask broadcastable to (B, H, Sq, Sk) may be (Sq, Sk), (H, Sq, Sk), "
            "(1, H, Sq, Sk), …: broadcasting aligns the LAST dims, so mask[b] picks a query row "
            "or a head instead of a batch. Expand it (mask.expand(B, H, Sq, Sk)) or let "
            "masked_fill broadcast it against the whole (B, H, Sq, Sk) score tensor.",
            "zh": "按 batch 取了 mask[b]，这只在 mask 的第一维正好是 batch 时成立。"
            "可广播到 (B, H, Sq, Sk) 的 mask 可以是 (Sq, Sk)、(H, Sq, Sk)、(1, H, Sq, Sk)……"
            "广播从最后几维对齐，mask[b] 取到的其实是某一行 query 或某个 head。"
            "应先 mask.expand(B, H, Sq, Sk)，或直接让 masked_fill 对整个 (B, H, Sq, Sk) 打分广播。",
        },
        "attention": mask_indexed_by_batch,
    },
    {
        "id": "running_max_not_carried",
        "exposed_by": "ragged lengths (Sq 21, Sk 37)",
        "agrees_on": "float32 basic",
        "tracks": ["triton"],
        "title": {
            "en": "Running max not carried across key blocks",
            "zh": "running max 没有跨 key block 传递",
        },
        "explanation": {
            "en": "The kernel computes m_new = max(m_i, rowmax(s)) but never stores it back into "
            "m_i, so m_i stays −inf. Every block's rescale factor exp2(m_i − m_new) is then 0 and "
            "wipes l and acc: only the last key block reaches the output. The running max is "
            "the state that makes the online softmax exact — carry it (m_i = m_new) after "
            "each block.",
            "zh": "kernel 算了 m_new = max(m_i, rowmax(s))，却没有写回 m_i，m_i 一直是 −inf。"
            "于是每个 block 的缩放因子 exp2(m_i − m_new) 都是 0，把 l 和 acc 清零：只有最后一个 "
            "key block 留在输出里。running max 正是让 online softmax 精确的状态——每个 block "
            "之后都要 m_i = m_new。",
        },
        "attention": running_max_not_carried,
    },
    {
        "id": "accumulator_not_rescaled",
        "exposed_by": "ragged lengths (Sq 21, Sk 37)",
        "agrees_on": "float32 basic",
        "tracks": ["triton"],
        "title": {
            "en": "Accumulator not rescaled when the max grows",
            "zh": "max 变大时没有重新缩放累加器",
        },
        "explanation": {
            "en": "When a later key block raises the row max from m to m', everything already "
            "summed was weighted by exp2(s − m) and must be multiplied by exp2(m − m'). The "
            "kernel rescales l but not acc, so earlier blocks are over-weighted by exp2(m' − m) "
            "(acc = acc * alpha[:, None] before adding p·v).",
            "zh": "后面的 key block 把行最大值从 m 提高到 m' 时，之前累加的项都是按 exp2(s − m) "
            "加权的，必须乘上 exp2(m − m')。kernel 只缩放了 l，没缩放 acc，前面的 block 被多算了 "
            "exp2(m' − m) 倍（加 p·v 之前要 acc = acc * alpha[:, None]）。",
        },
        "attention": accumulator_not_rescaled,
    },
    {
        "id": "mask_after_max",
        "exposed_by": "extreme logits with a mask",
        "agrees_on": "bool mask (B, 1, Sq, Sk)",
        "tracks": ["triton"],
        "title": {
            "en": "Mask applied after the row max",
            "zh": "先取行最大值，后加 mask",
        },
        "explanation": {
            "en": "The row max is taken over the scores before the masked ones are set to −inf. "
            "A masked-out key with a large score then sets the max, and exp2(s − max) of every "
            "allowed key underflows to 0 in float32 (gaps beyond ~126 in base 2): the row comes "
            "out as zeros or NaN. Apply the mask (and the causal and Sk bounds) with "
            "tl.where(..., s, -inf) first, then take the max.",
            "zh": "行最大值是在把被 mask 的打分置为 −inf 之前取的。一个被屏蔽、但打分很大的 "
            "key 决定了 max，所有允许的 key 的 exp2(s − max) 在 float32 下下溢为 0"
            "（以 2 为底差距超过约 126 时）：整行输出变成 0 或 NaN。应先用 "
            "tl.where(..., s, -inf) 施加 mask（以及 causal 和 Sk 边界），再取 max。",
        },
        "attention": mask_after_max,
    },
]
