"""Where quizapp keeps things: bundled content, and the user's state under QUIZAPP_HOME.

Every other module asks this one for a location, so that `QUIZAPP_HOME` (tests always set it)
redirects all user state at once.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root: content/ and solutions/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


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
