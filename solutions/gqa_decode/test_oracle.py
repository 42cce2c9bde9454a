"""The gqa_decode oracle against independent computations: full causal attention over the
whole sequence with PyTorch's SDPA on K/V repeated to Hq heads (Hugging Face's repeat_kv),
token-by-token decoding against one chunked prefill, and the in-place cache writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location("gqa_decode_reference_under_test",
                                               Path(__file__).with_name("reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def _sequence(b: int, hq: int, hkv: int, s: int, d: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(b, hq, s, d, generator=g, dtype=torch.float64)
    k = torch.randn(b, hkv, s, d, generator=g, dtype=torch.float64)
    v = torch.randn(b, hkv, s, d, generator=g, dtype=torch.float64) + 1.0
    return q, k, v


def _sdpa_full(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Causal attention over the whole sequence, K/V repeated to Hq heads (repeat_kv)."""
    group = q.shape[1] // k.shape[1]
    k_rep = k.repeat_interleave(group, dim=1)
    v_rep = v.repeat_interleave(group, dim=1)
    return F.scaled_dot_product_attention(q, k_rep, v_rep, is_causal=True)


@pytest.mark.parametrize(("hq", "hkv"), [(4, 4), (8, 2), (6, 1), (16, 2)])
@pytest.mark.parametrize(("start", "t"), [(0, 1), (0, 5), (5, 1), (4, 3), (9, 3)])
def test_chunk_matches_full_attention(hq: int, hkv: int, start: int, t: int) -> None:
    s_max, d = 12, 16
    q, k, v = _sequence(2, hq, hkv, s_max, d, seed=hq * 100 + start * 10 + t)
    end = start + t
    full = _sdpa_full(q[:, :, :end], k[:, :, :end], v[:, :, :end])
    k_cache = torch.full((2, hkv, s_max, d), 7.0, dtype=torch.float64)
    v_cache = torch.full((2, hkv, s_max, d), -7.0, dtype=torch.float64)
    k_cache[:, :, :start], v_cache[:, :, :start] = k[:, :, :start], v[:, :, :start]
    out = ref.gqa_decode(q[:, :, start:end], k[:, :, start:end], v[:, :, start:end],
                         k_cache, v_cache, start)
    torch.testing.assert_close(out, full[:, :, start:end], rtol=1e-12, atol=1e-12)
    # Written exactly where asked; the stale slots after start + T untouched.
    torch.testing.assert_close(k_cache[:, :, :end], k[:, :, :end], rtol=0, atol=0)
    torch.testing.assert_close(v_cache[:, :, :end], v[:, :, :end], rtol=0, atol=0)
    assert bool((k_cache[:, :, end:] == 7.0).all()) and bool((v_cache[:, :, end:] == -7.0).all())


def test_token_by_token_equals_one_prefill() -> None:
    q, k, v = _sequence(1, 8, 2, 9, 8, seed=5)
    caches = [torch.zeros(1, 2, 9, 8, dtype=torch.float64) for _ in range(4)]
    whole = ref.gqa_decode(q, k, v, caches[0], caches[1], 0)
    steps = [ref.gqa_decode(q[:, :, i:i + 1], k[:, :, i:i + 1], v[:, :, i:i + 1],
                            caches[2], caches[3], i) for i in range(9)]
    torch.testing.assert_close(torch.cat(steps, dim=2), whole, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(caches[2], caches[0], rtol=0, atol=0)


def test_half_precision_keeps_dtype_and_writes_exactly() -> None:
    q, k, v = (t.half() for t in _sequence(2, 4, 2, 6, 16, seed=6))
    k_cache, v_cache = torch.zeros(2, 2, 8, 16).half(), torch.zeros(2, 2, 8, 16).half()
    out = ref.gqa_decode(q[:, :, 2:6], k[:, :, 2:6], v[:, :, 2:6], k_cache, v_cache, 2)
    assert out.dtype == torch.float16
    assert torch.equal(k_cache[:, :, 2:6], k[:, :, 2:6])


def test_bench_baseline_agrees_in_float32() -> None:
    q, k, v = (t.float() for t in _sequence(2, 8, 2, 10, 16, seed=7))
    want_caches = [torch.zeros(2, 2, 10, 16) for _ in range(2)]
    got_caches = [torch.zeros(2, 2, 10, 16) for _ in range(2)]
    for start, t in ((0, 4), (4, 1), (5, 5)):
        sl = slice(start, start + t)
        want = ref.gqa_decode(q[:, :, sl], k[:, :, sl], v[:, :, sl], *want_caches, start)
        got = ref.BENCH_BASELINES["gqa_decode"](q[:, :, sl], k[:, :, sl], v[:, :, sl],
                                                *got_caches, start)
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(got_caches[0], want_caches[0], rtol=0, atol=0)
