"""What can be learnt from a solution's source without running it.

- `detect_track`: a file defining a `@triton.jit` (or `@triton.autotune` / `@triton.heuristics`)
  kernel is a Triton solution.
- `find_forbidden`: the first use of a forbidden API — an attribute access (`F.rms_norm`), a
  `from torch... import` of it, or its name as a string handed to a lookup
  (`getattr(F, "rms_norm")`, `importlib.import_module(...)`, `vars(F)["rms_norm"]`). The
  user's own `def rms_norm` or `__all__ = ["rms_norm"]` is fine. Aliases assembled at runtime
  (`getattr(F, "scaled_" + "dot_product_attention")`) get past any static check; the
  runtime tripwire in the child catches those.

Pure `ast`: no torch, nothing executed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

_TRITON_DECORATORS = {"jit", "autotune", "heuristics"}
#: Calls that turn a string into an attribute or a module.
_LOOKUPS = {"getattr", "attrgetter", "import_module", "__import__", "__getattribute__",
            "locate", "get_attr", "resolve_name"}


@dataclass(frozen=True)
class ForbiddenUse:
    """A forbidden API found in the source."""

    api: str
    line: int
    how: str


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        base = node.value
        prefix = base.id if isinstance(base, ast.Name) else ""
        return f"{prefix}.{node.attr}" if prefix else node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_namespace(node: ast.expr) -> bool:
    """`x.__dict__` or `vars(x)` (or globals()): a mapping from names to attributes."""
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return True
    return isinstance(node, ast.Call) and _call_name(node.func) in ("vars", "globals")


def defines_triton_kernel(tree: ast.AST) -> bool:
    """True when some function is decorated with triton.jit (or autotune/heuristics)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                name = _decorator_name(dec)
                if name.startswith("triton.") and name.split(".", 1)[1] in _TRITON_DECORATORS:
                    return True
                if name in _TRITON_DECORATORS and _imports_from_triton(tree, name):
                    return True
    return False


def _imports_from_triton(tree: ast.AST, name: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("triton"):
            if any((alias.asname or alias.name) == name for alias in node.names):
                return True
    return False


def detect_track(source: str) -> str:
    """'triton' when the source defines a Triton kernel, else 'torch' (also for bad syntax)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "torch"
    return "triton" if defines_triton_kernel(tree) else "torch"


def find_forbidden(tree: ast.AST, forbidden: Iterable[tuple[str, frozenset[str]]]
                   ) -> ForbiddenUse | None:
    """The first use of a forbidden API in `tree`.

    `forbidden` pairs the API's display name with the attribute names that reveal it
    (e.g. ("torch.nn.functional.rms_norm", {"rms_norm"})). The user's own function may share
    the name (`def rms_norm`): only attribute access, imports from torch and strings handed to
    a call count, never a bare name."""
    table = [(api, names) for api, names in forbidden]
    hits: list[ForbiddenUse] = []

    def lookup(name: str) -> str | None:
        for api, names in table:
            if name in names:
                return api
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            api = lookup(node.attr)
            if api:
                hits.append(ForbiddenUse(api, node.lineno, f"uses .{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            for alias in node.names:
                api = lookup(alias.name)
                if api:
                    hits.append(ForbiddenUse(api, node.lineno,
                                             f"imports {alias.name} from {node.module}"))
        elif isinstance(node, ast.Call) and _call_name(node.func) in _LOOKUPS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    api = lookup(arg.value.rsplit(".", 1)[-1])
                    if api:
                        hits.append(ForbiddenUse(api, node.lineno,
                                                 f"looks up '{arg.value}' by name"))
        elif isinstance(node, ast.Subscript) and _is_namespace(node.value):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                api = lookup(key.value)
                if api:
                    hits.append(ForbiddenUse(api, node.lineno,
                                             f"looks up '{key.value}' by name"))
    return min(hits, key=lambda h: h.line) if hits else None
