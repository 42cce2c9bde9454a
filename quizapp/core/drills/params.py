"""Case parameters: the kinds a drill.yaml parameter may have, and the checks of its values.

Each entry point of a drill declares, in its drill.yaml, the parameters its cases may set
(`params: {name: {kind, default, choices}}`); the drill's `inputs.py` gives them meaning. This
module owns the kinds and the value checks (torch-free).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

#: Dtype names a case may use.
DTYPES = ("float64", "float32", "float16", "bfloat16")

#: Parameter kinds, with what a value of each must be.
KINDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "dtype": "a dtype name",
    "choice": "one of its choices",
    "ints": "a list of non-negative integers",
    "floats": "a list of numbers",
    "pair": "[a, b] or auto",
    "text": "a string",
    "default_or_float": "a number or 'default'",
    "any": "any YAML value",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    """One case parameter: its kind, default and (for choices) allowed values."""

    kind: str
    default: Any = None
    choices: tuple[Any, ...] = ()

    def check(self, value: Any) -> str | None:
        """A problem with `value` for this parameter, or None when it is fine."""
        kind = self.kind
        if kind == "int":
            return None if _is_int(value) else "must be an integer"
        if kind == "float":
            return None if _is_number(value) else "must be a number"
        if kind == "bool":
            return None if isinstance(value, bool) else "must be true or false"
        if kind == "dtype":
            return None if value in DTYPES else f"must be one of {', '.join(DTYPES)}"
        if kind == "choice":
            return None if value in self.choices else \
                f"must be one of {', '.join(str(c) for c in self.choices)}"
        if kind == "ints":
            ok = isinstance(value, list) and all(_is_int(v) and v >= 0 for v in value)
            return None if ok else "must be a list of non-negative integers"
        if kind == "floats":
            ok = isinstance(value, list) and all(_is_number(v) for v in value)
            return None if ok else "must be a list of numbers"
        if kind == "pair":
            ok = isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value)
            return None if ok or value == "auto" else "must be [a, b] or auto"
        if kind == "text":
            return None if isinstance(value, str) else "must be a string"
        if kind == "default_or_float":
            ok = value == "default" or _is_number(value)
            return None if ok else "must be a number or 'default' (argument left out)"
        if kind == "any":
            return None
        raise AssertionError(f"unknown parameter kind {kind}")


def case_seed(drill_id: str, case_name: str) -> int:
    """A stable seed per case (independent of the case's position in the YAML)."""
    return zlib.crc32(f"{drill_id}/{case_name}".encode())
