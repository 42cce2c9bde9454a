"""The drills' reference solutions (solutions/<drill>/reference.py) against independent
formulations: torch's built-ins where they exist, naive or closed-form re-derivations where
they do not, hand-worked examples, edge cases, half precision and gradients.

The references are the grader's oracles, so these tests are what keeps the oracle honest.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
from pathlib import Path
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


def load_solution(drill: str, name: str) -> ModuleType:
    """Import solutions/<drill>/<name>.py under a unique module name (solutions/ is data,
    not a package)."""
    path = SOLUTIONS / drill / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_solutions_{drill}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


attention_ref = load_solution("attention", "reference")
rmsnorm_ref = load_solution("rmsnorm", "reference")
bpe_ref = load_solution("bpe_merge", "reference")
merge_ref = load_solution("softmax_merge", "reference")
clip_ref = load_solution("clip_loss", "reference")

HALF_TOL = {torch.float16: 2e-3, torch.bfloat16: 1.6e-2, torch.float32: 2e-6}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=torch.float64).to(dtype)


def assert_close_rel(actual: torch.Tensor, expected: torch.Tensor, rel: float) -> None:
    """|actual − expected| ≤ rel · (1 + |expected|) elementwise (float64 comparison)."""
    a, e = actual.double(), expected.double()
    assert a.shape == e.shape
    bound = rel * (1 + e.abs())
    err = (a - e).abs()
    assert torch.isfinite(a).all(), "non-finite output"
    assert (err <= bound).all(), f"max err {err.max().item():.3g}"


# --------------------------------------------------------------------------------------------
# attention
# --------------------------------------------------------------------------------------------

ATTN_SHAPES = [
    # (B, H, Sq, Sk, D)
    (1, 1, 1, 1, 1),
    (1, 1, 1, 7, 16),
    (2, 3, 5, 5, 8),
    (2, 2, 13, 9, 32),
    (1, 4, 17, 17, 64),
]


@pytest.mark.parametrize("shape", ATTN_SHAPES)
def test_attention_matches_sdpa_float64(shape: tuple[int, ...]) -> None:
    b, h, sq, sk, d = shape
    q, k, v = randn(b, h, sq, d, seed=1), randn(b, h, sk, d, seed=2), randn(b, h, sk, d, seed=3)
    expected = F.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(attention_ref.attention(q, k, v), expected, rtol=1e-12, atol=1e-12)
    if sq == sk:
        expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out = attention_ref.attention(q, k, v, is_causal=True)
        torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mask_shape", [(9, 11), (2, 1, 1, 11), (2, 3, 9, 11), (1, 3, 9, 1)])
def test_attention_bool_mask_broadcasts_like_sdpa(mask_shape: tuple[int, ...]) -> None:
    q, k, v = randn(2, 3, 9, 8, seed=4), randn(2, 3, 11, 8, seed=5), randn(2, 3, 11, 8, seed=6)
    mask = torch.rand(*mask_shape, generator=gen(7)) > 0.4
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    out = attention_ref.attention(q, k, v, mask=mask)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)


def test_attention_fully_masked_rows_are_zero_with_finite_grads() -> None:
    q = randn(1, 2, 4, 8, seed=8).requires_grad_()
    k = randn(1, 2, 6, 8, seed=9).requires_grad_()
    v = randn(1, 2, 6, 8, seed=10).requires_grad_()
    mask = torch.ones(4, 6, dtype=torch.bool)
    mask[2] = False
    out = attention_ref.attention(q, k, v, mask=mask)
    assert torch.equal(out[:, :, 2], torch.zeros_like(out[:, :, 2]))
    assert out[:, :, [0, 1, 3]].abs().sum() > 0
    out.sum().backward()
    for t in (q, k, v):
        assert t.grad is not None and torch.isfinite(t.grad).all()
    assert torch.equal(q.grad[:, :, 2], torch.zeros_like(q.grad[:, :, 2]))
    # Every key masked for every query: the whole output is zeros.
    none = torch.zeros(4, 6, dtype=torch.bool)
    assert torch.equal(
        attention_ref.attention(q, k, v, mask=none), torch.zeros(1, 2, 4, 8, dtype=q.dtype)
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_attention_low_precision_dtype_and_accuracy(dtype: torch.dtype) -> None:
    q = randn(2, 2, 10, 32, seed=11, dtype=dtype)
    k = randn(2, 2, 10, 32, seed=12, dtype=dtype)
    v = randn(2, 2, 10, 32, seed=13, dtype=dtype)
    for causal in (False, True):
        out = attention_ref.attention(q, k, v, is_causal=causal)
        assert out.dtype == dtype and out.shape == q.shape
        # The float64 SDPA of the same (rounded) inputs, rounded once: the oracle must be
        # within one rounding of it.
        expected = F.scaled_dot_product_attention(
            q.double(), k.double(), v.double(), is_causal=causal
        )
        assert_close_rel(out, expected, HALF_TOL[dtype])


def test_attention_extreme_logits_are_stable() -> None:
    q = randn(1, 1, 6, 16, seed=14) * 300
    k = randn(1, 1, 6, 16, seed=15) * 300
    v = randn(1, 1, 6, 16, seed=16)
    out = attention_ref.attention(q.float(), k.float(), v.float())
    assert torch.isfinite(out).all()
    expected = F.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)


def test_attention_gradients_match_sdpa() -> None:
    base = [randn(2, 2, 7, 8, seed=s) for s in (17, 18, 19)]
    mask = torch.rand(7, 7, generator=gen(20)) > 0.3
    for kwargs in ({}, {"is_causal": True}, {"mask": mask}):
        mine = [t.clone().requires_grad_() for t in base]
        theirs = [t.clone().requires_grad_() for t in base]
        grad_out = randn(2, 2, 7, 8, seed=21)
        (attention_ref.attention(*mine, **kwargs) * grad_out).sum().backward()
        sdpa_kwargs = {"attn_mask": kwargs["mask"]} if "mask" in kwargs else kwargs
        (F.scaled_dot_product_attention(*theirs, **sdpa_kwargs) * grad_out).sum().backward()
        for a, b in zip(mine, theirs, strict=True):
            torch.testing.assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-10)


def test_attention_half_precision_gradients_flow_in_input_dtype() -> None:
    q, k, v = (
        randn(1, 2, 5, 16, seed=s, dtype=torch.bfloat16).requires_grad_() for s in (22, 23, 24)
    )
    attention_ref.attention(q, k, v, is_causal=True).float().square().sum().backward()
    for t in (q, k, v):
        assert t.grad is not None and t.grad.dtype == torch.bfloat16
        assert torch.isfinite(t.grad).all() and t.grad.abs().sum() > 0


def test_attention_does_not_modify_inputs_and_rejects_undefined_combinations() -> None:
    q, k, v = randn(1, 1, 4, 8, seed=25), randn(1, 1, 4, 8, seed=26), randn(1, 1, 4, 8, seed=27)
    mask = torch.ones(4, 4, dtype=torch.bool)
    copies = [t.clone() for t in (q, k, v, mask)]
    attention_ref.attention(q, k, v, mask=mask)
    for t, c in zip((q, k, v, mask), copies, strict=True):
        assert torch.equal(t, c)
    with pytest.raises(ValueError, match="not both"):
        attention_ref.attention(q, k, v, mask=mask, is_causal=True)
    with pytest.raises(ValueError, match="Sq == Sk"):
        attention_ref.attention(
            q, randn(1, 1, 5, 8, seed=1), randn(1, 1, 5, 8, seed=2), is_causal=True
        )


# --------------------------------------------------------------------------------------------
# rmsnorm
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1,), (1, 1), (3, 5), (2, 3, 7), (4, 1000)])
@pytest.mark.parametrize("eps", [1e-6, 1e-5, 0.5])
def test_rmsnorm_matches_torch_float64(shape: tuple[int, ...], eps: float) -> None:
    x = randn(*shape, seed=30) * 3 + 0.5
    w = randn(shape[-1], seed=31)
    expected = F.rms_norm(x, (shape[-1],), w, eps=eps)
    torch.testing.assert_close(
        rmsnorm_ref.rms_norm(x, w, eps=eps), expected, rtol=1e-12, atol=1e-12
    )


def test_rmsnorm_default_eps_is_1e_6() -> None:
    x = randn(3, 4, seed=32) * 1e-3  # small enough that eps matters
    w = torch.ones(4, dtype=torch.float64)
    expected = F.rms_norm(x, (4,), w, eps=1e-6)
    torch.testing.assert_close(rmsnorm_ref.rms_norm(x, w), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("magnitude", [1.0, 300.0])
def test_rmsnorm_half_precision_large_activations(dtype: torch.dtype, magnitude: float) -> None:
    # |x| ≈ 300: x² ≈ 9e4 overflows float16 (max 65504) unless the statistics are float32+.
    x = (randn(4, 256, seed=33) * magnitude).to(dtype)
    w = (randn(256, seed=34) * 0.1 + 1).to(dtype)
    out = rmsnorm_ref.rms_norm(x, w)
    assert out.dtype == dtype and out.shape == x.shape
    expected = F.rms_norm(x.double(), (256,), w.double(), eps=1e-6)
    assert_close_rel(out, expected, HALF_TOL[dtype])


def test_rmsnorm_gradients_match_torch() -> None:
    x0, w0, g = randn(3, 4, 9, seed=35) + 1, randn(9, seed=36), randn(3, 4, 9, seed=37)
    x1, w1 = x0.clone().requires_grad_(), w0.clone().requires_grad_()
    x2, w2 = x0.clone().requires_grad_(), w0.clone().requires_grad_()
    (rmsnorm_ref.rms_norm(x1, w1, eps=1e-3) * g).sum().backward()
    (F.rms_norm(x2, (9,), w2, eps=1e-3) * g).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(w1.grad, w2.grad, rtol=1e-10, atol=1e-10)


def test_rmsnorm_does_not_modify_inputs() -> None:
    x, w = randn(2, 8, seed=38), randn(8, seed=39)
    xc, wc = x.clone(), w.clone()
    out = rmsnorm_ref.rms_norm(x, w)
    assert torch.equal(x, xc) and torch.equal(w, wc)
    assert out.data_ptr() != x.data_ptr()


# --------------------------------------------------------------------------------------------
# bpe_merge
# --------------------------------------------------------------------------------------------


def naive_train(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """An independent BPE: pairs found by scanning for each candidate's first index with
    list slicing, merges done by repeated str.replace on a token-id string encoding."""
    ids = list(text.encode("utf-8"))
    merges = []
    for new_id in range(256, vocab_size):
        if len(ids) < 2:
            break
        pairs = list(zip(ids, ids[1:], strict=False))
        best = max(pairs, key=lambda p: (pairs.count(p), -pairs.index(p)))
        merges.append(best)
        # Tokens as fixed-width fields so str.replace (left to right, non-overlapping) merges.
        enc = "".join(f"<{t}>" for t in ids)
        enc = enc.replace(f"<{best[0]}><{best[1]}>", f"<{new_id}>")
        ids = [int(t) for t in enc.strip("<>").split("><")]
    return merges


@pytest.mark.parametrize(
    ("ids", "pair", "new_id", "expected"),
    [
        ([1, 1, 1], (1, 1), 9, [9, 1]),
        ([1, 1, 1, 1], (1, 1), 9, [9, 9]),
        ([1, 2, 3, 1, 2], (1, 2), 7, [7, 3, 7]),
        ([2, 1], (1, 2), 7, [2, 1]),
        ([], (1, 2), 7, []),
        ([5], (5, 5), 7, [5]),
        ([3, 1, 2, 1, 2, 2], (1, 2), 300, [3, 300, 300, 2]),
    ],
)
def test_bpe_merge_examples(
    ids: list[int], pair: tuple[int, int], new_id: int, expected: list[int]
) -> None:
    original = list(ids)
    assert bpe_ref.merge(ids, pair, new_id) == expected
    assert ids == original


def test_bpe_train_wikipedia_example_and_early_stop() -> None:
    a, b, c, d = (ord(ch) for ch in "abcd")
    expected = [(a, a), (256, a), (257, b), (258, d), (259, 258), (260, a), (261, c)]
    # 11 bytes can take at most 10 merges, but 7 already leave a single token.
    assert bpe_ref.train("aaabdaaabac", 300) == expected
    assert bpe_ref.train("aaabdaaabac", 259) == expected[:3]


def test_bpe_train_ties_go_to_earliest_first_occurrence() -> None:
    # (z, a) and (a, b) tie at 2: the smallest pair (a, b) must not win.
    assert bpe_ref.train("zabzab", 257) == [(ord("z"), ord("a"))]
    # (a, b) and (b, c) tie at 2: the largest pair (b, c) must not win.
    assert bpe_ref.train("abcabc", 257) == [(ord("a"), ord("b"))]


def test_bpe_train_counts_overlapping_positions() -> None:
    # "abaaa": (a, a) occurs at overlapping positions 2 and 3 → count 2 beats (a, b) and
    # (b, a), which occur once each and earlier.
    assert bpe_ref.train("abaaa", 257) == [(ord("a"), ord("a"))]


@pytest.mark.parametrize(
    ("text", "vocab_size"),
    [
        ("大模型面试大模型", 270),
        ("the cat sat on the mat; the hat is flat", 290),
        ("aaaaaaaaaaaaaaaaab", 270),
        ("x", 300),
        ("", 260),
        ("hello", 256),
        ("hello", 100),
        ("注意力机制 attention 注意力 attention!", 300),
    ],
)
def test_bpe_train_matches_naive_implementation(text: str, vocab_size: int) -> None:
    merges = bpe_ref.train(text, vocab_size)
    assert merges == naive_train(text, vocab_size)
    assert len(merges) <= max(0, vocab_size - 256)
    assert all(isinstance(p, tuple) and len(p) == 2 for p in merges)


def test_bpe_train_chinese_first_merges_are_shared_characters() -> None:
    text = "大模型面试大模型"
    merges = bpe_ref.train(text, 256 + 8)
    # Replaying the merges on the bytes must rebuild 大模型 as one token used twice.
    ids = list(text.encode("utf-8"))
    for i, pair in enumerate(merges):
        ids = bpe_ref.merge(ids, pair, 256 + i)
    assert merges[0] == tuple("大".encode()[:2])
    # [大模型, 面 (3 bytes), 试 (3 bytes), 大模型]: 8 merges build the 9-byte word.
    assert ids[0] == ids[-1] == 263 and len(ids) == 8


# --------------------------------------------------------------------------------------------
# softmax_merge
# --------------------------------------------------------------------------------------------


def state_of(scores: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The exact (m, l, o) of a block, straight from the definition."""
    m = scores.max(dim=-1).values
    p = torch.exp(scores - m.unsqueeze(-1))
    return m, p.sum(-1), p @ v


def empty_state(
    *shape: int, d: int, dtype: torch.dtype = torch.float64
) -> tuple[torch.Tensor, ...]:
    return (
        torch.full(shape, float("-inf"), dtype=dtype),
        torch.zeros(shape, dtype=dtype),
        torch.zeros(*shape, d, dtype=dtype),
    )


@pytest.mark.parametrize("split", [1, 4, 9])
def test_merge_states_equals_state_of_union(split: int) -> None:
    s = randn(3, 5, 10, seed=40) * 4 + 2
    v = randn(3, 10, 6, seed=41)
    st1 = state_of(s[..., :split], v[:, :split])
    st2 = state_of(s[..., split:], v[:, split:])
    expected = state_of(s, v)
    for got, want in zip(merge_ref.merge_states(*st1, *st2), expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    # Merging is symmetric.
    for got, want in zip(merge_ref.merge_states(*st2, *st1), expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_merge_states_with_empty_states_never_nan() -> None:
    st = state_of(randn(4, 7, seed=42) + 3, randn(7, 5, seed=43))
    empty = empty_state(4, d=5)
    for got, want in zip(merge_ref.merge_states(*empty, *st), st, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    for got, want in zip(merge_ref.merge_states(*st, *empty), st, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    m, lsum, o = merge_ref.merge_states(*empty, *empty)
    assert torch.isneginf(m).all() and not lsum.any() and not o.any()
    # Rows 1 and 3 empty on the first side only.
    keep = torch.tensor([True, False, True, False])
    mixed = (
        torch.where(keep, st[0], empty[0]),
        torch.where(keep, st[1], empty[1]),
        torch.where(keep[:, None], st[2], empty[2]),
    )
    m, lsum, o = merge_ref.merge_states(*mixed, *empty)
    for got, want in zip((m, lsum, o), mixed, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_merge_states_gradients_finite_with_empty_state() -> None:
    st = [t.clone().requires_grad_() for t in state_of(randn(3, 4, seed=44), randn(4, 2, seed=45))]
    empty = [t.clone().requires_grad_() for t in empty_state(3, d=2)]
    m, lsum, o = merge_ref.merge_states(*st, *empty)
    (m.sum() + lsum.sum() + o.sum()).backward()
    for t in st + empty[1:]:
        assert t.grad is not None and torch.isfinite(t.grad).all()
    torch.testing.assert_close(st[2].grad, torch.ones_like(st[2].grad))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_merge_states_low_precision_dtypes(dtype: torch.dtype) -> None:
    s = randn(6, 12, seed=46) * 5
    v = randn(12, 8, seed=47)
    st1 = [t.to(dtype) for t in state_of(s[:, :5], v[:5])]
    st2 = [t.to(dtype) for t in state_of(s[:, 5:], v[5:])]
    expected = merge_ref.merge_states(*[t.double() for t in st1], *[t.double() for t in st2])
    got = merge_ref.merge_states(*st1, *st2)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == dtype
        assert_close_rel(g, e, HALF_TOL[dtype])


def full_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v.double()


@pytest.mark.parametrize("block_size", [1, 3, 8, 16, 64])
@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 7, 16), (5, 16, 8), (13, 1, 4)])
def test_blockwise_attention_matches_full_softmax(
    block_size: int, shape: tuple[int, int, int]
) -> None:
    sq, sk, d = shape
    q, k, v = randn(2, sq, d, seed=48), randn(2, sk, d, seed=49), randn(2, sk, d, seed=50)
    torch.testing.assert_close(
        merge_ref.blockwise_attention(q, k, v, block_size),
        full_attention(q, k, v),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_blockwise_attention_low_precision_and_large_logits(dtype: torch.dtype) -> None:
    q = (randn(2, 3, 9, 16, seed=51) * 8).to(dtype)
    k = (randn(2, 3, 21, 16, seed=52) * 8).to(dtype)
    v = randn(2, 3, 21, 16, seed=53).to(dtype)
    out = merge_ref.blockwise_attention(q, k, v, 4)
    assert out.dtype == dtype and out.shape == q.shape
    assert_close_rel(out, full_attention(q, k, v), HALF_TOL[dtype])


class LargestTensor(TorchDispatchMode):
    """Records the largest tensor any aten op produces while active."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
        return out


def test_blockwise_attention_never_holds_the_full_score_matrix() -> None:
    sq, sk, d, block = 64, 512, 4, 16
    q, k, v = randn(sq, d, seed=54), randn(sk, d, seed=55), randn(sk, d, seed=56)
    with LargestTensor() as probe:
        out = merge_ref.blockwise_attention(q, k, v, block)
    assert probe.largest <= max(sq * block, sk * d)
    assert probe.largest < sq * sk // 4
    torch.testing.assert_close(out, full_attention(q, k, v), rtol=1e-12, atol=1e-12)


def test_blockwise_attention_gradients_match_full_attention() -> None:
    base = [randn(2, 6, 8, seed=57), randn(2, 11, 8, seed=58), randn(2, 11, 8, seed=59)]
    mine = [t.clone().requires_grad_() for t in base]
    theirs = [t.clone().requires_grad_() for t in base]
    merge_ref.blockwise_attention(*mine, 4).sin().sum().backward()
    full_attention(*theirs).sin().sum().backward()
    for a, b in zip(mine, theirs, strict=True):
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------------------------
# clip_loss
# --------------------------------------------------------------------------------------------


def direct_clip(img: torch.Tensor, txt: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    logits = scale * F.normalize(img, dim=-1) @ F.normalize(txt, dim=-1).T
    labels = torch.arange(img.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


@pytest.mark.parametrize("n", [1, 2, 7, 32])
@pytest.mark.parametrize("scale", [1.0, 14.285, 100.0])
def test_clip_loss_matches_direct_formula(n: int, scale: float) -> None:
    img = randn(n, 12, seed=60) * 3 + 1
    # Matched pairs that are actually similar, so the diagonal dominates.
    txt = img + randn(n, 12, seed=61) * 0.5
    s = torch.tensor(scale, dtype=torch.float64)
    out = clip_ref.clip_loss(img, txt, s)
    assert out.shape == () and out.dtype == torch.float64
    torch.testing.assert_close(out, direct_clip(img, txt, s), rtol=1e-12, atol=1e-12)
    if n == 1:
        assert out.item() == pytest.approx(0.0, abs=1e-12)


def test_clip_loss_is_symmetric_in_its_two_directions() -> None:
    img, txt = randn(5, 8, seed=62), randn(5, 8, seed=63)
    s = torch.tensor(30.0, dtype=torch.float64)
    torch.testing.assert_close(clip_ref.clip_loss(img, txt, s), clip_ref.clip_loss(txt, img, s))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_clip_loss_low_precision(dtype: torch.dtype) -> None:
    img = (randn(16, 64, seed=64) * 20).to(dtype)
    txt = (randn(16, 64, seed=65) * 20).to(dtype)
    s = torch.tensor(100.0, dtype=dtype)
    out = clip_ref.clip_loss(img, txt, s)
    assert out.dtype == dtype and out.shape == ()
    assert_close_rel(out, direct_clip(img.double(), txt.double(), s.double()), HALF_TOL[dtype])


def test_clip_loss_gradients_match_direct_formula() -> None:
    base = [randn(6, 10, seed=66), randn(6, 10, seed=67), torch.tensor(20.0, dtype=torch.float64)]
    mine = [t.clone().requires_grad_() for t in base]
    theirs = [t.clone().requires_grad_() for t in base]
    clip_ref.clip_loss(*mine).backward()
    direct_clip(*theirs).backward()
    for a, b in zip(mine, theirs, strict=True):
        assert a.grad is not None
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-10)
    assert mine[2].grad.abs() > 0


def test_clip_loss_half_precision_gradients_in_input_dtype() -> None:
    img = randn(4, 8, seed=68, dtype=torch.float16).requires_grad_()
    txt = randn(4, 8, seed=69, dtype=torch.float16).requires_grad_()
    s = torch.tensor(50.0, dtype=torch.float16, requires_grad=True)
    clip_ref.clip_loss(img, txt, s).backward()
    for t in (img, txt, s):
        assert t.grad is not None and t.grad.dtype == torch.float16
        assert torch.isfinite(t.grad).all()


# --------------------------------------------------------------------------------------------
# signatures (SPEC.md, "The five mission drills")
# --------------------------------------------------------------------------------------------

SPEC_SIGNATURES = {
    ("attention", "attention"): "(q, k, v, mask=None, is_causal=False)",
    ("rmsnorm", "rms_norm"): "(x, weight, eps=1e-06)",
    ("bpe_merge", "merge"): "(ids, pair, new_id)",
    ("bpe_merge", "train"): "(text, vocab_size)",
    ("softmax_merge", "merge_states"): "(m1, l1, o1, m2, l2, o2)",
    ("softmax_merge", "blockwise_attention"): "(q, k, v, block_size)",
    ("clip_loss", "clip_loss"): "(image_emb, text_emb, logit_scale)",
}


@pytest.mark.parametrize(("drill", "entry"), sorted(SPEC_SIGNATURES))
def test_reference_signatures_follow_spec(drill: str, entry: str) -> None:
    func = getattr(load_solution(drill, "reference"), entry)
    params = inspect.signature(func).parameters.values()
    shown = (
        "("
        + ", ".join(
            p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
            for p in params
        )
        + ")"
    )
    assert shown == SPEC_SIGNATURES[(drill, entry)]
