"""What can be learnt from a solution's source without running it.

- `detect_track`: a file defining a `@triton.jit` (or `@triton.autotune` / `@triton.heuristics`)
  kernel is a Triton solution.
- `find_forbidden`: the first use of a forbidden API — an attribute access (`F.rms_norm`), a
  `from torch... import` of it, or its name as a string handed to a torch lookup
  (`getattr(F, "rms_norm")`, `importlib.import_module(...)`, `vars(F)["rms_norm"]`). The
  user's own `def rms_norm`, `self.rms_norm` or `__all__ = ["rms_norm"]` are fine. Aliases
  assembled at runtime
  (`getattr(F, "scaled_" + "dot_product_attention")`) get past any static check; the
  runtime tripwire in the child catches those.

Pure `ast`: no torch, nothing executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quizapp.core.drills.tracks import defines_triton_kernel, detect_track

__all__ = ["ForbiddenUse", "defines_triton_kernel", "detect_track", "find_forbidden",
           "torch_names"]

#: Calls that turn a string into an attribute or a module.
_LOOKUPS = {"getattr", "attrgetter", "import_module", "__import__", "__getattribute__",
            "locate", "get_attr", "resolve_name"}


@dataclass(frozen=True)
class ForbiddenUse:
    """A forbidden API found in the source."""

    api: str
    line: int
    how: str


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_namespace(node: ast.expr, roots: set[str]) -> bool:
    """`F.__dict__` or `vars(F)` for a torch module F: a mapping from names to attributes."""
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return _root(node.value) in roots
    return (isinstance(node, ast.Call) and _call_name(node.func) == "vars" and bool(node.args)
            and _root(node.args[0]) in roots)


def torch_names(tree: ast.AST) -> set[str]:
    """Names the module binds to torch or one of its submodules (`torch`, `F`, `nn`...)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "torch":
                    names.add(alias.asname or "torch")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            for alias in node.names:
                names.add(alias.asname or alias.name)
    return names


def _root(node: ast.expr) -> str:
    """The name an attribute chain starts from (`torch` in `torch.nn.functional.x`)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    if isinstance(node, ast.Call):
        # importlib.import_module("torch.nn.functional").x leads into torch too.
        if _call_name(node.func) in ("import_module", "__import__") and node.args \
                and isinstance(node.args[0], ast.Constant) \
                and str(node.args[0].value).split(".")[0] == "torch":
            return "torch"
        return _root(node.func)
    return node.id if isinstance(node, ast.Name) else ""


def find_forbidden(tree: ast.AST, forbidden: Iterable[tuple[str, frozenset[str]]], *,
                   scope: Mapping[str, Iterable[str]] | None = None) -> ForbiddenUse | None:
    """The first use of a forbidden API in `tree`.

    `forbidden` pairs the API's display name with the attribute names that reveal it
    (e.g. ("torch.nn.functional.rms_norm", {"rms_norm"})). Only what leads into torch
    counts: attributes of names bound to torch (`F.rms_norm`, `torch.nn.functional.x`), imports
    from torch, and torch lookups by string. The user's own `def rms_norm`, `self.rms_norm` or
    `__all__ = ["rms_norm"]` are fine; whatever gets past this check meets the runtime
    tripwire. `scope` maps an API forbidden only inside some entry points to their names:
    its uses count only within those top-level functions."""
    table = [(api, names) for api, names in forbidden]
    roots = torch_names(tree) | {"torch"}
    hits: list[ForbiddenUse] = []
    scoped = {api: set(names) for api, names in (scope or {}).items()}
    # Every node of a top-level function, mapped to that function's name.
    owner: dict[int, str] = {}
    if scoped and isinstance(tree, ast.Module):
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    owner[id(inner)] = node.name

    def lookup(name: str, node: ast.AST) -> str | None:
        for api, names in table:
            if name in names and (api not in scoped or owner.get(id(node)) in scoped[api]):
                return api
        return None

    def strings(call: ast.Call) -> list[str]:
        return [arg.value for arg in [*call.args, *(k.value for k in call.keywords)]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _root(node.value) in roots:
            api = lookup(node.attr, node)
            if api:
                hits.append(ForbiddenUse(api, node.lineno, f"uses .{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            for alias in node.names:
                api = lookup(alias.name, node)
                if api:
                    hits.append(ForbiddenUse(api, node.lineno,
                                             f"imports {alias.name} from {node.module}"))
        elif isinstance(node, ast.Call) and _call_name(node.func) in _LOOKUPS:
            name = _call_name(node.func)
            into_torch = (
                name in ("getattr", "__getattribute__") and node.args
                and _root(node.args[0]) in roots
            ) or (name in ("import_module", "__import__", "locate", "resolve_name")
                  and any(t.split(".")[0] == "torch" for t in strings(node))
                  ) or name == "attrgetter"
            for text in strings(node) if into_torch else []:
                api = lookup(text.rsplit(".", 1)[-1], node)
                if api:
                    hits.append(ForbiddenUse(api, node.lineno, f"looks up '{text}' by name"))
        elif isinstance(node, ast.Subscript) and _is_namespace(node.value, roots):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                api = lookup(key.value, node)
                if api:
                    hits.append(ForbiddenUse(api, node.lineno,
                                             f"looks up '{key.value}' by name"))
    return min(hits, key=lambda h: h.line) if hits else None


def find_grader_import(tree: ast.AST) -> int | None:
    """The line of the first `import quizapp…` / `from quizapp… import` (or the name given
    to `importlib.import_module` / `__import__` as a literal), else None. A solution must not
    reach the grader's modules; the child refuses such imports at run time too."""
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and _call_name(node.func) in _LOOKUPS and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            names = [node.args[0].value]
        if any(n == "quizapp" or n.startswith("quizapp.") for n in names):
            return getattr(node, "lineno", 0)
    return None
