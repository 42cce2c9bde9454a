"""Reading the numbers users type: separators, powers, SI/IEC units, 万/亿, percentages.

`parse_quantity("1.5 GiB", "bytes")` returns 1610612736.0. Each unit family maps a suffix to
its factor; the numeric grader compares values in the family's base unit.
"""

from __future__ import annotations

import math
import re
import unicodedata

_COUNT = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12, "万": 1e4, "亿": 1e8,
          "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}

UNIT_FAMILIES: dict[str, dict[str, float]] = {
    "bytes": {
        "": 1.0, "b": 1.0, "byte": 1.0, "bytes": 1.0,
        "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
        "kib": 2.0**10, "mib": 2.0**20, "gib": 2.0**30, "tib": 2.0**40, "pib": 2.0**50,
    },
    "count": _COUNT,
    "flops": {
        **{k + s: v for k, v in {**_COUNT, "p": 1e15}.items()
           for s in ("", "flop", "flops")},
    },
    "seconds": {"": 1.0, "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                "sec": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0},
    "percent": {"": 1.0, "%": 0.01},
}

#: A plain number (no unit family) may carry a ratio marker: "2.8x", "2.8×", "2.8 times"
#: all read as the dimensionless 2.8 (speed-ups and compression ratios are typed that way).
_RATIO = {"": 1.0, "x": 1.0, "×": 1.0, "times": 1.0}

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_PATTERN = re.compile(
    rf"^(?P<sign>[+-]?)(?P<num>{_NUMBER})"
    rf"(?:(?:\^|\*\*)(?P<pow>[+-]?\d+(?:\.\d+)?)"
    rf"|[x×*]10(?:\^|\*\*)(?P<sci>[+-]?\d+))?"
    r"(?P<unit>[a-zµμ%万亿×]*)$"
)
_GROUPED = re.compile(r"(?<=\d)[,_'](?=\d{3}(?!\d))")


class QuantityError(ValueError):
    """The text is not a number in the expected unit family; the message says why."""


#: Units a prompt may ask for ("Answer in GiB", "in milliseconds"), by family.
_ASKED = re.compile(r"\bin (GiB|GB|MiB|MB|KiB|KB|TiB|TB|milliseconds|ms|microseconds|µs|"
                    r"nanoseconds|ns|seconds|minutes|hours)\b")
_UNIT_WORDS = {"milliseconds": "ms", "microseconds": "µs", "nanoseconds": "ns", "seconds": "s",
               "minutes": "min", "hours": "h"}


def asked_unit(prompt: str, family: str | None) -> str | None:
    """The unit an English prompt asks the answer in ("… Answer in GiB (2³⁰ bytes)"), if it
    names one of `family`'s units; a bare number typed by the user is read in that unit."""
    if family is None:
        return None
    for match in _ASKED.finditer(prompt):
        unit = _UNIT_WORDS.get(match[1], match[1])
        if unit.lower() in UNIT_FAMILIES.get(family, {}):
            return unit
    return None


def parse_quantity(text: str, family: str | None = None, default_unit: str | None = None
                   ) -> float:
    """Parse `text` as a number, scaled to the base unit of `family` (None: a plain number).

    Accepts digit-group separators (`1,024`, `1_024`), scientific notation (`1e6`, `3×10^8`),
    powers (`2^20`, `2**20`), and the suffixes of the family (case-insensitive). A bare number
    is read in `default_unit` when given (the unit the question asks for), else the base unit.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    cleaned = cleaned.replace("−", "-").replace("，", ",").replace("。", ".")
    cleaned = re.sub(r"\s+", "", cleaned)
    cleaned = _GROUPED.sub("", cleaned)
    if not cleaned:
        raise QuantityError("empty answer")
    match = _PATTERN.match(cleaned)
    if match is None:
        raise QuantityError(f"'{text.strip()}' is not a number")
    value = float(match["num"])
    if match["pow"] is not None:
        exponent = float(match["pow"])
        if abs(exponent) > 1000:
            raise QuantityError("exponent too large")
        value = value**exponent
    elif match["sci"] is not None:
        value = value * 10.0 ** int(match["sci"])
    if match["sign"] == "-":
        value = -value
    unit = match["unit"] or (default_unit or "").lower()
    units = UNIT_FAMILIES[family] if family in UNIT_FAMILIES else _RATIO
    if unit not in units:
        known = ", ".join(sorted(u for u in units if u)) or "none"
        raise QuantityError(f"unknown unit '{unit}' (accepted: {known})")
    return value * units[unit]


# --------------------------------------------------------------------------- showing numbers

_BINARY = (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10))
_DECIMAL_BYTES = (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3))
_DECIMAL = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))
_TIMES = (("h", 3600.0), ("min", 60.0), ("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))


def _num(value: float) -> str:
    """`value` with thousands separators when whole, else 4 significant digits."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.4g}"


def format_quantity(value: float, unit: str | None) -> str:
    """A value of a unit family as a person would write it: `524,288 B (512 KiB)`."""
    if not math.isfinite(value):
        return str(value)
    if unit == "bytes":
        # Both conventions: questions ask in either, and mixing them up is the classic slip.
        scaled = [f"{value / size:.4g} {name}"
                  for table in (_DECIMAL_BYTES, _BINARY)
                  for name, size in table if abs(value) >= size][:1]
        scaled += [f"{value / size:.4g} {name}" for name, size in _BINARY
                   if abs(value) >= size][:1]
        return f"{_num(value)} B" + (f" ({' = '.join(scaled)})" if scaled else "")
    if unit in ("count", "flops"):
        suffix = " FLOPs" if unit == "flops" else ""
        for name, size in _DECIMAL:
            if abs(value) >= size:
                return f"{_num(value)}{suffix} ({value / size:.4g}{name})"
        return f"{_num(value)}{suffix}"
    if unit == "seconds":
        for name, size in _TIMES:
            if abs(value) >= size:
                return f"{value / size:.4g} {name}"
        return f"{value:.3g} s"
    if unit == "percent":
        return f"{value * 100:.4g}%"
    return _num(value)
