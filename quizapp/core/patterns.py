"""Regular expressions written by content authors: cloze `accept` lists with `regex: true` and
key-point `keywords`.

They are user content, so matching must be bounded: they are compiled and matched with RE2,
whose matching time is linear in the text (a catastrophic pattern such as `(a+)+$` cannot
freeze the app), and whose compiled program is capped in memory. RE2 has no backreferences or
lookarounds; `check_pattern` reports such a pattern as a content problem, and the validator
rejects the file. Matching is case-insensitive, as authors expect.
"""

from __future__ import annotations

import functools

import re2

#: Longer patterns are content problems (no real answer pattern comes near this).
MAX_PATTERN_CHARS = 2000
#: RE2's memory budget for one compiled pattern (its default is 8 MiB).
_MAX_MEM = 4 << 20


class PatternError(ValueError):
    """The pattern is not one RE2 can compile; the message says why, in one line."""


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # errors are reported to the user as content problems
    options.max_mem = _MAX_MEM
    return options


_OPTIONS = _options()


@functools.lru_cache(maxsize=2048)
def compile_pattern(pattern: str) -> re2._Regexp:
    """The compiled pattern; raises `PatternError` with a one-line reason."""
    if not isinstance(pattern, str):
        raise PatternError("must be text")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(f"is longer than {MAX_PATTERN_CHARS} characters")
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as err:
        reason = err.args[0] if err.args else "invalid"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason)) from None
    except UnicodeEncodeError:
        raise PatternError("contains characters that are not valid Unicode") from None


def check_pattern(pattern: str) -> str | None:
    """None when the pattern compiles, else the one-line reason."""
    try:
        compile_pattern(pattern)
    except PatternError as err:
        return str(err)
    return None


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches anywhere in `text`; a bad pattern or text matches nothing."""
    try:
        return compile_pattern(pattern).search(text) is not None
    except (PatternError, UnicodeEncodeError):
        return False


def fullmatch(pattern: str, text: str) -> bool:
    """Whether `pattern` matches the whole of `text`; a bad pattern or text matches nothing."""
    try:
        return compile_pattern(pattern).fullmatch(text) is not None
    except (PatternError, UnicodeEncodeError):
        return False
