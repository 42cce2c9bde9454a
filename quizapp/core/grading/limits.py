"""The grading parent's limits: how much time and memory a grade may take, and what the
sandboxed child may never open.

The child applies its own hard limits (`sandbox.hard_memory_limit`, the budget case's
`sandbox.set_hard_data_limit`, `tripwire.set_cpu_limit`) from the numbers the parent sends
in its job; this module is where those numbers come from, plus the parent's own hardening
(`harden_parent`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Seconds allowed for a fresh child to start Python and import torch.
STARTUP_LIMIT_S = 120.0
#: Seconds allowed for the benchmark phase.
BENCH_LIMIT_S = 60.0


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def memory_limits() -> tuple[int, int]:
    """(address space the child may add after importing torch, resident-memory ceiling)."""
    physical = _physical_memory()
    extra = int(min(2 << 30, physical // 4))
    rss = int(min(8 << 30, physical // 2))
    return extra, rss


def cpu_seconds(time_limit: float) -> int:
    """The child's CPU-time backstop for a grade with this wall-clock limit: generous, since
    the parent enforces the wall clock; it only ends a child whose parent was killed."""
    return int(max(300.0, 10 * time_limit) + BENCH_LIMIT_S)


def protected_paths() -> list[str]:
    """Folders the sandbox never opens to a solution, even inside a granted folder: the
    grader, the oracles, the drill content and the user's data."""
    from quizapp.core import paths

    package = Path(__file__).resolve().parents[2]
    return [str(package), str(paths.solutions_dir()), str(paths.content_dir()),
            str(paths.home())]


_hardened = False


def harden_parent() -> None:
    """Make this process non-dumpable (Linux): other processes of the same user — a
    solution being graded included — can then no longer read its memory through
    /proc/<pid>/mem or ptrace, where the expected outputs live. (It cannot stop root.)"""
    global _hardened
    if _hardened or not sys.platform.startswith("linux"):
        return
    _hardened = True
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass
