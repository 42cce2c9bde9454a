"""The child's end of the private channel, and what crosses it.

`Channel` sends and receives `protocol` frames; `pack` turns whatever the solution returned
into plain data the parent loads safely (`compare` reads it back), `snapshot` records an
input as it is after a call, and `describe` an exception with the solution's line that
raised it. Loaded in the zygote, before any sandbox exists (the sandbox hides the grader's
modules from later imports).
"""

from __future__ import annotations

import os
import traceback
from typing import Any

from quizapp.core.grading import protocol

_MEMORY_WORDS = ("can't allocate memory", "cannot allocate memory", "out of memory",
                 "DefaultCPUAllocator", "std::bad_alloc")


class Channel:
    """The child's end: reads jobs, writes results; exits when the parent is gone."""

    def __init__(self, job_fd: int, result_fd: int) -> None:
        self.job_fd = job_fd
        self.result_fd = result_fd

    def send(self, message: dict[str, Any]) -> None:
        protocol.send(self.result_fd, message)

    def receive(self) -> Any:
        message = protocol.receive(self.job_fd)
        if message is None:  # the parent is gone
            os._exit(0)
        return message


def describe(exc: BaseException, path: str) -> dict[str, Any]:
    """A short, safe description of an exception, with the solution's line that raised it."""
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a user exception with a broken __str__
        message = ""
    line = None
    code = ""
    try:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename == path:
                line, code = frame.lineno, (frame.line or "").strip()
    except Exception:  # noqa: BLE001 - the traceback machinery may have been tampered with
        pass
    memory = isinstance(exc, MemoryError) or any(w in message for w in _MEMORY_WORDS)
    if type(exc).__name__ == "OutOfMemoryError":
        memory = True
    return {"type": type(exc).__name__, "message": message[:600], "line": line,
            "code": code[:200], "memory": memory,
            "exit_code": exc.code if isinstance(exc, SystemExit)
            and isinstance(exc.code, (int, str, type(None))) else None}


def pack(value: Any, depth: int = 0, copy: bool = True) -> dict[str, Any]:
    """What the solution returned, as plain data the parent can load safely (`copy=False`
    serialises CPU tensors as they are, for a process short of memory)."""
    import torch

    if depth > 4:
        return {"kind": "other", "type": "deeply nested value", "repr": ""}
    if isinstance(value, torch.Tensor):
        plain = value.detach()
        subclass = type(value) not in (torch.Tensor, torch.nn.Parameter)
        if subclass:
            plain = plain.as_subclass(torch.Tensor)
        plain = plain.to("cpu")
        return {"kind": "tensor", "value": plain.clone() if copy else plain,
                "device": str(value.device),
                "requires_grad": bool(value.requires_grad),
                "subclass": type(value).__qualname__ if subclass else ""}
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, int):
        return {"kind": "int", "value": int(value)}
    if isinstance(value, float):
        return {"kind": "float", "value": float(value)}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {"kind": kind, "items": [pack(v, depth + 1, copy) for v in value]}
    if value is None:
        return {"kind": "none"}
    try:
        text = repr(value)[:80]
    except Exception:  # noqa: BLE001
        text = ""
    shape = getattr(value, "shape", None)
    return {"kind": "other", "type": f"{type(value).__module__}.{type(value).__qualname__}",
            "repr": text, "shape": str(tuple(shape)) if shape is not None else ""}


def snapshot(value: Any, copy: bool = True) -> Any:
    """An input as it is now (for the parent's did-it-change check)."""
    import torch

    if isinstance(value, torch.Tensor):
        plain = value.detach().to("cpu")
        return plain.clone() if copy else plain
    if isinstance(value, list):
        return [snapshot(v, copy) for v in value]
    if isinstance(value, tuple):
        return tuple(snapshot(v, copy) for v in value)
    return value


def nbytes(value: Any) -> int:
    """Bytes held by the tensors in an input."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, (list, tuple)):
        return sum(nbytes(v) for v in value)
    return 0


def aliases(out: Any, inputs: dict[str, Any]) -> list[str]:
    """Inputs that the output *is* (the same list) or shares memory with."""
    import torch

    outs = list(out) if isinstance(out, tuple) else [out]  # a tuple is several outputs
    found: list[str] = []
    for name, value in inputs.items():
        for item in outs:
            if item is value and isinstance(value, list):
                found.append(name)
            elif isinstance(item, torch.Tensor) and isinstance(value, torch.Tensor):
                try:
                    if item.untyped_storage().data_ptr() == value.untyped_storage().data_ptr() \
                            and value.numel() > 0:
                        found.append(name)
                except RuntimeError:
                    pass
    return sorted(set(found))


def to_device(value: Any, device: str) -> Any:
    import torch

    if isinstance(value, torch.Tensor) and device != "cpu":
        return value.to(device)
    if isinstance(value, list):
        return list(value)
    return value
