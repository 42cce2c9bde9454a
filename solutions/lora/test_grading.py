"""The lora drill's memory-budget case: lora_linear must never form B·A. The budget counts
what the solution allocates — the 16 MiB weight it is sent, and would once have had to send
back, is not charged to it — so a correct layer fits 6 MiB and one that builds the 16 MiB
out × in update does not. Each file is graded as a user's file would be."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

BUDGET = "2048 x 2048 layer under a memory budget (no B·A)"
CORRECT = Path(__file__).with_name("correct") / "peft_style.py"

MERGE = '''
def merge_lora(weight, lora_a, lora_b, alpha):
    acc = torch.float64 if weight.dtype == torch.float64 else torch.float32
    delta = (lora_b.to(acc) @ lora_a.to(acc)) * (alpha / lora_a.shape[0])
    return (weight.to(acc) + delta).to(weight.dtype)
'''

FORMS_BA = {
    "delta weight": '''
import torch

def lora_linear(x, weight, bias, lora_a, lora_b, alpha):
    acc = torch.promote_types(x.dtype, torch.float32)
    delta = (lora_b.to(acc) @ lora_a.to(acc)) * (alpha / lora_a.shape[0])  # out x in
    y = x.to(acc) @ weight.to(acc).T + x.to(acc) @ delta.T
    return (y if bias is None else y + bias.to(acc)).to(x.dtype)
''',
    "merged weight": '''
import torch
import torch.nn.functional as F

def lora_linear(x, weight, bias, lora_a, lora_b, alpha):
    acc = torch.promote_types(x.dtype, torch.float32)
    merged = weight.to(acc) + (alpha / lora_a.shape[0]) * (lora_b.to(acc) @ lora_a.to(acc))
    return F.linear(x.to(acc), merged, None if bias is None else bias.to(acc)).to(x.dtype)
''',
}

needs_linux = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="the CPU memory budget is an RLIMIT_DATA (Linux)")


def _grade(tmp_path: Path, name: str, source: str):  # noqa: ANN202 - a GradeResult
    from quizapp.core.grading import grade_solution

    path = tmp_path / f"{name.replace(' ', '_')}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade_solution("lora", path, track="torch", record=False)


@needs_linux
@pytest.mark.parametrize("how", sorted(FORMS_BA))
def test_forming_b_a_breaks_the_budget(tmp_path: Path, how: str) -> None:
    result = _grade(tmp_path, how, FORMS_BA[how] + MERGE)
    assert result.status == "memory", result.message
    assert result.message.startswith(f"case '{BUDGET}': went over the 6 MiB memory budget")
    assert "(x @ lora_a.T) @ lora_b.T" in result.message  # the drill's hint
    # Right numbers everywhere else: the budget is the only thing that catches it.
    assert [c.name for c in result.cases if not c.passed] == [BUDGET]


@needs_linux
def test_a_correct_layer_fits_the_budget(tmp_path: Path) -> None:
    result = _grade(tmp_path, "peft_style", CORRECT.read_text(encoding="utf-8"))
    assert result.passed, result.message
    assert next(c for c in result.cases if c.name == BUDGET).passed


@needs_linux
def test_an_input_changed_inside_the_budget_case_is_still_caught(tmp_path: Path) -> None:
    """The budget case sends back a digest of each input instead of the input: modifying
    one is still seen (here only the 2048-wide weight is touched)."""
    source = CORRECT.read_text(encoding="utf-8").replace(
        "    r = lora_a.shape[0]\n",
        "    r = lora_a.shape[0]\n"
        "    if weight.shape[0] == 2048:\n"
        "        weight[0, 0] += 1.0  # after the output is computed it would be too late\n",
    )
    source = source.replace("    result = x @ weight.t()\n",
                            "    result = x @ weight.t()\n"
                            "    if weight.shape[0] == 2048:\n"
                            "        result[..., 0] -= x[..., 0]  # keep the output right\n")
    result = _grade(tmp_path, "modifies", source)
    budget = next(c for c in result.cases if c.name == BUDGET)
    assert budget.status == "failed", budget.message
    assert "modified its input `weight`" in budget.message
