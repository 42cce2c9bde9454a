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
from typing import Any

from quizapp.core.drills import Drill, EntryPoint, Tolerance
from quizapp.core.grading import compare as cmp
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


def evaluate_case(drill: Drill, track: str, device: str, prepared: Prepared,
                  message: Mapping[str, Any]) -> tuple[CaseResult, Any]:
    """The verdict on one case from the child's "case" message, and — when the outputs were
    judged wrong by value — `(output, in-place arguments)` for mistake diagnosis (else
    None)."""
    case = prepared.case
    name = case.name
    seconds = message.get("seconds")
    status = message.get("status")
    entry = drill.entry(case.entry)
    if status == "banned":
        api = message.get("api", "?")
        return CaseResult(name, "banned", f"calls {api}, which this drill forbids — "
                                          f"{forbidden_reason(drill, api)}",
                          seconds=seconds), None
    if status == "memory":
        error = message.get("error") or {}
        if case.memory_budget:
            return CaseResult(name, "memory", budget_message(drill, error),
                              seconds=seconds), None
        return CaseResult(name, "memory", f"ran out of memory: {error_text(error)}",
                          seconds=seconds), None
    if status == "raised":
        error = message.get("error") or {}
        return CaseResult(name, "error", raised_message(entry.name, error),
                          seconds=seconds), None
    if status != "ok":
        return CaseResult(name, "error", "the grader received a malformed result",
                          seconds=seconds), None
    if message.get("limit_tampered"):
        return CaseResult(name, "error", "the solution changed the grader's memory limit",
                          seconds=seconds), None
    budget = (drill.memory_budget_mb or 0) * 2**20
    peak = message.get("peak_bytes")
    if case.memory_budget and peak is not None and peak > budget:
        return CaseResult(name, "memory", budget_message(drill, {"bytes": peak}),
                          seconds=seconds), None
    if track == "triton" and not message.get("launches"):
        return CaseResult(name, "error", f"{entry.name}() launched no Triton kernel — on "
                                         "the Triton track your @triton.jit kernel must do "
                                         "the work", seconds=seconds), None
    after = message.get("inputs_after") or {}
    for input_name, before in prepared.values.items():
        if input_name in entry.inplace or input_name in entry.callables:
            continue
        if input_name in after and not cmp.same_input(before, after[input_name]):
            return CaseResult(name, "failed", f"modified its input `{input_name}` in place "
                                              "— inputs must not change (work on a copy)",
                              seconds=seconds), None
    inplace = {n: after.get(n) for n in entry.inplace}
    dtype = working_dtype(prepared.values)
    verdict = judge(drill, entry, prepared.values, message["output"], inplace,
                    prepared.expected, prepared.expected_inplace, drill.tolerances, device)
    if not verdict.passed:
        wrong = (message["output"], inplace) if verdict.status == "failed" else None
        return CaseResult(name, verdict.status, verdict.message, verdict.max_abs_err,
                          verdict.max_rel_err, seconds), wrong
    errs = (verdict.max_abs_err, verdict.max_rel_err, seconds)
    aliases = [a for a in message.get("aliases") or [] if a not in entry.inplace]
    if aliases:
        what = "list" if isinstance(prepared.values[aliases[0]], list) else "tensor"
        return CaseResult(name, "failed", f"returns its input `{aliases[0]}` (or a view of "
                                          f"it) instead of a new {what}", *errs), None
    if prepared.grad:
        grad_error = message.get("grad_error")
        if grad_error and grad_error.get("not_differentiable"):
            return CaseResult(name, "failed", "the output is not differentiable (it does "
                                              "not require grad) — did you use .detach(), "
                                              ".item(), .data, numpy or torch.no_grad()?",
                              *errs), None
        if grad_error:
            return CaseResult(name, "error", f"backward() raised {error_text(grad_error)}",
                              *errs), None
        grads = cmp.compare_gradients(message.get("grads"), prepared.expected_grads or {},
                                      drill.gradient_tolerances, dtype=dtype)
        if not grads.passed:
            return CaseResult(name, "failed", grads.message, *errs), None
    return CaseResult(name, "passed", "", *errs), None


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
