"""A correct rmsnorm solution on the Triton track that autotunes its chunk size with
`@triton.autotune`, written the way a candidate would (graded by the generic drill tests; on
a machine without a GPU the grader runs it under TRITON_INTERPRET=1, where the autotuner has
no driver to time configs with: the grader then runs each config once and keeps the first).

Each program normalises one row, streaming it twice in BLOCK-wide chunks (sum of squares in
float32, then the scaled write), so every config is right for any row width; on a GPU the
autotuner keeps the fastest config per row width (`key=["n_cols"]`).
"""

import torch
import triton
import triton.language as tl


@triton.autotune(
    configs=[triton.Config({"BLOCK": 64}, num_warps=1),
             triton.Config({"BLOCK": 256}, num_warps=2),
             triton.Config({"BLOCK": 1024}, num_warps=4)],
    key=["n_cols"],
)
@triton.jit
def rms_norm_kernel(x_ptr, w_ptr, y_ptr, row_stride, n_cols, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    x_row = x_ptr + row * row_stride
    y_row = y_ptr + row * row_stride
    cols = tl.arange(0, BLOCK)
    acc = tl.zeros([BLOCK], dtype=tl.float32)
    for start in range(0, n_cols, BLOCK):
        c = start + cols
        x = tl.load(x_row + c, mask=c < n_cols, other=0.0).to(tl.float32)
        acc += x * x
    rstd = 1.0 / tl.sqrt(tl.sum(acc, axis=0) / n_cols + eps)
    for start in range(0, n_cols, BLOCK):
        c = start + cols
        mask = c < n_cols
        x = tl.load(x_row + c, mask=mask, other=0.0).to(tl.float32)
        w = tl.load(w_ptr + c, mask=mask, other=0.0).to(tl.float32)
        tl.store(y_row + c, (x * rstd * w).to(y_ptr.dtype.element_ty), mask=mask)


def rms_norm(x, weight, eps=1e-6):
    n = x.shape[-1]
    x2 = x.reshape(-1, n).contiguous()
    y = torch.empty_like(x2)
    if x2.numel():
        rms_norm_kernel[(x2.shape[0],)](x2, weight.contiguous(), y, x2.stride(0), n, eps)
    return y.reshape(x.shape)
