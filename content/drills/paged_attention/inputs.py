"""Inputs of the paged_attention drill's cases.

Parameters (declared in drill.yaml): `lens` lists the sequence lengths (B = len(lens));
`hq`, `hkv`, `d`, `block_size`; `table_extra` adds columns to the block table past the
longest sequence's blocks and `spare_blocks` adds physical blocks that no sequence owns;
`garbage` fills the table past each sequence's last block with −1 or with random valid
block ids (other sequences' blocks). Physical blocks are handed out in a random order, so
a solution that reads logical block i from physical block i fails. Slots past a sequence's
length — the tail of its last block, and spare blocks — hold stale values offset by
`stale`, so reading them changes the output. `scale` is the std of q and k, `v_offset`
the per-feature mean of v; `layout: transposed` makes q non-contiguous ((H, B, D) stored).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import (
    CaseInputs,
    dtype,
    feature_offset,
    generator,
    randn,
    transposed,
)


def paged_attention(p: dict[str, Any], seed: int) -> CaseInputs:
    """q, the page pools, the block table and the lengths for one case."""
    import torch

    g = generator(seed)
    lens = list(p["lens"])
    b, hq, hkv, d, bs = len(lens), p["hq"], p["hkv"], p["d"], p["block_size"]
    dt = dtype(p["dtype"])
    needed = [-(-n // bs) for n in lens]
    num_blocks = sum(needed) + p["spare_blocks"]
    max_blocks = max(needed, default=0) + p["table_extra"]
    order = torch.randperm(num_blocks, generator=g).to(torch.int32)
    table = torch.full((b, max_blocks), -1, dtype=torch.int32)
    stale = torch.ones(num_blocks, bs, dtype=torch.bool)   # slots no sequence reads
    used = 0
    for i, (n, length) in enumerate(zip(needed, lens, strict=True)):
        table[i, :n] = order[used:used + n]
        for j in range(n):
            stale[order[used + j], : min(bs, length - j * bs)] = False
        if p["garbage"] == "random" and max_blocks > n:
            table[i, n:] = torch.randint(0, max(num_blocks, 1), (max_blocks - n,), generator=g,
                                         dtype=torch.int32)
        used += n
    shift = feature_offset(d, p["v_offset"])
    k_pages = randn((num_blocks, hkv, bs, d), g) * p["scale"] + 0.2
    v_pages = randn((num_blocks, hkv, bs, d), g) + shift
    mask = stale[:, None, :, None]
    k_pages = torch.where(mask, k_pages + p["stale"], k_pages)
    v_pages = torch.where(mask, v_pages - p["stale"], v_pages)
    q = randn((b, hq, d), g) * p["scale"] + 0.2
    if p["layout"] == "transposed":
        q = transposed(q, 0, 1)
    return CaseInputs({"q": q.to(dt), "k_pages": k_pages.to(dt), "v_pages": v_pages.to(dt),
                       "block_table": table, "seq_lens": torch.tensor(lens, dtype=torch.int32)})
