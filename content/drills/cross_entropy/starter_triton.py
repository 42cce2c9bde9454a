"""Drill: softmax cross-entropy, Triton track (see `quizapp drill list`, or the statement).

Grade with:  quizapp grade cross_entropy cross_entropy_triton.py
Without a GPU the grader runs this under TRITON_INTERPRET=1 by itself.
The launchers and the autograd wiring below are complete; write the two kernel bodies.
"""

import torch
import triton
import triton.language as tl


@triton.jit
def ce_forward_kernel(x_ptr, t_ptr, loss_ptr, lse_ptr, row_stride, n_cols, ignore_index,
                      smoothing, BLOCK: tl.constexpr):
    """Row `tl.program_id(0)`: store its loss (0 if ignored) and its log-sum-exp."""
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    # TODO: one pass over the row in chunks of BLOCK (`for start in range(0, n_cols, BLOCK)`),
    #   loading with other=-inf and keeping, in float32, the running max m and
    #   s = Σ exp(x − m) (rescale s when m grows) and Σ x. Then
    #   lse = m + log(s);  loss = (1 − ε)·(lse − x[target]) + ε·(lse − Σx / n_cols).
    # Store loss (0.0 for an ignored row) at loss_ptr + row and lse at lse_ptr + row.


@triton.jit
def ce_backward_kernel(x_ptr, t_ptr, lse_ptr, scale_ptr, dx_ptr, row_stride, n_cols,
                       ignore_index, smoothing, BLOCK: tl.constexpr):
    """Row `tl.program_id(0)`: dx = g/#valid · (softmax − ε/V − (1 − ε)·onehot), 0 if ignored."""
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    # TODO: g = tl.load(scale_ptr) (= grad_output / #valid); for each chunk of the row,
    #   p = exp(x − lse);  store (p − ε/n_cols − (1 − ε)·(col == target)) · g  (0 if ignored).


class _CrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, targets, ignore_index, smoothing):
        x = logits.contiguous()
        n, v = x.shape
        loss = torch.zeros(n, dtype=torch.float32, device=x.device)
        lse = torch.zeros(n, dtype=torch.float32, device=x.device)
        block = min(triton.next_power_of_2(v), 4096)
        ce_forward_kernel[(n,)](x, targets, loss, lse, x.stride(0), v, ignore_index, smoothing,
                                BLOCK=block)
        count = (targets != ignore_index).sum().clamp(min=1)
        ctx.save_for_backward(x, targets, lse, count)
        ctx.ignore_index, ctx.smoothing, ctx.block = ignore_index, smoothing, block
        return (loss.sum() / count).to(logits.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, targets, lse, count = ctx.saved_tensors
        n, v = x.shape
        scale = (grad.float() / count).reshape(1)
        dx = torch.zeros_like(x)
        ce_backward_kernel[(n,)](x, targets, lse, scale, dx, x.stride(0), v, ctx.ignore_index,
                                 ctx.smoothing, BLOCK=ctx.block)
        return dx, None, None, None


def cross_entropy(logits, targets, ignore_index=-100, label_smoothing=0.0):
    """Mean cross-entropy over the non-ignored rows, differentiable through the kernels."""
    return _CrossEntropy.apply(logits, targets, ignore_index, float(label_smoothing))
