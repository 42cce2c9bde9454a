"""The timed calls of `--bench`, on the child's side (`timing.Benchmark` is the parent's).

`serve_timed_calls` answers the parent's timing conversation in the solution's child after
its cases; `serve_baseline` is a second kind of child, asked for with a "baseline" job, that
never loads user code and serves the reference's side, so the baseline cannot be patched or
slowed from inside the user's process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from quizapp.core.grading import sandbox, tripwire
from quizapp.core.grading.child_io import Channel, describe, pack, snapshot, to_device


def serve_timed_calls(channel: Channel, functions: dict[str, Callable[..., Any]], device: str,
                      cuda_sync: Callable[[], None], path: str,
                      factories: dict[str, Callable[..., Any]]) -> None:
    """Answer the parent's timing conversation (`timing.Benchmark` is the other end).

    The parent holds the clock: it sends "go", and measures until "done" arrives. Each
    input set is sent once and used for one call per function, so no two timed calls of a
    function see the same data, and every call's output is sent back to be checked. Runs
    under `torch.no_grad()` (timing the inference path)."""
    import torch

    torch.set_num_threads(1)  # fixed: numbers comparable between runs and between sides
    # Both sides with glibc's usual behaviour for big blocks (the grading child had made
    # every large block a fresh mmap, see tripwire.make_malloc_predictable).
    tripwire.restore_malloc_defaults()
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    values: dict[str, Any] = {}
    inplace: list[str] = []
    flush = None
    if device == "cuda":
        # Written before every call, outside the timed window, to empty the L2 cache.
        flush = torch.empty(256 << 20, dtype=torch.int8, device="cuda")
    with torch.no_grad():
        while True:
            message = channel.receive()
            kind = message.get("type")
            if kind == "inputs":
                values = {n: to_device(v, device) for n, v in message["values"].items()}
                for name, factory in (message.get("callables") or {}).items():
                    values[name] = factories[factory](values[name])
                inplace = [n for n in message.get("inplace", ()) if n in values]
                keywords = set(message.get("keywords", ()))
                args = [v for n, v in values.items() if n not in keywords]
                kwargs = {n: v for n, v in values.items() if n in keywords}
                channel.send({"type": "loaded"})
            elif kind == "prepare":
                if flush is not None:
                    flush.zero_()
                    cuda_sync()
                channel.send({"type": "prepared"})
            elif kind == "go":
                reply: dict[str, Any] = {"type": "output"}
                try:
                    out = functions[message["label"]](*args, **kwargs)
                    if device == "cuda":
                        cuda_sync()
                    channel.send({"type": "done"})
                    reply["output"] = pack(out)
                    reply["inplace"] = {n: snapshot(values[n]) for n in inplace}
                except BaseException as err:  # noqa: BLE001 - reported to the parent
                    channel.send({"type": "done"})
                    reply["error"] = describe(err, path)
                channel.send(reply)
            else:
                return


def _load_trusted(path: str, name: str) -> Any:
    """Import one of the grader's own files (reference.py, kernel.py) by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def serve_baseline(channel: Channel, job: dict[str, Any]) -> None:
    """The timing baseline: a process that never loads user code times the reference."""
    import torch

    os.chdir(job["workdir"])
    sandbox.use_private_dirs(job["workdir"])
    entry = job["entry"]
    reference = _load_trusted(job["reference"], "_quizapp_reference")
    baselines = getattr(reference, "BENCH_BASELINES", {}) or {}
    functions = {"reference": baselines.get(entry) or getattr(reference, entry)}
    if job["device"] == "cuda" and job.get("kernel"):
        kernel = _load_trusted(job["kernel"], "_quizapp_kernel")
        if callable(getattr(kernel, entry, None)):
            functions["triton"] = getattr(kernel, entry)
    factories: dict[str, Callable[..., Any]] = {}
    if job.get("factories"):
        inputs = _load_trusted(job["inputs"], "_quizapp_inputs")
        factories = {name: getattr(inputs, name) for name in job["factories"]}
    channel.send({"type": "baseline_ready", "labels": sorted(functions)})
    serve_timed_calls(channel, functions, job["device"], torch.cuda.synchronize,
                      job["reference"], factories)
