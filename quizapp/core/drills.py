"""Drill definitions: each `content/drills/<id>/drill.yaml` loaded, validated and modelled.

A drill's YAML is the single source of truth for everything about it: title and statement
(en/zh), entry-point signatures, tracks (`torch`, `triton`), progressive hints, the case list,
per-dtype tolerances, forbidden APIs with their reasons, limits (time, memory budget),
benchmark sizes and the starter file of each track. The grader (`quizapp.core.grading`), the
CLI and the TUI all read it from here.

Public API (importing this module never imports torch, so the TUI can load it at start-up):

- `load_drills(root=None) -> dict[str, Drill]`: every valid drill, in display order.
- `get_drill(drill_id) -> Drill`: one drill, or `UsageError` naming the known ids.
- `check_drills(paths=None) -> list[str]`: every problem as `path:line: message`
  (what `quizapp content check` prints).
- `start_drill(drill_id, track="torch", overwrite=False) -> Path`: copy the track's starter
  into the workspace (never overwriting the user's file unless asked) and return its path.
- `workspace_file(drill_id, track) -> Path`: where that copy lives.

YAML format (see content/drills/attention/drill.yaml for a full example)::

    id: rmsnorm                      # = the folder name
    title: {en: ..., zh: ...}
    topics: [rmsnorm]                # ids from content/topics.yaml
    difficulty: 2                    # 1..5
    tracks: [torch, triton]
    statement: {en: ..., zh: ...}    # Markdown, with the maths
    entry_points:
      - signature: "rms_norm(x, weight, eps=1e-6) -> Tensor"
        differentiable: [x, weight]  # gradients checked on the torch track
        outputs: [m, l, o]           # names of the returned tuple's items, if a tuple
    hints: [{en: ..., zh: ...}, ...] # progressive: each reveals more
    tolerances: {float32: {atol: 1e-5, rtol: 1e-5}, ...}   # |got − want| ≤ atol + rtol·|want|
    gradient_tolerances: {...}       # optional, defaults to 10× tolerances
    forbidden:
      - api: torch.nn.functional.rms_norm     # shown to the user; caught statically + at runtime
        aliases: [torch.rms_norm]             # more Python paths to the same thing
        aten: [rms_norm]                      # dispatcher ops that must not run either
        reason: {en: ..., zh: ...}
    limits: {time_s: {torch: 20, triton: 120}, memory_budget_mb: 64}
    cases:
      - name: float32 basic
        entry: rms_norm              # optional when there is one entry point
        trials: 3                    # seeded random repetitions
        grad: true                   # compare gradients too
        tracks: [torch]              # default: every track of the drill
        interpreted: false           # skip when Triton runs interpreted (no GPU)
        memory_budget: true          # run under limits.memory_budget_mb
        params: {shape: [4, 64]}     # meaning: quizapp/core/grading/cases.py
    bench: {cpu: {entry: ..., params: {...}}, cuda: {...}}
    starters: {torch: starter_torch.py, triton: starter_triton.py}
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quizapp.core import paths
from quizapp.core.bank import LineDict, load_yaml, localize
from quizapp.core.errors import UsageError
from quizapp.core.grading.cases import DTYPES, PARAMS, case_seed

TRACKS = ("torch", "triton")
DEVICES = ("cpu", "cuda")
#: Display order of the mission drills; any other drill follows, by id.
ORDER = ("attention", "rmsnorm", "bpe_merge", "softmax_merge", "clip_loss")

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


@dataclass(frozen=True)
class BenchSpec:
    """The benchmark size of one device."""

    device: str
    entry: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Drill:
    """A drill, as defined by its folder."""

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

    def entry(self, name: str) -> EntryPoint:
        """The entry point called `name`."""
        for entry in self.entry_points:
            if entry.name == name:
                return entry
        raise KeyError(name)

    def starter_path(self, track: str = "torch") -> Path:
        """The bundled starter file of `track`."""
        return self.starters[track]

    def title_in(self, lang: str = "en") -> str:
        """The title in `lang` (falls back to English)."""
        return localize(self.title, lang)

    def cases_for(self, track: str = "torch", *, interpreted: bool = False) -> list[Case]:
        """The concrete cases graded on `track` (trials expanded, each with its seed).

        `interpreted` drops the cases marked `interpreted: false` (the Triton interpreter has
        no bfloat16 arithmetic and is slow)."""
        out: list[Case] = []
        for spec in self.cases:
            if track not in spec.tracks or (interpreted and not spec.interpreted):
                continue
            for trial in range(spec.trials):
                name = spec.name if spec.trials == 1 else f"{spec.name} #{trial + 1}"
                out.append(Case(name=name, entry=spec.entry, params=spec.params,
                                seed=case_seed(self.id, name),
                                grad=spec.grad and track == "torch" and bool(
                                    self.entry(spec.entry).differentiable),
                                memory_budget=spec.memory_budget))
        return out

    def signatures(self) -> list[str]:
        """The entry points' signatures, as the statement shows them."""
        return [entry.signature for entry in self.entry_points]


# --------------------------------------------------------------------------- loading


_cache: dict[Path, tuple[tuple[tuple[str, float], ...], dict[str, Drill]]] = {}


def _drill_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p / "drill.yaml" for p in root.iterdir() if (p / "drill.yaml").is_file())


def load_drills(root: Path | None = None) -> dict[str, Drill]:
    """Every valid drill under `root` (default: the bundled content), in display order.

    Invalid drills are left out; `check_drills` says what is wrong with them. The result is
    cached until a drill file changes."""
    root = (root or paths.drills_dir()).resolve()
    files = _drill_files(root)
    stamp = tuple((str(p), p.stat().st_mtime) for p in files)
    cached = _cache.get(root)
    if cached and cached[0] == stamp:
        return dict(cached[1])
    drills: dict[str, Drill] = {}
    for path in files:
        checker = _Checker(path)
        drill = checker.drill()
        if drill is not None and not checker.problems:
            drills[drill.id] = drill
    rank = {name: i for i, name in enumerate(ORDER)}
    ordered = dict(sorted(drills.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))
    _cache[root] = (stamp, ordered)
    return dict(ordered)


def get_drill(drill_id: str) -> Drill:
    """The drill `drill_id`, or a `UsageError` (exit 2) listing the known drills."""
    drills = load_drills()
    if drill_id not in drills:
        known = ", ".join(drills) or "none"
        raise UsageError(f"unknown drill '{drill_id}' (known drills: {known})")
    return drills[drill_id]


def check_drills(paths_: Iterable[Path] | None = None) -> list[str]:
    """Validate drill definitions; every problem as `path:line: message`.

    `paths_` may name drill.yaml files, drill folders or folders of drills (default: the
    bundled drills). Also checks that starter files exist, parse, and define the entry
    points with the YAML's signatures."""
    files: list[Path] = []
    for path in paths_ if paths_ is not None else [paths.drills_dir()]:
        path = Path(path)
        if path.is_file():
            files.append(path)
        elif (path / "drill.yaml").is_file():
            files.append(path / "drill.yaml")
        else:
            files.extend(_drill_files(path))
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in files:
        checker = _Checker(path)
        drill = checker.drill()
        if drill is not None:
            if drill.id in seen:
                checker.error(1, f"duplicate drill id '{drill.id}' (also in {seen[drill.id]})")
            seen[drill.id] = checker.shown
        problems.extend(checker.problems)
    return problems


# --------------------------------------------------------------------------- workspace


def workspace_file(drill_id: str, track: str = "torch") -> Path:
    """The user's solution file for `drill_id` on `track`, in the workspace."""
    suffix = "" if track == "torch" else f"_{track}"
    return paths.workspace_dir() / f"{drill_id}{suffix}.py"


def start_drill(drill_id: str, track: str = "torch", *, overwrite: bool = False) -> Path:
    """Copy the starter of `track` into the workspace and return the copy's path.

    An existing file is the user's work: it is kept unless `overwrite` is true."""
    drill = get_drill(drill_id)
    if track not in drill.tracks:
        raise UsageError(f"drill '{drill_id}' has no {track} track "
                         f"(tracks: {', '.join(drill.tracks)})")
    target = workspace_file(drill_id, track)
    if overwrite or not target.exists():
        shutil.copyfile(drill.starter_path(track), target)
    return target


# --------------------------------------------------------------------------- validation


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_signature(signature: str) -> tuple[str, tuple[Parameter, ...], str]:
    """(name, parameters, return annotation) of a signature like `f(a, b=1) -> T`.

    Raises ValueError when it is not one Python function signature with literal defaults."""
    try:
        tree = ast.parse(f"def {signature}:\n    pass\n")
    except SyntaxError as err:
        raise ValueError(f"not a Python signature: {err.msg}") from None
    func = tree.body[0]
    if not isinstance(func, ast.FunctionDef):
        raise ValueError("not a function signature")
    args = func.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        raise ValueError("use plain parameters only (no *args, **kwargs, / or *)")
    names = [a.arg for a in args.args]
    defaults: list[Any] = []
    for node in args.defaults:
        try:
            defaults.append(ast.literal_eval(node))
        except ValueError:
            raise ValueError("defaults must be literals") from None
    first_default = len(names) - len(defaults)
    params = tuple(
        Parameter(name, i >= first_default, defaults[i - first_default] if i >= first_default
                  else None)
        for i, name in enumerate(names))
    returns = ast.unparse(func.returns) if func.returns is not None else ""
    return func.name, params, returns


class _Checker:
    """Validates one drill.yaml and builds the `Drill`, collecting problems with lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = _shown(path)
        self.problems: list[str] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(f"{self.shown}:{line}: {message}")

    # -- small typed getters ---------------------------------------------------------------

    def _text(self, node: LineDict, key: str, required: bool = True) -> Text | None:
        value = node.get(key)
        line = node.line_of(key)
        if value is None:
            if required:
                self.error(line, f"missing '{key}' (a mapping with en and zh)")
            return None
        if isinstance(value, str):
            self.error(line, f"'{key}' must be a mapping with en and zh, not a plain string")
            return None
        if not isinstance(value, dict):
            self.error(line, f"'{key}' must be a mapping with en and zh")
            return None
        for lang in ("en", "zh"):
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.error(value.line_of(lang) if isinstance(value, LineDict) else line,
                           f"'{key}' needs a non-empty '{lang}' text")
                return None
        unknown = set(value) - {"en", "zh"}
        if unknown:
            self.error(line, f"'{key}' has unknown languages: {', '.join(sorted(unknown))}")
        return {"en": value["en"], "zh": value["zh"]}

    def _list(self, node: LineDict, key: str, required: bool = False) -> list[Any]:
        value = node.get(key)
        if value is None:
            if required:
                self.error(node.line_of(key), f"missing '{key}' (a list)")
            return []
        if not isinstance(value, list):
            self.error(node.line_of(key), f"'{key}' must be a list")
            return []
        return value

    def _tolerances(self, node: LineDict, key: str) -> dict[str, Tolerance]:
        value = node.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(node.line_of(key), f"'{key}' must map dtypes to {{atol, rtol}}")
            return {}
        out: dict[str, Tolerance] = {}
        for dtype, tol in value.items():
            line = value.line_of(dtype) if isinstance(value, LineDict) else node.line_of(key)
            if dtype not in DTYPES:
                self.error(line, f"'{key}': unknown dtype '{dtype}' (one of {', '.join(DTYPES)})")
                continue
            if not isinstance(tol, dict) or set(tol) != {"atol", "rtol"} or not all(
                    isinstance(tol[k], (int, float)) and not isinstance(tol[k], bool)
                    and tol[k] >= 0 for k in ("atol", "rtol")):
                self.error(line, f"'{key}.{dtype}' must be {{atol: number ≥ 0, rtol: number ≥ 0}}")
                continue
            out[dtype] = Tolerance(float(tol["atol"]), float(tol["rtol"]))
        return out

    # -- the drill ---------------------------------------------------------------------------

    def drill(self) -> Drill | None:
        try:
            data = load_yaml(self.path)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            self.error(mark.line + 1 if mark else 0,
                       f"invalid YAML: {err.problem or err.context or err}")
            return None
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as err:
            self.error(0, f"cannot read: {err}")
            return None
        if not isinstance(data, LineDict):
            self.error(1, "a drill file must be a YAML mapping")
            return None
        known = {"id", "title", "statement", "topics", "difficulty", "tracks", "entry_points",
                 "hints", "tolerances", "gradient_tolerances", "forbidden", "limits", "cases",
                 "bench", "starters"}
        for key in data:
            if key not in known:
                self.error(data.line_of(key), f"unknown field '{key}'")
        for key, line in data.duplicate_keys:
            self.error(line, f"duplicate field '{key}'")
        folder = self.path.parent
        drill_id = data.get("id")
        if not isinstance(drill_id, str) or not drill_id:
            self.error(data.line_of("id"), "missing 'id'")
            return None
        if drill_id != folder.name:
            self.error(data.line_of("id"), f"id '{drill_id}' must match its folder "
                                           f"'{folder.name}'")
        title = self._text(data, "title")
        statement = self._text(data, "statement")
        topics = self._topics(data)
        difficulty = data.get("difficulty")
        if not isinstance(difficulty, int) or isinstance(difficulty, bool) \
                or not 1 <= difficulty <= 5:
            self.error(data.line_of("difficulty"), "'difficulty' must be an integer 1..5")
            difficulty = 1
        tracks = tuple(self._list(data, "tracks", required=True))
        for track in tracks:
            if track not in TRACKS:
                self.error(data.line_of("tracks"), f"unknown track '{track}' "
                                                   f"(one of {', '.join(TRACKS)})")
        if tracks and "torch" not in tracks:
            self.error(data.line_of("tracks"), "every drill needs the 'torch' track")
        entries = self._entries(data, drill_id)
        hints = tuple(h for h in (self._hint(data, i, h) for i, h in
                                  enumerate(self._list(data, "hints", required=True))) if h)
        if not hints and "hints" in data:
            self.error(data.line_of("hints"), "give at least one hint")
        tolerances = self._tolerances(data, "tolerances")
        grad_tol = self._tolerances(data, "gradient_tolerances") or {
            k: Tolerance(t.atol * 10, t.rtol * 10) for k, t in tolerances.items()}
        forbidden = self._forbidden(data)
        time_limits, budget = self._limits(data, tracks)
        cases = self._cases(data, drill_id, entries, tracks, tolerances, grad_tol, budget)
        bench = self._bench(data, drill_id, entries)
        starters = self._starters(data, folder, tracks, entries)
        if title is None or statement is None or not entries:
            return None
        return Drill(id=drill_id, title=title, statement=statement, topics=topics,
                     difficulty=difficulty, tracks=tracks, entry_points=tuple(entries.values()),
                     hints=hints, tolerances=tolerances, gradient_tolerances=grad_tol,
                     forbidden=forbidden, time_limit_s=time_limits, memory_budget_mb=budget,
                     cases=cases, bench=bench, starters=starters, folder=folder,
                     yaml_path=self.path)

    def _topics(self, data: LineDict) -> tuple[str, ...]:
        topics = self._list(data, "topics", required=True)
        if "topics" in data and not topics:
            self.error(data.line_of("topics"), "name at least one topic")
        try:
            from quizapp.core.bank import load_taxonomy

            known = set(load_taxonomy().topics)
        except Exception:  # noqa: BLE001 - the taxonomy has its own checks; skip ours
            known = set()
        for topic in topics:
            if not isinstance(topic, str):
                self.error(data.line_of("topics"), "topics must be strings")
            elif known and topic not in known:
                self.error(data.line_of("topics"), f"unknown topic '{topic}'")
        return tuple(t for t in topics if isinstance(t, str))

    def _hint(self, data: LineDict, index: int, hint: Any) -> Text | None:
        holder = LineDict({"hint": hint})
        holder.line = data.line_of("hints")
        holder.key_lines = {"hint": getattr(hint, "line", holder.line)}
        holder.duplicate_keys = []
        return self._text(holder, "hint")

    def _entries(self, data: LineDict, drill_id: str) -> dict[str, EntryPoint]:
        entries: dict[str, EntryPoint] = {}
        for node in self._list(data, "entry_points", required=True):
            if not isinstance(node, LineDict) or not isinstance(node.get("signature"), str):
                self.error(getattr(node, "line", data.line_of("entry_points")),
                           "an entry point needs a 'signature' string")
                continue
            line = node.line_of("signature")
            try:
                name, params, returns = parse_signature(node["signature"])
            except ValueError as err:
                self.error(line, f"signature: {err}")
                continue
            if name in entries:
                self.error(line, f"duplicate entry point '{name}'")
            if drill_id in PARAMS and name not in PARAMS[drill_id]:
                self.error(line, f"no case builder for entry point '{name}' of drill "
                                 f"'{drill_id}' (quizapp/core/grading/cases.py)")
            differentiable = tuple(node.get("differentiable") or ())
            names = {p.name for p in params}
            for arg in differentiable:
                if arg not in names:
                    self.error(node.line_of("differentiable"),
                               f"'{arg}' is not a parameter of {name}")
            outputs = tuple(node.get("outputs") or ())
            unknown = set(node) - {"signature", "differentiable", "outputs"}
            if unknown:
                self.error(node.line, f"unknown entry point fields: {', '.join(sorted(unknown))}")
            entries[name] = EntryPoint(name, node["signature"], params, returns,
                                       differentiable, outputs)
        if drill_id not in PARAMS:
            self.error(data.line_of("id"), f"no case builder for drill '{drill_id}' "
                                           "(quizapp/core/grading/cases.py)")
        return entries

    def _forbidden(self, data: LineDict) -> tuple[ForbiddenAPI, ...]:
        out: list[ForbiddenAPI] = []
        for node in self._list(data, "forbidden"):
            if not isinstance(node, LineDict):
                self.error(data.line_of("forbidden"), "a forbidden entry must be a mapping")
                continue
            api = node.get("api")
            if not isinstance(api, str) or not api.startswith("torch."):
                self.error(node.line_of("api"), "'api' must be a dotted path under torch.")
                continue
            aliases = node.get("aliases") or []
            aten = node.get("aten") or []
            if not isinstance(aliases, list) or not all(
                    isinstance(a, str) and a.startswith("torch.") for a in aliases):
                self.error(node.line_of("aliases"), "'aliases' must list dotted torch. paths")
                aliases = []
            if not isinstance(aten, list) or not all(
                    isinstance(a, str) and a.isidentifier() for a in aten):
                self.error(node.line_of("aten"), "'aten' must list operator names")
                aten = []
            reason = self._text(node, "reason")
            unknown = set(node) - {"api", "aliases", "aten", "reason"}
            if unknown:
                self.error(node.line, f"unknown forbidden fields: {', '.join(sorted(unknown))}")
            if reason is not None:
                out.append(ForbiddenAPI(api, tuple(aliases), tuple(aten), reason))
        return tuple(out)

    def _limits(self, data: LineDict, tracks: tuple[str, ...]
                ) -> tuple[dict[str, float], float | None]:
        node = data.get("limits")
        if node is None:
            return {t: 30.0 for t in tracks}, None
        if not isinstance(node, LineDict):
            self.error(data.line_of("limits"), "'limits' must be a mapping")
            return {t: 30.0 for t in tracks}, None
        times: dict[str, float] = {t: 30.0 for t in tracks}
        raw = node.get("time_s", {})
        if not isinstance(raw, dict):
            self.error(node.line_of("time_s"), "'time_s' must map tracks to seconds")
            raw = {}
        for track, seconds in raw.items():
            if track not in tracks:
                self.error(node.line_of("time_s"), f"time_s: '{track}' is not a track of "
                                                   "this drill")
            elif not isinstance(seconds, (int, float)) or isinstance(seconds, bool) \
                    or seconds <= 0:
                self.error(node.line_of("time_s"), f"time_s.{track} must be a positive number")
            else:
                times[track] = float(seconds)
        budget = node.get("memory_budget_mb")
        if budget is not None and (not isinstance(budget, (int, float)) or budget <= 0):
            self.error(node.line_of("memory_budget_mb"), "memory_budget_mb must be positive")
            budget = None
        unknown = set(node) - {"time_s", "memory_budget_mb"}
        if unknown:
            self.error(node.line, f"unknown limits: {', '.join(sorted(unknown))}")
        return times, (float(budget) if budget is not None else None)

    def _params(self, node: LineDict, drill_id: str, entry: str, what: str
                ) -> dict[str, Any] | None:
        params = node.get("params", {})
        if not isinstance(params, dict):
            self.error(node.line_of("params"), f"{what}: 'params' must be a mapping")
            return None
        spec = PARAMS.get(drill_id, {}).get(entry, {})
        ok = True
        for key, value in params.items():
            line = params.line_of(key) if isinstance(params, LineDict) else node.line
            if key not in spec:
                self.error(line, f"{what}: unknown parameter '{key}' for {entry} "
                                 f"(known: {', '.join(spec)})")
                ok = False
                continue
            problem = spec[key].check(value)
            if problem:
                self.error(line, f"{what}: '{key}' {problem}")
                ok = False
        return dict(params) if ok else None

    def _cases(self, data: LineDict, drill_id: str, entries: dict[str, EntryPoint],
               tracks: tuple[str, ...], tol: dict[str, Tolerance],
               grad_tol: dict[str, Tolerance], budget: float | None) -> tuple[CaseSpec, ...]:
        out: list[CaseSpec] = []
        names: dict[str, int] = {}
        nodes = self._list(data, "cases", required=True)
        if "cases" in data and not nodes:
            self.error(data.line_of("cases"), "a drill needs cases")
        known = {"name", "entry", "params", "trials", "grad", "tracks", "interpreted",
                 "memory_budget"}
        for node in nodes:
            if not isinstance(node, LineDict):
                self.error(data.line_of("cases"), "a case must be a mapping")
                continue
            name = node.get("name")
            if not isinstance(name, str) or not name.strip():
                self.error(node.line, "a case needs a 'name'")
                continue
            what = f"case '{name}'"
            if name in names:
                self.error(node.line_of("name"), f"duplicate case name '{name}' "
                                                 f"(first at line {names[name]})")
            names[name] = node.line_of("name")
            for key in node:
                if key not in known:
                    self.error(node.line_of(key), f"{what}: unknown field '{key}'")
            entry = node.get("entry")
            if entry is None and len(entries) == 1:
                entry = next(iter(entries))
            if entry not in entries:
                self.error(node.line_of("entry"), f"{what}: 'entry' must be one of "
                                                  f"{', '.join(entries) or '(none)'}")
                continue
            params = self._params(node, drill_id, entry, what)
            if params is None:
                continue
            trials = node.get("trials", 1)
            if not isinstance(trials, int) or isinstance(trials, bool) or not 1 <= trials <= 20:
                self.error(node.line_of("trials"), f"{what}: 'trials' must be 1..20")
                trials = 1
            flags = {}
            for key in ("grad", "interpreted", "memory_budget"):
                value = node.get(key, key == "interpreted")
                if not isinstance(value, bool):
                    self.error(node.line_of(key), f"{what}: '{key}' must be true or false")
                    value = key == "interpreted"
                flags[key] = value
            if flags["grad"] and not entries[entry].differentiable:
                self.error(node.line_of("grad"), f"{what}: {entry} is not differentiable")
            if flags["memory_budget"] and budget is None:
                self.error(node.line_of("memory_budget"),
                           f"{what}: memory_budget needs limits.memory_budget_mb")
            case_tracks = node.get("tracks", list(tracks))
            if not isinstance(case_tracks, list) or not all(t in tracks for t in case_tracks):
                self.error(node.line_of("tracks"), f"{what}: 'tracks' must list tracks of "
                                                   f"this drill ({', '.join(tracks)})")
                case_tracks = list(tracks)
            dtype = params.get("dtype", PARAMS.get(drill_id, {}).get(entry, {}).get(
                "dtype").default if "dtype" in PARAMS.get(drill_id, {}).get(entry, {}) else None)
            if dtype is not None and dtype not in tol:
                self.error(node.line, f"{what}: no tolerance for {dtype} in 'tolerances'")
            if dtype is not None and flags["grad"] and dtype not in grad_tol:
                self.error(node.line, f"{what}: no gradient tolerance for {dtype}")
            out.append(CaseSpec(name=name, entry=entry, params=params, trials=trials,
                                grad=flags["grad"], tracks=tuple(case_tracks),
                                interpreted=flags["interpreted"],
                                memory_budget=flags["memory_budget"], line=node.line))
        for track in tracks:
            if nodes and not any(track in c.tracks for c in out):
                self.error(data.line_of("cases"), f"no case runs on the {track} track")
        return tuple(out)

    def _bench(self, data: LineDict, drill_id: str, entries: dict[str, EntryPoint]
               ) -> dict[str, BenchSpec]:
        node = data.get("bench")
        if node is None:
            return {}
        if not isinstance(node, LineDict):
            self.error(data.line_of("bench"), "'bench' must map devices to sizes")
            return {}
        out: dict[str, BenchSpec] = {}
        for device, spec in node.items():
            line = node.line_of(device)
            if device not in DEVICES:
                self.error(line, f"bench: unknown device '{device}' (cpu or cuda)")
                continue
            if not isinstance(spec, LineDict):
                self.error(line, f"bench.{device} must be a mapping with params")
                continue
            entry = spec.get("entry", next(iter(entries)) if len(entries) == 1 else None)
            if entry not in entries:
                self.error(spec.line_of("entry"), f"bench.{device}: 'entry' must be one of "
                                                  f"{', '.join(entries)}")
                continue
            params = self._params(spec, drill_id, entry, f"bench.{device}")
            if params is not None:
                out[device] = BenchSpec(device, entry, params)
        return out

    def _starters(self, data: LineDict, folder: Path, tracks: tuple[str, ...],
                  entries: dict[str, EntryPoint]) -> dict[str, Path]:
        node = data.get("starters")
        out: dict[str, Path] = {}
        if not isinstance(node, LineDict):
            self.error(data.line_of("starters"), "'starters' must map each track to a file")
            return out
        for track in tracks:
            if track not in node:
                self.error(node.line, f"no starter for the {track} track")
        for track, name in node.items():
            line = node.line_of(track)
            if track not in tracks:
                self.error(line, f"starter for '{track}', which is not a track of this drill")
                continue
            path = folder / str(name)
            if not path.is_file():
                self.error(line, f"starter file {name} does not exist")
                continue
            out[track] = path
            for problem in _starter_problems(path, track, entries):
                self.error(line, f"starter {name}: {problem}")
        return out


def _starter_problems(path: Path, track: str, entries: dict[str, EntryPoint]) -> list[str]:
    """What is wrong with a starter file: it must parse and define every entry point with the
    YAML's parameters (and, for the Triton track, a @triton.jit kernel)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as err:
        return [f"line {err.lineno}: {err.msg}"]
    problems: list[str] = []
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for entry in entries.values():
        func = functions.get(entry.name)
        if func is None:
            problems.append(f"does not define {entry.name}()")
            continue
        got = [a.arg for a in func.args.args]
        want = [p.name for p in entry.parameters]
        if got != want:
            problems.append(f"{entry.name}() takes ({', '.join(got)}), the signature says "
                            f"({', '.join(want)})")
            continue
        defaults = func.args.defaults
        want_defaults = [p.default for p in entry.parameters if p.has_default]
        try:
            got_defaults = [ast.literal_eval(d) for d in defaults]
        except ValueError:
            got_defaults = None
        if got_defaults != want_defaults:
            problems.append(f"{entry.name}() defaults {got_defaults} differ from the "
                            f"signature's {want_defaults}")
    if track == "triton":
        from quizapp.core.grading.static import defines_triton_kernel

        if not defines_triton_kernel(tree):
            problems.append("defines no @triton.jit kernel")
    return problems
