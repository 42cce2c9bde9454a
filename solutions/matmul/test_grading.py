"""The matmul drill's known mistakes as the Triton kernels a candidate would write: each is
the correct candidate solution (correct/starter_filled.py) with one classic bug put in,
graded as a user's file under the interpreter, and must fail and be named as itself.
(`quizapp drill verify` checks the mistakes' float64 models offline; this checks that the
grader recognises the real kernels.)"""

from __future__ import annotations

from pathlib import Path

import pytest

CANDIDATE = Path(__file__).with_name("correct") / "starter_filled.py"

LOOP = """\
        a = tl.load(a_ptrs, mask=(rows[:, None] < M) & (ks[None, :] < k_left), other=0.0)
        b = tl.load(b_ptrs, mask=(ks[:, None] < k_left) & (cols[None, :] < N), other=0.0)
"""
ADVANCE = """\
        a_ptrs += BLOCK_K * stride_ak
        b_ptrs += BLOCK_K * stride_bk
"""

#: mistake id -> the (old, new) replacements that put the bug into the candidate.
BUGS: dict[str, list[tuple[str, str]]] = {
    # The tutorial's `% M` trick carried over to K, with the K mask dropped.
    "no_k_mask": [(LOOP, """\
        kk = (k * BLOCK_K + ks) % K
        a = tl.load(a_ptr + rows[:, None] * stride_am + kk[None, :] * stride_ak,
                    mask=rows[:, None] < M, other=0.0)
        b = tl.load(b_ptr + kk[:, None] * stride_bk + cols[None, :] * stride_bn,
                    mask=cols[None, :] < N, other=0.0)
""")],
    "fp16_accumulator": [
        ("acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)",
         "acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=c_ptr.dtype.element_ty)"),
        ("acc += tl.dot(a, b, input_precision=PRECISION)",
         "acc += tl.dot(a, b, input_precision=PRECISION, out_dtype=c_ptr.dtype.element_ty)")],
    "strides_assumed_contiguous": [
        ("a.stride(0), a.stride(1), b.stride(0), b.stride(1),", "K, 1, N, 1,")],
    "grid_drops_last_tile": [
        ("grid = (triton.cdiv(M, BLOCK_M), triton.cdiv(N, BLOCK_N))",
         "grid = (M // BLOCK_M, N // BLOCK_N)")],
    "acc_overwritten": [
        ("acc += tl.dot(a, b, input_precision=PRECISION)",
         "acc = tl.dot(a, b, input_precision=PRECISION)")],
    "pointers_not_advanced": [(ADVANCE, "")],
}


def _grade(path: Path):  # noqa: ANN202 - a GradeResult
    from quizapp.core.grading import grade_solution

    return grade_solution("matmul", path, record=False)


def _buggy(tmp_path: Path, name: str, replacements: list[tuple[str, str]]) -> Path:
    source = CANDIDATE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert source.count(old) == 1, f"{name}: the candidate no longer contains {old!r}"
        source = source.replace(old, new)
    path = tmp_path / f"matmul_{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize("mistake_id", list(BUGS))
def test_a_buggy_kernel_fails_and_is_named(tmp_path: Path, mistake_id: str) -> None:
    result = _grade(_buggy(tmp_path, mistake_id, BUGS[mistake_id]))
    assert result.track == "triton" and result.interpreted
    assert result.status == "failed", result.message
    assert result.mistake is not None and result.mistake.id == mistake_id, result.message


def test_every_mistake_has_a_buggy_kernel() -> None:
    from quizapp.core.drills import get_drill

    assert {m.id for m in get_drill("matmul").mistakes} == set(BUGS)


def test_an_unmasked_k_tail_fails(tmp_path: Path) -> None:
    """No K mask and no wraparound: the loads read past the end of a row (the next row of a,
    memory past b). What it reads is not reproducible, so no mistake can be named — but it
    must not pass."""
    path = _buggy(tmp_path, "unmasked", [(LOOP, """\
        a = tl.load(a_ptrs, mask=rows[:, None] < M, other=0.0)
        b = tl.load(b_ptrs, mask=cols[None, :] < N, other=0.0)
""")])
    result = _grade(path)
    assert result.status in ("failed", "error"), result.message


def test_a_float32_result_is_an_error_that_says_so(tmp_path: Path) -> None:
    """C created as float32 (the accumulator's dtype) for float16 inputs: the grader reports
    the dtype itself (an error, before any value is compared), so it needs no mistake."""
    path = _buggy(tmp_path, "fp32_out", [
        ("c = torch.zeros((M, N), dtype=a.dtype, device=a.device)",
         "c = torch.zeros((M, N), dtype=torch.float32, device=a.device)")])
    result = _grade(path)
    assert result.status == "error", result.message
    assert "returned float32, expected float16" in result.message


def test_a_solution_without_a_kernel_is_told_so(tmp_path: Path) -> None:
    """matmul has only a Triton track: a plain-torch file is graded there and told that the
    kernel is missing (not refused as 'no torch track')."""
    path = tmp_path / "plain.py"
    path.write_text("import torch\n\ndef matmul(a, b):\n"
                    "    return (a[:, :, None] * b[None]).sum(1)\n", encoding="utf-8")
    result = _grade(path)
    assert result.track == "triton" and result.status == "error"
    assert "no @triton.jit kernel" in result.message


def test_the_at_operator_is_refused(tmp_path: Path) -> None:
    source = CANDIDATE.read_text(encoding="utf-8").replace(
        "    return c\n", "    return (a.float() @ b.float()).to(a.dtype)\n")
    path = tmp_path / "at_operator.py"
    path.write_text(source, encoding="utf-8")
    result = _grade(path)
    assert result.status == "banned", result.message
    assert "matmul" in result.message
