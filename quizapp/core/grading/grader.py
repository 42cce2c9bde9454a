"""`grade_solution`: one grade of one solution file, from source checks to verdict.

This module owns the order of work; each step lives in its own module:

1. cheap checks here, in the parent: the file, its syntax, the track (`@triton.jit` →
   triton), forbidden APIs visible in the source (`static`);
2. start the sandboxed child (`runner.POOL`, a zygote's fork) and send it the job, with the
   limits of `limits`;
3. meanwhile build every case's inputs and compute the reference outputs (and gradients)
   here, where the solution cannot reach them (`expected`); send the inputs;
4. receive each case's outputs as the child finishes it and judge them (`conversation`,
   `judging`), enforcing the time limit and reacting to crashes, exits and memory kills;
5. on failure, find the known mistake the outputs match (`diagnosis`);
6. with `bench=True` and a pass, time the solution against a baseline process (`timing`);
7. record the grade in the progress store. The result types are in `results`.
"""

from __future__ import annotations

import ast
import random
import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from quizapp.core.drills import Case, Drill, Tolerance, build_inputs, get_drill, workspace_file
from quizapp.core.errors import UsageError
from quizapp.core.grading import compare as cmp
from quizapp.core.grading.conversation import Conversation, Ending
from quizapp.core.grading.conversation import receive as receive_message
from quizapp.core.grading.diagnosis import match_mistake
from quizapp.core.grading.expected import Prepared, prepare, shapes
from quizapp.core.grading.judging import (
    Evaluation,
    error_text,
    forbidden_reason,
    judge,
    quickly_close,
    working_dtype,
)
from quizapp.core.grading.limits import (
    BENCH_LIMIT_S,
    cpu_seconds,
    harden_parent,
    memory_limits,
    protected_paths,
)
from quizapp.core.grading.results import (
    CaseResult,
    FirstFailure,
    GradeResult,
    GradingCancelled,
    MistakeMatch,
)
from quizapp.core.grading.runner import POOL, Cancelled, ChildGone, ChildProcess
from quizapp.core.grading.sandbox import Isolation
from quizapp.core.grading.static import (
    defines_triton_kernel,
    detect_track,
    find_forbidden,
    find_grader_import,
)
from quizapp.core.grading.timing import Benchmark, Rejected, Timing, summarize

# Re-exported: callers import the result types (and `judge`) from here.
__all__ = ["CaseResult", "FirstFailure", "GradeResult", "GradingCancelled", "MistakeMatch",
           "grade_solution", "judge", "keep_warm", "record_grade"]


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
                   record: bool = True, seed: int | None = None) -> GradeResult:
    """Grade the solution file `path` (default: the workspace copy) for drill `drill_id`.

    `track` overrides the detected track; `device` is "cpu" or "cuda"; `bench` times a
    passing solution. Setting `cancel` kills the child and raises `GradingCancelled`, so a
    TUI worker thread can abandon a grade at any time; `progress` receives short status
    lines. `time_limit` overrides the drill's (seconds for import plus all cases);
    `bench_seconds` the CPU measurement budget of `--bench`. `seed` fixes the fresh
    trials' seed (`--seed N`, to replay a grade); by default each grade draws one.
    Raises `UsageError` for an unknown drill, a missing file, a track the drill lacks or an
    unavailable device; every problem with the solution itself is a `GradeResult`."""
    started = time.monotonic()
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise UsageError(f"--seed must be a whole number ≥ 0, not {seed!r}")
    drill = get_drill(drill_id)
    if device not in ("cpu", "cuda"):
        raise UsageError(f"unknown device '{device}' (cpu or cuda)")
    if track is not None and track not in drill.tracks:
        raise UsageError(f"drill '{drill_id}' has no {track} track "
                         f"(tracks: {', '.join(drill.tracks)})")
    if path is None:
        file = workspace_file(drill_id, track or drill.main_track)
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
        return _finish(GradeResult(drill.id, track or drill.main_track, device, "error",
                                   f"{file.name} is not UTF-8 text"), started, record, file)
    except OSError as err:
        raise UsageError(f"cannot read {file}: {err.strerror}") from None
    chosen = track or detect_track(source)
    if chosen not in drill.tracks and track is None and chosen == "torch":
        # A Triton-only drill: its one track tells the user the kernel is missing.
        chosen = drill.main_track
    if chosen not in drill.tracks:
        raise UsageError(f"{file.name} defines a Triton kernel, but drill '{drill_id}' has no "
                         f"triton track (grade it with --track torch)")
    session = _Session(drill, file, source, chosen, device, bench, cancel, progress, time_limit)
    session.bench_seconds = bench_seconds
    session.seed = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
    return _finish(session.run(), started, record, file)


def _finish(result: GradeResult, started: float, record: bool, file: Path) -> GradeResult:
    result.seconds = time.monotonic() - started
    result.path = str(file)
    if record:
        record_grade(result)
    return result


def record_grade(result: GradeResult) -> None:
    """Store a grade in the progress database, and what it means for review (see
    `review.record_grade_review`)."""
    from quizapp.core.review import record_grade_review
    from quizapp.core.store import Store

    with Store.open() as store:
        store.record_drill_result(result.drill, track=result.track, status=result.status,
                                  passed=result.passed, message=result.message,
                                  result=result.to_json())
        # A named mistake becomes (or lapses) its review card; a failed grade of a learned
        # drill brings the drill's card back sooner.
        record_grade_review(store, result.drill, passed=result.passed,
                            mistake_id=result.mistake.id if result.mistake else None)


# --------------------------------------------------------------------------- one grade


class _Session:
    """One grade of one file: the static checks, the child, the cases, the verdict."""

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
        self.child: ChildProcess | None = None
        self.baseline: ChildProcess | None = None
        self.bench_seconds: float | None = None
        self.isolation: Isolation | None = None
        #: The seed of this grade's fresh trials (`Drill.fresh_cases`).
        self.seed = 0

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def result(self, status: str, message: str, **extra: Any) -> GradeResult:
        return GradeResult(self.drill.id, self.track, self.device, status, message,
                           interpreted=self.interpreted, isolation=self.isolation,
                           seed=self.seed, **extra)

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
                                         f"here — {forbidden_reason(self.drill, use.api)}")
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
        harden_parent()
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
            "memory_limit": extra, "protected": protected_paths(),
            "cpu_seconds": cpu_seconds(self.time_limit)})
        # The named cases, then forward passes under no_grad / inference_mode, and a few
        # trials drawn with this grade's fresh seed.
        self.cases = self.drill.graded_cases(self.track, self.seed, interpreted=self.interpreted)
        self.say(f"preparing {len(self.cases)} cases")
        _one_thread()
        budget = int((self.drill.memory_budget_mb or 0) * 2**20)
        prepared: list[Prepared] = []
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
                             "expect_shape": shapes(p.expected) if p.grad else None,
                             "budget_bytes": budget if case.memory_budget else None,
                             # A budget case sends these back in full (the others by digest).
                             "inplace": list(self.drill.entry(case.entry).inplace),
                             "grad_mode": case.grad_mode or None})
        self.child.send({"type": "cases_end"})
        conversation = Conversation(self.child, self.drill, track=self.track,
                                    device=self.device, time_limit=self.time_limit,
                                    cancel=self.cancel, say=self.say)
        try:
            ending = conversation.collect(prepared)
        finally:
            self.results = conversation.results
            self.isolation = conversation.isolation
            self._mark_fresh_trials()
        if ending is not None:
            if not ending.with_cases:
                return self._with_output(self.result(ending.status, ending.message))
        wrong = dict(conversation.wrong)
        notes = self._precision_notes(prepared, conversation.noted, wrong)
        if ending is not None:
            return self._with_output(self._stopped(ending, prepared, notes))
        return self._with_output(self._verdict(prepared, wrong, notes))

    def _prepare(self, case: Case) -> Prepared:
        """A case's inputs and expected outputs; a grad-mode case shares its named case's
        (without the gradient check: no gradients exist under no_grad)."""
        if not case.grad_mode:
            return prepare(self.drill, case)
        base = next(c for c in self.cases if c.name == case.base)
        return replace(prepare(self.drill, base), case=case, grad=(), expected_grads=None,
                       grad_output=None)

    def _mark_fresh_trials(self) -> None:
        """Give each fresh trial's result its seed, and a failing one the command that
        replays it."""
        fresh = {c.name: c.fresh_seed for c in self.cases if c.fresh_seed is not None}
        for result in self.results:
            seed = fresh.get(result.name)
            if seed is None:
                continue
            result.seed = seed
            if not result.passed and result.status != "not run":
                result.message += (f" — failed on a fresh trial with seed {seed}; replay "
                                   f"with `{self._replay_command(seed)}`")

    def _replay_command(self, seed: int) -> str:
        """`quizapp grade ID [FILE] [--track T] --seed N` for this grade's file."""
        parts = ["quizapp", "grade", self.drill.id]
        if self.file != workspace_file(self.drill.id, self.track).resolve():
            try:
                shown = self.file.relative_to(Path.cwd())
            except ValueError:
                shown = self.file
            parts.append(shlex.quote(str(shown)))
        if self.track != detect_track(self.source):
            parts += ["--track", self.track]
        return " ".join([*parts, "--seed", str(seed)])

    def _stopped(self, ending: Ending, prepared: list[Prepared],
                 notes: list[str]) -> GradeResult:
        status, message, about = ending.status, ending.message, ending.case
        banned = next((r for r in self.results if r.status == "banned"), None)
        if banned is not None:
            status, message = "banned", f"case '{banned.name}': {banned.message}"
            about = banned.name
        self._fill_not_run(prepared)
        self._in_drill_order()
        first = next((r for r in self.results if r.name == about), None)
        return self.result(status, message, cases=self.results, notes=notes,
                           first_failure=FirstFailure.of(first) if first else None)

    def _fill_not_run(self, prepared: list[Prepared]) -> None:
        done = {r.name for r in self.results}
        for p in prepared:
            if p.case.name not in done:
                self.results.append(CaseResult(p.case.name, "not run",
                                               "not run: grading stopped earlier"))

    # -- the verdict -----------------------------------------------------------------------

    def _in_drill_order(self) -> None:
        """Results in the drill's case order (budget cases ran first)."""
        order = getattr(self, "case_order", {})
        self.results.sort(key=lambda r: order.get(r.name, len(order)))

    def _verdict(self, prepared: list[Prepared], wrong: dict[str, tuple[Any, Any]],
                 notes: list[str]) -> GradeResult:
        self._in_drill_order()
        first_bad = next((r for r in self.results if not r.passed), None)
        banned = next((r for r in self.results if r.status == "banned"), None)
        if banned is not None:
            return self.result("banned", f"case '{banned.name}': {banned.message}",
                               cases=self.results, notes=notes,
                               first_failure=FirstFailure.of(banned))
        if first_bad is not None:
            mistake = match_mistake(self.drill, self.track, self.device, prepared,
                                    self.results, wrong)
            self._send_exit()
            # The matched mistake is `mistake`, not part of the message (SPEC.md).
            return self.result(first_bad.status, f"case '{first_bad.name}': {first_bad.message}",
                               cases=self.results, mistake=mistake, notes=notes,
                               first_failure=FirstFailure.of(first_bad))
        message = f"passed all {len(self.results)} cases"
        if self.interpreted:
            message += " (Triton interpreted on the CPU)"
        left_out = self.drill.cases_left_out(self.track, interpreted=self.interpreted)
        if left_out:
            message += "; not run here: " + ", ".join(left_out)
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
        if notes:
            message += " — note: " + "; ".join(notes)
        return self.result("passed", message, cases=self.results, timing=timing, notes=notes)

    def _precision_notes(self, prepared: list[Prepared], noted: dict[str, Evaluation],
                         wrong: dict[str, tuple[Any, Any]]) -> list[str]:
        """The grade's note on float64 cases that passed only at the drill's precision — or
        none, when a known mistake explains their outputs: then those outputs are that
        mistake's (the float64 difference is the bug, not rounding), and each such case
        fails as it did at float64's tolerance."""
        if not noted:
            return []
        strict = [e.strict for e in noted.values() if e.strict is not None]
        outputs = {name: e.output for name, e in noted.items() if e.output is not None}
        if match_mistake(self.drill, self.track, self.device, prepared, strict,
                         outputs) is not None:
            self.results = [noted[r.name].strict or r if r.name in noted else r
                            for r in self.results]
            wrong.update(outputs)
            return []
        float64 = sum(1 for p in prepared if working_dtype(p.values) == "float64")
        errors = [e.precision_error for e in noted.values() if e.precision_error is not None]
        precision = self.drill.precision
        note = f"float64 inputs were computed in {precision}"
        if errors:
            note += f": max rel err {max(errors):.1g}"
        note += (f" ({len(noted)} of {float64} float64 cases pass at {precision}'s tolerance, "
                 f"not float64's); `torch.promote_types(x.dtype, torch.{precision})` keeps "
                 "float64")
        return [note]

    def _send_exit(self) -> None:
        if self.child is not None:
            self.child.send({"type": "exit"})

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
                message = receive_message(side, deadline, self.cancel)
            except TimeoutError:
                raise Rejected(f"timing took longer than {BENCH_LIMIT_S:.0f} s") from None
            except ChildGone:
                who = "the solution's" if side is self.child else "the baseline's"
                raise Rejected(f"{who} process ended during timing") from None
            if isinstance(message, dict) and message.get("type") == "fatal":
                raise Rejected(f"the baseline failed: {error_text(message.get('error') or {})}")
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
            if not entry.inplace and quickly_close(output, expected, tolerances):
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


# --------------------------------------------------------------------------- helpers


def _one_thread() -> None:
    """Run this process's torch work (inputs, references, comparisons) on one thread: the
    sandboxed child (and, with --bench, the timed processes) runs beside it, and on a busy
    machine torch's worker threads spin for cores they do not get (comparing two 2048×1024
    tensors took 270 ms on two threads against 40 ms on one, at a load of 7 on 2 cores)."""
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


# --------------------------------------------------------------------------- source checks


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
