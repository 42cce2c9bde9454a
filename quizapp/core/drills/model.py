"""The drill model: what a drill bundle (`content/drills/<id>/` + `solutions/<id>/`) defines,
as frozen dataclasses. Built and validated by `quizapp.core.drills.loader`; torch-free."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from quizapp.core.bank import localize
from quizapp.core.drills.params import Param, case_seed

TRACKS = ("torch", "triton")
#: Fresh trials a grade adds (`Drill.fresh_cases`): few, so they cost little.
FRESH_TRIALS = 3
#: The grad modes a forward pass must also be right under (`Drill.grad_mode_cases`).
GRAD_MODES = ("no_grad", "inference_mode")
DEVICES = ("cpu", "cuda")
#: How an entry point's result is compared with the reference's.
COMPARE_KINDS = ("allclose", "exact", "check")

Text = Mapping[str, str]


@dataclass(frozen=True)
class Parameter:
    """One parameter of an entry point's signature."""

    name: str
    has_default: bool = False
    default: Any = None


@dataclass(frozen=True)
class EntryPoint:
    """A function the user's solution must define."""

    name: str
    signature: str
    parameters: tuple[Parameter, ...]
    returns: str
    differentiable: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    #: Case parameters (name → Param) that the drill's inputs.py builder reads.
    params: Mapping[str, Param] = field(default_factory=dict)
    #: Arguments the entry must modify in place (compared after the call, like outputs).
    inplace: tuple[str, ...] = ()
    returns_none: bool = False
    compare: str = "allclose"
    #: Argument name → factory in inputs.py turning plain data into a callable.
    callables: Mapping[str, str] = field(default_factory=dict)
    #: Tracks whose solutions must be differentiable (gradients checked on cases with
    #: grad: true); the Triton track only when the drill asks for a Triton backward.
    differentiable_tracks: tuple[str, ...] = ("torch",)

    def full_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """`params` with every declared parameter's default filled in."""
        full = {name: p.default for name, p in self.params.items()}
        full.update(params)
        return full


@dataclass(frozen=True)
class Tolerance:
    """Elementwise closeness: |got − want| ≤ atol + rtol·|want|."""

    atol: float
    rtol: float


@dataclass(frozen=True)
class ForbiddenAPI:
    """An API the solution may not use, however it is reached."""

    api: str
    aliases: tuple[str, ...]
    aten: tuple[str, ...]
    reason: Text
    #: Entry points inside which alone it is forbidden (empty: everywhere), e.g. autograd
    #: inside a hand-written backward while the harness still differentiates the forward.
    entries: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        """Every Python path that leads to it."""
        return (self.api, *self.aliases)

    @property
    def names(self) -> frozenset[str]:
        """The attribute names that give it away in source code."""
        return frozenset(path.rsplit(".", 1)[-1] for path in self.paths)


@dataclass(frozen=True)
class CaseSpec:
    """One case as written in the YAML (before trials are expanded)."""

    name: str
    entry: str
    params: Mapping[str, Any]
    trials: int = 1
    grad: bool = False
    tracks: tuple[str, ...] = TRACKS
    interpreted: bool = True
    memory_budget: bool = False
    line: int = 0


@dataclass(frozen=True)
class Case:
    """One concrete case: a seeded trial of a `CaseSpec`."""

    name: str
    entry: str
    params: Mapping[str, Any]
    seed: int
    grad: bool
    memory_budget: bool
    #: For a fresh trial (`Drill.fresh_cases`): the grade's seed that drew it, which
    #: `quizapp grade --seed N` replays; None for the drill's named cases.
    fresh_seed: int | None = None
    #: For a grad-mode case (`Drill.grad_mode_cases`): "no_grad" or "inference_mode", the
    #: context the call runs under.
    grad_mode: str = ""
    #: A grad-mode case's inputs are those of the case called `base`; for a fresh trial it
    #: names the YAML spec it was drawn from.
    base: str = ""


@dataclass(frozen=True)
class BenchSpec:
    """The benchmark size of one device."""

    device: str
    entry: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class MistakeInfo:
    """What drill checks need to know of a known mistake (read from mistakes.py's source,
    without running it): its id, the case that exposes it, a case where it agrees with the
    reference (or None), its tracks and the entry points it overrides."""

    id: str
    exposed_by: str
    agrees_on: str | None
    tracks: tuple[str, ...]
    entries: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Drill:
    """A drill, as defined by its bundle."""

    id: str
    title: Text
    statement: Text
    topics: tuple[str, ...]
    difficulty: int
    tracks: tuple[str, ...]
    entry_points: tuple[EntryPoint, ...]
    hints: tuple[Text, ...]
    tolerances: Mapping[str, Tolerance]
    gradient_tolerances: Mapping[str, Tolerance]
    forbidden: tuple[ForbiddenAPI, ...]
    time_limit_s: Mapping[str, float]
    memory_budget_mb: float | None
    cases: tuple[CaseSpec, ...]
    bench: Mapping[str, BenchSpec]
    starters: Mapping[str, Path]
    folder: Path
    yaml_path: Path = field(default=Path())
    #: solutions/<id>/: reference.py, kernel.py, mistakes.py, test_oracle.py, correct/.
    solutions: Path = field(default=Path())
    order: int | None = None
    followups: tuple[str, ...] = ()
    memory_budget_hint: Text | None = None
    mistakes: tuple[MistakeInfo, ...] = ()
    #: The precision the drill is about (`precision:` in drill.yaml): with "float32", a
    #: float64 case whose float64 output is accurate to float32's tolerance (computed in
    #: float32, like HF's LlamaRMSNorm) passes with a note; "float64" keeps such cases strict.
    precision: str = "float64"

    def precision_tolerances(self, *, gradients: bool = False) -> Mapping[str, Tolerance] | None:
        """The tolerances a float64 case that missed float64's is judged at a second time:
        float64's replaced by those of `precision` (None when float64 cases are strict)."""
        if self.precision == "float64":
            return None
        table = self.gradient_tolerances if gradients else self.tolerances
        if self.precision not in table:
            return None
        return {**table, "float64": table[self.precision]}

    @property
    def inputs_path(self) -> Path:
        """The drill's input builders (content/drills/<id>/inputs.py)."""
        return self.folder / "inputs.py"

    def solution_file(self, name: str) -> Path:
        """solutions/<id>/<name>.py of this drill."""
        return self.solutions / f"{name}.py"

    def entry(self, name: str) -> EntryPoint:
        """The entry point called `name`."""
        for entry in self.entry_points:
            if entry.name == name:
                return entry
        raise KeyError(name)

    def case_spec(self, name: str) -> CaseSpec:
        """The case called `name` in the YAML."""
        for spec in self.cases:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def main_track(self) -> str:
        """The track used when none is named: torch, or the first track of a drill without
        one (matmul is Triton only)."""
        return "torch" if "torch" in self.tracks else self.tracks[0]

    def starter_path(self, track: str | None = None) -> Path:
        """The bundled starter file of `track` (default: the main track)."""
        return self.starters[track or self.main_track]

    def title_in(self, lang: str = "en") -> str:
        """The title in `lang` (falls back to English)."""
        return localize(self.title, lang)

    def cases_for(self, track: str | None = None, *, interpreted: bool = False) -> list[Case]:
        """The concrete cases graded on `track` (default: the main track; trials expanded,
        each with its seed).

        `interpreted` drops the cases marked `interpreted: false` (the Triton interpreter has
        no bfloat16 arithmetic and is slow)."""
        track = track or self.main_track
        out: list[Case] = []
        for spec in self.cases:
            if track not in spec.tracks or (interpreted and not spec.interpreted):
                continue
            out.extend(self._trials(spec, track))
        return out

    def cases_left_out(self, track: str = "torch", *, interpreted: bool = False) -> list[str]:
        """One phrase per YAML case that `cases_for` drops, saying why (the grade shows them,
        so that a case not run is never mistaken for a case passed)."""
        out = []
        for spec in self.cases:
            if track not in spec.tracks:
                out.append(f"'{spec.name}' (not part of the {track} track)")
            elif interpreted and not spec.interpreted:
                out.append(f"'{spec.name}' (GPU only: not run by the Triton interpreter)")
        return out

    def _trials(self, spec: CaseSpec, track: str) -> list[Case]:
        out = []
        for trial in range(spec.trials):
            name = spec.name if spec.trials == 1 else f"{spec.name} #{trial + 1}"
            out.append(Case(name=name, entry=spec.entry, params=spec.params,
                            seed=case_seed(self.id, name),
                            grad=spec.grad and bool(self.entry(spec.entry).differentiable)
                            and track in self.entry(spec.entry).differentiable_tracks,
                            memory_budget=spec.memory_budget))
        return out

    def graded_cases(self, track: str, seed: int, *, interpreted: bool = False) -> list[Case]:
        """Every case one grade runs: the named cases (`cases_for`), then each entry point's
        forward passes under no_grad / inference_mode (`grad_mode_cases`), then the fresh
        trials of the grade's `seed` (`fresh_cases`)."""
        return [*self.cases_for(track, interpreted=interpreted),
                *self.grad_mode_cases(track, interpreted=interpreted),
                *self.fresh_cases(track, seed, interpreted=interpreted)]

    def fresh_cases(self, track: str, seed: int, *, interpreted: bool = False,
                    count: int = FRESH_TRIALS) -> list[Case]:
        """`count` trials drawn afresh for one grade, from the YAML specs that already draw
        several random trials (`trials: 2` or more: their builders are meant for any seed;
        never a memory-budget case): distinct specs while there are enough, each with a new
        seed derived from `seed`. Which specs, and their inputs, depend on `seed` alone, so
        `quizapp grade --seed N` replays a grade's fresh trials exactly. Empty when the
        track has no such spec."""
        import random

        specs = [s for s in self.cases if s.trials > 1 and not s.memory_budget
                 and track in s.tracks and not (interpreted and not s.interpreted)]
        if not specs:
            return []
        draw = random.Random(seed)
        chosen = draw.sample(specs, min(count, len(specs)))
        chosen += [draw.choice(specs) for _ in range(count - len(chosen))]
        out = []
        for spec in chosen:
            nth = sum(1 for c in out if c.base == spec.name) + 1
            label = "fresh trial" if nth == 1 else f"fresh trial {nth}"
            case = self._trials(spec, track)[0]
            out.append(replace(case, name=f"{spec.name} ({label})", fresh_seed=seed,
                               base=spec.name,
                               seed=case_seed(self.id, f"{spec.name} @ {label} {seed}")))
        return out

    def grad_mode_cases(self, track: str, *, interpreted: bool = False) -> list[Case]:
        """Forward passes under `torch.no_grad()` and `torch.inference_mode()` (what timing
        and inference use): per entry point, its first case re-run under no_grad and its
        second (or again its first) under inference_mode, on the same inputs and expected
        outputs, without a gradient check. Never a memory-budget case."""
        cases = [c for c in self.cases_for(track, interpreted=interpreted)
                 if not c.memory_budget]
        out = []
        for entry in self.entry_points:
            mine = [c for c in cases if c.entry == entry.name][:len(GRAD_MODES)]
            for i, mode in enumerate(GRAD_MODES if mine else ()):
                base = mine[min(i, len(mine) - 1)]
                out.append(replace(base, name=f"{base.name} (under torch.{mode}())",
                                   grad=False, grad_mode=mode, base=base.name))
        return out

    def first_case(self, spec_name: str, track: str | None = None) -> Case:
        """The first trial of the YAML case `spec_name` (what `exposed_by` names)."""
        return self._trials(self.case_spec(spec_name), track or self.main_track)[0]

    def signatures(self) -> list[str]:
        """The entry points' signatures, as the statement shows them."""
        return [entry.signature for entry in self.entry_points]
