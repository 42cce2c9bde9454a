"""Known-wrong variants of the ``paged_attention`` drill, for the grader's "looks like …"
diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic paged-attention bug and is otherwise
the reference (float64, heads h // G), so its output is the bug's exact signature. The
variants that read through the table the way a buggy solution would keep Python's meaning
of a −1 entry (the last physical block).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor


def _attend(q_row: Tensor, keys: Tensor, values: Tensor, *, modulo: bool = False) -> Tensor:
    """softmax(q·kᵀ/√D)·v for one sequence: q_row (Hq, D), keys/values (Hkv, L, D); float64.
    Head h reads KV head h // G, or h % Hkv if `modulo`."""
    hq, d = q_row.shape
    hkv = keys.shape[0]
    group = hq // hkv
    q64 = q_row.to(torch.float64)
    kv_of = (torch.arange(hq) % hkv) if modulo else (torch.arange(hq) // group)
    keys, values = keys.to(torch.float64)[kv_of], values.to(torch.float64)[kv_of]
    scores = (q64[:, None, :] @ keys.transpose(-2, -1))[:, 0] / math.sqrt(d)   # (Hq, L)
    return torch.softmax(scores, dim=-1)[:, None, :].matmul(values)[:, 0]


def _gather(pages: Tensor, blocks: Tensor, length: int) -> Tensor:
    """Positions [0, length) through `blocks` (logical block order): (Hkv, length, D)."""
    hkv, d = pages.shape[1], pages.shape[3]
    return pages[blocks.long()].transpose(0, 1).reshape(hkv, -1, d)[:, :length]


def _run(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor, seq_lens: Tensor,
         *, span: Any = None, blocks_of: Any = None, modulo: bool = False,
         empty_nan: bool = False) -> Tensor:
    """The reference loop with hooks: `span(length, bs)` = how many positions to read,
    `blocks_of(b, n)` = the physical blocks of sequence b's first n logical blocks."""
    b, hq, d = q.shape
    bs = k_pages.shape[2]
    out = torch.zeros(b, hq, d, dtype=torch.float64)
    for i in range(b):
        length = int(seq_lens[i])
        n_read = span(length, bs) if span is not None else length
        if n_read == 0:
            if empty_nan:  # a padded, fully masked row: softmax of all −inf is 0/0
                out[i] = float("nan")
            continue
        n_blocks = -(-n_read // bs)
        blocks = blocks_of(i, n_blocks) if blocks_of is not None else block_table[i, :n_blocks]
        out[i] = _attend(q[i], _gather(k_pages, blocks, n_read), _gather(v_pages, blocks, n_read),
                         modulo=modulo)
    return out.to(q.dtype)


def offset_uses_num_blocks(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                           seq_lens: Tensor) -> Tensor:
    """Flat slot = block · num_blocks + offset (instead of block · block_size + offset) in a
    (num_blocks·block_size) view of the pages."""
    b, hq, d = q.shape
    num_blocks, hkv, bs = k_pages.shape[0], k_pages.shape[1], k_pages.shape[2]
    flat_k = k_pages.transpose(1, 2).reshape(num_blocks * bs, hkv, d)
    flat_v = v_pages.transpose(1, 2).reshape(num_blocks * bs, hkv, d)
    out = torch.zeros(b, hq, d, dtype=torch.float64)
    for i in range(b):
        length = int(seq_lens[i])
        if length == 0:
            continue
        j = torch.arange(length)
        # A solution with this bug reads out of range once num_blocks > block_size and
        # crashes there; wrapping keeps the variant defined on every case.
        slots = (block_table[i, j // bs].long() * num_blocks + j % bs) % flat_k.shape[0]
        out[i] = _attend(q[i], flat_k[slots].transpose(0, 1), flat_v[slots].transpose(0, 1))
    return out.to(q.dtype)


def seq_lens_ignored(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                     seq_lens: Tensor) -> Tensor:
    """Attends over every entry of the table row (max_blocks · block_size positions)."""
    width = block_table.shape[1] * k_pages.shape[2]
    return _run(q, k_pages, v_pages, block_table, seq_lens, span=lambda n, bs: width)


def last_block_unmasked(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                        seq_lens: Tensor) -> Tensor:
    """Attends to the whole last block, including its slots at positions ≥ seq_len."""
    return _run(q, k_pages, v_pages, block_table, seq_lens,
                span=lambda n, bs: -(-n // bs) * bs)


def table_ignored(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                  seq_lens: Tensor) -> Tensor:
    """Reads logical block i from physical block i (as if every sequence were contiguous
    from block 0), never looking at the block table."""
    return _run(q, k_pages, v_pages, block_table, seq_lens,
                blocks_of=lambda i, n: torch.arange(n))


def head_mapping_modulo(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                        seq_lens: Tensor) -> Tensor:
    """Query head h reads KV head h % Hkv instead of h // (Hq / Hkv)."""
    return _run(q, k_pages, v_pages, block_table, seq_lens, modulo=True)


def empty_sequence_nan(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                       seq_lens: Tensor) -> Tensor:
    """A sequence of length 0 goes through the softmax of nothing: 0/0 = NaN."""
    return _run(q, k_pages, v_pages, block_table, seq_lens, empty_nan=True)


def length_off_by_one(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                      seq_lens: Tensor) -> Tensor:
    """Reads positions j ≤ seq_len (one slot too many), through the table."""
    return _run(q, k_pages, v_pages, block_table, seq_lens, span=lambda n, bs: n + 1)


_MAPPING_EN = ("In GQA the G = Hq / Hkv consecutive query heads share one KV head: head h "
               "reads KV head h // G. h % Hkv spreads neighbouring query heads over "
               "different KV heads, which pretrained weights do not expect.")
_MAPPING_ZH = ("GQA 中相邻的 G = Hq / Hkv 个 query 头共享一个 KV 头：头 h 读取 KV 头 h // G。"
               "h % Hkv 把相邻 query 头分给了不同的 KV 头，与预训练权重不符。")

MISTAKES: list[dict[str, Any]] = [
    {
        "id": "offset_uses_num_blocks",
        "title": {"en": "Slot index computed with the number of blocks",
                  "zh": "槽位下标用块的数量来算"},
        "explanation": {
            "en": "With the pages viewed as one flat array of num_blocks · block_size slots, "
                  "position j lives at slot block_table[b, j // block_size] · block_size + "
                  "j % block_size. Multiplying the block id by num_blocks reads other "
                  "blocks' slots (and runs past the end when num_blocks > block_size).",
            "zh": "把 pages 看成 num_blocks · block_size 个槽位的一维数组时，位置 j 在槽位 "
                  "block_table[b, j // block_size] · block_size + j % block_size。"
                  "用 num_blocks 去乘块号会读到别的块的槽位（num_blocks > block_size 时还会越界"
                  "）。",
        },
        "paged_attention": offset_uses_num_blocks,
        "exposed_by": "float32 basic",
    },
    {
        "id": "seq_lens_ignored",
        "title": {"en": "seq_lens ignored: the whole table row is read",
                  "zh": "忽略 seq_lens：读了整行块表"},
        "explanation": {
            "en": "Every entry of block_table[b] is read as if the sequence filled "
                  "max_blocks · block_size slots. Entries past the last needed block are "
                  "garbage (−1 indexes the last physical block in PyTorch), and even the "
                  "last real block is only partly filled. Only positions j < seq_lens[b] "
                  "exist.",
            "zh": "把 block_table[b] 的每一项都当成有效块，好像序列占满了 max_blocks · block_si"
                  "ze 个槽位。"
                  "最后一个所需块之后的表项是垃圾值（在 PyTorch 中 −1 会索引到最后一个物理块），"
                  "最后一个真实块也只填了一部分。只有 j < seq_lens[b] 的位置存在。",
        },
        "paged_attention": seq_lens_ignored,
        "exposed_by": "float32 basic",
    },
    {
        "id": "last_block_unmasked",
        "title": {"en": "The last block's unused slots are attended to",
                  "zh": "最后一个块里未使用的槽位也参与了注意力"},
        "explanation": {
            "en": "The keys run to the end of the last block, ceil(L / block_size) · "
                  "block_size positions. Its slots at positions ≥ seq_len hold whatever an "
                  "earlier sequence left there; mask positions j ≥ seq_lens[b].",
            "zh": "key 一直读到最后一个块的末尾，共 ceil(L / block_size) · block_size 个位置。"
                  "该块中位置 ≥ seq_len 的槽位存的是之前序列留下的数据；必须屏蔽 j ≥ seq_lens[b]。",
        },
        "paged_attention": last_block_unmasked,
        "exposed_by": "float32 basic",
        "agrees_on": "lengths on block boundaries",
    },
    {
        "id": "table_ignored",
        "title": {"en": "Block table ignored (logical block = physical block)",
                  "zh": "忽略块表（把逻辑块当成物理块）"},
        "explanation": {
            "en": "Logical block i of a sequence is read from physical block i. The point of "
                  "paging is that a sequence's blocks are anywhere in the pool: look each one "
                  "up in block_table[b, j // block_size].",
            "zh": "把序列的第 i 个逻辑块直接当成第 i 个物理块来读。分页的意义就在于序列的块可以"
                  "散落在池中"
                  "任意位置：每个块都要通过 block_table[b, j // block_size] 查找。",
        },
        "paged_attention": table_ignored,
        "exposed_by": "float32 basic",
    },
    {
        "id": "head_mapping_modulo",
        "title": {"en": "Query head h reads KV head h % Hkv",
                  "zh": "query 头 h 读取了 KV 头 h % Hkv"},
        "explanation": {"en": _MAPPING_EN, "zh": _MAPPING_ZH},
        "paged_attention": head_mapping_modulo,
        "exposed_by": "float32 basic",
        "agrees_on": "multi-head (Hq = Hkv)",
    },
    {
        "id": "empty_sequence_nan",
        "title": {"en": "A length-0 sequence gives NaN", "zh": "长度为 0 的序列输出 NaN"},
        "explanation": {
            "en": "A sequence with no keys has an empty softmax (0/0 = NaN). In a batch, "
                  "finished or not-yet-started slots have length 0 and must return zeros, "
                  "not poison the logits with NaN.",
            "zh": "没有 key 的序列 softmax 为空（0/0 = NaN）。批处理中已结束或尚未开始的序列长"
                  "度为 0，"
                  "必须输出 0，而不是让 NaN 污染 logits。",
        },
        "paged_attention": empty_sequence_nan,
        "exposed_by": "length-0 sequences in the batch",
        "agrees_on": "float32 basic",
    },
    {
        "id": "length_off_by_one",
        "title": {"en": "One position too many (j ≤ seq_len)",
                  "zh": "多读了一个位置（j ≤ seq_len）"},
        "explanation": {
            "en": "Positions run from 0 to seq_len − 1. Using ≤ reads one more slot: stale "
                  "data inside the last block, or — on a block boundary — a slot of the next "
                  "table entry, which is garbage.",
            "zh": "位置范围是 0 到 seq_len − 1。用 ≤ 会多读一个槽位：要么是最后一个块里的旧数据，"
                  "要么（恰在块边界时）是下一个表项所指的块，而那是垃圾值。",
        },
        "paged_attention": length_off_by_one,
        "exposed_by": "float32 basic",
    },
]
