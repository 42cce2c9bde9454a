"""Loading and validating drill bundles: `content/drills/<id>/drill.yaml` (+ `inputs.py`,
starters) and `solutions/<id>/` (reference, mistakes), checked without running any of them.

Everything about a drill is in its two folders (format: docs/ADDING_A_DRILL.md). This module
reads drill.yaml with line numbers, checks it, checks the bundle's Python files by parsing
them (`inputs.py` defines a builder per entry point and the callable factories;
`reference.py` defines every entry point and, for `compare: check`, `check()`; `mistakes.py`
lists dict literals whose `exposed_by`/`agrees_on` name cases of the drill) and builds the
`Drill`. Nothing here imports torch, so the TUI can load drills at start-up.

Where drills come from: the bundled `content/drills/` (with `solutions/`), then every root in
`QUIZAPP_DRILL_ROOTS` (`paths.drill_roots()`), each laid out like the repository
(`<root>/content/drills/<id>/`, `<root>/solutions/<id>/`). The first drill with an id wins;
`check_drills` reports the duplicate.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from quizapp.core import paths
from quizapp.core.bank import LineDict, load_yaml
from quizapp.core.drills.model import (
    COMPARE_KINDS,
    DEVICES,
    TRACKS,
    BenchSpec,
    CaseSpec,
    Drill,
    EntryPoint,
    ForbiddenAPI,
    MistakeInfo,
    Parameter,
    Text,
    Tolerance,
)
from quizapp.core.drills.params import DTYPES, KINDS, Param
from quizapp.core.errors import UsageError

#: Where a drill without `order:` goes: after every ordered drill, by id.
DEFAULT_ORDER = 1000

# --------------------------------------------------------------------------- loading


_cache: dict[tuple[Path, ...], tuple[tuple[tuple[str, float], ...], dict[str, Drill]]] = {}


def _drill_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p / "drill.yaml" for p in root.iterdir() if (p / "drill.yaml").is_file())


def solutions_folder(drill_folder: Path) -> Path:
    """solutions/<id>/ of the drill in `drill_folder`: beside the bundled content it is
    `paths.solutions_dir()/<id>`; elsewhere `<root>/solutions/<id>` for a drill folder
    `<root>/content/drills/<id>`."""
    folder = drill_folder.resolve()
    if folder.parent == paths.drills_dir().resolve():
        return paths.solutions_dir() / folder.name
    return folder.parent.parent.parent / "solutions" / folder.name


def _stamp(files: list[Path]) -> tuple[tuple[str, float], ...]:
    out = []
    for path in files:
        for extra in (path, path.parent / "inputs.py", solutions_folder(path.parent) /
                      "mistakes.py", solutions_folder(path.parent) / "reference.py"):
            try:
                out.append((str(extra), extra.stat().st_mtime))
            except OSError:
                out.append((str(extra), -1.0))
    return tuple(out)


def load_drills(root: Path | None = None) -> dict[str, Drill]:
    """Every valid drill under `root` (default: the bundled drills, then those of
    `QUIZAPP_DRILL_ROOTS`), in display order (`order:`, then id).

    Invalid drills are left out; `check_drills` says what is wrong with them. The result is
    cached until a drill file changes."""
    roots = (root,) if root is not None else tuple(paths.drill_dirs())
    roots = tuple(r.resolve() for r in roots)
    files = [f for r in roots for f in _drill_files(r)]
    stamp = _stamp(files)
    cached = _cache.get(roots)
    if cached and cached[0] == stamp:
        return dict(cached[1])
    drills: dict[str, Drill] = {}
    for path in files:
        checker = _Checker(path)
        drill = checker.drill()
        if drill is not None and not checker.problems and drill.id not in drills:
            drills[drill.id] = drill
    ordered = dict(sorted(drills.items(), key=lambda kv: (
        kv[1].order if kv[1].order is not None else DEFAULT_ORDER, kv[0])))
    _cache[roots] = (stamp, ordered)
    return dict(ordered)


_single: dict[Path, tuple[tuple[tuple[str, float], ...], Drill | None]] = {}


def _load_one(drill_id: str) -> Drill | None:
    """The drill `drill_id` read from its own folder alone — what `load_drills()[drill_id]`
    would be (the first valid drill of that id, roots in order; the id is the folder's
    name), without parsing every other drill (a one-shot `quizapp grade` needs one)."""
    if not drill_id or drill_id != Path(drill_id).name or drill_id.startswith("."):
        return None
    for root in paths.drill_dirs():
        path = root.resolve() / drill_id / "drill.yaml"
        if not path.is_file():
            continue
        stamp = _stamp([path])
        cached = _single.get(path)
        if cached is None or cached[0] != stamp:
            checker = _Checker(path)
            drill = checker.drill()
            cached = (stamp, drill if drill is not None and not checker.problems else None)
            _single[path] = cached
        if cached[1] is not None and cached[1].id == drill_id:
            return cached[1]
    return None


def get_drill(drill_id: str) -> Drill:
    """The drill `drill_id`, or a `UsageError` (exit 2) listing the known drills."""
    drill = _load_one(drill_id)
    if drill is not None:
        return drill
    drills = load_drills()
    if drill_id not in drills:
        known = ", ".join(drills) or "none"
        raise UsageError(f"unknown drill '{drill_id}' (known drills: {known})")
    return drills[drill_id]


def check_drills(paths_: Iterable[Path] | None = None, *,
                 question_ids: set[str] | None = None) -> list[str]:
    """Validate drill bundles; every problem as `path:line: message`.

    `paths_` may name drill.yaml files, drill folders or folders of drills (default: the
    bundled drills and those of `QUIZAPP_DRILL_ROOTS`). Checks the YAML, the starters, the
    bundle's Python files (parsed, never run) and, when `question_ids` is given, that every
    `followups:` id is a question of the bank."""
    files: list[Path] = []
    for path in paths_ if paths_ is not None else paths.drill_dirs():
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
        checker = _Checker(path, question_ids)
        drill = checker.drill()
        if drill is not None:
            if drill.id in seen:
                checker.error(1, f"duplicate drill id '{drill.id}' (also in {seen[drill.id]})")
            seen[drill.id] = checker.shown
        problems.extend(checker.problems)
    return problems


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

    def __init__(self, path: Path, question_ids: set[str] | None = None) -> None:
        self.path = path
        self.shown = _shown(path)
        self.problems: list[str] = []
        self.question_ids = question_ids

    def error(self, line: int, message: str) -> None:
        self.problems.append(f"{self.shown}:{line}: {message}")

    def error_in(self, path: Path, line: int, message: str) -> None:
        """A problem in another file of the bundle."""
        self.problems.append(f"{_shown(path)}:{line}: {message}")

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

    def _precision(self, data: LineDict, tolerances: dict[str, Tolerance]) -> str:
        """The precision the drill is about (`precision:`): float32 (the default, when the
        drill has a float32 tolerance) or float64 (float64 cases strict)."""
        value = data.get("precision")
        if value is None:
            return "float32" if "float32" in tolerances else "float64"
        if value not in ("float32", "float64"):
            self.error(data.line_of("precision"), "'precision' must be float32 or float64")
            return "float64"
        if value not in tolerances:
            self.error(data.line_of("precision"), f"'precision: {value}' needs a {value} "
                                                  "tolerance in 'tolerances'")
            return "float64"
        return str(value)

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
                 "bench", "starters", "order", "followups", "memory_budget_hint", "precision"}
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
        entries = self._entries(data)
        hints = tuple(h for h in (self._hint(data, i, h) for i, h in
                                  enumerate(self._list(data, "hints", required=True))) if h)
        if not hints and "hints" in data:
            self.error(data.line_of("hints"), "give at least one hint")
        tolerances = self._tolerances(data, "tolerances")
        grad_tol = self._tolerances(data, "gradient_tolerances") or {
            k: Tolerance(t.atol * 10, t.rtol * 10) for k, t in tolerances.items()}
        precision = self._precision(data, tolerances)
        forbidden = self._forbidden(data, entries)
        time_limits, budget = self._limits(data, tracks)
        cases = self._cases(data, entries, tracks, tolerances, grad_tol, budget)
        bench = self._bench(data, entries)
        starters = self._starters(data, folder, tracks, entries)
        order = data.get("order")
        if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
            self.error(data.line_of("order"), "'order' must be an integer (lower comes first)")
            order = None
        followups = self._followups(data)
        budget_hint = self._text(data, "memory_budget_hint", required=False)
        if budget_hint is not None and budget is None:
            self.error(data.line_of("memory_budget_hint"),
                       "memory_budget_hint needs limits.memory_budget_mb")
        solutions = solutions_folder(folder)
        self._inputs_file(data, folder / "inputs.py", entries)
        mistakes = self._solutions(data, solutions, entries, tracks, cases)
        if title is None or statement is None or not entries:
            return None
        self._statement_names_entries(data, statement, entries)
        return Drill(id=drill_id, title=title, statement=statement, topics=topics,
                     difficulty=difficulty, tracks=tracks, entry_points=tuple(entries.values()),
                     hints=hints, tolerances=tolerances, gradient_tolerances=grad_tol,
                     forbidden=forbidden, time_limit_s=time_limits, memory_budget_mb=budget,
                     cases=cases, bench=bench, starters=starters, folder=folder,
                     yaml_path=self.path, solutions=solutions, order=order,
                     followups=followups, memory_budget_hint=budget_hint, precision=precision,
                     mistakes=mistakes)

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

    def _entries(self, data: LineDict) -> dict[str, EntryPoint]:
        entries: dict[str, EntryPoint] = {}
        known = {"signature", "differentiable", "outputs", "inplace", "returns_none", "compare",
                 "callables", "params", "differentiable_tracks"}
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
            names = {p.name for p in params}
            lists: dict[str, tuple[str, ...]] = {}
            for key in ("differentiable", "outputs", "inplace"):
                value = node.get(key) or []
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    self.error(node.line_of(key), f"'{key}' must be a list of names")
                    value = []
                if key != "outputs":
                    for arg in value:
                        if arg not in names:
                            self.error(node.line_of(key), f"{key}: '{arg}' is not a parameter "
                                                          f"of {name}")
                lists[key] = tuple(value)
            returns_none = node.get("returns_none", False)
            if not isinstance(returns_none, bool):
                self.error(node.line_of("returns_none"), "'returns_none' must be true or false")
                returns_none = False
            if returns_none and not lists["inplace"]:
                self.error(node.line_of("returns_none"), f"{name} returns None but modifies "
                                                         "nothing: list its 'inplace' arguments")
            compare = node.get("compare", "allclose")
            if compare not in COMPARE_KINDS:
                self.error(node.line_of("compare"), f"'compare' must be one of "
                                                    f"{', '.join(COMPARE_KINDS)}")
                compare = "allclose"
            callables = node.get("callables") or {}
            if not isinstance(callables, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) and v.isidentifier()
                    for k, v in callables.items()):
                self.error(node.line_of("callables"), "'callables' must map argument names to "
                                                      "factory function names in inputs.py")
                callables = {}
            for arg in callables:
                if arg not in names:
                    self.error(node.line_of("callables"), f"callables: '{arg}' is not a "
                                                          f"parameter of {name}")
            grad_tracks = node.get("differentiable_tracks", ["torch"])
            if not isinstance(grad_tracks, list) or not all(t in TRACKS for t in grad_tracks):
                self.error(node.line_of("differentiable_tracks"),
                           f"'differentiable_tracks' must list tracks ({', '.join(TRACKS)})")
                grad_tracks = ["torch"]
            if "differentiable_tracks" in node and not lists["differentiable"]:
                self.error(node.line_of("differentiable_tracks"),
                           f"differentiable_tracks: {name} has no 'differentiable' arguments")
            unknown = set(node) - known
            if unknown:
                self.error(node.line, f"unknown entry point fields: {', '.join(sorted(unknown))}")
            entries[name] = EntryPoint(name, node["signature"], params, returns,
                                       lists["differentiable"], lists["outputs"],
                                       self._param_specs(node, name), lists["inplace"],
                                       returns_none, compare, dict(callables),
                                       tuple(grad_tracks))
        return entries

    def _param_specs(self, node: LineDict, entry: str) -> dict[str, Param]:
        """The `params:` an entry point declares: name → {kind, default, choices}."""
        raw = node.get("params")
        if raw is None:
            self.error(node.line, f"entry point {entry} declares no 'params' (the parameters "
                                  "its cases may set, read by inputs.py)")
            return {}
        if not isinstance(raw, LineDict):
            self.error(node.line_of("params"), "'params' must map names to {kind, default}")
            return {}
        out: dict[str, Param] = {}
        for name, spec in raw.items():
            line = raw.line_of(name)
            if not isinstance(name, str) or not name.isidentifier():
                self.error(line, f"params: '{name}' must be an identifier")
                continue
            if not isinstance(spec, dict) or "kind" not in spec:
                self.error(line, f"params.{name} must be a mapping with a 'kind'")
                continue
            unknown = set(spec) - {"kind", "default", "choices"}
            if unknown:
                self.error(line, f"params.{name}: unknown fields {', '.join(sorted(unknown))}")
            kind = spec["kind"]
            if kind not in KINDS:
                self.error(line, f"params.{name}: unknown kind '{kind}' "
                                 f"(one of {', '.join(KINDS)})")
                continue
            choices = spec.get("choices") or []
            if kind == "choice" and (not isinstance(choices, list) or not choices):
                self.error(line, f"params.{name}: a choice needs a 'choices' list")
                continue
            if kind != "choice" and "choices" in spec:
                self.error(line, f"params.{name}: only kind 'choice' has choices")
            param = Param(kind, spec.get("default"), tuple(choices))
            default = spec.get("default")
            if default is not None:
                problem = param.check(default)
                if problem:
                    self.error(line, f"params.{name}: the default {problem}")
            out[name] = param
        return out

    def _forbidden(self, data: LineDict, entries: Mapping[str, EntryPoint]
                   ) -> tuple[ForbiddenAPI, ...]:
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
            scope = node.get("entries") or []
            if not isinstance(scope, list) or not all(e in entries for e in scope):
                self.error(node.line_of("entries"), "'entries' must list entry points of the "
                                                    f"drill ({', '.join(entries)})")
                scope = []
            if scope and aten:
                # A dispatcher override cannot fall back to the real kernel outside the scope.
                self.error(node.line_of("entries"), "a forbidden API scoped to 'entries' "
                                                    "cannot have 'aten' operators")
                scope = []
            reason = self._text(node, "reason")
            unknown = set(node) - {"api", "aliases", "aten", "reason", "entries"}
            if unknown:
                self.error(node.line, f"unknown forbidden fields: {', '.join(sorted(unknown))}")
            if reason is not None:
                out.append(ForbiddenAPI(api, tuple(aliases), tuple(aten), reason,
                                        tuple(scope)))
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

    def _params(self, node: LineDict, entry: EntryPoint, what: str
                ) -> dict[str, Any] | None:
        params = node.get("params", {})
        if not isinstance(params, dict):
            self.error(node.line_of("params"), f"{what}: 'params' must be a mapping")
            return None
        spec = entry.params
        ok = True
        for key, value in params.items():
            line = params.line_of(key) if isinstance(params, LineDict) else node.line
            if key not in spec:
                self.error(line, f"{what}: unknown parameter '{key}' for {entry.name} "
                                 f"(known: {', '.join(spec)})")
                ok = False
                continue
            problem = spec[key].check(value)
            if problem:
                self.error(line, f"{what}: '{key}' {problem}")
                ok = False
        return dict(params) if ok else None

    def _cases(self, data: LineDict, entries: dict[str, EntryPoint],
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
            params = self._params(node, entries[entry], what)
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
            declared = entries[entry].params.get("dtype")
            dtype = params.get("dtype", declared.default if declared is not None else None)
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

    def _bench(self, data: LineDict, entries: dict[str, EntryPoint]
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
            params = self._params(spec, entries[entry], f"bench.{device}")
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

    def _followups(self, data: LineDict) -> tuple[str, ...]:
        raw = data.get("followups")
        if raw is None:
            return ()
        line = data.line_of("followups")
        if not isinstance(raw, list) or not all(isinstance(q, str) for q in raw):
            self.error(line, "'followups' must list question ids")
            return ()
        if len(raw) < 2:
            self.error(line, "'followups' needs at least 2 question ids")
        if self.question_ids is not None:
            for qid in raw:
                if qid not in self.question_ids:
                    self.error(line, f"followups: no question '{qid}' in the bank")
        return tuple(raw)

    def _statement_names_entries(self, data: LineDict, statement: Text,
                                 entries: dict[str, EntryPoint]) -> None:
        for lang in ("en", "zh"):
            for entry in entries:
                if entry not in statement[lang]:
                    self.error(data.line_of("statement"), f"the {lang} statement never names "
                                                          f"the entry point {entry}")

    def _inputs_file(self, data: LineDict, path: Path, entries: dict[str, EntryPoint]) -> None:
        """inputs.py exists, parses, and defines a builder per entry point and every callable
        factory."""
        tree = self._parse(data, path, "one input builder per entry point")
        if tree is None:
            return
        functions = _top_functions(tree)
        for entry in entries.values():
            if entry.name not in functions:
                self.error_in(path, 1, f"no builder {entry.name}(p, seed) for the entry point "
                                       f"{entry.name}")
            elif len(functions[entry.name].args.args) != 2:
                self.error_in(path, functions[entry.name].lineno,
                              f"{entry.name}() must take (p, seed)")
            for arg, factory in entry.callables.items():
                if factory not in functions:
                    self.error_in(path, 1, f"no factory {factory}(data) for the callable "
                                           f"argument '{arg}' of {entry.name}")

    def _parse(self, data: LineDict, path: Path, what: str) -> ast.Module | None:
        if not path.is_file():
            self.error(data.line_of("id"), f"missing {_shown(path)} ({what})")
            return None
        try:
            return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as err:
            self.error_in(path, err.lineno or 0, f"SyntaxError: {err.msg}")
        except (OSError, UnicodeDecodeError) as err:
            self.error_in(path, 0, f"cannot read: {err}")
        return None

    def _solutions(self, data: LineDict, folder: Path, entries: dict[str, EntryPoint],
                   tracks: tuple[str, ...], cases: tuple[CaseSpec, ...]
                   ) -> tuple[MistakeInfo, ...]:
        """reference.py defines every entry point (and check() when a comparison needs it);
        mistakes.py lists well-formed mistakes whose cases exist."""
        reference = self._parse(data, folder / "reference.py",
                                "the float64 oracle: one function per entry point")
        if reference is not None:
            functions = _top_functions(reference)
            for entry in entries.values():
                if entry.name not in functions:
                    self.error_in(folder / "reference.py", 1,
                                  f"does not define the entry point {entry.name}()")
                if entry.compare == "check" and "check" not in functions:
                    self.error_in(folder / "reference.py", 1,
                                  f"{entry.name} has 'compare: check' but there is no "
                                  "check(entry, got, want, inputs)")
        path = folder / "mistakes.py"
        if not path.is_file():
            return ()
        tree = self._parse(data, path, "known mistakes")
        if tree is None:
            return ()
        return self._mistakes(path, tree, entries, tracks, {c.name: c for c in cases})

    def _mistakes(self, path: Path, tree: ast.Module, entries: dict[str, EntryPoint],
                  tracks: tuple[str, ...], cases: dict[str, CaseSpec]
                  ) -> tuple[MistakeInfo, ...]:
        node = next((n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                     and any(isinstance(t, ast.Name) and t.id == "MISTAKES" for t in
                             (n.targets if isinstance(n, ast.Assign) else [n.target]))), None)
        if node is None or not isinstance(node.value, ast.List):
            self.error_in(path, 1, "MISTAKES must be a list literal of dict literals")
            return ()
        out: list[MistakeInfo] = []
        ids: set[str] = set()
        known = {"id", "title", "explanation", "exposed_by", "agrees_on", "tracks", "excerpt",
                 "fix", *entries}
        for item in node.value.elts:
            line = item.lineno
            if not isinstance(item, ast.Dict) or any(k is None for k in item.keys):
                self.error_in(path, line, "each mistake must be a dict literal")
                continue
            fields: dict[str, ast.expr] = {}
            for key, value in zip(item.keys, item.values, strict=True):
                if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                    self.error_in(path, line, "mistake keys must be strings")
                    continue
                fields[key.value] = value
            literal: dict[str, Any] = {}
            for key in ("id", "exposed_by", "agrees_on", "tracks"):
                if key in fields:
                    try:
                        literal[key] = ast.literal_eval(fields[key])
                    except ValueError:
                        self.error_in(path, fields[key].lineno, f"'{key}' must be a literal")
            mistake_id = literal.get("id")
            if not isinstance(mistake_id, str) or not mistake_id.isidentifier():
                self.error_in(path, line, "a mistake needs an 'id' (an identifier)")
                continue
            what = f"mistake '{mistake_id}'"
            if mistake_id in ids:
                self.error_in(path, line, f"duplicate mistake id '{mistake_id}'")
            ids.add(mistake_id)
            for key in fields:
                if key not in known:
                    self.error_in(path, fields[key].lineno,
                                  f"{what}: unknown key '{key}' (not an entry point of the drill)")
            for key in ("title", "explanation"):
                if key not in fields:
                    self.error_in(path, line, f"{what}: missing '{key}' ({{en, zh}})")
            for key in ("excerpt", "fix"):  # code shown on the mistake's review card
                if key in fields and not (isinstance(fields[key], ast.Constant)
                                          and isinstance(fields[key].value, str)
                                          and fields[key].value.strip()):
                    self.error_in(path, fields[key].lineno,
                                  f"{what}: '{key}' must be a non-empty string literal (code)")
            overrides = tuple(e for e in entries if e in fields)
            if not overrides:
                self.error_in(path, line, f"{what} overrides no entry point")
            mistake_tracks = literal.get("tracks", list(tracks))
            if not isinstance(mistake_tracks, list) or not all(t in tracks for t in
                                                               mistake_tracks):
                self.error_in(path, line, f"{what}: 'tracks' must list tracks of this drill")
                mistake_tracks = list(tracks)
            exposed = literal.get("exposed_by")
            agrees = literal.get("agrees_on")
            if not isinstance(exposed, str):
                self.error_in(path, line, f"{what}: 'exposed_by' must name the case that "
                                          "exposes it")
                continue
            if exposed not in cases:
                self.error_in(path, fields["exposed_by"].lineno,
                              f"{what}: exposed_by names no case of the drill: '{exposed}'")
                continue
            if not set(mistake_tracks) & set(cases[exposed].tracks):
                self.error_in(path, fields["exposed_by"].lineno,
                              f"{what}: case '{exposed}' runs on none of its tracks")
            if agrees is not None and (not isinstance(agrees, str) or agrees not in cases):
                self.error_in(path, fields["agrees_on"].lineno,
                              f"{what}: agrees_on names no case of the drill: '{agrees}'")
                agrees = None
            out.append(MistakeInfo(mistake_id, exposed, agrees, tuple(mistake_tracks),
                                   overrides, line))
        return tuple(out)


def _top_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


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
        from quizapp.core.drills.tracks import defines_triton_kernel

        if not defines_triton_kernel(tree):
            problems.append("defines no @triton.jit kernel")
    return problems
