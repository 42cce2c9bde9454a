"""Every known mistake fails its drill and is recognised as itself: the cases expose each
classic bug, and the diagnosis names the right one."""

from __future__ import annotations

from pathlib import Path

import pytest
from drill_helpers import DRILLS, grade, load_solution_module, mistake_file

ALL = [(drill_id, item["id"]) for drill_id in DRILLS
       for item in load_solution_module(drill_id, "mistakes").MISTAKES]


def test_every_drill_has_at_least_four_mistakes() -> None:
    for drill_id in DRILLS:
        assert sum(1 for d, _ in ALL if d == drill_id) >= 4, drill_id


@pytest.mark.parametrize(("drill_id", "mistake_id"), ALL)
def test_mistake_fails_and_is_identified(solution_dir: Path, drill_id: str,
                                         mistake_id: str) -> None:
    result = grade(drill_id, mistake_file(solution_dir, drill_id, mistake_id))
    assert result.status == "failed", result.message
    assert result.mistake is not None, result.message
    assert result.mistake.id == mistake_id, result.message
    assert f"looks like *{mistake_id}*" in result.message
    as_json = result.to_json()["mistake"]
    assert as_json["id"] == mistake_id and as_json["explanation"]
    assert result.mistake.explanation["zh"]  # both languages reach the TUI


def test_a_bug_that_is_no_known_mistake_gets_no_diagnosis(solution_dir: Path) -> None:
    from drill_helpers import write

    path = write(solution_dir, "rms_plus_one.py", """
        import torch
        def rms_norm(x, weight, eps=1e-6):
            xf = x.double()
            y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * weight.double()
            return (y + 1).to(x.dtype)
    """)
    result = grade("rmsnorm", path)
    assert result.status == "failed" and result.mistake is None
    assert " — looks like" not in result.message
