"""Every reference passes its drill, every Triton kernel passes the Triton track in
interpreter mode, every starter fails cleanly, and plausible correct solutions written the
ways users write them pass (the tolerances are not tuned to the oracle alone)."""

from __future__ import annotations

from pathlib import Path

import pytest
from drill_helpers import DRILLS, SOLUTIONS, grade, write

MISSION = list(DRILLS)


@pytest.mark.parametrize("drill_id", MISSION)
def test_reference_passes(drill_id: str) -> None:
    result = grade(drill_id, SOLUTIONS / drill_id / "reference.py")
    assert result.status == "passed", result.message
    assert result.track == "torch" and not result.interpreted
    assert len(result.cases) == len(DRILLS[drill_id].cases_for("torch"))
    assert result.mistake is None and result.timing is None


@pytest.mark.parametrize("drill_id", [d for d in MISSION if "triton" in DRILLS[d].tracks])
def test_triton_kernel_passes_the_triton_track_interpreted(drill_id: str) -> None:
    kernel = SOLUTIONS / drill_id / "kernel.py"
    result = grade(drill_id, kernel)  # the track is detected from @triton.jit
    assert result.track == "triton" and result.interpreted
    assert result.status == "passed", result.message
    assert "interpreted" in result.message


@pytest.mark.parametrize(("drill_id", "track"),
                         [(d, t) for d in MISSION for t in DRILLS[d].tracks])
def test_starter_fails_cleanly(drill_id: str, track: str) -> None:
    result = grade(drill_id, DRILLS[drill_id].starter_path(track))
    assert result.track == track
    assert result.status in ("failed", "error"), result.message
    assert result.message.startswith("case '"), result.message
    assert result.cases and not any(c.passed for c in result.cases[:1])


CORRECT = {
    ("attention", "native"): """
        import math, torch
        def attention(q, k, v, mask=None, is_causal=False):
            s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
            if is_causal:
                mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
            if mask is not None:
                s = s.masked_fill(~mask, float("-inf"))
            p = torch.softmax(s, dim=-1)
            if mask is not None:
                p = torch.where(mask.any(-1, keepdim=True), p, torch.zeros((), dtype=p.dtype))
            return p @ v
    """,
    ("attention", "finfo_min_fp32"): """
        import math, torch
        def attention(q, k, v, mask=None, is_causal=False):
            up = torch.float64 if q.dtype == torch.float64 else torch.float32
            s = (q.to(up) @ k.to(up).transpose(-2, -1)) / math.sqrt(q.shape[-1])
            if is_causal:
                mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
            if mask is not None:
                s = s.masked_fill(~mask, torch.finfo(up).min)
            p = torch.softmax(s, dim=-1)
            if mask is not None:
                p = p * mask.any(-1, keepdim=True)
            return p.to(v.dtype) @ v
    """,
    ("rmsnorm", "hf_llama"): """
        import torch
        def rms_norm(x, weight, eps=1e-6):
            h = x.float() if x.dtype != torch.float64 else x
            h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
            return weight * h.to(x.dtype)
    """,
    ("clip_loss", "native"): """
        import torch, torch.nn.functional as F
        def clip_loss(image_emb, text_emb, logit_scale):
            i, t = F.normalize(image_emb, dim=-1), F.normalize(text_emb, dim=-1)
            logits = logit_scale * i @ t.T
            labels = torch.arange(i.shape[0])
            return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    """,
    ("softmax_merge", "native"): """
        import math, torch
        def merge_states(m1, l1, o1, m2, l2, o2):
            m = torch.maximum(m1, m2)
            safe = torch.where(torch.isneginf(m), torch.zeros_like(m), m)
            a1, a2 = torch.exp(m1 - safe), torch.exp(m2 - safe)
            return m, a1 * l1 + a2 * l2, a1[..., None] * o1 + a2[..., None] * o2
        def blockwise_attention(q, k, v, block_size):
            shape = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
            m = torch.full((*shape, q.shape[-2]), float("-inf"), dtype=q.dtype)
            l = torch.zeros_like(m)
            o = torch.zeros((*shape, q.shape[-2], v.shape[-1]), dtype=q.dtype)
            for j in range(0, k.shape[-2], block_size):
                s = q @ k[..., j:j + block_size, :].transpose(-2, -1) / math.sqrt(q.shape[-1])
                mb = s.amax(-1)
                p = torch.exp(s - mb[..., None])
                m, l, o = merge_states(m, l, o, mb, p.sum(-1), p @ v[..., j:j + block_size, :])
            return o / l[..., None]
    """,
    ("bpe_merge", "minbpe_style"): """
        def merge(ids, pair, new_id):
            out, i = [], 0
            while i < len(ids):
                if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            return out
        def train(text, vocab_size):
            ids = list(text.encode("utf-8"))
            merges = []
            for i in range(vocab_size - 256):
                if len(ids) < 2:
                    break
                counts = {}
                for p in zip(ids, ids[1:]):
                    counts[p] = counts.get(p, 0) + 1
                best = max(counts, key=counts.get)
                ids = merge(ids, best, 256 + i)
                merges.append(best)
            return merges
    """,
}


@pytest.mark.parametrize(("drill_id", "style"), list(CORRECT))
def test_correct_solutions_in_other_styles_pass(solution_dir: Path, drill_id: str,
                                                style: str) -> None:
    path = write(solution_dir, f"ok_{drill_id}_{style}.py", CORRECT[(drill_id, style)])
    result = grade(drill_id, path)
    assert result.status == "passed", result.message
