"""Which track a source file is for: a file defining a `@triton.jit` (or `@triton.autotune` /
`@triton.heuristics`) kernel is a Triton solution. Pure `ast`, used by the drill loader (a
Triton starter must define a kernel) and by the grader (`quizapp.core.grading.static`)."""

from __future__ import annotations

import ast

_TRITON_DECORATORS = {"jit", "autotune", "heuristics"}


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


