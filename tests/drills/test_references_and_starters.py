"""Every reference passes its drill, every Triton kernel passes the Triton track in
interpreter mode, every starter fails cleanly, and every correct solution written the way a
candidate would (solutions/<id>/correct/*.py) passes — parametrised over the loaded drills."""

from __future__ import annotations

import pytest

from tests.drills.drill_helpers import DRILLS, drill_params, grade


@pytest.mark.parametrize("drill", drill_params(lambda d: "torch" in d.tracks))
def test_reference_passes(drill) -> None:  # noqa: ANN001 - a Drill
    result = grade(drill.id, drill.solution_file("reference"), track="torch")
    assert result.status == "passed", result.message
    assert result.track == "torch" and not result.interpreted
    assert [c.name for c in result.cases] == \
        [c.name for c in drill.graded_cases("torch", result.seed)]
    assert result.mistake is None and result.timing is None


@pytest.mark.parametrize("drill", drill_params(lambda d: "triton" in d.tracks))
def test_triton_kernel_passes_the_triton_track_interpreted(drill) -> None:  # noqa: ANN001
    result = grade(drill.id, drill.solution_file("kernel"))  # the track is detected
    assert result.track == "triton" and result.interpreted
    assert result.status == "passed", result.message
    assert "interpreted" in result.message


@pytest.mark.parametrize(("drill_id", "track"),
                         [pytest.param(d.id, t, id=f"{d.id}-{t}") for d in DRILLS.values()
                          for t in d.tracks])
def test_starter_fails_cleanly(drill_id: str, track: str) -> None:
    result = grade(drill_id, DRILLS[drill_id].starter_path(track), track=track)
    assert result.track == track
    assert result.status in ("failed", "error"), result.message
    assert result.message.startswith("case '"), result.message
    assert "internal error" not in result.message
    assert result.cases and not any(c.passed for c in result.cases[:1])


CORRECT = [pytest.param(d.id, path, id=f"{d.id}-{path.stem}") for d in DRILLS.values()
           for path in sorted((d.solutions / "correct").glob("*.py"))]


@pytest.mark.parametrize("drill_id", list(DRILLS))
def test_every_drill_has_a_correct_solution_in_another_style(drill_id: str) -> None:
    assert any((DRILLS[drill_id].solutions / "correct").glob("*.py"))


@pytest.mark.parametrize(("drill_id", "path"), CORRECT)
def test_correct_solutions_in_other_styles_pass(drill_id: str, path) -> None:  # noqa: ANN001
    result = grade(drill_id, path)  # the track its source declares (a @triton.jit → triton)
    assert result.status == "passed", result.message
