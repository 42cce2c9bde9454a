"""The user's config file (TOML at `paths.config_path()`): key remaps and UI settings.

```toml
[ui]
language = "zh"          # the language a new user starts in (the `l` key switches and is
                         # remembered; this is only the first default)
theme = "textual-dark"   # any Textual theme name

[quiz]
length = 10              # questions per quiz session
mock_length = 8          # questions in a mock interview
mock_minutes = 20        # its time limit

[content]
question_dirs = ["~/my-questions"]   # extra question directories (like QUIZAPP_QUESTION_DIRS)

[grading]
remote = "gpu-box"       # an SSH host (as in ~/.ssh/config): the drill workspace's remote
                         # grade key and `quizapp grade --remote` without a host use it
remote_command = "~/.local/bin/quizapp"   # quizapp on that host, when not on its PATH

[review]
leech_threshold = 8      # lapses that make a card a leech (as in Anki); 0 turns it off

[keys]                   # binding id = "keys" (comma-separated); ids are on the help screen
"home.quiz" = "q"
"drill.grade" = "ctrl+r,f5"
```

A missing file means defaults. A bad file or a bad value never stops the app: each problem is
one line in `Config.problems` (shown to the user as a notice, verbatim — never as markup) and
the default is used instead. Only a regular file of at most `MAX_CONFIG_BYTES` is read (a FIFO
or a device is refused without blocking); nesting deeper than `MAX_DEPTH` is refused. In
`[keys]`, dotted ids written unquoted (`home.quiz = "q"`) mean the same as quoted ones; an id
given twice, or one key given to two bindings of the same screen, is reported.
No Textual here; the TUI checks binding ids against its own bindings.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizapp.core import paths

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LANGUAGES = ("en", "zh")
#: A config file is a few lines; anything this big is not one.
MAX_CONFIG_BYTES = 1 << 20
#: Tables and arrays nest at most this deep (the format needs 2).
MAX_DEPTH = 8


@dataclass(frozen=True)
class Config:
    """Settings read from the config file (defaults where it says nothing)."""

    language: str | None = None
    theme: str | None = None
    quiz_length: int = 10
    mock_length: int = 8
    mock_minutes: int = 20
    question_dirs: tuple[Path, ...] = ()
    #: The SSH host drills are graded on remotely, and quizapp's command there.
    remote: str | None = None
    remote_command: str | None = None
    #: Lapses that make a card a leech (0: never).
    leech_threshold: int = 8
    #: Binding id → keys, as Textual's `App.set_keymap` takes them.
    keys: dict[str, str] = field(default_factory=dict)
    #: One line per problem found in the file.
    problems: tuple[str, ...] = ()


_SECTIONS: dict[str, set[str]] = {
    "ui": {"language", "theme"},
    "quiz": {"length", "mock_length", "mock_minutes"},
    "content": {"question_dirs"},
    "grading": {"remote", "remote_command"},
    "review": {"leech_threshold"},
    "keys": set(),
}


def load_config(path: Path | None = None) -> Config:
    """Read the config file; never raises for bad content (see `Config.problems`)."""
    try:
        path = path or paths.config_path()
    except OSError as err:
        return Config(problems=(f"cannot use the quizapp home {err.filename or ''}: "
                                f"{err.strerror or err}; using the default settings",))
    try:
        raw = _read_regular(path)
    except FileNotFoundError:
        return Config()
    except OSError as err:
        return Config(problems=(f"{path}: cannot read the config file "
                                f"({err.strerror or err}); using defaults",))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Config(problems=(f"{path}: the config file is not UTF-8 text; using defaults",))
    except tomllib.TOMLDecodeError as err:
        return Config(problems=(f"{path}: invalid TOML ({_cut(str(err))}); using defaults",))
    except (RecursionError, MemoryError):
        return Config(problems=(f"{path}: the config file nests too deeply; using defaults",))
    if _depth(data) > MAX_DEPTH:
        return Config(problems=(f"{path}: tables and arrays nest more than {MAX_DEPTH} deep; "
                                "using defaults",))
    return _from_data(data, str(path))


def _read_regular(path: Path) -> bytes:
    """The file's bytes if it is a regular file of at most MAX_CONFIG_BYTES; a FIFO is opened
    without blocking, and it, a device or a directory raise OSError with a reason."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise OSError(0, f"larger than {MAX_CONFIG_BYTES >> 10} KiB")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= MAX_CONFIG_BYTES:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_CONFIG_BYTES:
            raise OSError(0, f"larger than {MAX_CONFIG_BYTES >> 10} KiB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _depth(value: Any) -> int:
    """How deep tables and arrays nest (iterative: a deep file cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            children = item.values() if isinstance(item, dict) else \
                item if isinstance(item, list) else ()
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _cut(text: str, limit: int = 80) -> str:
    """One line, at most `limit` characters (values in messages are never echoed whole)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flatten_keys(body: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """`[keys]` entries as (binding id, value); unquoted dotted ids become nested tables in
    TOML (`home.quiz = "q"` is {"home": {"quiz": "q"}}), so tables are joined back with dots."""
    out = []
    for key, value in body.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_flatten_keys(value, name + "."))
        else:
            out.append((name, value))
    return out


def _from_data(data: dict[str, Any], where: str) -> Config:
    problems: list[str] = []
    values: dict[str, Any] = {}

    def problem(message: str) -> None:
        problems.append(f"{where}: {message}")

    for section, body in data.items():
        if section not in _SECTIONS:
            problem(f"unknown section [{_cut(section, 40)}] (known: {', '.join(_SECTIONS)})")
            continue
        if not isinstance(body, dict):
            problem(f"[{_cut(section, 40)}] must be a table")
            continue
        if section == "keys":
            values["keys"] = _read_keys(body, problem)
            continue
        for key, value in body.items():
            if key not in _SECTIONS[section]:
                known = ", ".join(sorted(_SECTIONS[section]))
                problem(f"unknown setting {section}.{_cut(key, 40)} (known: {known})")
                continue
            _read_value(section, key, value, values, problem)
    return Config(**values, problems=tuple(problems))


def _read_value(section: str, key: str, value: Any, values: dict[str, Any],
                problem: Any) -> None:
    name = f"{section}.{key}"
    if name == "ui.language":
        if value in LANGUAGES:
            values["language"] = value
        else:
            problem(f"{name} must be one of {', '.join(LANGUAGES)}, got {_cut(repr(value), 40)}")
    elif name == "ui.theme":
        if isinstance(value, str) and value:
            values["theme"] = value
        else:
            problem(f"{name} must be a theme name")
    elif section == "quiz":
        limits = {"length": (1, 200), "mock_length": (1, 50), "mock_minutes": (1, 240)}[key]
        if isinstance(value, int) and not isinstance(value, bool) \
                and limits[0] <= value <= limits[1]:
            values["quiz_length" if key == "length" else key] = value
        else:
            problem(f"{name} must be a whole number from {limits[0]} to {limits[1]}")
    elif section == "grading":
        if isinstance(value, str) and value.strip() and not value.startswith("-") \
                and "\n" not in value:
            values[key] = value.strip()
        else:
            problem(f"{name} must be a non-empty string (an SSH host or a command)")
    elif name == "review.leech_threshold":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000:
            values["leech_threshold"] = value
        else:
            problem(f"{name} must be a whole number from 0 to 1000 (0: no leeches)")
    elif name == "content.question_dirs":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            values["question_dirs"] = tuple(Path(v).expanduser() for v in value)
        else:
            problem(f"{name} must be a list of directory paths")


def _read_keys(body: dict[str, Any], problem: Any) -> dict[str, str]:
    """The [keys] table: binding id → keys; ids given twice and one key bound twice on the
    same screen (the part of the id before its last dot) are reported, the first one kept."""
    keys: dict[str, str] = {}
    used: dict[tuple[str, str], str] = {}
    for binding_id, keys_text in _flatten_keys(body):
        shown = _cut(binding_id, 60)
        if not (isinstance(keys_text, str) and keys_text.strip() and len(keys_text) <= 200):
            problem(f"[keys] {shown} must be a non-empty string like \"ctrl+r\"")
            continue
        if binding_id in keys:
            problem(f"[keys] {shown} is given twice (quoted and dotted?); the first is used")
            continue
        text = keys_text.replace(" ", "")
        screen = binding_id.rpartition(".")[0]
        clash = next((used[(screen, k)] for k in text.split(",") if (screen, k) in used), None)
        if clash is not None:
            problem(f"[keys] {shown} and {_cut(clash, 60)} both use {_cut(text, 20)!r}; "
                    f"{shown} is ignored")
            continue
        keys[binding_id] = text
        for k in text.split(","):
            used[(screen, k)] = binding_id
    return keys
