"""Known-wrong attention solutions that the mask-shape and Sq > Sk cases exist to catch.

Every mask broadcastable to (B, H, Sq, Sk) is legal, and broadcasting aligns the LAST dims.
Each wrong solution below mishandles some of those shapes; its grade must fail on exactly
the cases whose mask has such a shape (and pass the rest — the failure is for that reason,
not another one). The cases use B ≠ H, so a mask read along the wrong axis is a wrong
answer, not a coincidence.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

HEAD = '''
import math
import torch


def _attend(q, k, v, allowed):
    s = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if allowed is not None:
        s = s.masked_fill(~allowed, float("-inf"))
    p = torch.softmax(s, dim=-1)
    if allowed is not None:
        p = torch.where(allowed.any(-1, keepdim=True), p, torch.zeros((), dtype=p.dtype))
    return p @ v
'''

WRONG = {
    # mask[b] for every mask: only right when the mask's first axis is the batch.
    "mask[b]": '''
def attention(q, k, v, mask=None, is_causal=False):
    if is_causal:
        return _attend(q, k, v, torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril())
    if mask is None:
        return _attend(q, k, v, None)
    return torch.stack([_attend(q[b], k[b], v[b], mask[b]) for b in range(q.shape[0])])
''',
    # mask[b] for 4-D masks (the other ranks broadcast): (1, H, Sq, Sk) has no batch b > 0.
    "mask[b] on 4-D masks": '''
def attention(q, k, v, mask=None, is_causal=False):
    if is_causal:
        return _attend(q, k, v, torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril())
    if mask is None or mask.dim() < 4:
        return _attend(q, k, v, mask)
    return torch.stack([_attend(q[b], k[b], v[b], mask[b]) for b in range(q.shape[0])])
''',
    # A 3-D mask taken for (B, Sq, Sk) and given a head axis: it is (H, Sq, Sk).
    "3-D mask read as (B, Sq, Sk)": '''
def attention(q, k, v, mask=None, is_causal=False):
    if is_causal:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
    elif mask is not None and mask.dim() == 3:
        mask = mask.unsqueeze(1)
    return _attend(q, k, v, mask)
''',
    # Only 4-D masks, unpacked as (bsz, heads, q_len, kv_len) the way model code often does.
    "4-D masks only": '''
def attention(q, k, v, mask=None, is_causal=False):
    if is_causal:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
    elif mask is not None:
        bsz, heads, q_len, kv_len = mask.shape
        mask = mask.expand(q.shape[0], q.shape[1], q.shape[2], k.shape[2])
    return _attend(q, k, v, mask)
''',
}


def _mask_of_case() -> dict[str, str]:
    """Case name (every trial) → the case's `mask` parameter."""
    from quizapp.core.drills import load_drills

    drill = load_drills()["attention"]
    spec_mask = {spec.name: str(spec.params.get("mask", "none")) for spec in drill.cases}
    out = {}
    for case in drill.cases_for("torch"):
        spec_name = case.name.split(" #")[0]
        out[case.name] = spec_mask[spec_name]
    return out


def _dims(mask: str) -> tuple[str, ...] | None:
    """The mask's dims as names ("B", "H", "Sq", "Sk", "1"); None for no mask."""
    named = {"random": "(B, 1, Sq, Sk)", "padding": "(B, 1, 1, Sk)",
             "some_rows_empty": "(B, H, Sq, Sk)", "square_2d": "(Sq, Sk)"}
    if mask == "none":
        return None
    text = named.get(mask, mask)
    return tuple(n.strip() for n in text.strip("()").split(","))


# For each wrong solution: which mask shapes it gets wrong (and so which cases must fail).
SHOULD_FAIL = {
    "mask[b]": lambda dims: dims is not None and dims[0] != "B",
    "mask[b] on 4-D masks": lambda dims: dims is not None and len(dims) == 4 and dims[0] == "1",
    "3-D mask read as (B, Sq, Sk)": lambda dims: dims == ("H", "Sq", "Sk"),
    "4-D masks only": lambda dims: dims is not None and len(dims) < 4,
}


def _spec_name(case: str) -> str:
    """The YAML case a graded case comes from."""
    case = re.sub(r" \((fresh trial( \d+)?|under torch\.\w+\(\))\)$", "", case)
    return re.sub(r" #\d+$", "", case)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_mask_handling_fails_on_exactly_the_shapes_it_mishandles(
        tmp_path: Path, name: str) -> None:
    from quizapp.core.grading import grade_solution

    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent(HEAD + WRONG[name]), encoding="utf-8")
    result = grade_solution("attention", path, track="torch", record=False)
    assert result.status in ("failed", "error"), result.message
    masks = _mask_of_case()
    # Compared by YAML case: its trials (#1, #2), a fresh-seed trial of it and its no-grad
    # re-run must fail exactly when the case does.
    failed = {_spec_name(c.name) for c in result.cases if not c.passed}
    expected = {_spec_name(case) for case, mask in masks.items()
                if SHOULD_FAIL[name](_dims(mask))}
    assert expected, "no case tries the shapes this solution gets wrong"
    assert failed == expected, result.message
    if name == "mask[b]":
        assert result.mistake is not None and result.mistake.id == "mask_indexed_by_batch"


def test_every_broadcastable_mask_rank_and_sq_gt_sk_is_tried() -> None:
    """The cases cover masks of rank 1 to 4, size-1 dims on every axis, and Sq > Sk with and
    without a mask (causal is defined for Sq == Sk only, so it is not tried there)."""
    from quizapp.core.drills import load_drills

    drill = load_drills()["attention"]
    shapes = {_dims(str(spec.params.get("mask", "none"))) for spec in drill.cases}
    for wanted in [("Sk",), ("1", "Sk"), ("Sq", "Sk"), ("H", "Sq", "Sk"), ("1", "Sq", "Sk"),
                   ("1", "1", "Sk"), ("B", "1", "Sq", "Sk"), ("B", "1", "1", "Sk"),
                   ("1", "H", "Sq", "Sk"), ("1", "1", "Sq", "Sk"), ("B", "H", "Sq", "Sk"),
                   ("B", "H", "Sq", "1")]:
        assert wanted in shapes, wanted
    for spec in drill.cases:
        if "torch" in spec.tracks and spec.params.get("mask") not in (None, "none"):
            p = drill.entry("attention").full_params(spec.params)
            assert p["batch"] != p["heads"], f"{spec.name}: B == H hides axis mix-ups"
    longer = [s for s in drill.cases if s.params.get("sq", 5) > s.params.get("sk", 5)]
    assert any(s.params.get("mask", "none") == "none" for s in longer)
    assert any(s.params.get("mask") == "some_rows_empty" for s in longer)


# --------------------------------------------------------------------------- Triton track
# Each wrong kernel is a correct kernel with one classic online-softmax bug (a line left out
# or moved), planted in two styles: the reference kernel.py (fast path for full key blocks,
# only the user mask after the max) and the starter filled in the way a candidate would (one
# loop; bounds before the max, causal and user mask after it). Graded on the Triton track,
# each must fail and be named as that mistake.
_KERNEL = Path(__file__).with_name("kernel.py")
_FILLED = Path(__file__).parent / "correct" / "triton_starter_filled.py"
_MASK_BLOCK = """        if HAS_MASK:
            mask_ptrs = mask_base + offs_m[:, None] * stride_mm + offs_n[None, :] * stride_mn
            keep = tl.load(mask_ptrs, mask=m_ok[:, None] & n_ok[None, :], other=0)
            s = tl.where(keep != 0, s, float("-inf"))
"""
_MAX_LINE = "        m_new = tl.maximum(m_i, tl.max(s, axis=1))\n"
_FILLED_WHERE = '        s = tl.where(keep, s, float("-inf"))\n'
_FILLED_MAX_BEFORE = ('        m_new = tl.maximum(m_i, tl.max(tl.where(n_ok[None, :], s, '
                      'float("-inf")), axis=1))\n')
WRONG_KERNELS = {
    ("kernel.py", "running_max_not_carried"): (_KERNEL, [("        m_i = m_new\n", "")]),
    ("kernel.py", "accumulator_not_rescaled"): (
        _KERNEL, [("        acc = acc * alpha[:, None]\n", "")]),
    ("kernel.py", "mask_after_max"): (
        _KERNEL, [(_MASK_BLOCK + "\n" + _MAX_LINE, _MAX_LINE + _MASK_BLOCK)]),
    ("candidate", "running_max_not_carried"): (_FILLED, [("        m_i = m_new\n", "")]),
    ("candidate", "accumulator_not_rescaled"): (
        _FILLED, [("acc = acc * alpha[:, None] + tl.dot", "acc = acc + tl.dot")]),
    ("candidate", "mask_after_max"): (
        _FILLED, [(_FILLED_WHERE + _MAX_LINE, _FILLED_MAX_BEFORE + _FILLED_WHERE)]),
}


@pytest.mark.parametrize(("style", "mistake_id"), sorted(WRONG_KERNELS))
def test_wrong_kernel_fails_and_is_named(tmp_path: Path, style: str, mistake_id: str) -> None:
    from quizapp.core.grading import grade_solution

    original, plants = WRONG_KERNELS[(style, mistake_id)]
    source = original.read_text(encoding="utf-8")
    for old, new in plants:
        assert source.count(old) == 1, f"{original.name} changed: cannot plant {mistake_id}"
        source = source.replace(old, new)
    path = tmp_path / "kernel.py"
    path.write_text(source, encoding="utf-8")
    result = grade_solution("attention", path, track="triton", record=False)
    assert result.status == "failed", result.message
    assert result.mistake is not None, result.message
    assert result.mistake.id == mistake_id, result.message


def test_the_triton_grade_says_which_cases_it_did_not_run() -> None:
    """float64 is not required on the Triton track and the interpreter has no bfloat16: a
    passing grade names both instead of hiding them (the reference kernel passes)."""
    from quizapp.core.grading import grade_solution

    result = grade_solution("attention", _KERNEL, track="triton", record=False)
    assert result.passed, result.message
    assert "'float64' (not part of the triton track)" in result.message
    if result.interpreted:
        assert "'bfloat16' (GPU only: not run by the Triton interpreter)" in result.message
    assert len(result.cases) >= 15
