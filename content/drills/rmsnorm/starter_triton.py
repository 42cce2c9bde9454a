"""Drill: RMSNorm, Triton track (see `quizapp drill list`, or the statement in the app).

Grade with:  quizapp grade rmsnorm --track triton   (or: quizapp drill watch rmsnorm --track triton)
Without a GPU the grader runs this under TRITON_INTERPRET=1 by itself.
The launcher below is complete; write the kernel body.
"""

import torch
import triton
import triton.language as tl


@triton.jit
def rms_norm_kernel(x_ptr, w_ptr, y_ptr, row_stride, n_cols, eps, BLOCK: tl.constexpr):
    """Normalise row `tl.program_id(0)` of x into y (statistics in float32)."""
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    # TODO: load the row (other=0.0) and the weight, compute in tl.float32:
    #   rms = sqrt(sum(x²) / n_cols + eps);  y = x / rms * w
    # then store y (cast to the output's element type) with the same mask.


def rms_norm(x, weight, eps=1e-6):
    """Launch one program per row of x viewed as (rows, N); return y in x's dtype."""
    n = x.shape[-1]
    x2 = x.reshape(-1, n).contiguous()
    y = torch.zeros_like(x2)
    block = triton.next_power_of_2(n)
    rms_norm_kernel[(x2.shape[0],)](x2, weight.contiguous(), y, x2.stride(0), n, eps,
                                    BLOCK=block)
    return y.reshape(x.shape)
