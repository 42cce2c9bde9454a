"""A correct LoRA written the way a candidate might: PEFT's eval-mode forward with
matmuls, and an explicit upcast for the merge."""

import torch


def lora_linear(x, weight, bias, lora_a, lora_b, alpha):
    r = lora_a.shape[0]
    scaling = alpha / r
    result = x @ weight.t()
    if bias is not None:
        result = result + bias
    return result + (x @ lora_a.t() @ lora_b.t()) * scaling


def merge_lora(weight, lora_a, lora_b, alpha):
    scaling = alpha / lora_a.shape[0]
    acc = torch.float64 if weight.dtype == torch.float64 else torch.float32
    delta = torch.einsum("or,ri->oi", lora_b.to(acc), lora_a.to(acc)) * scaling
    return (weight.to(acc) + delta).to(weight.dtype)
