"""Inputs the softmax_merge cases must try, each shown by a wrong solution that used to pass:
more queries than keys (query tiles counted with Sk) and, on the Triton track, o rows wider
than any fixed block (D = 1531). Each wrong file is graded as a user's file would be."""

from __future__ import annotations

from pathlib import Path

TRITON = Path(__file__).with_name("correct") / "triton_starter_filled.py"
SQ_GT_SK = {"blockwise more queries than keys (Sq = 40 > Sk = 9)",
            "blockwise more queries than keys, (B, H, S, D), block larger than Sk"}

QUERY_TILES = '''
import math, torch

def merge_states(m1, l1, o1, m2, l2, o2):
    m = torch.maximum(m1, m2)
    safe = torch.where(torch.isneginf(m), torch.zeros_like(m), m)
    a1, a2 = torch.exp(m1 - safe), torch.exp(m2 - safe)
    return m, a1 * l1 + a2 * l2, a1[..., None] * o1 + a2[..., None] * o2

def blockwise_attention(q, k, v, block_size):
    # FlashAttention-2's loop order: query tiles outside, key blocks inside.
    n = k.shape[-2]
    shape = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    out = torch.zeros((*shape, q.shape[-2], v.shape[-1]), dtype=q.dtype)
    for i in range(0, n, block_size):  # the bug: the query tiles are counted with Sk
        qi = q[..., i:i + block_size, :]
        m = torch.full(qi.shape[:-1], float("-inf"), dtype=q.dtype)
        l = torch.zeros_like(m)
        o = torch.zeros((*qi.shape[:-1], v.shape[-1]), dtype=q.dtype)
        for j in range(0, n, block_size):
            s = qi @ k[..., j:j + block_size, :].transpose(-2, -1) / math.sqrt(q.shape[-1])
            mb = s.amax(-1)
            p = torch.exp(s - mb[..., None])
            m, l, o = merge_states(m, l, o, mb, p.sum(-1), p @ v[..., j:j + block_size, :])
        out[..., i:i + block_size, :] = o / l[..., None]
    return out
'''


def _grade(path: Path, track: str):  # noqa: ANN202 - a GradeResult
    from quizapp.core.grading import grade_solution

    return grade_solution("softmax_merge", path, track=track, record=False)


def test_query_tiles_counted_with_sk_fail_by_name(tmp_path: Path) -> None:
    path = tmp_path / "query_tiles.py"
    path.write_text(QUERY_TILES, encoding="utf-8")
    result = _grade(path, "torch")
    assert result.status == "failed", result.message
    assert result.mistake is not None and result.mistake.id == "query_tiles_counted_by_sk", \
        result.message
    assert {c.name for c in result.cases if not c.passed} == SQ_GT_SK
    # With the loop over q.shape[-2] the same file passes.
    right = QUERY_TILES.replace("range(0, n, block_size):  # the bug",
                                "range(0, q.shape[-2], block_size):  # was")
    assert right != QUERY_TILES
    path.write_text(right, encoding="utf-8")
    assert _grade(path, "torch").passed


def test_a_triton_merge_with_a_fixed_block_fails_on_wide_rows(tmp_path: Path) -> None:
    source = TRITON.read_text(encoding="utf-8")
    wrong = source.replace("BLOCK_D=triton.next_power_of_2(d)", "BLOCK_D=1024")
    assert wrong != source
    path = tmp_path / "fixed_block.py"
    path.write_text(wrong, encoding="utf-8")
    result = _grade(path, "triton")
    assert result.status == "failed", result.message
    assert result.message.startswith("case 'merge rows of D = 1531"), result.message


def test_the_memory_budget_case_runs_on_the_triton_track(tmp_path: Path) -> None:
    """The Triton merge kernel is used, but on the whole Sq×Sk score matrix at once."""
    source = TRITON.read_text(encoding="utf-8")
    start = source.index("def blockwise_attention(")
    whole = source[:start] + '''def blockwise_attention(q, k, v, block_size):
    s = (q @ k.transpose(-2, -1)).float() / math.sqrt(q.shape[-1])  # Sq x Sk at once
    m_blk = s.amax(dim=-1)
    p = torch.exp(s - m_blk[..., None])
    m = torch.full_like(m_blk, float("-inf"))
    o = torch.zeros((*m.shape, v.shape[-1]))
    m, l, o = merge_states(m, torch.zeros_like(m), o, m_blk, p.sum(-1), p @ v.float())
    return (o / l[..., None]).to(q.dtype)
'''
    path = tmp_path / "whole_matrix.py"
    path.write_text(whole, encoding="utf-8")
    result = _grade(path, "triton")
    assert result.track == "triton" and result.interpreted, result.message
    assert result.status == "memory", result.message
    assert result.message.startswith("case 'blockwise within the memory budget"), \
        result.message
    assert [c.status for c in result.cases if not c.passed] == ["memory"]
