"""The drills' known-wrong variants (solutions/<drill>/mistakes.py): well-formed entries with
bilingual text and the drill's signatures; each runs on valid inputs, differs from the
reference on the input an interviewer would use to catch it (named per mistake), agrees with
the reference where its bug cannot show (so it is one bug, not noise), and can be told apart
from every other variant of its drill.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import torch

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
DRILLS = ["attention", "rmsnorm", "bpe_merge", "softmax_merge", "clip_loss"]
ENTRIES = {
    "attention": ["attention"],
    "rmsnorm": ["rms_norm"],
    "bpe_merge": ["merge", "train"],
    "softmax_merge": ["merge_states", "blockwise_attention"],
    "clip_loss": ["clip_loss"],
}


def load_solution(drill: str, name: str) -> ModuleType:
    """Import solutions/<drill>/<name>.py under a unique module name."""
    path = SOLUTIONS / drill / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_solutions_{drill}_{name}_m", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCES = {d: load_solution(d, "reference") for d in DRILLS}
MISTAKES = {d: load_solution(d, "mistakes").MISTAKES for d in DRILLS}


def g(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def rnd(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=g(seed)).to(dtype)


# A case: (entry point, args, kwargs). Inputs are offset and scaled like the grader's.
Case = tuple[str, tuple[Any, ...], dict[str, Any]]


def _attention_cases() -> dict[str, Case]:
    q, k, v = rnd(2, 2, 6, 16, seed=1), rnd(2, 2, 6, 16, seed=2), rnd(2, 2, 6, 16, seed=3) + 0.5
    mask = torch.rand(6, 6, generator=g(4)) > 0.5
    mask[:, 0] = True  # every row keeps a key
    empty_row = mask.clone()
    empty_row[3] = False
    return {
        "random": ("attention", (q * 2, k * 2, v), {}),
        "causal": ("attention", (q, k, v), {"is_causal": True}),
        "mask": ("attention", (q, k, v), {"mask": mask}),
        "fully masked row": ("attention", (q, k, v), {"mask": empty_row}),
    }


def _rmsnorm_cases() -> dict[str, Case]:
    x = rnd(3, 5, 64, seed=5) * torch.linspace(0.5, 4, 5)[:, None] + 0.7
    w = rnd(64, seed=6) * 0.2 + 1
    return {
        "random": ("rms_norm", (x, w), {}),
        "small activations, eps=1e-2": ("rms_norm", (x * 0.05, w), {"eps": 1e-2}),
        "float16 |x|≈300": ("rms_norm", ((x * 100).half(), w.half()), {}),
    }


def _bpe_cases() -> dict[str, Case]:
    return {
        "merge a-a-a run": ("merge", ([5, 1, 1, 1, 2, 1, 1], (1, 1), 256), {}),
        "merge two occurrences": ("merge", ([7, 1, 2, 3, 1, 2], (1, 2), 300), {}),
        "train aaabdaaabac": ("train", ("aaabdaaabac", 300), {}),
        "train 大模型面试大模型": ("train", ("大模型面试大模型", 270), {}),
        "train ties abcabc": ("train", ("abcabc", 258), {}),
        "train ties zabzab": ("train", ("zabzab", 258), {}),
        "train aaaa runs": ("train", ("aaaa bbb aaaa", 262), {}),
    }


def _softmax_merge_cases() -> dict[str, Case]:
    def state(scores: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, ...]:
        m = scores.amax(-1)
        p = torch.exp(scores - m[..., None])
        return m, p.sum(-1), p @ v

    s = rnd(4, 12, seed=7) * 3
    s[:, 6:] += torch.tensor([[-4.0], [4.0], [0.0], [9.0]])  # the max sits on either side
    v = rnd(12, 8, seed=8) + 1
    st1, st2 = state(s[:, :6], v[:6]), state(s[:, 6:], v[6:])
    empty = (torch.full((4,), float("-inf")), torch.zeros(4), torch.zeros(4, 8))
    q, k, vv = rnd(2, 5, 16, seed=9), rnd(2, 11, 16, seed=10), rnd(2, 11, 16, seed=11) + 0.5
    return {
        "merge random": ("merge_states", (*st1, *st2), {}),
        "merge with empty": ("merge_states", (*empty, *st2), {}),
        "merge two empty": ("merge_states", (*empty, *empty), {}),
        "blockwise": ("blockwise_attention", (q * 2, k * 2, vv, 4), {}),
    }


def _clip_cases() -> dict[str, Case]:
    img = rnd(8, 32, seed=12) * 3 + 0.5
    # Matched pairs are similar but not trivially separable, so the loss is O(1).
    txt = 0.3 * img + rnd(8, 32, seed=13) * 3
    return {
        "similar pairs, scale 14.3": ("clip_loss", (img, txt, torch.tensor(14.3)), {}),
        "scale 100": ("clip_loss", (img, txt * 0.1, torch.tensor(100.0)), {}),
    }


CASES: dict[str, dict[str, Case]] = {
    "attention": _attention_cases(),
    "rmsnorm": _rmsnorm_cases(),
    "bpe_merge": _bpe_cases(),
    "softmax_merge": _softmax_merge_cases(),
    "clip_loss": _clip_cases(),
}

# mistake id -> (a case where it must differ from the reference, a case where it must agree).
EXPECTED: dict[str, dict[str, tuple[str, str | None]]] = {
    "attention": {
        "no_scale": ("random", None),
        "scale_by_d": ("random", None),
        "softmax_over_queries": ("random", None),
        "causal_excludes_diagonal": ("causal", "mask"),
        "causal_attends_future": ("causal", "mask"),
        "mask_inverted": ("mask", "causal"),
        "mask_fills_zero": ("mask", "random"),
        "masked_rows_nan": ("fully masked row", "mask"),
    },
    "rmsnorm": {
        "eps_outside_sqrt": ("small activations, eps=1e-2", "random"),
        "no_fp32_upcast": ("float16 |x|≈300", "random"),
        "mean_over_all_elements": ("random", None),
        "subtracts_mean": ("random", None),
        "no_weight": ("random", None),
        "sum_not_mean": ("random", None),
        "no_sqrt": ("random", None),
    },
    "bpe_merge": {
        "merge_no_skip": ("merge two occurrences", None),
        "merge_first_only": ("merge two occurrences", None),
        "ties_largest_pair": ("train ties abcabc", "merge a-a-a run"),
        "ties_latest": ("train ties zabzab", "merge a-a-a run"),
        "counts_skip_overlaps": ("train aaaa runs", "train ties abcabc"),
        "stale_counts": ("train aaabdaaabac", "merge a-a-a run"),
        "new_id_off_by_one": ("train 大模型面试大模型", "merge a-a-a run"),
        "stops_at_count_one": ("train aaabdaaabac", "train ties abcabc"),
    },
    "softmax_merge": {
        "o_not_rescaled": ("merge random", "merge with empty"),
        "l_not_rescaled": ("merge random", "merge with empty"),
        "m_not_max": ("merge random", None),
        "nan_on_empty": ("merge two empty", "blockwise"),
        "rescale_sign_flipped": ("merge random", "merge with empty"),
        "blockwise_no_final_division": ("blockwise", "merge random"),
        "blockwise_no_scale": ("blockwise", "merge random"),
    },
    "clip_loss": {
        "no_normalisation": ("similar pairs, scale 14.3", None),
        "normalise_wrong_dim": ("similar pairs, scale 14.3", None),
        "image_to_text_only": ("similar pairs, scale 14.3", None),
        "sum_over_batch": ("similar pairs, scale 14.3", None),
        "directions_not_averaged": ("similar pairs, scale 14.3", None),
        "no_logit_scale": ("similar pairs, scale 14.3", None),
        "divides_by_logit_scale": ("similar pairs, scale 14.3", None),
        "exponentiates_logit_scale": ("similar pairs, scale 14.3", None),
    },
}


def entry_for(drill: str, mistake: dict[str, Any], entry: str) -> Callable[..., Any]:
    """The mistake's override of ``entry``, else the reference (the grader's fallback rule)."""
    return mistake.get(entry) or getattr(REFERENCES[drill], entry)


def run(func: Callable[..., Any], case: Case) -> Any:
    _, args, kwargs = case
    copies = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    return func(*copies, **kwargs)


def differs(a: Any, b: Any) -> bool:
    """True when two outputs (tensors, tuples of them, or lists) visibly disagree: NaN/inf
    patterns differ or finite values differ beyond a loose half-precision tolerance."""
    if isinstance(a, (tuple, list)) and a and isinstance(a[0], torch.Tensor):
        return any(differs(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, torch.Tensor):
        x, y = a.double(), b.double()
        if x.shape != y.shape:
            return True
        return not torch.allclose(x, y, rtol=1e-2, atol=1e-3, equal_nan=True)
    return a != b


def mistake_params() -> list[Any]:
    return [
        pytest.param(drill, m, id=f"{drill}:{m['id']}") for drill in DRILLS for m in MISTAKES[drill]
    ]


@pytest.mark.parametrize("drill", DRILLS)
def test_mistake_entries_are_well_formed(drill: str) -> None:
    ids = [m["id"] for m in MISTAKES[drill]]
    assert len(ids) >= 4 and len(set(ids)) == len(ids)
    assert set(ids) == set(EXPECTED[drill]), "every mistake needs an EXPECTED row and vice versa"
    for m in MISTAKES[drill]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", m["id"])
        allowed = {"id", "title", "explanation", "exposed_by", "agrees_on", "tracks",
                   *ENTRIES[drill]}
        assert set(m) <= allowed, set(m) - allowed
        assert any(e in m for e in ENTRIES[drill]), "a mistake must override an entry point"
        for field in ("title", "explanation"):
            assert set(m[field]) == {"en", "zh"}
            assert m[field]["en"].strip() and m[field]["zh"].strip()
            assert re.search(r"[\u4e00-\u9fff]", m[field]["zh"]), "zh text must be Chinese"
        for entry in ENTRIES[drill]:
            if entry in m:
                ref_sig = inspect.signature(getattr(REFERENCES[drill], entry))
                got = inspect.signature(m[entry])
                assert [(p.name, p.default) for p in got.parameters.values()] == [
                    (p.name, p.default) for p in ref_sig.parameters.values()
                ], f"{m['id']}.{entry} must keep the drill's signature"


@pytest.mark.parametrize(("drill", "mistake"), mistake_params())
def test_mistake_runs_differs_where_expected_and_agrees_elsewhere(
    drill: str, mistake: dict[str, Any]
) -> None:
    cases = CASES[drill]
    outputs = {}
    for name, case in cases.items():
        entry = case[0]
        # Every variant runs without raising on every valid input.
        outputs[name] = run(entry_for(drill, mistake, entry), case)
    differ_on, agree_on = EXPECTED[drill][mistake["id"]]
    entry = cases[differ_on][0]
    expected = run(getattr(REFERENCES[drill], entry), cases[differ_on])
    assert differs(outputs[differ_on], expected), f"{mistake['id']} matches on {differ_on!r}"
    if agree_on is not None:
        entry = cases[agree_on][0]
        expected = run(getattr(REFERENCES[drill], entry), cases[agree_on])
        assert not differs(outputs[agree_on], expected), (
            f"{mistake['id']} should only show its own bug, but differs on {agree_on!r}"
        )


@pytest.mark.parametrize("drill", DRILLS)
def test_mistakes_of_a_drill_can_be_told_apart(drill: str) -> None:
    cases = CASES[drill]
    outputs = {
        m["id"]: {n: run(entry_for(drill, m, c[0]), c) for n, c in cases.items()}
        for m in MISTAKES[drill]
    }
    for a, b in itertools.combinations(outputs, 2):
        assert any(differs(outputs[a][n], outputs[b][n]) for n in cases), (
            f"{a} and {b} give the same output on every case"
        )


def test_mistakes_do_not_modify_inputs() -> None:
    for drill in DRILLS:
        for m in MISTAKES[drill]:
            for case in CASES[drill].values():
                _, args, kwargs = case
                before = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
                before = [list(a) if isinstance(a, list) else a for a in before]
                entry_for(drill, m, case[0])(*args, **kwargs)
                for a, b in zip(args, before, strict=True):
                    if isinstance(a, torch.Tensor):
                        assert torch.equal(a, b), f"{drill}:{m['id']} modified an input"
                    else:
                        assert a == b, f"{drill}:{m['id']} modified an input"
