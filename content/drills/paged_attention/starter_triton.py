"""Drill: paged attention, Triton track (see `quizapp drill list`).

Grade with:  quizapp grade paged_attention paged_attention_triton.py
Without a GPU the grader runs this under TRITON_INTERPRET=1 by itself.
The launcher below is complete; write the kernel body.
"""

import math

import torch
import triton
import triton.language as tl


@triton.jit
def paged_attention_kernel(q_ptr, k_ptr, v_ptr, table_ptr, lens_ptr, out_ptr, scale,
                           stride_qb, stride_qh, stride_pb, stride_ph, stride_ps, stride_tb,
                           group, head_dim, block_size,
                           BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr):
    """out[b, h] for b = program_id(0), h = program_id(1); out is contiguous (B, Hq, D).
    Page element [blk, kv, s, d] is at blk·stride_pb + kv·stride_ph + s·stride_ps + d."""
    b = tl.program_id(0)
    h = tl.program_id(1)
    offs_n = tl.arange(0, BLOCK_N)      # slots of one block (BLOCK_N >= block_size)
    offs_d = tl.arange(0, BLOCK_D)      # features (BLOCK_D >= head_dim)
    # TODO: L = seq_lens[b]; load q[b, h] (mask offs_d < head_dim) in tl.float32;
    #   for i in range(0, tl.cdiv(L, block_size)): blk = block_table[b, i]; load the keys and
    #   values of KV head h // group in that block (mask: slot < block_size and
    #   i·block_size + slot < L); update an online softmax (running max, sum, accumulator).
    #   Store acc / sum (zeros when L == 0), cast to out's element type.


def paged_attention(q, k_pages, v_pages, block_table, seq_lens):
    """Launch one program per (sequence, query head); return (B, Hq, D) in q's dtype."""
    b, hq, d = q.shape
    hkv, block_size = k_pages.shape[1], k_pages.shape[2]
    q = q.contiguous()
    k_pages, v_pages = k_pages.contiguous(), v_pages.contiguous()
    table = block_table.contiguous()
    out = torch.zeros_like(q)
    paged_attention_kernel[(b, hq)](
        q, k_pages, v_pages, table, seq_lens.contiguous(), out, 1.0 / math.sqrt(d),
        q.stride(0), q.stride(1), k_pages.stride(0), k_pages.stride(1), k_pages.stride(2),
        table.stride(0), hq // hkv, d, block_size,
        BLOCK_N=triton.next_power_of_2(block_size), BLOCK_D=triton.next_power_of_2(d))
    return out
