"""Judging: what the child reported, turned into a case's verdict and its message.

`judge` compares one packed output (and the in-place arguments after the call) with the
expected values, the entry point's way (`compare:` allclose | exact | check; the numeric
work is in `compare`). `evaluate_case` judges a whole "case" message of the child — crashes,
forbidden calls, memory, modified inputs, aliases, gradients — and `import_failure` the
"fatal" message of a child whose solution could not be imported. Everything here runs in the
grading parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quizapp.core.drills import Drill, EntryPoint, Tolerance
from quizapp.core.grading import compare as cmp
from quizapp.core.grading.digest import tensor_digest
from quizapp.core.grading.expected import Prepared
from quizapp.core.grading.results import CaseResult


def judge(drill: Drill, entry: EntryPoint, values: Mapping[str, Any], got: Mapping[str, Any],
          got_inplace: Mapping[str, Any], want: Any, want_inplace: Mapping[str, Any],
          tolerances: Mapping[str, Tolerance], device: str = "cpu") -> cmp.Verdict:
    """Compare a packed output (and the in-place arguments after the call) with what they
    should be, the entry point's way (`compare:` allclose | exact | check). `values` are
    the case's inputs as built (for the working dtype and for `check()`)."""
    dtype = working_dtype(values)
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


def quickly_close(got: Any, want: Any, tolerances: Mapping[str, Tolerance]) -> bool:
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


def working_dtype(values: Mapping[str, Any]) -> str | None:
    """The case's precision: the dtype of its first floating-point input tensor."""
    import torch

    for value in values.values():
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return str(value.dtype).replace("torch.", "")
    return None


def error_text(error: Mapping[str, Any]) -> str:
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


def forbidden_reason(drill: Drill, api: str) -> str:
    """Why the drill forbids `api` (English)."""
    for item in drill.forbidden:
        if item.api == api:
            return item.reason["en"]
    return "it does the drill's work for you"


# --------------------------------------------------------------------------- one case


@dataclass
class Evaluation:
    """A judged case: its result, and what mistake diagnosis needs of it."""

    result: CaseResult
    #: The solution's (packed output, in-place arguments) where the outputs were judged by
    #: value and found wrong, or right only at the drill's precision (else None).
    output: tuple[Any, Any] | None = None
    #: For a float64 case that passed only at the drill's precision: the result at float64's
    #: tolerance, which stands if a known mistake explains the outputs (`diagnosis`).
    strict: CaseResult | None = None
    #: That case's error relative to the largest expected value (None if not measured).
    precision_error: float | None = None


def evaluate_case(drill: Drill, track: str, device: str, prepared: Prepared,
                  message: Mapping[str, Any]) -> Evaluation:
    """The verdict on one case from the child's "case" message.

    Precision policy: a float64 case whose outputs (and gradients) miss float64's tolerance
    but meet that of the drill's precision (`Drill.precision_tolerances`, float32's unless the
    drill says `precision: float64`) passes with a note — the dtype contract (a float64
    output) is still checked first, so only the internal arithmetic was float32. Wrong
    formulas and float16-level errors are far outside float32's tolerance and still fail."""
    case = prepared.case
    name = case.name
    seconds = message.get("seconds")
    status = message.get("status")
    entry = drill.entry(case.entry)

    def done(status: str, text: str, *errs: Any) -> Evaluation:
        return Evaluation(CaseResult(name, status, text, *errs))

    if status == "banned":
        api = message.get("api", "?")
        return done("banned", f"calls {api}, which this drill forbids — "
                              f"{forbidden_reason(drill, api)}", None, None, seconds)
    if status == "memory":
        error = message.get("error") or {}
        if case.memory_budget:
            return done("memory", budget_message(drill, error), None, None, seconds)
        return done("memory", f"ran out of memory: {error_text(error)}", None, None, seconds)
    if status == "raised":
        error = message.get("error") or {}
        return done("error", raised_message(entry.name, error), None, None, seconds)
    if status != "ok":
        return done("error", "the grader received a malformed result", None, None, seconds)
    if message.get("limit_tampered"):
        return done("error", "the solution changed the grader's memory limit", None, None,
                    seconds)
    budget = (drill.memory_budget_mb or 0) * 2**20
    peak = message.get("peak_bytes")
    if case.memory_budget and peak is not None and peak > budget:
        return done("memory", budget_message(drill, {"bytes": peak}), None, None, seconds)
    if track == "triton" and not message.get("launches"):
        return done("error", f"{entry.name}() launched no Triton kernel — on the Triton track "
                             "your @triton.jit kernel must do the work", None, None, seconds)
    after = message.get("inputs_after") or {}
    digests = message.get("inputs_digest") or {}  # a budget case's inputs (`digest`)
    for input_name, before in prepared.values.items():
        if input_name in entry.inplace or input_name in entry.callables:
            continue
        if (input_name in after and not cmp.same_input(before, after[input_name])) or (
                input_name in digests and tensor_digest(before) != digests[input_name]):
            return done("failed", f"modified its input `{input_name}` in place — inputs must "
                                  "not change (work on a copy)", None, None, seconds)
    inplace = {n: after.get(n) for n in entry.inplace}
    output = (message["output"], inplace)
    dtype = working_dtype(prepared.values)
    relaxable = dtype == "float64" and entry.compare == "allclose"
    verdict = judge(drill, entry, prepared.values, message["output"], inplace,
                    prepared.expected, prepared.expected_inplace, drill.tolerances, device)
    strict: CaseResult | None = None
    precision_error: float | None = None
    if not verdict.passed and verdict.status == "failed" and relaxable:
        loose = drill.precision_tolerances()
        relaxed = None if loose is None else judge(
            drill, entry, prepared.values, message["output"], inplace, prepared.expected,
            prepared.expected_inplace, loose, device)
        if relaxed is not None and relaxed.passed:
            strict = CaseResult(name, "failed", verdict.message, verdict.max_abs_err,
                                verdict.max_rel_err, seconds)
            precision_error = _scaled(verdict.max_abs_err, prepared.expected)
            verdict = cmp.Verdict("passed", "", verdict.max_abs_err, verdict.max_rel_err)
    if not verdict.passed:
        return Evaluation(CaseResult(name, verdict.status, verdict.message, verdict.max_abs_err,
                                     verdict.max_rel_err, seconds),
                          output if verdict.status == "failed" else None)
    errs = (verdict.max_abs_err, verdict.max_rel_err, seconds)
    aliases = [a for a in message.get("aliases") or [] if a not in entry.inplace]
    if aliases:
        what = "list" if isinstance(prepared.values[aliases[0]], list) else "tensor"
        return done("failed", f"returns its input `{aliases[0]}` (or a view of it) instead of "
                              f"a new {what}", *errs)
    if prepared.grad:
        grad_error = message.get("grad_error")
        if grad_error and grad_error.get("not_differentiable"):
            return done("failed", "the output is not differentiable (it does not require "
                                  "grad) — did you use .detach(), .item(), .data, numpy or "
                                  "torch.no_grad()?", *errs)
        if grad_error:
            return done("error", f"backward() raised {error_text(grad_error)}", *errs)
        got_grads = message.get("grads")
        want_grads = prepared.expected_grads or {}
        grads = cmp.compare_gradients(got_grads, want_grads, drill.gradient_tolerances,
                                      dtype=dtype)
        if not grads.passed and relaxable:
            loose = drill.precision_tolerances(gradients=True)
            if loose is not None and cmp.compare_gradients(got_grads, want_grads, loose,
                                                           dtype=dtype).passed:
                strict = strict or CaseResult(name, "failed", grads.message, *errs)
                error = _gradient_error(got_grads, want_grads)
                if error is not None:
                    precision_error = max(precision_error or 0.0, error)
                grads = cmp.PASSED
        if not grads.passed:
            return done("failed", grads.message, *errs)
    if strict is None:
        return Evaluation(CaseResult(name, "passed", "", *errs))
    note = f"computed in {drill.precision}"
    if precision_error is not None:
        note += f": max rel err {precision_error:.1g}"
    return Evaluation(CaseResult(name, "passed", "", *errs, note=note), output, strict,
                      precision_error)


def _largest(value: Any) -> float | None:
    """The largest finite |x| over the floating-point tensors in `value` (None if none)."""
    import torch

    if isinstance(value, torch.Tensor):
        if not value.is_floating_point() or value.numel() == 0:
            return None
        finite = value.detach()[torch.isfinite(value.detach())]
        return float(finite.abs().max()) if finite.numel() else None
    if isinstance(value, (list, tuple)):
        found = [v for v in (_largest(item) for item in value) if v is not None]
        return max(found) if found else None
    return None


def _scaled(error: float | None, expected: Any) -> float | None:
    """`error` relative to the largest expected value: float32 arithmetic shows as ~1e-7
    whatever the values, where an elementwise relative error blows up near zero."""
    scale = _largest(expected)
    if error is None or not scale:
        return None
    return error / scale


def _gradient_error(got: Mapping[str, Any] | None, want: Mapping[str, Any]) -> float | None:
    """The largest gradient error, each relative to its largest expected value."""
    worst: float | None = None
    for name, expected in want.items():
        packed = (got or {}).get(name)
        if expected is None or not isinstance(packed, Mapping):
            continue
        diff = (packed["value"].double() - expected.double()).abs()
        finite = diff[diff.isfinite()]
        if finite.numel():
            scaled = _scaled(float(finite.max()), expected)
            if scaled is not None:
                worst = max(worst or 0.0, scaled)
    return worst


def raised_message(entry: str, error: Mapping[str, Any]) -> str:
    """What to say when the entry point raised."""
    if error.get("type") == "NotImplementedError":
        return f"{entry}() raises NotImplementedError — not written yet?"
    if error.get("type") == "SystemExit":
        return f"{entry}() called sys.exit({error.get('exit_code')!r})"
    return f"{entry}() raised {error_text(error)}"


def budget_message(drill: Drill, error: Mapping[str, Any]) -> str:
    """What to say when a memory-budget case went over the budget."""
    budget = drill.memory_budget_mb or 0
    tried = error.get("bytes")
    if tried is None:
        text = str(error.get("message", ""))
        marker = "tried to allocate "
        if marker in text:
            digits = text.split(marker, 1)[1].split(" ", 1)[0]
            tried = int(digits) if digits.isdigit() else None
    amount = f" (it tried to allocate {tried / 2**20:.0f} MiB at once)" if tried else ""
    hint = drill.memory_budget_hint
    advice = f" — {hint['en'].strip()}" if hint else ""
    return f"went over the {budget:g} MiB memory budget{amount}{advice}"


def import_failure(drill: Drill, message: Mapping[str, Any]) -> tuple[str, str]:
    """(status, message) for the child's "fatal" message: the solution could not be imported
    (or the sandbox not prepared)."""
    status = message.get("status", "error")
    if status == "banned":
        api = message.get("api", "?")
        return "banned", (f"calls {api} while being imported, which this drill forbids — "
                          f"{forbidden_reason(drill, api)}")
    if "missing" in message:
        entry = drill.entry(message["missing"])
        return "error", (f"the module has no {entry.name}() after import — the drill asks for "
                         f"{entry.signature}")
    if "not_callable" in message:
        return "error", f"{message['not_callable']} is a {message['type']}, not a function"
    error = message.get("error") or {}
    if message.get("phase") == "setup":
        return "error", (f"internal error preparing the sandbox: {error.get('type')}: "
                         f"{error.get('message')}")
    if error.get("type") == "SystemExit":
        return "error", (f"the solution called sys.exit({error.get('exit_code')!r}) while being "
                         "imported — remove it, or guard it with if __name__ == '__main__':")
    if status == "memory":
        return "memory", f"importing the solution ran out of memory ({error_text(error)})"
    return "error", f"importing the solution raised {error_text(error)}"
