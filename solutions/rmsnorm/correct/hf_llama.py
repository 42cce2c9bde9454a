"""A correct rmsnorm solution in the "hf_llama" style, written the way a candidate would
(graded by the generic drill tests: the tolerances are not tuned to the oracle alone)."""

import torch
def rms_norm(x, weight, eps=1e-6):
    h = x.float() if x.dtype != torch.float64 else x
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(x.dtype)
