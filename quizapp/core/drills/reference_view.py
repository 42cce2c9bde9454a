"""The reference after a pass: a drill's reference solution and its idiomatic baseline, shown
beside the user's code with a diff, and the rule for when the user may see them.

- The *reference* of the PyTorch track is the float64 oracle in `solutions/<id>/reference.py`
  (its entry-point functions and the helpers they use, under the module's explanation); of
  the Triton track, the reference kernel `solutions/<id>/kernel.py`.
- The *idiomatic baseline* is what `reference.py` declares in `BENCH_BASELINES`: the
  same-precision implementation `--bench` times solutions against (the functions and their
  helpers). A drill without timing baselines has none.
- Both are read from the source with `ast`, never imported (no torch, no code run).

Access: a pass unlocks both (`unlocked`). Before a pass the user may reveal them
(`reveal`); a reveal counts like one more hint (`help_used`): it is recorded with every grade
as `hints_used`, so a pass after it is rated Hard, until a pass closes the round
(`close_round`, next to the hint count the drill workspace resets).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from quizapp.core.drills.model import Drill


def reveal_key(drill_id: str) -> str:
    """The setting that holds whether the reference was revealed in this round."""
    return f"drill.reveals.{drill_id}"


@dataclass(frozen=True)
class CodeView:
    """One piece of code to show: what it is, where it comes from, its text."""

    kind: str            # "reference" or "baseline"
    path: Path
    source: str


@dataclass(frozen=True)
class ReferenceView:
    """The code shown after a pass for one drill and track."""

    drill_id: str
    track: str
    reference: CodeView | None
    baseline: CodeView | None

    def views(self) -> list[CodeView]:
        """The reference and the baseline, those that exist."""
        return [v for v in (self.reference, self.baseline) if v is not None]


def unified_diff(mine: str, other: CodeView, mine_name: str = "your solution") -> str:
    """A unified diff from the user's code to `other` ("" when they are the same)."""
    return "".join(difflib.unified_diff(
        _lines(mine), _lines(other.source), fromfile=mine_name,
        tofile=f"{other.kind}: {other.path.parent.name}/{other.path.name}", n=3))


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # no "\ No newline at end of file" noise
    return lines


def reference_view(drill: Drill, track: str = "torch") -> ReferenceView:
    """The reference and baseline code of `drill` for `track` (see the module doc)."""
    ref_file = drill.solution_file("reference")
    tree, source = _parse(ref_file)
    reference: CodeView | None = None
    baseline: CodeView | None = None
    if track == "triton" and drill.solution_file("kernel").is_file():
        kernel = drill.solution_file("kernel")
        reference = CodeView("reference", kernel, kernel.read_text(encoding="utf-8"))
    elif tree is not None:
        names = [e.name for e in drill.entry_points]
        reference = CodeView("reference", ref_file,
                             _extract(tree, source, names, with_docstring=True))
    if tree is not None:
        baselines = _baseline_names(tree)
        if baselines:
            baseline = CodeView("baseline", ref_file, _extract(tree, source, baselines))
    return ReferenceView(drill.id, track, reference, baseline)


def _parse(path: Path) -> tuple[ast.Module | None, str]:
    try:
        source = path.read_text(encoding="utf-8")
        return ast.parse(source), source
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None, ""


def _baseline_names(tree: ast.Module) -> list[str]:
    """The function names `BENCH_BASELINES = {entry: fn, …}` maps to, in order."""
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "BENCH_BASELINES" for t in targets) \
                and isinstance(node.value, ast.Dict):
            return list(dict.fromkeys(v.id for v in node.value.values
                                      if isinstance(v, ast.Name)))
    return []


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _extract(tree: ast.Module, source: str, roots: Iterable[str], *,
             with_docstring: bool = False) -> str:
    """The module's imports and the definitions of `roots` with every module-level name they
    use (transitively), in file order, as source text."""
    defs: dict[str, ast.stmt] = {}
    for node in tree.body:
        for name in _defined(node):
            defs.setdefault(name, node)
    wanted: list[ast.stmt] = []
    todo = [name for name in roots if name in defs]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        node = defs[name]
        if node not in wanted:
            wanted.append(node)
        todo.extend(n.id for n in ast.walk(node)
                    if isinstance(n, ast.Name) and n.id in defs and n.id not in seen)
    lines = source.splitlines()
    parts: list[str] = []
    doc = ast.get_docstring(tree, clean=False) if with_docstring else None
    if doc is not None:
        parts.append(_segment(lines, tree.body[0]))
    used = {n.id for node in wanted for n in ast.walk(node) if isinstance(n, ast.Name)}
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
               and not (isinstance(n, ast.ImportFrom) and n.module == "__future__")
               and any((a.asname or a.name).split(".")[0] in used for a in n.names)]
    if imports:
        parts.append("\n".join(_segment(lines, n) for n in imports))
    parts.extend(_segment(lines, n) for n in sorted(wanted, key=lambda n: n.lineno))
    return "\n\n\n".join(parts) + "\n"


def _segment(lines: list[str], node: Any) -> str:
    """The source lines of `node`, its decorators and the comment lines right above it."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return "\n".join(lines[start:node.end_lineno])


# --------------------------------------------------------------------------- access


def unlocked(store: Any, drill_id: str, since: datetime | None = None) -> bool:
    """Whether a pass of the drill (since `since`, when given) unlocks its reference."""
    return any(r.passed and (since is None or r.at >= since)
               for r in store.drill_results(drill_id))


def revealed(store: Any, drill_id: str) -> bool:
    """Whether the user revealed the reference before passing, in this round."""
    return bool(store.get_setting(reveal_key(drill_id), 0))


def reveal(store: Any, drill_id: str) -> None:
    """Record a reveal before a pass: it counts as one hint until a pass closes the round."""
    store.set_setting(reveal_key(drill_id), 1)


def help_used(store: Any, drill_id: str, hints_shown: int) -> int:
    """Hints shown plus a reveal of the reference: what a grade records as `hints_used`."""
    return hints_shown + int(revealed(store, drill_id))


def close_round(store: Any, drill_id: str) -> None:
    """A pass closes the round: the next one starts with no reveal counted."""
    if revealed(store, drill_id):
        store.set_setting(reveal_key(drill_id), 0)
