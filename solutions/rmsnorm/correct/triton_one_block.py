"""A correct rmsnorm Triton solution in the "one block per row" style, the starter filled in
the way a candidate would: the whole row is one block of next_power_of_2(N) lanes."""

import torch
import triton
import triton.language as tl


@triton.jit
def rms_norm_kernel(x_ptr, w_ptr, y_ptr, row_stride, n_cols, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    w = tl.load(w_ptr + cols, mask=mask, other=0.0).to(tl.float32)
    rstd = 1.0 / tl.sqrt(tl.sum(x * x, axis=0) / n_cols + eps)
    tl.store(y_ptr + row * row_stride + cols, (x * rstd * w).to(y_ptr.dtype.element_ty),
             mask=mask)


def rms_norm(x, weight, eps=1e-6):
    n = x.shape[-1]
    x2 = x.reshape(-1, n).contiguous()
    y = torch.zeros_like(x2)
    block = triton.next_power_of_2(n)
    rms_norm_kernel[(x2.shape[0],)](x2, weight.contiguous(), y, x2.stride(0), n, eps,
                                    BLOCK=block)
    return y.reshape(x.shape)
