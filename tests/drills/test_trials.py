"""What a grade adds to the named cases, on a bundled drill as the vehicle: fresh trials (a
new seed per grade, shown on failure, replayed with `--seed N`), forward passes under
torch.no_grad() / torch.inference_mode(), and the prepared-case cache on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.core.drills import build_inputs
from tests.drills.drill_helpers import DRILLS, SOLUTIONS, grade, write

RMS = """
    import torch

    def _rms(x, weight, eps):
        h = x.to(torch.promote_types(x.dtype, torch.float32))
        return (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps) * weight).to(x.dtype)
"""


def test_a_solution_wrong_without_autograd_fails_under_no_grad(solution_dir: Path) -> None:
    path = write(solution_dir, "trials_grad_only.py", RMS + """
    def rms_norm(x, weight, eps=1e-6):
        y = _rms(x, weight, eps)
        return y if torch.is_grad_enabled() else y * 1.01
    """)
    result = grade("rmsnorm", path)
    assert result.status == "failed", result.message
    failed = {c.name for c in result.cases if not c.passed}
    assert failed and all("(under torch.no_grad())" in n or "(under torch.inference_mode())"
                          in n for n in failed)
    assert any("no_grad" in n for n in failed) and any("inference_mode" in n for n in failed)


def test_a_solution_wrong_in_inference_mode_fails(solution_dir: Path) -> None:
    path = write(solution_dir, "trials_inference.py", RMS + """
    def rms_norm(x, weight, eps=1e-6):
        y = _rms(x, weight, eps)
        return y * 1.01 if torch.is_inference_mode_enabled() else y
    """)
    result = grade("rmsnorm", path)
    assert result.status == "failed", result.message
    failed = [c.name for c in result.cases if not c.passed]
    assert failed and all(n.endswith("(under torch.inference_mode())") for n in failed)


def _memorising_solution(folder: Path) -> Path:
    """Right on every named case's inputs (recognised by a fingerprint), wrong on others:
    only fresh inputs can expose it."""
    drill = DRILLS["rmsnorm"]
    known = sorted({round(float(build_inputs(drill, c.entry, c.params, c.seed)
                               .values["x"].double().sum()), 6)
                    for c in drill.cases_for("torch")})
    return write(folder, "trials_memorising.py", RMS + f"""
    KNOWN = {known!r}

    def rms_norm(x, weight, eps=1e-6):
        y = _rms(x, weight, eps)
        return y if round(float(x.double().sum()), 6) in KNOWN else y * 1.01
    """)


def test_fresh_trials_expose_a_memorised_answer_and_replay(solution_dir: Path) -> None:
    path = _memorising_solution(solution_dir)
    first = grade("rmsnorm", path)
    assert first.status == "failed", first.message
    seed = first.seed
    assert isinstance(seed, int) and first.to_json()["seed"] == seed
    failed = [c for c in first.cases if not c.passed]
    assert failed and all("fresh trial" in c.name for c in failed)
    replay = f"--seed {seed}"
    assert replay in first.message and f"fresh trial with seed {seed}" in first.message
    assert all(replay in c.message for c in failed)
    cases = {c["name"]: c for c in first.to_json()["cases"]}
    assert all(cases[c.name]["seed"] == seed for c in failed)
    # --seed N replays the same fresh inputs: the same cases fail with the same numbers.
    again = grade("rmsnorm", path, seed=seed)
    assert again.seed == seed
    assert [(c.name, c.message) for c in again.cases if not c.passed] == \
        [(c.name, c.message) for c in failed]


def test_named_cases_keep_their_seeds_whatever_the_grade_seed() -> None:
    reference = SOLUTIONS / "rmsnorm" / "reference.py"
    a, b = grade("rmsnorm", reference, seed=1), grade("rmsnorm", reference, seed=2)
    assert a.passed and b.passed
    named = {c.name for c in DRILLS["rmsnorm"].cases_for("torch")}
    errors = {r.seed: {c.name: c.max_abs_err for c in r.cases if c.name in named}
              for r in (a, b)}
    assert errors[1] == errors[2] and len(errors[1]) == len(named)
    fresh = [[c for c in r.cases if "fresh trial" in c.name] for r in (a, b)]
    assert fresh[0] and fresh[1]


def test_grade_seed_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grade", "rmsnorm", str(SOLUTIONS / "rmsnorm" / "reference.py"), "--seed",
                 "81723", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["seed"] == 81723
    fresh = [c for c in data["cases"] if "fresh trial" in c["name"]]
    assert fresh and all(c["seed"] == 81723 for c in fresh)
    assert all(c.get("seed") is None for c in data["cases"] if c not in fresh)


def test_a_negative_seed_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grade", "rmsnorm", str(SOLUTIONS / "rmsnorm" / "reference.py"), "--seed",
                 "-3"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("quizapp: ") and len(err.strip().splitlines()) == 1
