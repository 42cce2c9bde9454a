"""Row widths the rmsnorm Triton track must try: hidden sizes past any fixed block (1000,
1531, 4099 — none a power of two). A kernel with a fixed BLOCK of 1024 and no loop over the
row passed every case before them; graded as a user's file it now fails, by name when its
unwritten features are zeros."""

from __future__ import annotations

from pathlib import Path

CANDIDATE = Path(__file__).with_name("correct") / "triton_one_block.py"
WIDE = "hidden size 1531 (wider than a 1024 block), float16"


def _grade(path: Path):  # noqa: ANN202 - a GradeResult
    from quizapp.core.grading import grade_solution

    return grade_solution("rmsnorm", path, track="triton", record=False)


def _fixed_block(tmp_path: Path, alloc: str) -> Path:
    source = CANDIDATE.read_text(encoding="utf-8")
    wrong = source.replace("block = triton.next_power_of_2(n)", "block = 1024")
    wrong = wrong.replace("y = torch.zeros_like(x2)", f"y = torch.{alloc}(x2)")
    assert wrong.count("block = 1024") == 1
    path = tmp_path / f"fixed_block_{alloc}.py"
    path.write_text(wrong, encoding="utf-8")
    return path


def test_a_fixed_1024_block_fails_by_name(tmp_path: Path) -> None:
    result = _grade(_fixed_block(tmp_path, "zeros_like"))
    assert result.status == "failed", result.message
    assert result.message.startswith(f"case '{WIDE}'"), result.message
    assert result.mistake is not None and result.mistake.id == "fixed_block_no_loop", \
        result.message
    failing = {c.name for c in result.cases if not c.passed}
    assert failing == {WIDE, "hidden size 4099 (wider than a 4096 block)"}


def test_a_fixed_1024_block_into_uninitialised_memory_fails(tmp_path: Path) -> None:
    result = _grade(_fixed_block(tmp_path, "empty_like"))
    assert result.status == "failed", result.message
    assert result.message.startswith(f"case '{WIDE}'"), result.message
