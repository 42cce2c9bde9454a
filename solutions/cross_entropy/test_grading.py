"""Grading rules of the cross_entropy drill that its contract adds: on the Triton track the
gradient is checked too (it must come from the solution's backward)."""

from __future__ import annotations

from pathlib import Path

CANDIDATE = Path(__file__).with_name("correct") / "triton_single_block.py"


def _grade(path: Path):  # noqa: ANN202 - a GradeResult
    from quizapp.core.grading import grade_solution

    return grade_solution("cross_entropy", path, track="triton", record=False)


def test_a_wrong_triton_backward_fails_on_the_gradient(tmp_path: Path) -> None:
    source = CANDIDATE.read_text(encoding="utf-8")
    wrong = source.replace("g = (grad.float() / count).reshape(1)",
                           "g = grad.float().reshape(1)  # forgets the mean over valid rows")
    assert wrong != source
    path = tmp_path / "wrong_backward.py"
    path.write_text(wrong, encoding="utf-8")
    result = _grade(path)
    assert result.status == "failed", result.message
    assert "gradient w.r.t. logits" in result.message


def test_a_forward_only_triton_solution_fails(tmp_path: Path) -> None:
    source = CANDIDATE.read_text(encoding="utf-8")
    forward_only = source.replace("    return CE.apply(logits, targets, ignore_index, "
                                  "label_smoothing)",
                                  "    with torch.no_grad():\n"
                                  "        return CE.apply(logits, targets, ignore_index, "
                                  "label_smoothing)")
    assert forward_only != source
    path = tmp_path / "forward_only.py"
    path.write_text(forward_only, encoding="utf-8")
    result = _grade(path)
    assert result.status == "failed" and "not differentiable" in result.message
