"""Expected outputs: each case's inputs and what the reference makes of them.

Computed in the grading parent, where the solution cannot reach them (`harden_parent` keeps
other processes out of this one's memory), and cached per process for repeated grades
(`drill watch`, the TUI, tests), and on disk between processes (`casecache`, under
QUIZAPP_HOME, which the sandbox never opens; only where Landlock enforces that). A fresh
trial (a new seed every grade) is computed every time and cached nowhere.
Also the small value helpers the grader and the drill checks (`offline`) share to call a
trusted function on a case the way the child calls the solution.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizapp.core.drills import Case, Drill, EntryPoint, build_inputs, make_callables


@dataclass
class Prepared:
    """One case ready to run: its inputs, and the reference's outputs and gradients."""

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


_PREPARED: dict[tuple[Any, ...], Prepared] = {}
_PREPARED_LOCK = threading.Lock()


#: The fields of a `Prepared` that the disk cache keeps.
_STORED = ("values", "keywords", "grad", "expected", "expected_grads", "grad_output",
           "expected_inplace")


def prepare(drill: Drill, case: Case) -> Prepared:
    """`case` with its inputs and expected outputs (cached while the drill's files are
    unchanged; a case whose reference failed is not cached, `reference_error` says why)."""
    if case.fresh_seed is not None:
        return compute(drill, case)
    key = (drill.id, drill.yaml_path.stat().st_mtime, case.name, case.seed, case.grad)
    cached = _PREPARED.get(key)
    if cached is None:
        cached = _from_disk(drill, case)
        if not cached.reference_error:
            with _PREPARED_LOCK:
                _PREPARED[key] = cached
    return cached


def _from_disk(drill: Drill, case: Case) -> Prepared:
    """The case from the disk cache, or computed (and then stored there)."""
    from quizapp.core.grading import casecache

    if not casecache.enabled():
        return compute(drill, case)
    key = casecache.drill_digest(drill, [Path(__file__)])
    digest = casecache.case_digest(key, case)
    fields = casecache.load(drill.id, digest)
    if fields is not None and set(fields) == set(_STORED):
        fields["keywords"] = tuple(fields["keywords"])
        fields["grad"] = tuple(fields["grad"])
        return Prepared(case, **fields)
    prepared = compute(drill, case)
    if not prepared.reference_error:
        casecache.prune(drill.id, key)  # a miss: the drill's files may have changed
        casecache.store(drill.id, digest, {f: getattr(prepared, f) for f in _STORED})
    return prepared


def compute(drill: Drill, case: Case) -> Prepared:
    """Build the case's inputs and run the reference on them (and its gradients)."""
    import torch

    from quizapp.core.grading.solutions import reference_functions

    entry = drill.entry(case.entry)
    try:
        inputs = build_inputs(drill, case.entry, case.params, case.seed)
    except Exception as err:  # noqa: BLE001 - reported as an internal error
        return Prepared(case, {}, (), (), reference_error=f"building the inputs: "
                                                          f"{type(err).__name__}: {err}")
    prepared = Prepared(case, inputs.values, inputs.keywords, inputs.grad if case.grad else ())
    try:
        reference = reference_functions(drill.id, [case.entry])[case.entry]
        values = {n: clone(v) for n, v in inputs.values.items()}
        for name in prepared.grad:
            values[name] = values[name].detach().requires_grad_(True)
        out = call(reference, with_callables(drill, entry, values), inputs.keywords)
        prepared.expected_inplace = {n: detach(values[n]) for n in entry.inplace}
        if prepared.grad:
            prepared.grad_output = cotangents(out, case.seed + 1)
            pairs = differentiated(out, prepared.grad_output)
            # Σ(output · cotangent) backpropagated from 1 gives exactly the vector-Jacobian
            # product that grad_outputs= would (each cotangent is multiplied by 1.0), without
            # autograd's shape check for grad_outputs, whose first use imports sympy (~0.5 s
            # of a cold grade, when every other case comes from the disk cache).
            total = sum((o * g.to(o.dtype)).sum() for o, g in pairs)
            grads = torch.autograd.grad(total, [values[n] for n in prepared.grad],
                                        allow_unused=True)
            prepared.expected_grads = {n: None if g is None else g.detach()
                                       for n, g in zip(prepared.grad, grads, strict=False)}
        prepared.expected = detach(out)
    except Exception as err:  # noqa: BLE001 - reported as an internal error
        prepared.reference_error = f"{type(err).__name__}: {err}"
    return prepared


def with_callables(drill: Drill, entry: EntryPoint, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the callable arguments built from their plain data."""
    if not entry.callables:
        return values
    return make_callables(drill.inputs_path, entry.callables, values)


def clone(value: Any) -> Any:
    """A copy of an input that a call may modify (lists deeply: an in-place entry updates the
    tensors of a list)."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, list):
        return [clone(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clone(v) for v in value)
    return value


def detach(value: Any) -> Any:
    """`value` with every tensor in it detached from autograd."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, tuple):
        return tuple(detach(v) for v in value)
    if isinstance(value, list):
        return [detach(v) for v in value]
    return value


def call(fn: Callable[..., Any], values: dict[str, Any], keywords: tuple[str, ...]) -> Any:
    """`fn` called with the case's values: positionally, except the keyword-only ones."""
    args = [v for n, v in values.items() if n not in keywords]
    kwargs = {n: values[n] for n in keywords}
    return fn(*args, **kwargs)


def cotangents(out: Any, seed: int) -> Any:
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


def differentiated(out: Any, grads: Any) -> list[tuple[Any, Any]]:
    """The (output, cotangent) pairs that carry a gradient: the items requiring grad."""
    import torch

    if not isinstance(out, tuple):
        out, grads = (out,), (grads,)
    return [(o, g) for o, g in zip(out, grads, strict=False)
            if g is not None and isinstance(o, torch.Tensor) and o.requires_grad]


def shapes(expected: Any) -> Any:
    """The expected output's shape, or one shape per item of a tuple result."""
    if isinstance(expected, tuple):
        return [list(t.shape) if hasattr(t, "shape") else None for t in expected]
    return list(expected.shape)
