"""`quizapp drill verify`: the drill author's check that a bundle is complete and honest.

One `Check` per line: the bundle validates (YAML, inputs.py, reference.py, mistakes.py,
the statement naming every entry point); the reference (and the Triton kernel) passes every
track; every starter fails cleanly; every known mistake, graded as a user's file, fails and
is named as itself; each mistake's `exposed_by` case exposes it and its `agrees_on` case
does not; every `solutions/<id>/correct/*.py` passes. Grades reuse one warm zygote, so each
costs a fork, not an `import torch`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from quizapp.core.drills import Drill, check_drills, load_module


@dataclass(frozen=True)
class Check:
    """One verified property of a drill."""

    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        """"ok   name" or "FAIL name: detail"."""
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}" + (f": {self.detail}"
                                                                 if self.detail else "")


def mistake_source(drill: Drill, mistake_id: str) -> str:
    """A self-contained, user-like solution file that *is* the known mistake `mistake_id`
    (the reference for the entries it leaves alone). reference.py and mistakes.py are
    embedded as source text: the grading sandbox (rightly) lets a solution read nothing
    beside its own file."""
    sources = {name: drill.solution_file(name).read_text(encoding="utf-8")
               for name in ("reference", "mistakes")}
    lines = [
        f'"""The known mistake {mistake_id} of {drill.id}, as a solution file."""',
        "import sys as _sys",
        "import types as _types",
        "",
        "def _load(name, source):",
        "    module = _types.ModuleType('_user_' + name)",
        "    module.__file__ = '<embedded ' + name + '.py>'",
        "    _sys.modules[module.__name__] = module",
        "    exec(compile(source, module.__file__, 'exec'), module.__dict__)",
        "    return module",
        "",
        f"_ref = _load('reference', {sources['reference']!r})",
        f"_variant = next(m for m in _load('mistakes', {sources['mistakes']!r}).MISTAKES",
        f"                if m['id'] == {mistake_id!r})",
    ]
    for entry in drill.entry_points:
        lines.append(f"{entry.name} = _variant.get({entry.name!r}) or _ref.{entry.name}")
    return "\n".join(lines) + "\n"


def write_mistake_file(folder: Path, drill: Drill, mistake_id: str) -> Path:
    """Write the mistake's (self-contained) solution file into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{drill.id}__{mistake_id}.py"
    path.write_text(mistake_source(drill, mistake_id), encoding="utf-8")
    return path


def _grade(drill: Drill, path: Path, track: str | None = None):  # noqa: ANN202 - GradeResult
    from quizapp.core.grading.grader import grade_solution

    return grade_solution(drill.id, path, track=track, record=False)


def verify(drill: Drill, *, say: Callable[[Check], None] | None = None) -> list[Check]:
    """Every check of `drill`, in order; `say` receives each as it is made."""
    out: list[Check] = []
    for check in _checks(drill):
        out.append(check)
        if say is not None:
            say(check)
    return out


def _checks(drill: Drill) -> Iterator[Check]:
    problems = check_drills([drill.folder])
    yield Check("the bundle validates (drill.yaml, inputs.py, reference.py, mistakes.py, "
                "statement)", not problems, "; ".join(problems[:3]) +
                (f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""))
    if problems:
        return
    yield from _reference_checks(drill)
    yield from _starter_checks(drill)
    yield from _exposure_checks(drill)
    yield from _mistake_grades(drill)
    correct = sorted((drill.solutions / "correct").glob("*.py"))
    for path in correct:
        result = _grade(drill, path)
        yield Check(f"correct/{path.name} passes", result.passed,
                    "" if result.passed else result.message)


def _reference_checks(drill: Drill) -> Iterator[Check]:
    for track in drill.tracks:
        path = drill.solution_file("reference" if track == "torch" else "kernel")
        if not path.is_file():
            yield Check(f"the {track} reference passes", False, f"no {path.name}")
            continue
        result = _grade(drill, path, track)
        n = len(result.cases)
        yield Check(f"{path.name} passes the {track} track ({n} cases"
                    f"{', interpreted' if result.interpreted else ''})", result.passed,
                    "" if result.passed else result.message)


def _starter_checks(drill: Drill) -> Iterator[Check]:
    for track in drill.tracks:
        result = _grade(drill, drill.starter_path(track), track)
        clean = result.status in ("failed", "error") and result.message.startswith("case '") \
            and "internal error" not in result.message
        yield Check(f"starter ({track}) fails cleanly", clean,
                    "" if clean else f"{result.status}: {result.message}")


def _exposure_checks(drill: Drill) -> Iterator[Check]:
    from quizapp.core.grading.offline import verdict_on_case

    reference_module = load_module(drill.solution_file("reference"))
    reference = {e.name: getattr(reference_module, e.name) for e in drill.entry_points}
    if not drill.mistakes:
        return
    variants = {m["id"]: m for m in load_module(drill.solution_file("mistakes")).MISTAKES}
    for info in drill.mistakes:
        functions = {e: variants[info.id].get(e) or reference[e] for e in reference}
        track = next(t for t in info.tracks if t in drill.case_spec(info.exposed_by).tracks)
        try:
            verdict = verdict_on_case(drill, drill.first_case(info.exposed_by, track),
                                      functions, reference)
            ok, detail = not verdict.passed, "" if not verdict.passed else \
                "its output passes the comparison"
        except Exception as err:  # noqa: BLE001 - reported as the check's failure
            ok, detail = False, f"raised {type(err).__name__}: {err}"
        yield Check(f"mistake {info.id} is exposed by '{info.exposed_by}'", ok, detail)
        if info.agrees_on is not None:
            spec = drill.case_spec(info.agrees_on)
            try:
                verdict = verdict_on_case(drill, drill.first_case(info.agrees_on,
                                                                  spec.tracks[0]),
                                          functions, reference)
                ok, detail = verdict.passed, "" if verdict.passed else verdict.message
            except Exception as err:  # noqa: BLE001
                ok, detail = False, f"raised {type(err).__name__}: {err}"
            yield Check(f"mistake {info.id} agrees on '{info.agrees_on}'", ok, detail)


def _mistake_grades(drill: Drill) -> Iterator[Check]:
    with tempfile.TemporaryDirectory(prefix="quizapp-verify-") as tmp:
        for info in drill.mistakes:
            if "torch" not in info.tracks:
                continue  # graded as a torch file; Triton-only mistakes are checked offline
            path = write_mistake_file(Path(tmp) / info.id, drill, info.id)
            result = _grade(drill, path, "torch")
            named = result.mistake.id if result.mistake else None
            ok = result.status == "failed" and named == info.id
            yield Check(f"mistake {info.id} fails and is named as itself", ok,
                        "" if ok else f"{result.status}, named {named}: {result.message}")
