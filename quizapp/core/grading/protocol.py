"""The private channel between the grading parent and the sandboxed child.

Messages are length-prefixed frames over pipes (never the child's stdout, which belongs to
the user's prints). A frame's payload is `torch.save` of plain data — dicts, lists, tuples,
strings, numbers, None and tensors — and the parent reads it back with
`torch.load(weights_only=True)`, which refuses anything that would run code: whatever the
solution writes into the pipe, the parent at worst rejects it as corrupt.
"""

from __future__ import annotations

import io
import os
import struct
from typing import Any

#: Largest frame the parent accepts from the child (outputs of one case, or bench times).
MAX_FRAME = 512 * 1024 * 1024
_HEADER = struct.Struct(">Q")


class ChannelError(Exception):
    """The other side closed the channel or sent something unreadable."""


def encode(message: Any) -> bytes:
    """Serialise plain data (tensors included) for `write_frame`."""
    import torch

    buffer = io.BytesIO()
    torch.save(message, buffer)
    return buffer.getvalue()


def decode(payload: bytes) -> Any:
    """The inverse of `encode`, safe on untrusted input (tensors land on the CPU)."""
    import torch

    try:
        return torch.load(io.BytesIO(payload), weights_only=True, map_location="cpu")
    except Exception as err:  # noqa: BLE001 - any malformed payload is the same problem
        raise ChannelError(f"unreadable message ({type(err).__name__})") from None


def write_frame(fd: int, payload: bytes) -> None:
    """Write one frame to `fd`, all of it."""
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, max_size: int = MAX_FRAME) -> bytes | None:
    """The next frame's payload, or None at end of stream (the writer closed or died)."""
    header = _read_exact(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > max_size:
        raise ChannelError(f"message of {size} bytes is over the {max_size}-byte limit")
    payload = _read_exact(fd, size)
    if payload is None:
        raise ChannelError("message cut short")
    return payload


def send(fd: int, message: Any) -> None:
    """Encode and write one message."""
    write_frame(fd, encode(message))


def receive(fd: int, max_size: int = MAX_FRAME) -> Any:
    """Read and decode one message; None at end of stream."""
    payload = read_frame(fd, max_size)
    return None if payload is None else decode(payload)
