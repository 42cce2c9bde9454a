"""Drill: rotary position embedding, Triton track (see `quizapp drill list`).

Grade with:  quizapp grade rope rope_triton.py
Without a GPU the grader runs this under TRITON_INTERPRET=1 by itself.
The launcher below is complete; write the kernel body.
"""

import torch
import triton
import triton.language as tl


@triton.jit
def rope_kernel(x_ptr, pos_ptr, y_ptr, n_rows, stride_x, stride_y, half, base,
                INTERLEAVED: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_H: tl.constexpr):
    """Rotate rows [pid·BLOCK_R, (pid+1)·BLOCK_R) of x (R, D) into y; pair i is
    (i, i + half), or (2i, 2i + 1) when INTERLEAVED; row r sits at position pos_ptr[r]."""
    rows = tl.program_id(0) * BLOCK_R + tl.arange(0, BLOCK_R)
    cols = tl.arange(0, BLOCK_H)
    mask = (rows < n_rows)[:, None] & (cols < half)[None, :]
    # TODO: load the positions of these rows; θ = p · base^(−2i/D) in tl.float32 (D = 2·half);
    #   load a and b (the two halves of each pair), rotate them in tl.float32:
    #   (a·cos θ − b·sin θ, a·sin θ + b·cos θ), and store both (cast to y's element type).


def apply_rope(x, positions, base=10000.0, interleaved=False):
    """Launch one program per BLOCK_R rows of x viewed as (R, D); return x's dtype."""
    d = x.shape[-1]
    x2 = x.reshape(-1, d).contiguous()
    pos = positions.expand(x.shape[:-1]).reshape(-1).contiguous()
    y = torch.zeros_like(x2)
    block_h = triton.next_power_of_2(d // 2)
    block_r = 16
    grid = (triton.cdiv(x2.shape[0], block_r),)
    rope_kernel[grid](x2, pos, y, x2.shape[0], x2.stride(0), y.stride(0), d // 2, base,
                      INTERLEAVED=interleaved, BLOCK_R=block_r, BLOCK_H=block_h)
    return y.reshape(x.shape)
