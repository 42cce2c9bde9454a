"""Drill: paged attention (see `quizapp drill list`, or the statement in the app).

Grade with:  quizapp grade paged_attention        (or: quizapp drill watch paged_attention)
"""

import math  # noqa: F401 - you will probably want math.sqrt

import torch


def paged_attention(q, k_pages, v_pages, block_table, seq_lens):
    """One decode step of attention over a paged KV cache.

    q: (B, Hq, D); k_pages, v_pages: (num_blocks, Hkv, block_size, D);
    block_table: int32 (B, max_blocks); seq_lens: int32 (B,).
    Key j of sequence b is k_pages[block_table[b, j // block_size], kv, j % block_size];
    only j < seq_lens[b] exist. Head h reads KV head h // (Hq // Hkv); scale 1/sqrt(D).
    Length-0 sequences give zeros. Return (B, Hq, D) in q's dtype.
    """
    raise NotImplementedError("paged_attention() is not written yet")


if __name__ == "__main__":
    pages = torch.randn(4, 2, 8, 16)
    table = torch.tensor([[2, 0], [1, -1]], dtype=torch.int32)
    lens = torch.tensor([13, 5], dtype=torch.int32)
    print(paged_attention(torch.randn(2, 4, 16), pages, pages, table, lens).shape)
