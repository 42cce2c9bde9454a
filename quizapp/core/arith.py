"""A safe evaluator for the arithmetic in numeric questions' `work` expressions.

Content authors write the worked computation (`2 * 32 * 4096 * 2 / 2**20`); the validator and
the tests evaluate it and compare it with the stated answer. Only arithmetic is allowed: no
names but a few constants and maths functions, no attribute access, no huge powers. The
expression is user content, so its cost is bounded: its length, its nesting, and the size of
every intermediate result (an integer wider than a float can hold is an error, whatever the
operation that made it, so `(2**4096)**4096` or a chain of products never explodes).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt,
    "log": math.log,
    "ln": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "exp": math.exp,
    "ceil": math.ceil,
    "floor": math.floor,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}
_MAX_EXPONENT = 4096
#: Integers wider than this many bits do not fit a float; no worked answer needs them.
_MAX_INT_BITS = 1024
_MAX_CHARS = 2000
_MAX_NODES = 500


class ArithmeticError_(ValueError):
    """The expression is not plain arithmetic, or it does not evaluate."""


def evaluate(expression: str) -> float:
    """Evaluate an arithmetic expression and return its value.

    Raises `ArithmeticError_` with a one-line reason for anything else (names, calls to
    unknown functions, syntax errors, division by zero, overflow).
    """
    if len(expression) > _MAX_CHARS:
        raise ArithmeticError_(f"is longer than {_MAX_CHARS} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as err:
        raise ArithmeticError_(f"not an arithmetic expression: {err.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ArithmeticError_("not an arithmetic expression: it nests too deeply") from None
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise ArithmeticError_(f"has more than {_MAX_NODES} parts; split the computation")
    try:
        value = _eval(tree.body)
        if not math.isfinite(value):
            raise ArithmeticError_("does not evaluate to a finite number")
        return value
    except (ZeroDivisionError, OverflowError, ValueError, TypeError, RecursionError) as err:
        if isinstance(err, ArithmeticError_):
            raise
        if isinstance(err, RecursionError):
            raise ArithmeticError_("nests too deeply") from None
        raise ArithmeticError_(f"does not evaluate: {str(err)[:80]}") from None


def _bounded(value: float) -> float:
    """`value`, unless it is an integer too wide for a float (then an error)."""
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise ArithmeticError_(f"an intermediate value exceeds {_MAX_INT_BITS} bits")
    return value


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        if isinstance(node.value, bool):
            raise ArithmeticError_("booleans are not numbers here")
        return _bounded(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            if abs(right) > _MAX_EXPONENT:
                raise ArithmeticError_(f"exponent {right:.6g} is too large")
            # An integer power's size is known before computing it: refuse, don't compute.
            if isinstance(left, int) and isinstance(right, int) and right > 0 \
                    and (abs(left).bit_length() - 1) * right > _MAX_INT_BITS:
                raise ArithmeticError_(f"an intermediate value exceeds {_MAX_INT_BITS} bits")
        return _bounded(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _bounded(_UNARY[type(node.op)](_eval(node.operand)))
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return _bounded(_FUNCTIONS[node.func.id](*(_eval(arg) for arg in node.args)))
    shown = ast.unparse(node)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    raise ArithmeticError_(f"'{shown}' is not allowed (only numbers and arithmetic)")
