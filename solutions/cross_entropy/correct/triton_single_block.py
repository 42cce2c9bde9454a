"""A candidate's Triton cross-entropy: each row held in one block of next_pow2(V) lanes,
max-shifted softmax in registers; the backward kernel recomputes the softmax."""

import torch
import triton
import triton.language as tl


@triton.jit
def _fwd(x_ptr, t_ptr, out_ptr, lse_ptr, stride, V, ignore, eps, BLOCK: tl.constexpr):
    r = tl.program_id(0)
    c = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + r * stride + c, mask=c < V, other=-float("inf")).to(tl.float32)
    mx = tl.max(x, axis=0)
    lse = mx + tl.log(tl.sum(tl.exp(x - mx), axis=0))
    t = tl.load(t_ptr + r)
    xt = tl.sum(tl.where(c == t, x, 0.0), axis=0)
    mean_x = tl.sum(tl.where(c < V, x, 0.0), axis=0) / V
    loss = (1 - eps) * (lse - xt) + eps * (lse - mean_x)
    tl.store(out_ptr + r, tl.where(t == ignore, 0.0, loss))
    tl.store(lse_ptr + r, lse)


@triton.jit
def _bwd(x_ptr, t_ptr, lse_ptr, g_ptr, dx_ptr, stride, V, ignore, eps, BLOCK: tl.constexpr):
    r = tl.program_id(0)
    c = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + r * stride + c, mask=c < V, other=0.0).to(tl.float32)
    t = tl.load(t_ptr + r)
    g = tl.load(g_ptr)
    p = tl.exp(x - tl.load(lse_ptr + r))
    d = (p - eps / V - tl.where(c == t, 1 - eps, 0.0)) * g
    d = tl.where(t == ignore, 0.0, d)
    tl.store(dx_ptr + r * stride + c, d.to(dx_ptr.dtype.element_ty), mask=c < V)


class CE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, targets, ignore_index, eps):
        x = logits.contiguous()
        n, v = x.shape
        out = torch.empty(n, device=x.device, dtype=torch.float32)
        lse = torch.empty(n, device=x.device, dtype=torch.float32)
        block = triton.next_power_of_2(v)
        _fwd[(n,)](x, targets, out, lse, x.stride(0), v, ignore_index, eps, BLOCK=block)
        count = (targets != ignore_index).sum().clamp(min=1).float()
        ctx.save_for_backward(x, targets, lse, count)
        ctx.args = (ignore_index, eps, block)
        return (out.sum() / count).to(logits.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, targets, lse, count = ctx.saved_tensors
        ignore_index, eps, block = ctx.args
        g = (grad.float() / count).reshape(1)
        dx = torch.empty_like(x)
        _bwd[(x.shape[0],)](x, targets, lse, g, dx, x.stride(0), x.shape[1], ignore_index, eps,
                            BLOCK=block)
        return dx, None, None, None


def cross_entropy(logits, targets, ignore_index=-100, label_smoothing=0.0):
    return CE.apply(logits, targets, ignore_index, label_smoothing)
