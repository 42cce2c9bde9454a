"""Every known mistake fails its drill and is recognised as itself: the cases expose each
classic bug, and the diagnosis names the right one (parametrised over the loaded drills)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drills.drill_helpers import DRILLS, grade, mistake_file, write

ALL = [pytest.param(drill.id, m.id, id=f"{drill.id}:{m.id}") for drill in DRILLS.values()
       for m in drill.mistakes if "torch" in m.tracks]


@pytest.mark.parametrize("drill_id", list(DRILLS))
def test_every_drill_has_at_least_four_mistakes(drill_id: str) -> None:
    assert len(DRILLS[drill_id].mistakes) >= 4


@pytest.mark.parametrize(("drill_id", "mistake_id"), ALL)
def test_mistake_fails_and_is_identified(solution_dir: Path, drill_id: str,
                                         mistake_id: str) -> None:
    result = grade(drill_id, mistake_file(solution_dir / drill_id, drill_id, mistake_id),
                   track="torch")
    assert result.status == "failed", result.message
    assert result.mistake is not None, result.message
    assert result.mistake.id == mistake_id, result.message
    # The mistake is a field of its own, not glued onto the message (the TUI and the CLI
    # show it in their own way); the message is about the first failing case.
    assert "looks like" not in result.message
    first = result.first_failure
    assert first is not None and first.status == "failed", result.message
    assert result.message == f"case '{first.case}': {first.message}"
    as_json = result.to_json()["mistake"]
    assert as_json["id"] == mistake_id and as_json["explanation"]
    assert result.mistake.explanation["zh"]  # both languages reach the TUI


@pytest.mark.parametrize("drill_id", list(DRILLS))
def test_a_bug_that_is_no_known_mistake_gets_no_diagnosis(solution_dir: Path,
                                                         drill_id: str) -> None:
    """The reference with its first output changed by a constant: wrong, and no mistake of
    the drill may claim it (mistakes match only their own bug). A drill without a torch
    track shifts its Triton kernel instead (its oracle may use what that track forbids)."""
    drill = DRILLS[drill_id]
    entry = drill.entry_points[0]
    if entry.compare != "allclose" or entry.returns_none or entry.outputs:
        pytest.skip("the shifted-output bug needs a single-tensor result")
    track = drill.main_track
    shift = ["    return out + 0.37 * (out.abs().max() + 1)"]
    if track == "torch":
        # Self-contained (the sandbox refuses a solution any read of solutions/).
        source = drill.solution_file("reference").read_text(encoding="utf-8")
        lines = ["import sys as _sys, types as _types", "_r = _types.ModuleType('_r')",
                 "_sys.modules['_r'] = _r", f"exec(compile({source!r}, '<reference>', "
                 "'exec'), _r.__dict__)"]
        for e in drill.entry_points:
            lines.append(f"{e.name} = _r.{e.name}")
        lines += [f"def {entry.name}(*args, **kwargs):",
                  f"    out = _r.{entry.name}(*args, **kwargs)", *shift]
    else:
        # The kernel's text itself (Triton reads a kernel's source from its file).
        lines = [drill.solution_file("kernel").read_text(encoding="utf-8"),
                 f"_unshifted_{entry.name} = {entry.name}",
                 f"def {entry.name}(*args, **kwargs):",
                 f"    out = _unshifted_{entry.name}(*args, **kwargs)", *shift]
    path = write(solution_dir, f"{drill_id}__shifted.py", "\n".join(lines) + "\n")
    result = grade(drill_id, path, track=track)
    assert result.status == "failed" and result.mistake is None, result.message
    assert " — looks like" not in result.message
