"""A correct rmsnorm solution written exactly like Hugging Face's `LlamaRMSNorm.forward`:
every input is computed in float32 and cast back, float64 included. Graded under the
precision policy (its float64 cases pass with a note, see tests/drills/test_precision.py)."""

import torch


def rms_norm(x, weight, eps=1e-6):
    input_dtype = x.dtype
    hidden_states = x.to(torch.float32)
    variance = hidden_states.pow(2).mean(-1, keepdim=True)
    hidden_states = hidden_states * torch.rsqrt(variance + eps)
    return weight * hidden_states.to(input_dtype)
