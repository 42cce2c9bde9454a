"""Runtime guards installed inside the sandboxed child before the solution is imported.

- **Forbidden APIs.** Every Python path to a forbidden callable (in every loaded `torch.*`
  module that holds it) is replaced by a function that records the violation and raises
  `BannedAPIError`, a `BaseException` so that `except Exception` in the solution cannot
  swallow it; forbidden classes become subclasses whose constructor does the same. The
  operators behind them are also overridden at the PyTorch dispatcher (`torch.library`), so
  `torch.ops.aten.<op>`, `torch._C._nn.<op>` and aliases built with `getattr`/`importlib`
  all hit the wire.
- **Triton launches.** `JITFunction.run` (and the interpreter's `InterpretedFunction.run`)
  count real launches, so the grader can insist that a Triton solution runs a kernel.
- **Memory.** The address-space helpers behind the child's global memory limit and the
  per-case memory budget (Linux; a no-op elsewhere).

Only the child imports this module's torch-touching functions; importing the module itself
is free.
"""

from __future__ import annotations

import ctypes
import importlib
import resource
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: Forbidden APIs hit so far (display names), in order.
VIOLATIONS: list[str] = []
#: Triton kernel launches so far.
LAUNCHES: list[int] = [0]
#: The entry point the child is calling right now (None between calls). An API forbidden
#: only inside some entry points (a drill's `entries:`) trips only while one of them runs, so
#: the harness's own autograd call after it (the gradient check) is unaffected.
ACTIVE_ENTRY: list[str | None] = [None]
_LIBRARIES: list[Any] = []  # torch.library.Library objects must stay alive to stay registered

_DISPATCH_KEYS = ("CompositeImplicitAutograd", "CompositeExplicitAutograd", "CPU", "CUDA")


class BannedAPIError(BaseException):
    """Raised when the solution calls a forbidden API."""


def _resolve(path: str) -> tuple[Any, str, Any] | None:
    """(parent object, attribute name, value) for a dotted path, or None if it is absent."""
    parts = path.split(".")
    obj: Any = None
    index = 0
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            index = i
            break
        except ImportError:
            continue
    if obj is None or index == len(parts):
        return None
    parent = obj
    for name in parts[index:-1]:
        parent = getattr(parent, name, None)
        if parent is None:
            return None
    value = getattr(parent, parts[-1], None)
    return None if value is None else (parent, parts[-1], value)


def _tripping(label: str, original: Any, entries: tuple[str, ...] = ()) -> Any:
    if isinstance(original, type):
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            VIOLATIONS.append(label)
            raise BannedAPIError(label)

        return type(original.__name__, (original,), {"__init__": __init__,
                                                     "__module__": original.__module__})

    def tripped(*args: Any, **kwargs: Any) -> Any:
        if entries and ACTIVE_ENTRY[0] not in entries:
            return original(*args, **kwargs)
        VIOLATIONS.append(label)
        raise BannedAPIError(label)

    tripped.__name__ = getattr(original, "__name__", "forbidden")
    return tripped


def install_forbidden(forbidden: Iterable[Mapping[str, Any]]) -> None:
    """Wire every forbidden API (`{"api", "aliases", "aten"}` mappings; with `"entries"`,
    only while one of those entry points runs — functions only, no `aten`)."""
    import torch

    for item in forbidden:
        label = item["api"]
        entries = tuple(item.get("entries", ()))
        for path in [item["api"], *item.get("aliases", ())]:
            found = _resolve(path)
            if found is None:
                continue
            parent, name, original = found
            wire = _tripping(label, original, entries)
            setattr(parent, name, wire)
            # The same object is re-exported under other names (torch.nn.MultiheadAttention
            # is torch.nn.modules.activation.MultiheadAttention): replace it everywhere.
            for mod_name, module in list(sys.modules.items()):
                if module is None or not (mod_name == "torch" or mod_name.startswith("torch.")):
                    continue
                try:
                    attrs = vars(module)
                except TypeError:
                    continue
                for attr, value in list(attrs.items()):
                    if value is original:
                        try:
                            setattr(module, attr, wire)
                        except (AttributeError, TypeError):
                            pass
        ops = list(item.get("aten", ()))
        if ops:
            _override_ops(torch, label, ops)


def _override_ops(torch: Any, label: str, ops: list[str]) -> None:
    library = torch.library.Library("aten", "IMPL")
    _LIBRARIES.append(library)

    def tripped(*args: Any, **kwargs: Any) -> Any:
        VIOLATIONS.append(label)
        raise BannedAPIError(label)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for op in ops:
            for key in _DISPATCH_KEYS:
                try:
                    if torch._C._dispatch_has_kernel_for_dispatch_key(f"aten::{op}", key):
                        library.impl(op, tripped, key)
                except RuntimeError:
                    continue


def count_triton_launches() -> None:
    """Count kernel launches (not warm-ups) of every Triton kernel, compiled or interpreted."""
    classes: list[type] = []
    try:
        from triton.runtime.jit import JITFunction

        classes.append(JITFunction)
    except ImportError:
        return
    try:
        from triton.runtime.interpreter import InterpretedFunction

        classes.append(InterpretedFunction)
    except ImportError:
        pass
    for cls in classes:
        original: Callable[..., Any] = cls.run  # type: ignore[attr-defined]

        def run(self: Any, *args: Any, _original: Callable[..., Any] = original,
                **kwargs: Any) -> Any:
            if not kwargs.get("warmup", False):
                LAUNCHES[0] += 1
            return _original(self, *args, **kwargs)

        cls.run = run  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- memory


def vm_size() -> int | None:
    """This process's virtual memory size in bytes (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def vm_data() -> int | None:
    """This process's private data size in bytes (`VmData`: heap and private anonymous
    mappings, what `RLIMIT_DATA` limits; Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def data_limit() -> int:
    """The current soft RLIMIT_DATA."""
    return resource.getrlimit(resource.RLIMIT_DATA)[0]


def make_malloc_predictable() -> None:
    """Ask glibc to map every large block with mmap and give it back on free.

    By default glibc raises its mmap threshold after the first large free and then serves
    big blocks from a heap that does not shrink, so the address space would keep memory the
    solution already released; with a fixed threshold, address space tracks live memory and
    a budget on it measures what the solution holds at once."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 64 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 64 * 1024)  # M_TRIM_THRESHOLD
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def restore_malloc_defaults() -> None:
    """Undo `make_malloc_predictable` for timing: big blocks reused from the heap again."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 64 * 1024 * 1024)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def trim_heap() -> None:
    """Return freed heap memory to the system (glibc), so budgets start from live memory."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def set_address_space_limit(limit: int | None) -> bool:
    """Set the soft RLIMIT_AS (None lifts it to the hard limit). False if unsupported."""
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = hard if limit is None else (limit if hard == resource.RLIM_INFINITY
                                           else min(limit, hard))
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        return True
    except (ValueError, OSError):
        return False


def address_space_limit() -> int:
    """The current soft RLIMIT_AS."""
    return resource.getrlimit(resource.RLIMIT_AS)[0]


def set_cpu_limit(seconds: int) -> None:
    """Cap this process's CPU time (RLIMIT_CPU): SIGXCPU, then SIGKILL, past it."""
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    except (ValueError, OSError):
        pass
