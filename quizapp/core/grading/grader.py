"""`grade_solution`: one grade of one solution file, from source checks to verdict.

Order of work (the slow part, `import torch` in a fresh child, overlaps with the parent's
own preparation):

1. cheap checks in the parent: the file, its syntax, the track (`@triton.jit` → triton),
   forbidden APIs visible in the source;
2. start the sandboxed child (`runner.ChildProcess`) and send it the job;
3. meanwhile build every case's inputs and compute the reference outputs (and gradients)
   here, where the solution cannot reach them; send the inputs;
4. receive each case's outputs as the child finishes it, compare (`compare`), enforce the
   time limit, react to crashes, exits and memory kills;
5. on failure, find the known mistake the outputs match (`solutions.mistakes`);
6. with `bench=True` and a pass, time the solution in the same child (`timing`);
7. record the grade in the progress store.
"""

from __future__ import annotations

import ast
import os
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizapp.core.drills import (
    Case,
    Drill,
    EntryPoint,
    Tolerance,
    build_inputs,
    get_drill,
    make_callables,
    workspace_file,
)
from quizapp.core.errors import UsageError
from quizapp.core.grading import compare as cmp
from quizapp.core.grading.runner import POOL, Cancelled, ChildGone, ChildProcess
from quizapp.core.grading.sandbox import Isolation
from quizapp.core.grading.static import (
    defines_triton_kernel,
    detect_track,
    find_forbidden,
    find_grader_import,
)
from quizapp.core.grading.timing import Benchmark, Rejected, Timing, summarize

#: Seconds allowed for a fresh child to start Python and import torch.
STARTUP_LIMIT_S = 120.0
#: Seconds allowed for the benchmark phase.
BENCH_LIMIT_S = 60.0
#: Failing cases a mistake must explain (all of them, up to this many).
MISTAKE_CASES = 4


class GradingCancelled(Exception):
    """The grade was cancelled (its `cancel` event was set); the child has been killed."""


@dataclass
class CaseResult:
    """The outcome of one case."""

    name: str
    status: str  # passed | failed | error | timeout | memory | banned | not run
    message: str = ""
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    seconds: float | None = None

    @property
    def passed(self) -> bool:
        """True for a passed case."""
        return self.status == "passed"

    def to_json(self) -> dict[str, Any]:
        """One entry of the `cases` list of `quizapp grade --json`."""
        return {"name": self.name, "passed": self.passed, "status": self.status,
                "max_abs_err": self.max_abs_err, "max_rel_err": self.max_rel_err,
                "message": self.message}


@dataclass(frozen=True)
class MistakeMatch:
    """A known wrong variant that the solution's outputs match."""

    id: str
    title: Mapping[str, str]
    explanation: Mapping[str, str]

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """`{"id", "explanation"}` (plus the title) in `lang`."""
        return {"id": self.id, "title": self.title.get(lang, self.title["en"]),
                "explanation": self.explanation.get(lang, self.explanation["en"])}


@dataclass
class GradeResult:
    """Everything a grade found out; `to_json()` is the `quizapp grade --json` object."""

    drill: str
    track: str
    device: str
    status: str
    message: str
    cases: list[CaseResult] = field(default_factory=list)
    mistake: MistakeMatch | None = None
    timing: Timing | None = None
    output: str = ""
    output_truncated: int = 0
    interpreted: bool = False
    seconds: float = 0.0
    path: str = ""
    isolation: Isolation | None = None
    #: The SSH host the grade ran on (`quizapp grade --remote`); None for a local grade.
    host: str | None = None

    @property
    def passed(self) -> bool:
        """True when every case passed."""
        return self.status == "passed"

    def to_json(self) -> dict[str, Any]:
        """The SPEC.md `quizapp grade --json` object (with a few extra fields)."""
        return {"drill": self.drill, "passed": self.passed, "status": self.status,
                "message": self.message,
                "mistake": self.mistake.to_json() if self.mistake else None,
                "cases": [c.to_json() for c in self.cases],
                "timing": self.timing.to_json() if self.timing else None,
                "track": self.track, "device": self.device, "interpreted": self.interpreted,
                "output": self.output, "output_truncated_bytes": self.output_truncated,
                "seconds": round(self.seconds, 3),
                "isolation": self.isolation.to_json() if self.isolation else None,
                "host": self.host}


# --------------------------------------------------------------------------- limits


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


_hardened = False


def _harden_parent() -> None:
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


def keep_warm(enabled: bool = True) -> None:
    """Keep one child started ahead of time, so the next grade skips `import torch` (for the
    TUI and `drill watch`; costs one idle Python process). Starts it now."""
    POOL.enabled = enabled
    if enabled:
        POOL.refill(memory_limits()[1])
    else:
        POOL.shutdown()


# --------------------------------------------------------------------------- the API


def grade_solution(drill_id: str, path: str | Path | None = None, *, track: str | None = None,
                   bench: bool = False, device: str = "cpu",
                   cancel: threading.Event | None = None,
                   progress: Callable[[str], None] | None = None,
                   time_limit: float | None = None, bench_seconds: float | None = None,
                   record: bool = True) -> GradeResult:
    """Grade the solution file `path` (default: the workspace copy) for drill `drill_id`.

    `track` overrides the detected track; `device` is "cpu" or "cuda"; `bench` times a
    passing solution. Setting `cancel` kills the child and raises `GradingCancelled`, so a
    TUI worker thread can abandon a grade at any time; `progress` receives short status
    lines. `time_limit` overrides the drill's (seconds for import plus all cases);
    `bench_seconds` the CPU measurement budget of `--bench`.
    Raises `UsageError` for an unknown drill, a missing file, a track the drill lacks or an
    unavailable device; every problem with the solution itself is a `GradeResult`."""
    started = time.monotonic()
    drill = get_drill(drill_id)
    if device not in ("cpu", "cuda"):
        raise UsageError(f"unknown device '{device}' (cpu or cuda)")
    if track is not None and track not in drill.tracks:
        raise UsageError(f"drill '{drill_id}' has no {track} track "
                         f"(tracks: {', '.join(drill.tracks)})")
    if path is None:
        file = workspace_file(drill_id, track or "torch")
        if not file.exists():
            raise UsageError(f"no solution at {file} — run `quizapp drill start {drill_id}"
                             f"{' --track ' + track if track and track != 'torch' else ''}` "
                             "first, or pass a FILE")
    else:
        file = Path(path).expanduser()
        if not file.exists():
            raise UsageError(f"no such file: {file}")
        if not file.is_file():
            raise UsageError(f"not a file: {file}")
    file = file.resolve()
    try:
        source = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return _finish(GradeResult(drill.id, track or "torch", device, "error",
                                   f"{file.name} is not UTF-8 text"), started, record, file)
    except OSError as err:
        raise UsageError(f"cannot read {file}: {err.strerror}") from None
    chosen = track or detect_track(source)
    if chosen not in drill.tracks:
        raise UsageError(f"{file.name} defines a Triton kernel, but drill '{drill_id}' has no "
                         f"triton track (grade it with --track torch)")
    session = _Session(drill, file, source, chosen, device, bench, cancel, progress, time_limit)
    session.bench_seconds = bench_seconds
    return _finish(session.run(), started, record, file)


def _finish(result: GradeResult, started: float, record: bool, file: Path) -> GradeResult:
    result.seconds = time.monotonic() - started
    result.path = str(file)
    if record:
        record_grade(result)
    return result


def record_grade(result: GradeResult) -> None:
    """Store a grade in the progress database."""
    from quizapp.core.store import Store

    with Store.open() as store:
        store.record_drill_result(result.drill, track=result.track, status=result.status,
                                  passed=result.passed, message=result.message,
                                  result=result.to_json())


# --------------------------------------------------------------------------- one grade


@dataclass
class _Prepared:
    case: Case
    values: dict[str, Any]
    keywords: tuple[str, ...]
    grad: tuple[str, ...]
    expected: Any = None
    expected_grads: dict[str, Any] | None = None
    grad_output: Any = None
    #: The `inplace` arguments as the reference left them.
    expected_inplace: dict[str, Any] = field(default_factory=dict)
    reference_error: str = ""


#: Prepared cases (inputs and reference outputs) of this process, for repeated grades
#: (`drill watch`, the TUI, tests). In memory only: never where a solution could read it.
_PREPARED: dict[tuple[Any, ...], _Prepared] = {}
_PREPARED_LOCK = threading.Lock()


class _Session:
    def __init__(self, drill: Drill, file: Path, source: str, track: str, device: str,
                 bench: bool, cancel: threading.Event | None,
                 progress: Callable[[str], None] | None, time_limit: float | None) -> None:
        self.drill = drill
        self.file = file
        self.source = source
        self.track = track
        self.device = device
        self.bench = bench
        self.cancel = cancel
        self.say = progress or (lambda _line: None)
        self.time_limit = time_limit or drill.time_limit_s.get(track, 30.0)
        self.interpreted = track == "triton" and device == "cpu"
        self.cases = drill.cases_for(track, interpreted=self.interpreted)
        self.results: list[CaseResult] = []
        self.outputs: dict[int, Any] = {}
        self.child: ChildProcess | None = None
        self.baseline: ChildProcess | None = None
        self.bench_seconds: float | None = None
        self.isolation: Isolation | None = None

    def result(self, status: str, message: str, **extra: Any) -> GradeResult:
        return GradeResult(self.drill.id, self.track, self.device, status, message,
                           interpreted=self.interpreted, isolation=self.isolation, **extra)

    # -- the whole grade -------------------------------------------------------------------

    def run(self) -> GradeResult:
        try:
            tree = ast.parse(self.source, filename=str(self.file))
        except SyntaxError as err:
            return self.result("error", f"line {err.lineno}: SyntaxError: {err.msg}")
        grader_import = find_grader_import(tree)
        if grader_import is not None:
            return self.result("banned", f"line {grader_import}: imports quizapp — a solution "
                                         "cannot use the grader's own modules")
        use = find_forbidden(tree, [(f.api, f.names) for f in self.drill.forbidden],
                             scope={f.api: f.entries for f in self.drill.forbidden if f.entries})
        if use is not None:
            return self.result("banned", f"line {use.line} {use.how}: {use.api} is not allowed "
                                         f"here — {self._reason(use.api)}")
        if self.track == "triton" and not defines_triton_kernel(tree):
            return self.result("error", "no @triton.jit kernel in the file: the Triton track "
                                        "needs a kernel of your own")
        missing = [e.name for e in self.drill.entry_points if not _defines(tree, e.name)]
        if missing:
            entry = self.drill.entry(missing[0])
            return self.result("error", f"the file defines no function {missing[0]}() — the "
                                        f"drill asks for {entry.signature}")
        if self.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise UsageError("--device cuda: no CUDA device is available here")
        _, rss_limit = memory_limits()
        _harden_parent()
        self.say("starting the sandbox (Python + torch)")
        try:
            self.child = POOL.take(rss_limit, self._cancelled)
        except Cancelled:
            raise GradingCancelled() from None
        try:
            return self._graded()
        finally:
            if self.baseline is not None:
                self.baseline.close()
            self.child.close()
            POOL.refill(rss_limit)

    def _graded(self) -> GradeResult:

        assert self.child is not None
        extra, _ = memory_limits()
        self.child.send({
            "type": "job", "source": self.source, "path": str(self.file),
            "workdir": self.child.workdir.name,
            "track": self.track, "device": self.device, "interpret": self.interpreted,
            "entries": [e.name for e in self.drill.entry_points],
            "inputs": str(self.drill.inputs_path),
            "factories": sorted({f for e in self.drill.entry_points
                                 for f in e.callables.values()}),
            "forbidden": [{"api": f.api, "aliases": list(f.aliases), "aten": list(f.aten),
                           "entries": list(f.entries)} for f in self.drill.forbidden],
            "memory_limit": extra, "protected": _protected_paths(),
            "cpu_seconds": int(max(300.0, 10 * self.time_limit) + BENCH_LIMIT_S)})
        self.say(f"preparing {len(self.cases)} cases")
        budget = int((self.drill.memory_budget_mb or 0) * 2**20)
        prepared: list[_Prepared] = []
        # Memory-budget cases run first, before anything else has touched the heap: their
        # budget counts from before the import (`child._run_budgeted`).
        order = sorted(range(len(self.cases)), key=lambda i: not self.cases[i].memory_budget)
        self.cases = [self.cases[i] for i in order]
        self.case_order = {self.cases[i].name: order[i] for i in range(len(order))}
        for i, case in enumerate(self.cases):
            if self._cancelled():
                self.child.kill()
                raise GradingCancelled()
            p = self._prepare(case)
            if p.reference_error:  # our bug, not the user's: say so plainly
                return self.result("error", f"internal error: the reference failed on case "
                                            f"'{case.name}': {p.reference_error}")
            prepared.append(p)
            self.child.send({"type": "case", "index": i, "entry": case.entry,
                             "values": p.values, "keywords": list(p.keywords),
                             "callables": dict(self.drill.entry(case.entry).callables),
                             "grad": list(p.grad), "grad_output": p.grad_output,
                             "expect_shape": _shapes(p.expected) if p.grad else None,
                             "budget_bytes": budget if case.memory_budget else None})
        self.child.send({"type": "cases_end"})
        outcome = self._collect(prepared)
        if outcome is not None:
            return self._with_output(outcome)
        return self._with_output(self._verdict(prepared))

    # -- preparing cases -------------------------------------------------------------------

    def _prepare(self, case: Case) -> _Prepared:
        key = (self.drill.id, self.drill.yaml_path.stat().st_mtime, case.name, case.grad)
        cached = _PREPARED.get(key)
        if cached is None:
            cached = self._compute(case)
            if not cached.reference_error:
                with _PREPARED_LOCK:
                    _PREPARED[key] = cached
        return cached

    def _compute(self, case: Case) -> _Prepared:
        import torch

        from quizapp.core.grading.solutions import reference_functions

        entry = self.drill.entry(case.entry)
        try:
            inputs = build_inputs(self.drill, case.entry, case.params, case.seed)
        except Exception as err:  # noqa: BLE001 - reported as an internal error
            return _Prepared(case, {}, (), (), reference_error=f"building the inputs: "
                                                               f"{type(err).__name__}: {err}")
        prepared = _Prepared(case, inputs.values, inputs.keywords,
                             inputs.grad if case.grad else ())
        try:
            reference = reference_functions(self.drill.id, [case.entry])[case.entry]
            values = {n: _clone(v) for n, v in inputs.values.items()}
            for name in prepared.grad:
                values[name] = values[name].detach().requires_grad_(True)
            out = _call(reference, self._callables(entry, values), inputs.keywords)
            prepared.expected_inplace = {n: _detach(values[n]) for n in entry.inplace}
            if prepared.grad:
                prepared.grad_output = _cotangents(out, case.seed + 1)
                differentiated = _differentiated(out, prepared.grad_output)
                grads = torch.autograd.grad([o for o, _ in differentiated],
                                            [values[n] for n in prepared.grad],
                                            grad_outputs=[g for _, g in differentiated],
                                            allow_unused=True)
                prepared.expected_grads = {n: None if g is None else g.detach()
                                           for n, g in zip(prepared.grad, grads, strict=False)}
            prepared.expected = _detach(out)
        except Exception as err:  # noqa: BLE001 - reported as an internal error
            prepared.reference_error = f"{type(err).__name__}: {err}"
        return prepared

    def _callables(self, entry: EntryPoint, values: dict[str, Any]) -> dict[str, Any]:
        """`values` with the callable arguments built from their plain data."""
        if not entry.callables:
            return values
        return make_callables(self.drill.inputs_path, entry.callables, values)

    # -- the conversation with the child ---------------------------------------------------

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def _receive(self, deadline: float) -> Any:
        """The next message, honouring the deadline and the cancel event."""
        assert self.child is not None
        while True:
            if self.cancel is not None and self.cancel.is_set():
                self.child.kill()
                raise GradingCancelled()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                return self.child.receive(min(remaining, 0.05))
            except queue.Empty:
                continue

    def _collect(self, prepared: list[_Prepared]) -> GradeResult | None:
        """Receive everything up to "cases_done"; a finished result if the grade ended early."""
        assert self.child is not None
        child = self.child
        phase = "starting"
        current: int | None = None
        received: set[int] = set()
        deadline = time.monotonic() + STARTUP_LIMIT_S
        try:
            while True:
                message = self._receive(deadline)
                kind = message.get("type") if isinstance(message, dict) else None
                if kind == "sandboxed":
                    self.isolation = Isolation.from_json(message.get("isolation"))
                elif kind == "ready":
                    phase = "importing"
                    self.say("importing your solution")
                    deadline = time.monotonic() + self.time_limit
                elif kind == "fatal":
                    return self._fatal(message)
                elif kind == "imported":
                    phase = "running"
                elif kind == "start":
                    if not isinstance(message.get("index"), int) \
                            or not 0 <= message["index"] < len(prepared):
                        return self._forged(prepared)
                    current = message["index"]
                    self.say(f"case {current + 1}/{len(prepared)}: "
                             f"{prepared[current].case.name}")
                elif kind == "case":
                    index = message.get("index")
                    if not isinstance(index, int) or not 0 <= index < len(prepared) \
                            or index in received or index != current:
                        return self._forged(prepared)
                    received.add(index)
                    self.results.append(self._evaluate(prepared[index], message))
                    current = None
                elif kind == "cases_done":
                    # Only the harness's own results count: a solution that forges the end
                    # of the run (or skips cases) must not pass on the cases never run.
                    if len(received) != len(prepared):
                        return self._forged(prepared)
                    return None
                else:
                    return self._forged(prepared)
        except TimeoutError:
            child.kill()
            if phase == "starting":
                return self.result("error", "the sandbox did not start within "
                                            f"{STARTUP_LIMIT_S:.0f} s (is the machine busy?)")
            if current is None and phase == "importing":
                return self._stopped("timeout", f"importing the solution did not finish within "
                                                f"{self.time_limit:g} s (an endless loop at "
                                                "module level?)", prepared)
            if current is None:
                return self._stopped("timeout", f"the solution did not finish within the "
                                                f"{self.time_limit:g} s limit", prepared)
            name = prepared[current].case.name
            self.results.append(CaseResult(name, "timeout", f"did not finish within the "
                                                            f"{self.time_limit:g} s limit"))
            return self._stopped("timeout", f"case '{name}' did not finish within the "
                                            f"{self.time_limit:g} s limit for all cases "
                                            "(an endless loop, or far too slow?)", prepared)
        except ChildGone as gone:
            how = child.exit_description()
            if child.killed_for_memory:
                status, message = "memory", ("the solution's process used more memory than "
                                             "the grader allows and was stopped")
            elif "SIGKILL" in how and not child.killed:
                status, message = "memory", ("the solution's process was killed by the system "
                                             "(SIGKILL, usually out of memory)")
            elif str(gone):
                status, message = "error", ("the solution wrote into the grader's private "
                                            "channel, so its results cannot be trusted")
            elif "SIGXCPU" in how:
                status, message = "timeout", "the solution used up its CPU-time limit"
            else:
                doing = {"starting": "starting", "importing": "being imported",
                         "running": "running"}[phase]
                if current is not None:
                    doing = f"running case '{prepared[current].case.name}'"
                status, message = "error", (f"the solution's process {how} while {doing}"
                                            " — did it call os._exit(), exit or crash?")
            if current is not None:
                self.results.append(CaseResult(prepared[current].case.name, status, message))
            return self._stopped(status, message, prepared)

    def _forged(self, prepared: list[_Prepared]) -> GradeResult:
        assert self.child is not None
        self.child.kill()
        return self._stopped("error", "the solution wrote into the grader's private channel, "
                                      "so its results cannot be trusted", prepared)

    def _stopped(self, status: str, message: str, prepared: list[_Prepared]) -> GradeResult:
        banned = next((r for r in self.results if r.status == "banned"), None)
        if banned is not None:
            status, message = "banned", f"case '{banned.name}': {banned.message}"
        self._fill_not_run(prepared)
        self._in_drill_order()
        return self.result(status, message, cases=self.results)

    def _fill_not_run(self, prepared: list[_Prepared]) -> None:
        done = {r.name for r in self.results}
        for p in prepared:
            if p.case.name not in done:
                self.results.append(CaseResult(p.case.name, "not run",
                                               "not run: grading stopped earlier"))

    def _fatal(self, message: Mapping[str, Any]) -> GradeResult:
        status = message.get("status", "error")
        if status == "banned":
            api = message.get("api", "?")
            return self.result("banned", f"calls {api} while being imported, which this drill "
                                         f"forbids — {self._reason(api)}")
        if "missing" in message:
            entry = self.drill.entry(message["missing"])
            return self.result("error", f"the module has no {entry.name}() after import — the "
                                        f"drill asks for {entry.signature}")
        if "not_callable" in message:
            return self.result("error", f"{message['not_callable']} is a {message['type']}, "
                                        "not a function")
        error = message.get("error") or {}
        if message.get("phase") == "setup":
            return self.result("error", f"internal error preparing the sandbox: "
                                        f"{error.get('type')}: {error.get('message')}")
        if error.get("type") == "SystemExit":
            return self.result("error", f"the solution called sys.exit({error.get('exit_code')!r}"
                                        ") while being imported — remove it, or guard it with "
                                        "if __name__ == '__main__':")
        if status == "memory":
            return self.result("memory", "importing the solution ran out of memory "
                                         f"({_error_text(error)})")
        return self.result("error", f"importing the solution raised {_error_text(error)}")

    # -- judging one case ------------------------------------------------------------------

    def _evaluate(self, prepared: _Prepared, message: Mapping[str, Any]) -> CaseResult:
        case = prepared.case
        name = case.name
        seconds = message.get("seconds")
        status = message.get("status")
        entry = self.drill.entry(case.entry)
        if status == "banned":
            api = message.get("api", "?")
            return CaseResult(name, "banned", f"calls {api}, which this drill forbids — "
                                              f"{self._reason(api)}", seconds=seconds)
        if status == "memory":
            error = message.get("error") or {}
            if case.memory_budget:
                return CaseResult(name, "memory", self._budget_message(error), seconds=seconds)
            return CaseResult(name, "memory", f"ran out of memory: {_error_text(error)}",
                              seconds=seconds)
        if status == "raised":
            error = message.get("error") or {}
            return CaseResult(name, "error", self._raised_message(entry.name, error),
                              seconds=seconds)
        if status != "ok":
            return CaseResult(name, "error", "the grader received a malformed result",
                              seconds=seconds)
        if message.get("limit_tampered"):
            return CaseResult(name, "error", "the solution changed the grader's memory limit",
                              seconds=seconds)
        budget = (self.drill.memory_budget_mb or 0) * 2**20
        peak = message.get("peak_bytes")
        if case.memory_budget and peak is not None and peak > budget:
            return CaseResult(name, "memory", self._budget_message({"bytes": peak}),
                              seconds=seconds)
        if self.track == "triton" and not message.get("launches"):
            return CaseResult(name, "error", f"{entry.name}() launched no Triton kernel — on "
                                             "the Triton track your @triton.jit kernel must do "
                                             "the work", seconds=seconds)
        after = message.get("inputs_after") or {}
        for input_name, before in prepared.values.items():
            if input_name in entry.inplace or input_name in entry.callables:
                continue
            if input_name in after and not cmp.same_input(before, after[input_name]):
                return CaseResult(name, "failed", f"modified its input `{input_name}` in place "
                                                  "— inputs must not change (work on a copy)",
                                  seconds=seconds)
        inplace = {n: after.get(n) for n in entry.inplace}
        dtype = _working_dtype(prepared.values)
        verdict = judge(self.drill, entry, prepared.values, message["output"], inplace,
                        prepared.expected, prepared.expected_inplace, self.drill.tolerances,
                        self.device)
        if not verdict.passed:
            if verdict.status == "failed":
                self.outputs[name] = (message["output"], inplace)
            return CaseResult(name, verdict.status, verdict.message, verdict.max_abs_err,
                              verdict.max_rel_err, seconds)
        aliases = [a for a in message.get("aliases") or [] if a not in entry.inplace]
        if aliases:
            what = "list" if isinstance(prepared.values[aliases[0]], list) else "tensor"
            return CaseResult(name, "failed", f"returns its input `{aliases[0]}` (or a view of "
                                              f"it) instead of a new {what}", verdict.max_abs_err,
                              verdict.max_rel_err, seconds)
        if prepared.grad:
            grad_error = message.get("grad_error")
            if grad_error and grad_error.get("not_differentiable"):
                return CaseResult(name, "failed", "the output is not differentiable (it does "
                                                  "not require grad) — did you use .detach(), "
                                                  ".item(), .data, numpy or torch.no_grad()?",
                                  verdict.max_abs_err, verdict.max_rel_err, seconds)
            if grad_error:
                return CaseResult(name, "error", f"backward() raised {_error_text(grad_error)}",
                                  verdict.max_abs_err, verdict.max_rel_err, seconds)
            grads = cmp.compare_gradients(message.get("grads"), prepared.expected_grads or {},
                                          self.drill.gradient_tolerances, dtype=dtype)
            if not grads.passed:
                return CaseResult(name, "failed", grads.message, verdict.max_abs_err,
                                  verdict.max_rel_err, seconds)
        return CaseResult(name, "passed", "", verdict.max_abs_err, verdict.max_rel_err, seconds)

    def _raised_message(self, entry: str, error: Mapping[str, Any]) -> str:
        if error.get("type") == "NotImplementedError":
            return f"{entry}() raises NotImplementedError — not written yet?"
        if error.get("type") == "SystemExit":
            return f"{entry}() called sys.exit({error.get('exit_code')!r})"
        return f"{entry}() raised {_error_text(error)}"

    def _budget_message(self, error: Mapping[str, Any]) -> str:
        budget = self.drill.memory_budget_mb or 0
        tried = error.get("bytes")
        if tried is None:
            text = str(error.get("message", ""))
            marker = "tried to allocate "
            if marker in text:
                digits = text.split(marker, 1)[1].split(" ", 1)[0]
                tried = int(digits) if digits.isdigit() else None
        amount = f" (it tried to allocate {tried / 2**20:.0f} MiB at once)" if tried else ""
        hint = self.drill.memory_budget_hint
        advice = f" — {hint['en'].strip()}" if hint else ""
        return f"went over the {budget:g} MiB memory budget{amount}{advice}"

    def _reason(self, api: str) -> str:
        for item in self.drill.forbidden:
            if item.api == api:
                return item.reason["en"]
        return "it does the drill's work for you"

    # -- the verdict -----------------------------------------------------------------------

    def _in_drill_order(self) -> None:
        """Results in the drill's case order (budget cases ran first)."""
        order = getattr(self, "case_order", {})
        self.results.sort(key=lambda r: order.get(r.name, len(order)))

    def _verdict(self, prepared: list[_Prepared]) -> GradeResult:
        self._in_drill_order()
        first_bad = next((r for r in self.results if not r.passed), None)
        banned = next((r for r in self.results if r.status == "banned"), None)
        if banned is not None:
            return self.result("banned", f"case '{banned.name}': {banned.message}",
                               cases=self.results)
        if first_bad is not None:
            mistake = self._match_mistake(prepared)
            message = f"case '{first_bad.name}': {first_bad.message}"
            if mistake is not None:
                message += f" — looks like *{mistake.id}*: {mistake.title['en']}"
            self._send_exit()
            return self.result(first_bad.status, message, cases=self.results, mistake=mistake)
        message = f"passed all {len(self.results)} cases"
        if self.interpreted:
            message += " (Triton interpreted on the CPU)"
        timing = None
        if self.bench:
            if self.interpreted:
                message += "; interpreted Triton is not timed — use --device cuda on a GPU"
                self._send_exit()
            else:
                timing, note = self._timing()
                message += f"; {timing.summary()}" if timing else f"; {note}"
        else:
            self._send_exit()
        return self.result("passed", message, cases=self.results, timing=timing)

    def _send_exit(self) -> None:
        if self.child is not None:
            self.child.send({"type": "exit"})

    def _match_mistake(self, prepared: list[_Prepared]) -> MistakeMatch | None:
        """The known mistake whose outputs match the solution's on every failing case."""
        from quizapp.core.grading.solutions import mistakes

        failing = [(r.name, self.outputs[r.name]) for r in self.results
                   if r.name in self.outputs][:MISTAKE_CASES]
        if not failing:
            return None
        by_name = {p.case.name: p for p in prepared}
        entries = [e.name for e in self.drill.entry_points]
        loose = {k: Tolerance(t.atol * 2, t.rtol * 2) for k, t in self.drill.tolerances.items()}
        for mistake in mistakes(self.drill.id, entries):
            if self.track not in mistake.tracks:
                continue
            matched = True
            for case_name, (got, got_inplace) in failing:
                p = by_name[case_name]
                entry = self.drill.entry(p.case.entry)
                try:
                    values = {n: _clone(v) for n, v in p.values.items()}
                    want = _detach(_call(mistake.functions[p.case.entry],
                                         self._callables(entry, values), p.keywords))
                    want_inplace = {n: _detach(values[n]) for n in entry.inplace}
                    verdict = judge(self.drill, entry, p.values, got, got_inplace, want,
                                    want_inplace, loose, self.device)
                except Exception:  # noqa: BLE001 - a mistake that cannot run does not match
                    matched = False
                    break
                if not verdict.passed:
                    matched = False
                    break
            if matched:
                return MistakeMatch(mistake.id, mistake.title, mistake.explanation)
        return None

    def _timing(self) -> tuple[Timing | None, str]:
        from quizapp.core.grading.solutions import solution_file

        spec = self.drill.bench.get(self.device)
        if spec is None:
            self._send_exit()
            return None, f"drill '{self.drill.id}' has no {self.device} benchmark"
        assert self.child is not None
        self.say("timing against the reference (in a separate process)")
        kernel = solution_file(self.drill.id, "kernel")
        entry = self.drill.entry(spec.entry)
        params = entry.full_params(spec.params)
        self.baseline = POOL.sibling(self.child, memory_limits()[1])
        self.baseline.send({"type": "baseline", "workdir": self.baseline.workdir.name,
                            "entry": spec.entry, "device": self.device,
                            "reference": str(solution_file(self.drill.id, "reference")),
                            "kernel": str(kernel) if kernel.is_file() else None,
                            "inputs": str(self.drill.inputs_path),
                            "factories": sorted(set(entry.callables.values()))})
        self.child.send({"type": "bench", "entry": spec.entry})
        deadline = time.monotonic() + BENCH_LIMIT_S
        # A fresh seed per grade: the timed inputs cannot be known in advance.
        seed = random.SystemRandom().randrange(1 << 30)
        tolerances = {k: Tolerance(t.atol * 2, t.rtol * 2)
                      for k, t in self.drill.tolerances.items()}
        values_of: dict[int, dict[str, Any]] = {}

        def receive(side: Any, kind: str) -> Any:
            try:
                message = self._receive_from(side, deadline)
            except TimeoutError:
                raise Rejected(f"timing took longer than {BENCH_LIMIT_S:.0f} s") from None
            except ChildGone:
                who = "the solution's" if side is self.child else "the baseline's"
                raise Rejected(f"{who} process ended during timing") from None
            if isinstance(message, dict) and message.get("type") == "fatal":
                raise Rejected(f"the baseline failed: {_error_text(message.get('error') or {})}")
            if not isinstance(message, dict) or message.get("type") != kind:
                raise Rejected("the timing conversation was broken (a message out of turn)")
            return message

        def make_inputs(round_: int) -> dict[str, Any]:
            inputs = build_inputs(self.drill, spec.entry, params, seed + round_)
            values_of.clear()
            values_of[0] = inputs.values
            return {"values": inputs.values, "keywords": list(inputs.keywords),
                    "callables": dict(entry.callables), "inplace": list(entry.inplace)}

        def check(got: Any, want: Any) -> str | None:
            output = got.get("output")
            if not isinstance(output, dict):
                return "nothing was returned"
            expected = cmp.unpack(want.get("output") or {"kind": "none"})
            if not entry.inplace and _quickly_close(output, expected, tolerances):
                return None  # the common case, in milliseconds; else the full explanation
            verdict = judge(self.drill, entry, values_of[0], output, got.get("inplace") or {},
                            expected, want.get("inplace") or {}, tolerances, self.device)
            return None if verdict.passed else verdict.message

        try:
            receive(self.baseline, "ready")
            labels = receive(self.baseline, "baseline_ready").get("labels") or ["reference"]
            raw = Benchmark(user=self.child, baseline=self.baseline, labels=list(labels),
                            receive=receive, make_inputs=make_inputs, check=check,
                            device=self.device,
                            **({"budget_s": self.bench_seconds} if self.bench_seconds else {})
                            ).run()
        except Rejected as err:
            self.child.kill()
            return None, f"timing rejected: {err}"
        size = ", ".join(f"{k}={v}" for k, v in spec.params.items())
        baseline = f"solutions/{self.drill.id}/reference.py"
        try:
            return summarize(raw, size=size, baseline=baseline), ""
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            return None, "timing failed: malformed samples"

    def _receive_from(self, side: ChildProcess, deadline: float) -> Any:
        """The next message of `side`, honouring the deadline and the cancel event."""
        while True:
            if self.cancel is not None and self.cancel.is_set():
                side.kill()
                raise GradingCancelled()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                return side.receive(min(remaining, 0.05))
            except queue.Empty:
                continue

    def _with_output(self, result: GradeResult) -> GradeResult:
        if self.child is not None:
            # Wait for the child's exit as the zygote reports it: by then whatever it left
            # running has been killed and counted, and its prints are all in.
            self.child.finish()
            strays = self.child.strays()
            # Only a grade that would pass is overruled: after a timeout or a crash the
            # grader's own kill may be what ended them.
            if strays and result.passed:
                listed = ", ".join(str(p) for p in strays[:3])
                result.status = "error"
                result.message = (f"the solution left {len(strays)} process"
                                  f"{'es' if len(strays) > 1 else ''} running after it "
                                  f"(pid {listed}), which the grader killed — a solution must "
                                  "not start processes that outlive it")
                result.timing = None
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline and not self.child.output_done.is_set():
                time.sleep(0.01)
            result.output, result.output_truncated = self.child.captured_output()
        return result


# --------------------------------------------------------------------------- judging


def judge(drill: Drill, entry: EntryPoint, values: Mapping[str, Any], got: Mapping[str, Any],
          got_inplace: Mapping[str, Any], want: Any, want_inplace: Mapping[str, Any],
          tolerances: Mapping[str, Tolerance], device: str = "cpu") -> cmp.Verdict:
    """Compare a packed output (and the in-place arguments after the call) with what they
    should be, the entry point's way (`compare:` allclose | exact | check). `values` are
    the case's inputs as built (for the working dtype and for `check()`)."""
    dtype = _working_dtype(values)
    worst: cmp.Verdict = cmp.PASSED
    if entry.returns_none:
        if got.get("kind") != "none":
            return cmp.Verdict("error", f"returned {cmp.describe_packed(got)}; {entry.name}() "
                                        "works in place and returns None")
    else:
        worst = _compare_as(drill, entry, values, got, want, tolerances, dtype, device, "output")
        if not worst.passed:
            return worst
    for name in entry.inplace:
        packed = cmp.pack_plain(got_inplace.get(name), device)
        verdict = _compare_as(drill, entry, values, packed, want_inplace[name], tolerances,
                              dtype, device, f"`{name}`")
        if not verdict.passed:
            return cmp.Verdict(verdict.status, f"`{name}` after the call: {verdict.message}",
                               verdict.max_abs_err, verdict.max_rel_err)
    return worst


def _compare_as(drill: Drill, entry: EntryPoint, values: Mapping[str, Any],
                got: Mapping[str, Any], want: Any, tolerances: Mapping[str, Tolerance],
                dtype: str | None, device: str, what: str) -> cmp.Verdict:
    if entry.compare == "exact":
        return cmp.compare_exact(got, want, what=what)
    if entry.compare == "check":
        from quizapp.core.grading.solutions import reference_check

        foreign = cmp.foreign(got)
        if foreign is not None:
            return cmp.Verdict("error", f"returned {foreign}")
        problem = reference_check(drill)(entry.name, cmp.unpack(got), want, dict(values))
        return cmp.PASSED if problem is None else cmp.Verdict("failed", str(problem))
    return cmp.compare(got, want, tolerances, names=entry.outputs, input_device=device,
                       dtype=dtype, what=what)


# --------------------------------------------------------------------------- helpers


def _quickly_close(got: Any, want: Any, tolerances: Mapping[str, Tolerance]) -> bool:
    """True when a packed tensor output is elementwise within tolerance of `want` (same
    shape and dtype, NaN where NaN): a fast path for checking every timed output."""
    import torch

    if got.get("kind") != "tensor" or not isinstance(want, torch.Tensor):
        return False
    value = got.get("value")
    if not isinstance(value, torch.Tensor) or value.shape != want.shape \
            or value.dtype != want.dtype or not value.is_floating_point():
        return False
    tol = tolerances.get(str(want.dtype).replace("torch.", ""))
    if tol is None:
        return False
    return bool(torch.isclose(value, want, rtol=tol.rtol, atol=tol.atol, equal_nan=True).all())


def _protected_paths() -> list[str]:
    """Folders the sandbox never opens to a solution, even inside a granted folder: the
    grader, the oracles, the drill content and the user's data."""
    from quizapp.core import paths

    package = Path(__file__).resolve().parents[2]
    return [str(package), str(paths.solutions_dir()), str(paths.content_dir()),
            str(paths.home())]


def _defines(tree: ast.Module, name: str) -> bool:
    """True when the module binds `name` at top level (def, assignment or import)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.name == name:
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)):
                    return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == name for a in node.names):
                return True
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            # Conditional definitions: trust the runtime check instead.
            if any(_binds(n, name) for n in ast.walk(node)):
                return True
    return False


def _binds(node: ast.AST, name: str) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return node.id == name
    if isinstance(node, ast.alias):
        return (node.asname or node.name) == name
    return False


def _working_dtype(values: Mapping[str, Any]) -> str | None:
    """The case's precision: the dtype of its first floating-point input tensor."""
    import torch

    for value in values.values():
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return str(value.dtype).replace("torch.", "")
    return None


def _clone(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, list):  # deep: an in-place entry updates the tensors of a list
        return [_clone(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_clone(v) for v in value)
    return value


def _detach(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, tuple):
        return tuple(_detach(v) for v in value)
    if isinstance(value, list):
        return [_detach(v) for v in value]
    return value


def _call(fn: Callable[..., Any], values: dict[str, Any], keywords: tuple[str, ...]) -> Any:
    args = [v for n, v in values.items() if n not in keywords]
    kwargs = {n: values[n] for n in keywords}
    return fn(*args, **kwargs)


def _error_text(error: Mapping[str, Any]) -> str:
    """ "ValueError: bad shape (line 12: `x.view(3)`)" from a child's error description."""
    text = f"{error.get('type', 'an exception')}"
    message = str(error.get("message") or "").strip().splitlines()
    if message:
        first = message[0]
        text += f": {first[:300]}"
    if error.get("line"):
        code = f": `{error['code']}`" if error.get("code") else ""
        text += f" (line {error['line']}{code})"
    return text


def _cotangents(out: Any, seed: int) -> Any:
    """Random output gradients for the gradient check: one tensor for a tensor result; for a
    tuple result (`outputs:`), one per floating-point tensor item and None for the others.
    Every floating item gets one, including those the reference detaches (DPO's rewards): a
    solution that leaves such an output attached then shows it in its input gradients."""
    import torch

    gen = torch.Generator().manual_seed(seed)

    def one(t: Any) -> Any:
        if not isinstance(t, torch.Tensor) or not t.is_floating_point():
            return None
        return torch.randn(t.shape, generator=gen, dtype=torch.float64).to(t.dtype)

    return tuple(one(t) for t in out) if isinstance(out, tuple) else one(out)


def _differentiated(out: Any, cotangents: Any) -> list[tuple[Any, Any]]:
    """The (output, cotangent) pairs that carry a gradient: the items requiring grad."""
    import torch

    if not isinstance(out, tuple):
        out, cotangents = (out,), (cotangents,)
    return [(o, g) for o, g in zip(out, cotangents, strict=False)
            if g is not None and isinstance(o, torch.Tensor) and o.requires_grad]


def _shapes(expected: Any) -> Any:
    """The expected output's shape, or one shape per item of a tuple result."""
    if isinstance(expected, tuple):
        return [list(t.shape) if hasattr(t, "shape") else None for t in expected]
    return list(expected.shape)
