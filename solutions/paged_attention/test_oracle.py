"""The paged_attention oracle against independent computations: a contiguous sequence split
into shuffled blocks must give PyTorch SDPA's answer on the contiguous keys (K/V repeated to
Hq heads); relabelling physical blocks, or changing table entries past the last needed
block, must not change anything; empty sequences give zeros."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location("paged_attention_reference_under_test",
                                               Path(__file__).with_name("reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def _paginate(keys: list[torch.Tensor], values: list[torch.Tensor], block_size: int,
              spare: int, gen: torch.Generator):
    """Split per-sequence (Hkv, L, D) keys/values into a shuffled block pool and a table
    whose unused entries are −1; unused slots are filled with 99 so reading them shows."""
    hkv, d = keys[0].shape[0], keys[0].shape[2]
    needed = [-(-k.shape[1] // block_size) for k in keys]
    num_blocks = sum(needed) + spare
    order = torch.randperm(num_blocks, generator=gen)
    k_pages = torch.full((num_blocks, hkv, block_size, d), 99.0, dtype=torch.float64)
    v_pages = torch.full((num_blocks, hkv, block_size, d), 99.0, dtype=torch.float64)
    table = torch.full((len(keys), max(needed) + 1), -1, dtype=torch.int32)
    used = 0
    for b, (k, v) in enumerate(zip(keys, values, strict=True)):
        for i in range(needed[b]):
            blk = int(order[used])
            used += 1
            table[b, i] = blk
            chunk = slice(i * block_size, min((i + 1) * block_size, k.shape[1]))
            n = chunk.stop - chunk.start
            k_pages[blk, :, :n] = k[:, chunk]
            v_pages[blk, :, :n] = v[:, chunk]
    return k_pages, v_pages, table


@pytest.mark.parametrize(("hq", "hkv"), [(4, 4), (8, 2), (6, 1)])
@pytest.mark.parametrize("block_size", [1, 5, 16])
def test_matches_sdpa_on_contiguous_keys(hq: int, hkv: int, block_size: int) -> None:
    gen = torch.Generator().manual_seed(hq * 31 + block_size)
    lens = [1, 16, 23, 40]
    d = 8
    keys = [torch.randn(hkv, n, d, generator=gen, dtype=torch.float64) for n in lens]
    values = [torch.randn(hkv, n, d, generator=gen, dtype=torch.float64) + 1 for n in lens]
    q = torch.randn(len(lens), hq, d, generator=gen, dtype=torch.float64)
    k_pages, v_pages, table = _paginate(keys, values, block_size, spare=3, gen=gen)
    out = ref.paged_attention(q, k_pages, v_pages, table, torch.tensor(lens, dtype=torch.int32))
    for b in range(len(lens)):
        k_rep = keys[b].repeat_interleave(hq // hkv, dim=0)
        v_rep = values[b].repeat_interleave(hq // hkv, dim=0)
        want = F.scaled_dot_product_attention(q[b][:, None], k_rep, v_rep)[:, 0]
        torch.testing.assert_close(out[b], want, rtol=1e-12, atol=1e-12)


def test_block_relabelling_and_garbage_do_not_matter() -> None:
    gen = torch.Generator().manual_seed(3)
    q = torch.randn(3, 4, 8, generator=gen, dtype=torch.float64)
    k_pages = torch.randn(10, 2, 4, 8, generator=gen, dtype=torch.float64)
    v_pages = torch.randn(10, 2, 4, 8, generator=gen, dtype=torch.float64)
    table = torch.tensor([[3, 7, 1, -1], [0, -1, -1, -1], [9, 2, 5, 4]], dtype=torch.int32)
    lens = torch.tensor([10, 3, 16], dtype=torch.int32)
    out = ref.paged_attention(q, k_pages, v_pages, table, lens)
    garbage = table.clone()
    garbage[0, 3], garbage[1, 1:] = 6, torch.tensor([8, 8, 8], dtype=torch.int32)
    torch.testing.assert_close(ref.paged_attention(q, k_pages, v_pages, garbage, lens), out,
                               rtol=0, atol=0)
    perm = torch.randperm(10, generator=gen)            # physical block p moves to perm[p]
    moved_k, moved_v = torch.empty_like(k_pages), torch.empty_like(v_pages)
    moved_k[perm], moved_v[perm] = k_pages, v_pages
    moved_table = torch.where(table >= 0, perm[table.long().clamp(min=0)].int(), table)
    torch.testing.assert_close(
        ref.paged_attention(q, moved_k, moved_v, moved_table, lens), out, rtol=0, atol=0)


def test_empty_sequences_give_zeros_and_dtype_is_kept() -> None:
    gen = torch.Generator().manual_seed(4)
    q = torch.randn(2, 2, 8, generator=gen).half()
    pages = torch.randn(3, 1, 4, 8, generator=gen).half()
    table = torch.tensor([[-1], [2]], dtype=torch.int32)
    out = ref.paged_attention(q, pages, pages, table, torch.tensor([0, 3], dtype=torch.int32))
    assert out.dtype == torch.float16
    assert bool((out[0] == 0).all()) and bool(out[1].isfinite().all())


def test_bench_baseline_agrees_in_float32() -> None:
    gen = torch.Generator().manual_seed(5)
    q = torch.randn(3, 8, 16, generator=gen)
    k_pages = torch.randn(12, 2, 8, 16, generator=gen)
    v_pages = torch.randn(12, 2, 8, 16, generator=gen)
    table = torch.tensor([[4, 0, 11, -1], [7, -1, -1, -1], [1, 2, 3, 5]], dtype=torch.int32)
    lens = torch.tensor([17, 0, 32], dtype=torch.int32)
    torch.testing.assert_close(
        ref.BENCH_BASELINES["paged_attention"](q, k_pages, v_pages, table, lens),
        ref.paged_attention(q, k_pages, v_pages, table, lens), rtol=1e-5, atol=1e-5)
