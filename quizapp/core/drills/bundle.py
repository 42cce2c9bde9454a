"""Running a drill bundle's Python files: `inputs.py` (the case builders and callable
factories) and the trusted files of `solutions/<id>/`, each imported by path.

Bundle files are data, not packages: each is imported under a private module name, once per
process. Importing this module never imports torch; the builders import it when they run.
Builders run in the grading parent (and, for `--bench` sizes, in the child after the
verdict) — never before the user's code has been judged.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from quizapp.core.drills.builders import CaseInputs
from quizapp.core.drills.model import Drill

_modules: dict[Path, ModuleType] = {}
_lock = threading.RLock()


class BundleError(Exception):
    """A bundle file is missing, does not import, or lacks what the drill.yaml names."""


def load_module(path: Path) -> ModuleType:
    """Import a Python file by path (cached per process). ImportError when it is missing or
    raises while being imported (the error says which file)."""
    path = Path(path).resolve()
    with _lock:
        module = _modules.get(path)
        if module is None:
            name = "_quizapp_bundle_" + "_".join(path.parts[-3:]).replace(".", "_")
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None or not path.is_file():
                raise ImportError(f"cannot import {path}: no such file")
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except ImportError:
                raise
            except Exception as err:  # noqa: BLE001 - reported with the file's name
                raise ImportError(f"{path} raised {type(err).__name__} while being imported: "
                                  f"{err}") from err
            _modules[path] = module
    return module


def _function(path: Path, name: str) -> Callable[..., Any]:
    fn = getattr(load_module(path), name, None)
    if not callable(fn):
        raise BundleError(f"{path.name} defines no function {name}()")
    return fn


def run_builder(inputs_path: Path, entry: str, params: Mapping[str, Any], seed: int
                ) -> CaseInputs:
    """Call `inputs.py`'s builder for `entry` on complete `params` (defaults filled)."""
    inputs = _function(inputs_path, entry)(dict(params), seed)
    if not isinstance(inputs, CaseInputs):
        raise BundleError(f"{inputs_path.name}: {entry}() must return a CaseInputs, not "
                          f"{type(inputs).__name__}")
    return inputs


def build_inputs(drill: Drill, entry: str, params: Mapping[str, Any], seed: int
                 ) -> CaseInputs:
    """The inputs of one case of `drill` (the YAML `params`; defaults filled here). When the
    builder names no `grad` tensors, the entry point's `differentiable` list is used."""
    point = drill.entry(entry)
    inputs = run_builder(drill.inputs_path, entry, point.full_params(params), seed)
    if not inputs.grad and point.differentiable:
        inputs.grad = tuple(point.differentiable)
    return inputs


def make_callables(inputs_path: Path, factories: Mapping[str, str], values: Mapping[str, Any]
                   ) -> dict[str, Any]:
    """`values` with each callable argument's plain data turned into the callable, by the
    factory that drill.yaml names for it (same data → same callable, parent and child)."""
    out = dict(values)
    for name, factory in factories.items():
        if name in out:
            out[name] = _function(inputs_path, factory)(out[name])
    return out
