"""Where quizapp keeps things: bundled content, and the user's state under QUIZAPP_HOME.

Every other module asks this one for a location, so that `QUIZAPP_HOME` (tests always set it)
redirects all user state at once.

The bundled data (content/, solutions/) is found in one of two places: in a clone (or an
editable install) they sit beside the package at the repository root; in an installed wheel
the build copied them into the package as `quizapp/_data/` (see setup.py).
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def _data_root() -> Path:
    """The folder holding content/ and solutions/: the installed package's copy when there is
    one, else the repository root beside the package."""
    bundled = _PACKAGE / "_data"
    return bundled if (bundled / "content").is_dir() else _PACKAGE.parent


#: Where content/ and solutions/ live: quizapp/_data in a wheel, the repository root in a clone.
PROJECT_ROOT = _data_root()


def data_location() -> str:
    """"installed package" or "source checkout": where the bundled data is read from."""
    return "installed package" if PROJECT_ROOT == _PACKAGE / "_data" else "source checkout"


def content_dir() -> Path:
    """The bundled content directory (questions, drills, topics)."""
    return Path(os.environ.get("QUIZAPP_CONTENT", PROJECT_ROOT / "content"))


def questions_dir() -> Path:
    """The bundled question bank."""
    return content_dir() / "questions"


def drills_dir() -> Path:
    """The bundled drill definitions, one folder per drill."""
    return content_dir() / "drills"


def topics_file() -> Path:
    """The topic taxonomy."""
    return content_dir() / "topics.yaml"


def solutions_dir() -> Path:
    """Reference implementations and known-wrong variants of the drills."""
    return PROJECT_ROOT / "solutions"


def drill_roots() -> list[Path]:
    """Extra drill roots from `QUIZAPP_DRILL_ROOTS` (paths separated by the OS path
    separator), each laid out like the repository: `<root>/content/drills/<id>/` and
    `<root>/solutions/<id>/`. For drill authors and tests; the bundled drills come first."""
    raw = os.environ.get("QUIZAPP_DRILL_ROOTS", "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


def drill_dirs() -> list[Path]:
    """Every folder of drill folders: the bundled one, then each extra root's."""
    return [drills_dir(), *(root / "content" / "drills" for root in drill_roots())]


def home() -> Path:
    """The directory holding all user state; created on first use."""
    env = os.environ.get("QUIZAPP_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_path

        path = user_data_path("quizapp", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path() -> Path:
    """The SQLite progress database."""
    return home() / "progress.db"


def workspace_dir() -> Path:
    """Where the user's drill solutions live (one file per drill and track)."""
    path = home() / "workspace"
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_path() -> Path:
    """The user's config file (TOML): extra question dirs, key bindings, settings."""
    return home() / "config.toml"


def reports_path() -> Path:
    """The problem reports the user wrote about questions (JSON lines), to send to the
    authors."""
    return home() / "problem-reports.jsonl"
