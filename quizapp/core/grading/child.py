"""The sandboxed child: imports the user's solution and runs it on the inputs it is sent.

Started by `quizapp.core.grading.runner` as `python -m quizapp.core.grading.child JOB_FD
RESULT_FD`, in its own session (so the whole process group can be killed) with stdout and
stderr on a capped pipe. It never sees an expected output: the parent sends inputs only,
this process sends back what the solution returned (plus gradients, the inputs as they were
after the call, and how many Triton kernels ran), and the parent — out of the solution's
reach — compares. Protocol: `quizapp.core.grading.protocol`.

Sequence: import torch (and warm it up) → "ready" → receive the job → memory limit, forbidden-API
tripwire, Triton launch counter, TRITON_INTERPRET when asked → import the solution (from the
exact source the parent checked) → for each case as it arrives: "start", run, "case" → at
"cases_end": "cases_done" → optionally a benchmark → exit.
"""

from __future__ import annotations

import linecache
import os
import select
import socket
import struct
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable
from typing import Any

from quizapp.core.grading import protocol, tripwire

_MEMORY_WORDS = ("can't allocate memory", "cannot allocate memory", "out of memory",
                 "DefaultCPUAllocator", "std::bad_alloc")


class _Channel:
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


# --------------------------------------------------------------------------- helpers


def _describe(exc: BaseException, path: str) -> dict[str, Any]:
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


def _pack(value: Any, depth: int = 0) -> dict[str, Any]:
    """What the solution returned, as plain data the parent can load safely."""
    import torch

    if depth > 4:
        return {"kind": "other", "type": "deeply nested value", "repr": ""}
    if isinstance(value, torch.Tensor):
        plain = value.detach()
        subclass = type(value) not in (torch.Tensor, torch.nn.Parameter)
        if subclass:
            plain = plain.as_subclass(torch.Tensor)
        return {"kind": "tensor", "value": plain.to("cpu").clone(), "device": str(value.device),
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
        return {"kind": kind, "items": [_pack(v, depth + 1) for v in value]}
    if value is None:
        return {"kind": "none"}
    try:
        text = repr(value)[:80]
    except Exception:  # noqa: BLE001
        text = ""
    shape = getattr(value, "shape", None)
    return {"kind": "other", "type": f"{type(value).__module__}.{type(value).__qualname__}",
            "repr": text, "shape": str(tuple(shape)) if shape is not None else ""}


def _snapshot(value: Any) -> Any:
    """An input as it is now (for the parent's did-it-change check)."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu").clone()
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_snapshot(v) for v in value)
    return value


def _aliases(out: Any, inputs: dict[str, Any]) -> list[str]:
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


def _to_device(value: Any, device: str) -> Any:
    import torch

    if isinstance(value, torch.Tensor) and device != "cpu":
        return value.to(device)
    if isinstance(value, list):
        return list(value)
    return value


# --------------------------------------------------------------------------- the job


class _Child:
    def __init__(self, channel: _Channel) -> None:
        self.channel = channel
        self.path = ""
        self.device = "cpu"
        self.track = "torch"
        self.functions: dict[str, Callable[..., Any]] = {}
        self.factories: dict[str, Callable[..., Any]] = {}
        self.general_limit: int | None = None

    def setup(self, job: dict[str, Any]) -> None:
        import torch

        if job.get("workdir"):
            os.chdir(job["workdir"])  # files the solution writes land in a throwaway folder
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
        if self.device == "cpu":
            # CUDA reserves huge address ranges, so the address-space limit is CPU-only; the
            # parent's RSS watchdog covers both.
            base = tripwire.vm_size()
            if base is not None and job.get("memory_limit"):
                self.general_limit = base + int(job["memory_limit"])
                tripwire.set_address_space_limit(self.general_limit)
        if job.get("cpu_seconds"):
            # A backstop only: the parent enforces the wall-clock limit, but if the parent
            # is killed while the solution spins inside C code, this still ends it.
            tripwire.set_cpu_limit(int(job["cpu_seconds"]))
        if self.track == "triton":
            if job.get("interpret"):
                os.environ["TRITON_INTERPRET"] = "1"
            import triton  # noqa: F401 - after TRITON_INTERPRET is set

            tripwire.count_triton_launches()
        tripwire.install_forbidden(job.get("forbidden", ()))
        torch.manual_seed(0)

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
            info = _describe(err, self.path)
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

    def run_case(self, case: dict[str, Any]) -> dict[str, Any]:
        import torch

        fn = self.functions[case["entry"]]
        values = {name: _to_device(value, self.device) for name, value in case["values"].items()}
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
        budget = case.get("budget_bytes")
        peak_cuda = None
        if budget and self.device == "cpu":
            import gc

            gc.collect()
            tripwire.trim_heap()
            base = tripwire.vm_size()
            budget_limit = base + budget if base is not None else None
            tripwire.set_address_space_limit(budget_limit)
        elif budget and self.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            base_cuda = torch.cuda.memory_allocated()
        started = time.perf_counter()
        out: Any = None
        try:
            tripwire.ACTIVE_ENTRY[0] = case["entry"]
            try:
                out = fn(*args, **kwargs)
            finally:
                tripwire.ACTIVE_ENTRY[0] = None
            if self.device == "cuda":
                torch.cuda.synchronize()
            result["status"] = "ok"
        except tripwire.BannedAPIError as err:
            result["status"] = "banned"
            result["api"] = str(err)
        except BaseException as err:  # noqa: BLE001 - the solution's failures, all of them
            info = _describe(err, self.path)
            result["status"] = "memory" if info["memory"] else "raised"
            result["error"] = info
        finally:
            if budget and self.device == "cpu":
                tampered = tripwire.address_space_limit() != (budget_limit or
                                                              tripwire.address_space_limit())
                tripwire.set_address_space_limit(self.general_limit)
                result["limit_tampered"] = tampered
            elif budget and self.device == "cuda":
                peak_cuda = torch.cuda.max_memory_allocated() - base_cuda
        result["seconds"] = time.perf_counter() - started
        result["launches"] = tripwire.LAUNCHES[0] - launches
        if peak_cuda is not None:
            result["peak_bytes"] = int(peak_cuda)
        if len(tripwire.VIOLATIONS) > violations and result["status"] != "banned":
            result["status"] = "banned"
            result["api"] = tripwire.VIOLATIONS[violations]
        if result["status"] == "ok":
            result["output"] = _pack(out)
            result["aliases"] = _aliases(out, values)
            if grad_names:
                self._gradients(case, out, values, grad_names, result)
        result["inputs_after"] = {name: _snapshot(value) for name, value in values.items()
                                  if name not in callables}
        return result

    def _gradients(self, case: dict[str, Any], out: Any, values: dict[str, Any],
                   grad_names: list[str], result: dict[str, Any]) -> None:
        import torch

        if not isinstance(out, torch.Tensor) or list(out.shape) != case["expect_shape"]:
            return  # the output check already fails; gradients would say nothing new
        if not out.requires_grad:
            result["grad_error"] = {"not_differentiable": True}
            return
        grad_output = case["grad_output"].to(device=out.device, dtype=out.dtype)
        try:
            grads = torch.autograd.grad(out, [values[n] for n in grad_names],
                                        grad_outputs=grad_output, allow_unused=True)
        except tripwire.BannedAPIError as err:
            result["status"] = "banned"
            result["api"] = str(err)
            return
        except BaseException as err:  # noqa: BLE001
            result["grad_error"] = _describe(err, self.path)
            return
        result["grads"] = {name: None if g is None else _pack(g)
                           for name, g in zip(grad_names, grads, strict=False)}

    # -- timing ----------------------------------------------------------------------------

    def bench(self, request: dict[str, Any]) -> dict[str, Any]:
        from quizapp.core.grading import timing

        return timing.measure_in_child(request, self.functions, self.device)


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


def _serve(channel: _Channel) -> None:
    """Grade one solution over `channel`, then exit the process."""
    threading.Thread(target=_watch_parent, daemon=True, name="grader-watchdog").start()
    channel.send({"type": "ready", "pid": os.getpid()})
    job = channel.receive()
    child = _Child(channel)
    try:
        child.setup(job)
    except BaseException as err:  # noqa: BLE001
        channel.send({"type": "fatal", "phase": "setup", "status": "error",
                      "error": _describe(err, "")})
        os._exit(0)
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
        channel.send(child.run_case(case))
    channel.send({"type": "cases_done"})
    request = channel.receive()
    if request.get("type") == "bench":
        try:
            channel.send({"type": "bench", **child.bench(request)})
        except BaseException as err:  # noqa: BLE001
            channel.send({"type": "bench", "error": _describe(err, child.path)})
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - the solution may have replaced or closed stdout
        pass
    os._exit(0)


def _prepare_torch() -> None:
    import torch

    torch.set_num_threads(1)  # correctness runs stay off the user's other cores
    _warm_up(torch)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the child process: `JOB_FD RESULT_FD`, or `--zygote CONTROL_FD`."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--zygote":
        _zygote(int(argv[1]))
        return
    _prepare_torch()
    _serve(_Channel(int(argv[0]), int(argv[1])))


# --------------------------------------------------------------------------- zygote

_RECORD = struct.Struct(">cqq")  # kind (b"R" ready, b"P" forked, b"X" exited), pid, status


def _zygote(control_fd: int) -> None:
    """Import torch once, then fork one fresh grading child per request.

    The zygote never sees a job, an input or an expected output: it receives three file
    descriptors (job pipe, result pipe, output pipe), forks, and reports the child's pid and,
    later, its wait status. Children start in a few milliseconds instead of paying for
    `import torch` again (`quizapp.core.grading.runner.Zygote` is the other end)."""
    control = socket.socket(fileno=control_fd)
    _prepare_torch()
    import gc

    gc.collect()
    gc.freeze()  # keep the forked children from touching (copying) the zygote's pages
    control.sendall(_RECORD.pack(b"R", os.getpid(), 0))
    while True:
        readable, _, _ = select.select([control], [], [], 0.2)
        _reap(control)
        if not readable:
            continue
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 3)
        except OSError:
            os._exit(0)
        if not message:  # the parent is gone
            os._exit(0)
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            control.close()
            job_fd, result_fd, output_fd = fds
            os.setsid()
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            os.close(output_fd)
            _serve(_Channel(job_fd, result_fd))
            os._exit(0)
        for fd in fds:
            os.close(fd)
        control.sendall(_RECORD.pack(b"P", pid, 0))


def _reap(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        try:
            control.sendall(_RECORD.pack(b"X", pid, status))
        except OSError:
            os._exit(0)


if __name__ == "__main__":
    main()
