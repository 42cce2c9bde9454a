"""The precision policy (issue 10 §2): a solution fails only for errors that matter at the
precision the drill is about (`precision:` in drill.yaml, float32 by default).

A float64 case computed in float32 — Hugging Face's `LlamaRMSNorm`, flash-style attention
with float32 accumulators — passes with a note in the message, the JSON (`notes`) and the
case; float16-level errors, wrong formulas and a known mistake that only float64 can see
still fail. rmsnorm and attention are the vehicles (both have a float64 case with
gradients); the judging-level tests build the child's message by hand, the others grade
real files in the sandbox.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from quizapp.core.drills import check_drills, load_drills
from quizapp.core.grading import compare as cmp
from quizapp.core.grading.expected import call, clone, detach, differentiated, prepare
from quizapp.core.grading.judging import evaluate_case
from tests.drills.drill_helpers import DRILLS, SOLUTIONS, grade, mistake_file, write

HF_LLAMA = SOLUTIONS / "rmsnorm" / "correct" / "hf_llama_float32.py"
NOTE_START = "float64 inputs were computed in float32: max rel err "
PROMOTE = "`torch.promote_types(x.dtype, torch.float32)` keeps float64"

#: Online-softmax attention over blocks of keys, every input upcast to float32 accumulators
#: (the flash-attention way), cast back to q's dtype at the end.
FLASH_FLOAT32 = """
import math
import torch


def attention(q, k, v, mask=None, is_causal=False, block=4):
    B, H, Sq, D = q.shape
    Sk = k.shape[-2]
    qf, kf, vf = (t.to(torch.float32) for t in (q, k, v))
    allowed = torch.ones(Sq, Sk, dtype=torch.bool, device=q.device)
    if is_causal:
        allowed = allowed.tril()
    if mask is not None:
        allowed = allowed & mask
    allowed = torch.broadcast_to(allowed, (B, H, Sq, Sk))
    m = torch.full((B, H, Sq, 1), float("-inf"), device=q.device)
    l = torch.zeros(B, H, Sq, 1, device=q.device)
    acc = torch.zeros(B, H, Sq, D, device=q.device)
    for start in range(0, Sk, block):
        s = qf @ kf[..., start:start + block, :].transpose(-2, -1) / math.sqrt(D)
        s = s.masked_fill(~allowed[..., start:start + block], float("-inf"))
        m_new = torch.maximum(m, s.amax(-1, keepdim=True))
        shift = torch.where(torch.isinf(m_new), torch.zeros_like(m_new), m_new)
        p = torch.exp(s - shift)
        rescale = torch.exp(m - shift)
        l = l * rescale + p.sum(-1, keepdim=True)
        acc = acc * rescale + p @ vf[..., start:start + block, :]
        m = m_new
    out = torch.where(l > 0, acc / l.clamp_min(1e-30), torch.zeros_like(acc))
    return out.to(q.dtype)
"""

#: RMSNorm computed in float16 whatever the input: float16-sized errors on float32 and
#: float64 cases (and inf for |x| > 256).
FLOAT16_WORK = """
import torch


def rms_norm(x, weight, eps=1e-6):
    h = x.to(torch.float16)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return (weight.to(torch.float16) * h).to(x.dtype)
"""

#: The HF style, but with the wrong formula (the mean subtracted first, as in LayerNorm).
WRONG_FORMULA_FLOAT32 = """
import torch


def rms_norm(x, weight, eps=1e-6):
    input_dtype = x.dtype
    h = x.to(torch.float32)
    h = h - h.mean(-1, keepdim=True)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(input_dtype)
"""


def _float64_case(drill_id: str) -> Any:
    drill = DRILLS[drill_id]
    case = next(c for c in drill.cases_for("torch") if c.params.get("dtype") == "float64")
    return drill, case


# --------------------------------------------------------------------------- graded files


def test_hf_llama_rmsnorm_passes_with_its_note() -> None:
    result = grade("rmsnorm", HF_LLAMA, track="torch")
    assert result.status == "passed", result.message
    assert len(result.notes) == 1, result.notes
    note = result.notes[0]
    assert note.startswith(NOTE_START) and PROMOTE in note, note
    # float32 arithmetic on float64 inputs: errors of float32's size, not float16's.
    err = float(note[len(NOTE_START):].split(" ", 1)[0])
    assert 1e-9 < err < 1e-5, note
    assert note in result.message
    noted = [c for c in result.cases if c.note]
    assert [c.name for c in noted] == ["float64"]
    assert all(c.passed for c in result.cases)
    as_json = json.loads(json.dumps(result.to_json()))
    assert as_json["notes"] == [note] and as_json["first_failure"] is None
    assert next(c for c in as_json["cases"] if c["name"] == "float64")["note"].startswith(
        "computed in float32")


def test_flash_style_attention_with_float32_accumulators_passes_with_a_note(
        solution_dir: Path) -> None:
    result = grade("attention", write(solution_dir, "flash_float32.py", FLASH_FLOAT32),
                   track="torch")
    assert result.status == "passed", result.message
    assert len(result.notes) == 1 and result.notes[0].startswith(NOTE_START), result.notes
    assert {c.name for c in result.cases if c.note} == {"float64"}


def test_float16_accumulated_work_still_fails(solution_dir: Path) -> None:
    result = grade("rmsnorm", write(solution_dir, "float16_work.py", FLOAT16_WORK),
                   track="torch")
    assert result.status == "failed", result.message
    assert result.notes == []
    by_name = {c.name: c for c in result.cases}
    # float16 errors are far outside float32's tolerance: the float64 case fails too.
    assert by_name["float64"].status == "failed" and not by_name["float64"].note
    basic = next(c for c in result.cases if c.name.startswith("float32 basic"))
    assert basic.status == "failed"
    assert result.first_failure is not None and result.first_failure.case == basic.name
    assert result.first_failure.message == basic.message


def test_a_wrong_formula_computed_in_float32_still_fails(solution_dir: Path) -> None:
    result = grade("rmsnorm", write(solution_dir, "wrong_float32.py", WRONG_FORMULA_FLOAT32),
                   track="torch")
    assert result.status == "failed", result.message
    assert result.notes == [] and not any(c.note for c in result.cases)
    assert next(c for c in result.cases if c.name == "float64").status == "failed"


def test_a_note_never_hides_a_known_mistake(solution_dir: Path) -> None:
    """eps outside the square root, in float64: on the float64 case it differs from the
    reference by ~1e-7 relative — within float32's tolerance — but it is exactly the known
    mistake's output, so that case fails at float64's tolerance and no note is given."""
    result = grade("rmsnorm", mistake_file(solution_dir, "rmsnorm", "eps_outside_sqrt"),
                   track="torch")
    assert result.status == "failed", result.message
    assert result.mistake is not None and result.mistake.id == "eps_outside_sqrt"
    assert result.notes == []
    float64 = next(c for c in result.cases if c.name == "float64")
    assert float64.status == "failed" and not float64.note, float64


# --------------------------------------------------------------------------- judging


def _hf_llama_message(drill: Any, prepared: Any) -> dict[str, Any]:
    """The child's "case" message for the HF-style solution on `prepared` (built here)."""
    from quizapp.core.drills import load_module

    fn = load_module(HF_LLAMA).rms_norm
    values = {n: clone(v) for n, v in prepared.values.items()}
    for name in prepared.grad:
        values[name] = values[name].detach().requires_grad_(True)
    out = call(fn, values, prepared.keywords)
    pairs = differentiated(out, prepared.grad_output)
    grads = torch.autograd.grad([o for o, _ in pairs], [values[n] for n in prepared.grad],
                                grad_outputs=[g for _, g in pairs])
    return {"type": "case", "status": "ok", "seconds": 0.0, "output": cmp.pack_plain(detach(out)),
            "inputs_after": {}, "aliases": [],
            "grads": {n: cmp.pack_plain(g) for n, g in zip(prepared.grad, grads, strict=True)}}


def test_the_drills_precision_decides() -> None:
    drill, case = _float64_case("rmsnorm")
    assert drill.precision == "float32"
    prepared = prepare(drill, case)
    assert prepared.grad, "the float64 case checks gradients: the policy covers them too"
    message = _hf_llama_message(drill, prepared)
    relaxed = evaluate_case(drill, "torch", "cpu", prepared, message)
    assert relaxed.result.passed and relaxed.result.note.startswith("computed in float32")
    assert relaxed.strict is not None and relaxed.strict.status == "failed"
    assert relaxed.precision_error is not None and relaxed.precision_error < 1e-5
    strict_drill = dataclasses.replace(drill, precision="float64")
    strict = evaluate_case(strict_drill, "torch", "cpu", prepared, message)
    assert strict.result.status == "failed" and not strict.result.note
    assert "float32-sized errors on a float64 case" in strict.result.message


def test_a_float32_output_for_float64_inputs_is_still_an_error() -> None:
    """The dtype contract comes first: the note is only for float64 outputs."""
    drill, case = _float64_case("rmsnorm")
    prepared = prepare(drill, case)
    message = _hf_llama_message(drill, prepared)
    message["output"] = cmp.pack_plain(message["output"]["value"].float())
    judged = evaluate_case(drill, "torch", "cpu", prepared, message)
    assert judged.result.status == "error" and "returned float32, expected float64" in \
        judged.result.message


@pytest.mark.parametrize(("value", "problem"), [
    ("float16", "'precision' must be float32 or float64"),
    ("float32", None), ("float64", None)])
def test_precision_is_checked_in_drill_yaml(tmp_path: Path, value: str,
                                            problem: str | None) -> None:
    source = DRILLS["rmsnorm"]
    folder = tmp_path / "content" / "drills" / "rmsnorm"
    folder.mkdir(parents=True)
    for item in source.folder.iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    text = source.yaml_path.read_text(encoding="utf-8")
    (folder / "drill.yaml").write_text(text + f"\nprecision: {value}\n", encoding="utf-8")
    solutions = tmp_path / "solutions" / "rmsnorm"
    solutions.mkdir(parents=True)
    for item in source.solutions.rglob("*.py"):
        target = solutions / item.relative_to(source.solutions)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.read_bytes())
    problems = check_drills([folder / "drill.yaml"])
    if problem is None:
        assert problems == []
        assert load_drills(tmp_path / "content" / "drills")["rmsnorm"].precision == value
    else:
        assert any(problem in p for p in problems), problems
