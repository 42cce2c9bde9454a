"""The sandboxed child: imports the user's solution and runs it on the inputs it is sent.

Forked by the zygote (`quizapp.core.grading.zygote`, which imported torch once) into its own
session, with stdout and stderr on a capped pipe. It never sees an expected output: the
parent sends inputs only, this process sends back what the solution returned (plus
gradients, the inputs as they were after the call, and how many Triton kernels ran), and the
parent — out of the solution's reach — compares. Protocol: `quizapp.core.grading.protocol`.

Sequence: "ready" → receive the job → private directories, CPU-time backstop, Triton launch
counter and TRITON_INTERPRET (with `interpreted`'s autotune benchmarker) when asked,
forbidden-API tripwire → the sandbox (`sandbox`:
privileges dropped, hard memory limit, Landlock, grader modules hidden) → "sandboxed" with
what it could apply → import the solution (from the exact source the parent checked) → for
each case as it arrives: "start", run (a grad-mode case under `torch.no_grad()` or
`torch.inference_mode()`), "case" (a CPU memory-budget case runs in a forked process under a
hard limit) → at "cases_end": "cases_done" → optionally the timed calls of
`--bench` (`child_timed`) → exit. What crosses the channel is packed by `child_io`.

A second kind of child, asked for with a "baseline" job, never loads user code: it serves
the reference's side of `--bench` (`child_timed.serve_baseline`).
"""

from __future__ import annotations

import linecache
import os
import sys
import threading
import time
import types
from collections.abc import Callable
from typing import Any

from quizapp.core.grading import sandbox, tripwire
from quizapp.core.grading.child_io import (
    Channel,
    aliases,
    describe,
    nbytes,
    pack,
    snapshot,
    to_device,
)
from quizapp.core.grading.child_timed import serve_baseline, serve_timed_calls
from quizapp.core.grading.digest import tensor_digest

#: Room for the grader's own bookkeeping in a memory-budget case (serialising the result).
BUDGET_SLACK = 4 << 20

def _grad_mode(mode: str | None) -> Any:
    """The context a case's call runs under: `torch.no_grad()` or `torch.inference_mode()`
    for a grad-mode case (the forward pass must not depend on it), else none."""
    import contextlib

    import torch

    if mode == "no_grad":
        return torch.no_grad()
    if mode == "inference_mode":
        return torch.inference_mode()
    return contextlib.nullcontext()


# --------------------------------------------------------------------------- the job


class _Child:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.path = ""
        self.device = "cpu"
        self.track = "torch"
        self.functions: dict[str, Callable[..., Any]] = {}
        self.factories: dict[str, Callable[..., Any]] = {}
        self.general_limit: int | None = None
        #: Private data (CPU) and CUDA memory before the solution was imported.
        self.memory_base: int | None = None
        self.cuda_base = 0
        self.cuda_sync: Callable[[], None] = lambda: None

    def setup(self, job: dict[str, Any]) -> sandbox.Isolation:
        """Limits, guards and the sandbox, in the order they must come; what was applied."""
        import torch

        workdir = job["workdir"]
        os.chdir(workdir)  # files the solution writes land in a throwaway folder
        sandbox.use_private_dirs(workdir)
        self.path = job["path"]
        self.device = job["device"]
        self.track = job["track"]
        if job.get("factories"):
            # Callable arguments cross the channel as plain data (it refuses pickled code);
            # the drill's own factories, loaded before the solution runs, rebuild them here.
            from quizapp.core.drills.bundle import load_module

            inputs = load_module(job["inputs"])
            self.factories = {name: getattr(inputs, name) for name in job["factories"]}
        tripwire.make_malloc_predictable()
        if job.get("cpu_seconds"):
            # A backstop only: the parent enforces the wall-clock limit, but if the parent
            # is killed while the solution spins inside C code, this still ends it.
            tripwire.set_cpu_limit(int(job["cpu_seconds"]))
        if self.track == "triton":
            if job.get("interpret"):
                os.environ["TRITON_INTERPRET"] = "1"
            import triton  # noqa: F401 - after TRITON_INTERPRET is set

            if job.get("interpret"):
                # @triton.autotune needs a driver to time configs; the interpreter has none.
                from quizapp.core.grading.interpreted import use_interpreter_benchmarker

                use_interpreter_benchmarker()
            tripwire.count_triton_launches()
        tripwire.install_forbidden(job.get("forbidden", ()))
        torch.manual_seed(0)
        if self.device == "cuda":
            # Held here, where the solution cannot replace it for us.
            self.cuda_sync = torch.cuda.synchronize
        report = sandbox.Isolation()
        sandbox.drop_privileges(report)
        if self.device == "cpu":
            # CUDA reserves huge address ranges, so the address-space limit is CPU-only; the
            # parent's RSS watchdog covers both.
            base = tripwire.vm_size()
            if base is not None and job.get("memory_limit"):
                self.general_limit = base + int(job["memory_limit"])
            sandbox.hard_memory_limit(self.general_limit, report)
        sandbox.restrict_filesystem(workdir=workdir, solution=self.path,
                                    protected=job.get("protected", ()),
                                    cuda=self.device == "cuda", report=report)
        sandbox.hide_grader_modules(report)
        return report

    def import_solution(self, source: str) -> dict[str, Any] | None:
        """Run the solution's module code; a description of what went wrong, or None."""
        lines = source.splitlines(keepends=True)
        # Triton and inspect read kernel source through linecache: serve the exact text we
        # run, not whatever the file holds by now.
        linecache.cache[self.path] = (len(source), None, lines, self.path)
        module = types.ModuleType("solution")
        module.__file__ = self.path
        sys.modules["solution"] = module
        try:
            code = compile(source, self.path, "exec")
            exec(code, module.__dict__)  # noqa: S102 - running the user's code is the point
        except tripwire.BannedAPIError as err:
            return {"status": "banned", "api": str(err)}
        except BaseException as err:  # noqa: BLE001 - SystemExit and friends included
            if tripwire.VIOLATIONS:
                return {"status": "banned", "api": tripwire.VIOLATIONS[0]}
            info = describe(err, self.path)
            return {"status": "memory" if info["memory"] else "error", "error": info}
        if tripwire.VIOLATIONS:
            return {"status": "banned", "api": tripwire.VIOLATIONS[0]}
        self.module = module
        return None

    def find_entries(self, names: list[str]) -> dict[str, Any] | None:
        for name in names:
            fn = getattr(self.module, name, None)
            if fn is None:
                return {"status": "error", "missing": name}
            if not callable(fn):
                return {"status": "error", "not_callable": name,
                        "type": type(fn).__name__}
            self.functions[name] = fn
        return None

    def run_case(self, case: dict[str, Any]) -> dict[str, Any] | None:
        """Run one case; its result message (None when a forked process already sent it)."""
        budget = case.get("budget_bytes")
        if budget and self.device == "cpu" and hasattr(os, "fork"):
            return self._run_budgeted(case, int(budget))
        return self._run_case(case)

    def _run_budgeted(self, case: dict[str, Any], budget: int) -> dict[str, Any] | None:
        """A memory-budget case on the CPU, in a forked process whose *hard* data limit
        (`RLIMIT_DATA`: heap and private anonymous mappings, where tensors live) is the
        budget counted from before the solution was imported: memory the solution grabbed
        at import counts, and it cannot lift the limit and put it back."""
        import gc

        inputs = sum(nbytes(v) for v in case["values"].values())
        gc.collect()
        tripwire.trim_heap()
        now = tripwire.vm_data()
        base = self.memory_base
        if now is None or base is None:
            return self._run_case(case)
        held = max(0, now - base - inputs)
        limit = base + inputs + budget + BUDGET_SLACK
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                self.channel.send(self._run_case(case, budget_limit=limit, held=held,
                                                 budget=budget))
            except BaseException:  # noqa: BLE001 - no result could be sent: the parent reports
                code = 70
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return None
        return {"type": "case", "index": case["index"], "status": "memory", "seconds": None,
                "error": {"type": "MemoryError", "memory": True,
                          "message": "the case's process ended without a result "
                                     f"(wait status {status}) inside the memory budget"},
                "inputs_after": {}}

    def _run_case(self, case: dict[str, Any], *, budget_limit: int | None = None,
                  held: int = 0, budget: int = 0) -> dict[str, Any]:
        import torch

        fn = self.functions[case["entry"]]
        values = {name: to_device(value, self.device) for name, value in case["values"].items()}
        callables = dict(case.get("callables") or {})
        for name, factory in callables.items():
            values[name] = self.factories[factory](values[name])
        # Grad names come only for tracks that must be differentiable (the case's `grad`).
        grad_names = list(case.get("grad", ()))
        for name in grad_names:
            values[name] = values[name].detach().requires_grad_(True)
        keywords = set(case.get("keywords", ()))
        args = [v for n, v in values.items() if n not in keywords]
        kwargs = {n: v for n, v in values.items() if n in keywords}
        result: dict[str, Any] = {"type": "case", "index": case["index"]}
        violations = len(tripwire.VIOLATIONS)
        launches = tripwire.LAUNCHES[0]
        cuda_budget = bool(case.get("budget_bytes")) and self.device == "cuda"
        peak_cuda = None
        if budget_limit is not None and held > budget:
            # Grabbed at import (or kept from earlier cases) and still held: it counts.
            result.update(status="memory", seconds=0.0, launches=0, inputs_after={},
                          error={"type": "MemoryError", "memory": True, "bytes": held,
                                 "held": True, "message": ""})
            return result
        if budget_limit is not None:
            sandbox.set_hard_data_limit(budget_limit)
        elif cuda_budget:
            self.cuda_sync()
            torch.cuda.reset_peak_memory_stats()
            inputs_cuda = sum(nbytes(v) for v in values.values())
        started = time.perf_counter()
        out: Any = None
        try:
            tripwire.ACTIVE_ENTRY[0] = case["entry"]
            try:
                with _grad_mode(case.get("grad_mode")):
                    out = fn(*args, **kwargs)
            finally:
                tripwire.ACTIVE_ENTRY[0] = None
            if self.device == "cuda":
                self.cuda_sync()
            result["status"] = "ok"
        except tripwire.BannedAPIError as err:
            result["status"] = "banned"
            result["api"] = str(err)
        except BaseException as err:  # noqa: BLE001 - the solution's failures, all of them
            info = describe(err, self.path)
            result["status"] = "memory" if info["memory"] else "raised"
            result["error"] = info
        finally:
            if budget_limit is not None:
                result["limit_tampered"] = tripwire.data_limit() != budget_limit
            elif cuda_budget:
                # From before the import: memory the solution has held since then counts.
                peak_cuda = torch.cuda.max_memory_allocated() - self.cuda_base - inputs_cuda
        result["seconds"] = time.perf_counter() - started
        result["launches"] = tripwire.LAUNCHES[0] - launches
        if peak_cuda is not None:
            result["peak_bytes"] = int(peak_cuda)
        if len(tripwire.VIOLATIONS) > violations and result["status"] != "banned":
            result["status"] = "banned"
            result["api"] = tripwire.VIOLATIONS[violations]
        if result["status"] == "ok":
            result["output"] = pack(out, copy=budget_limit is None)
            result["aliases"] = aliases(out, values)
            if grad_names:
                self._gradients(case, out, values, grad_names, result)
        self._inputs_after(case, values, callables, result, budgeted=budget_limit is not None)
        return result

    def _inputs_after(self, case: dict[str, Any], values: dict[str, Any],
                      callables: dict[str, Any], result: dict[str, Any], *,
                      budgeted: bool) -> None:
        """The inputs as they are after the call, for the parent's did-it-change check.

        Under a memory budget the input tensors go back as digests (`digest`): serialising
        them would charge the solution for memory it never allocated — a 16 MiB weight
        costs more than the budget meant to forbid a 16 MiB B·A. Inputs the entry must
        modify in place are outputs and go back in full."""
        import torch

        inplace = set(case.get("inplace") or ())
        after: dict[str, Any] = {}
        digests: dict[str, str] = {}
        for name, value in values.items():
            if name in callables:
                continue
            if budgeted and name not in inplace and isinstance(value, torch.Tensor) \
                    and value.device.type == "cpu":
                digests[name] = tensor_digest(value)
            else:
                after[name] = snapshot(value, copy=not budgeted)
        result["inputs_after"] = after
        if digests:
            result["inputs_digest"] = digests

    def _gradients(self, case: dict[str, Any], out: Any, values: dict[str, Any],
                   grad_names: list[str], result: dict[str, Any]) -> None:
        import torch

        expected = case["grad_output"]
        if isinstance(expected, (tuple, list)):  # a tuple result: one cotangent per item
            if not isinstance(out, tuple) or len(out) != len(expected):
                return  # the output check already fails; gradients would say nothing new
            items, cotangents = list(out), list(expected)
            shapes = case["expect_shape"]
        else:
            items, cotangents, shapes = [out], [expected], [case["expect_shape"]]
        pairs = []
        for item, cotangent, shape in zip(items, cotangents, shapes, strict=False):
            if cotangent is None:
                continue
            if not isinstance(item, torch.Tensor) or list(item.shape) != shape:
                return  # the output check already fails
            if item.requires_grad:
                pairs.append((item, cotangent.to(device=item.device, dtype=item.dtype)))
        if not pairs:
            result["grad_error"] = {"not_differentiable": True}
            return
        try:
            grads = torch.autograd.grad([o for o, _ in pairs], [values[n] for n in grad_names],
                                        grad_outputs=[g for _, g in pairs], allow_unused=True)
        except tripwire.BannedAPIError as err:
            result["status"] = "banned"
            result["api"] = str(err)
            return
        except BaseException as err:  # noqa: BLE001
            result["grad_error"] = describe(err, self.path)
            return
        result["grads"] = {name: None if g is None else pack(g)
                           for name, g in zip(grad_names, grads, strict=False)}


# --------------------------------------------------------------------------- the process


def _watch_parent() -> None:
    """Exit when the parent dies, even if the solution is stuck in a sleep."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


def _warm_up(torch: Any) -> None:
    """Pay torch's lazy first-use costs now, while the parent is still importing torch:
    otherwise they land in the solution's first case (torch.broadcast_shapes alone imports
    ~500 modules on first call)."""
    a = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    s = (a @ a.transpose(-2, -1)).softmax(dim=-1).float()
    torch.broadcast_shapes(s.shape, (1, 3, 3))
    torch.nn.functional.normalize(s, dim=-1).sum().backward()
    with torch.no_grad():
        torch.nn.functional.normalize(s, dim=-1)


def _serve(channel: Channel) -> None:
    """Grade one solution (or serve the timing baseline) over `channel`, then exit."""
    threading.Thread(target=_watch_parent, daemon=True, name="grader-watchdog").start()
    channel.send({"type": "ready", "pid": os.getpid()})
    job = channel.receive()
    if job.get("type") == "baseline":
        try:
            serve_baseline(channel, job)
        except BaseException as err:  # noqa: BLE001
            channel.send({"type": "fatal", "phase": "baseline", "status": "error",
                          "error": describe(err, "")})
        os._exit(0)
    child = _Child(channel)
    try:
        report = child.setup(job)
    except BaseException as err:  # noqa: BLE001
        channel.send({"type": "fatal", "phase": "setup", "status": "error",
                      "error": describe(err, "")})
        os._exit(0)
    channel.send({"type": "sandboxed", "isolation": report.to_json()})
    import torch

    child.memory_base = tripwire.vm_data()
    if child.device == "cuda":
        child.cuda_base = torch.cuda.memory_allocated()
    started = time.perf_counter()
    problem = child.import_solution(job["source"])
    if problem is None:
        problem = child.find_entries(list(job["entries"]))
    if problem is not None:
        channel.send({"type": "fatal", "phase": "import", **problem})
        os._exit(0)
    channel.send({"type": "imported", "seconds": time.perf_counter() - started})
    # Cases arrive one by one, as the parent finishes preparing each, so running them
    # overlaps with the parent computing the next references.
    while True:
        case = channel.receive()
        if case.get("type") != "case":
            break
        channel.send({"type": "start", "index": case["index"]})
        result = child.run_case(case)
        if result is not None:
            channel.send(result)
    channel.send({"type": "cases_done"})
    request = channel.receive()
    if request.get("type") == "bench":
        entry = request["entry"]
        try:
            serve_timed_calls(channel, {"user": child.functions[entry]}, child.device,
                              child.cuda_sync, child.path, child.factories)
        except BaseException as err:  # noqa: BLE001
            channel.send({"type": "output", "error": describe(err, child.path)})
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - the solution may have replaced or closed stdout
        pass
    os._exit(0)


def prepare_torch() -> None:
    """Import torch and pay its first-use costs (in the zygote, before any fork)."""
    import torch

    torch.set_num_threads(1)  # correctness runs stay off the user's other cores
    _warm_up(torch)


def serve_forked(job_fd: int, result_fd: int, output_fd: int) -> None:
    """The body of a child just forked by the zygote: its own session, stdout and stderr on
    the capped output pipe, then the grade."""
    os.setsid()
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    _serve(Channel(job_fd, result_fd))
    os._exit(0)
