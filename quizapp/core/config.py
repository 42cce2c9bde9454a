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

[keys]                   # binding id = "keys" (comma-separated); ids are on the help screen
"home.quiz" = "q"
"drill.grade" = "ctrl+r,f5"
```

A missing file means defaults. A bad file or a bad value never stops the app: each problem is
one line in `Config.problems` (shown to the user as a notice) and the default is used instead.
No Textual here; the TUI checks binding ids against its own bindings.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Config:
    """Settings read from the config file (defaults where it says nothing)."""

    language: str | None = None
    theme: str | None = None
    quiz_length: int = 10
    mock_length: int = 8
    mock_minutes: int = 20
    question_dirs: tuple[Path, ...] = ()
    #: Binding id → keys, as Textual's `App.set_keymap` takes them.
    keys: dict[str, str] = field(default_factory=dict)
    #: One line per problem found in the file.
    problems: tuple[str, ...] = ()


_SECTIONS: dict[str, set[str]] = {
    "ui": {"language", "theme"},
    "quiz": {"length", "mock_length", "mock_minutes"},
    "content": {"question_dirs"},
    "keys": set(),
}


def load_config(path: Path | None = None) -> Config:
    """Read the config file; never raises for bad content (see `Config.problems`)."""
    path = path or paths.config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as err:
        return Config(problems=(f"{path}: cannot read the config file ({err.strerror})",))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Config(problems=(f"{path}: the config file is not UTF-8 text; using defaults",))
    except tomllib.TOMLDecodeError as err:
        return Config(problems=(f"{path}: invalid TOML ({err}); using defaults",))
    return _from_data(data, str(path))


def _from_data(data: dict[str, Any], where: str) -> Config:
    problems: list[str] = []
    values: dict[str, Any] = {}

    def problem(message: str) -> None:
        problems.append(f"{where}: {message}")

    for section, body in data.items():
        if section not in _SECTIONS:
            problem(f"unknown section [{section}] (known: {', '.join(_SECTIONS)})")
            continue
        if not isinstance(body, dict):
            problem(f"[{section}] must be a table")
            continue
        if section == "keys":
            keys = {}
            for binding_id, keys_text in body.items():
                if isinstance(keys_text, str) and keys_text.strip():
                    keys[binding_id] = keys_text.replace(" ", "")
                else:
                    problem(f"[keys] {binding_id} must be a non-empty string like \"ctrl+r\"")
            values["keys"] = keys
            continue
        for key, value in body.items():
            if key not in _SECTIONS[section]:
                problem(f"unknown setting {section}.{key}")
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
            problem(f"{name} must be one of {', '.join(LANGUAGES)}, got {value!r}")
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
    elif name == "content.question_dirs":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            values["question_dirs"] = tuple(Path(v).expanduser() for v in value)
        else:
            problem(f"{name} must be a list of directory paths")
