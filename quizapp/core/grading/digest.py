"""Digests of input tensors: how a memory-budget case proves its inputs unchanged without
sending them back.

A memory-budget case runs under a hard data limit that must measure what the *solution*
allocates. Sending the inputs back for the did-it-change check would serialise them inside
that limit (a 16 MiB weight costs 30+ MiB of pickling), so the budget would have to be as
large as the very tensor it is meant to forbid. Instead the child sends a digest of each
input tensor, the parent computes the digest of the tensor it sent, and a mismatch is the
same "modified its input" verdict as a full comparison.

The digest covers dtype, shape and the values in row-major order (so it does not depend on
the tensor's strides), hashed in place where the tensor is contiguous and in chunks of at
most `CHUNK_BYTES` where it is not: computing it allocates next to nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

#: Largest contiguous copy made while hashing a non-contiguous tensor.
CHUNK_BYTES = 1 << 20


def tensor_digest(tensor: Any) -> str:
    """A hex digest of a CPU tensor's dtype, shape and values (bit-exact)."""
    import torch

    t = tensor.detach()
    h = hashlib.sha256()  # SHA-NI makes it the fastest of hashlib on x86
    h.update(f"{t.dtype}|{tuple(t.shape)}|".encode())
    if t.numel():
        _update(h, t, torch)
    return h.hexdigest()


def _update(h: Any, t: Any, torch: Any) -> None:
    if t.is_contiguous():
        # Reinterpret as bytes without a copy (numpy has no bfloat16, so go through uint8).
        h.update(t.reshape(-1).view(torch.uint8).numpy().data)
        return
    row_bytes = t[0].numel() * t.element_size() if t.dim() else t.element_size()
    if t.dim() == 0 or row_bytes == 0:
        h.update(t.contiguous().reshape(-1).view(torch.uint8).numpy().data)
        return
    if row_bytes > CHUNK_BYTES:
        for i in range(t.shape[0]):  # rows still too large: recurse into each row
            _update(h, t[i], torch)
        return
    rows = max(1, CHUNK_BYTES // row_bytes)
    for start in range(0, t.shape[0], rows):
        h.update(t[start:start + rows].contiguous().reshape(-1).view(torch.uint8).numpy().data)
