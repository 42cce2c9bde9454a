"""Prepared cases on disk: a named case's inputs and reference outputs, kept between grades.

Building a case's inputs and running the float64 oracle (with its gradients) costs the
grading parent up to a couple of seconds per drill — most of a cold `quizapp grade`, which
starts a fresh process every time. This module keeps what `grader` prepares for each named
case in one file per case under `QUIZAPP_HOME/cache/cases/<drill>/`, named by a digest of
everything the preparation depends on: the case (name, entry, params, seed, grad), the bytes
of the drill's `drill.yaml`, `inputs.py`, `reference.py`, the shared input helpers and the
grader code that prepares it, and the torch version. Change any of them and the digest
changes: each file name starts with the drill's part of the digest, and the first store
after a change removes the drill's files of other digests (`prune`).

Safety:
- The grading child cannot read or write the cache: it lives under `QUIZAPP_HOME`, which the
  Landlock sandbox never grants (`grader._protected_paths`). Where Landlock is unavailable
  (macOS, kernels before 5.13) a solution could plant a file there, so the cache is not used
  at all (`enabled()`), and grades prepare every case as before.
- Files are read with `torch.load(weights_only=True)` (tensors and plain containers, never
  arbitrary objects), and each carries its own digest, checked on load. A file that cannot
  be read is a miss, never an error.
- Fresh trials (new seed every grade) are never stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from quizapp.core import paths
from quizapp.core.drills import Case, Drill

#: Bumped whenever what a cached case holds, or how it is computed, changes in a way that
#: the hashed source files would not show.
FORMAT = 1
#: Cases whose tensors take more than this are prepared every time, not stored.
MAX_BYTES = 64 << 20

_enabled: bool | None = None
_lock = threading.Lock()
_file_digests: dict[tuple[str, float, int], bytes] = {}


def enabled() -> bool:
    """True where the sandbox can keep solutions out of the cache (Landlock ABI ≥ 1), and
    `QUIZAPP_CASE_CACHE` is not "0"."""
    global _enabled
    if os.environ.get("QUIZAPP_CASE_CACHE", "1") == "0":
        return False
    if _enabled is None:
        from quizapp.core.grading.sandbox import landlock_abi

        _enabled = landlock_abi() >= 1
    return _enabled


def folder(drill_id: str) -> Path:
    """Where the cached cases of one drill live."""
    return paths.home() / "cache" / "cases" / drill_id


def _file_digest(path: Path) -> bytes:
    try:
        stat = path.stat()
    except OSError:
        return b"missing"
    key = (str(path), stat.st_mtime, stat.st_size)
    digest = _file_digests.get(key)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).digest()
        with _lock:
            _file_digests[key] = digest
    return digest


def drill_digest(drill: Drill, code: Iterable[Path]) -> str:
    """A digest of everything a drill's prepared cases depend on, besides the case itself:
    its bundle files, the input helpers, the grader `code` that prepares them, torch."""
    import torch

    from quizapp.core.drills import builders

    h = hashlib.sha256(f"format {FORMAT}\0torch {torch.__version__}\0{drill.id}\0".encode())
    for path in (drill.yaml_path, drill.inputs_path, drill.solution_file("reference"),
                 Path(builders.__file__), *code):
        h.update(_file_digest(Path(path)))
    return h.hexdigest()


def case_digest(drill_key: str, case: Case) -> str:
    """The file name (without suffix) of one case's cache entry: the drill's digest
    (`drill_digest`) shortened, then the case's."""
    spec = json.dumps({"name": case.name, "entry": case.entry, "seed": case.seed,
                       "grad": case.grad, "budget": case.memory_budget,
                       "params": case.params}, sort_keys=True, default=repr)
    return f"{drill_key[:16]}-" + hashlib.sha256(f"{drill_key}\0{spec}".encode()).hexdigest()[:32]


def load(drill_id: str, digest: str) -> dict[str, Any] | None:
    """The stored fields of a case, or None when there is no usable file."""
    import torch

    path = folder(drill_id) / f"{digest}.pt"
    try:
        data = torch.load(path, weights_only=True, map_location="cpu")
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged or foreign file is a miss
        _remove(path)
        return None
    if not isinstance(data, dict) or data.get("digest") != digest \
            or not isinstance(data.get("fields"), dict):
        _remove(path)
        return None
    return data["fields"]


def store(drill_id: str, digest: str, fields: dict[str, Any]) -> bool:
    """Write a case's fields (atomically); False when they are too large or cannot be
    stored as plain tensors and containers (the case is then prepared every time)."""
    import torch

    if _nbytes(fields) > MAX_BYTES:
        return False
    target = folder(drill_id)
    try:
        target.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target, prefix=".tmp-", suffix=".pt")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            torch.save({"digest": digest, "fields": fields}, out)
        # Only what loads back as plain data is kept (a builder may pass other objects).
        torch.load(temp, weights_only=True, map_location="cpu")
        os.replace(temp, target / f"{digest}.pt")
        return True
    except Exception:  # noqa: BLE001 - not storable: prepared every time instead
        _remove(Path(temp))
        return False


_pruned: set[str] = set()


def prune(drill_id: str, drill_key: str) -> None:
    """Remove the drill's cached cases of other drill digests (left by an earlier version
    of its files); once per process and digest."""
    if drill_key in _pruned:
        return
    _pruned.add(drill_key)
    try:
        entries = list(folder(drill_id).iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(f"{drill_key[:16]}-"):
            _remove(entry)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _nbytes(value: Any) -> int:
    import torch

    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    return 0
