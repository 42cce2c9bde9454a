"""`quizapp doctor`: is this installation usable, and if not, what to do about it.

Each check returns a `Check` — a name, a status (ok / warn / fail), what was found and, when
it is not ok, the fix in one sentence. Nothing here changes anything on disk: the progress
database is opened read-only and never created, migrated or moved aside. The CLI prints one
line per check; quizapp is usable when no check failed (warnings are things that work
differently than they could, e.g. Triton running interpreted on a machine without CUDA).
"""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quizapp.core import paths

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: str
    detail: str
    fix: str = ""


def _python() -> Check:
    # pip refuses to install quizapp on Python < 3.10 (requires-python), so no check is needed.
    return Check("python", OK, f"{platform.python_version()} at {sys.executable}")


def _quizapp() -> Check:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("quizapp")
    except PackageNotFoundError:
        from quizapp import __version__ as installed
    return Check("quizapp", OK, f"{installed}, data from the {paths.data_location()} "
                 f"({paths.PROJECT_ROOT})")


def _torch() -> tuple[Check, Check]:
    try:
        import torch
    except Exception as err:  # noqa: BLE001 - a broken torch install is reported, whatever it is
        fix = "pip install torch (the CPU build: pip install torch --index-url " \
              "https://download.pytorch.org/whl/cpu)"
        return (Check("torch", FAIL, f"cannot be imported ({type(err).__name__}: {err})", fix),
                Check("cuda", WARN, "unknown (torch is missing)"))
    build = f"CUDA {torch.version.cuda} build" if torch.version.cuda else "CPU build"
    torch_check = Check("torch", OK, f"{torch.__version__} ({build})")
    if not torch.cuda.is_available():
        why = "this torch has no CUDA" if not torch.version.cuda else "no CUDA device visible"
        return torch_check, Check("cuda", WARN, f"none ({why}): drills are graded and timed on "
                                  "the CPU, Triton kernels run interpreted and are not timed")
    names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return torch_check, Check("cuda", OK, ", ".join(names))


def _triton() -> Check:
    if not sys.platform.startswith("linux"):
        return Check("triton", WARN, f"not available on {sys.platform}: the Triton tracks "
                     "cannot be graded here (the PyTorch tracks can)")
    try:
        import triton
    except Exception as err:  # noqa: BLE001
        return Check("triton", WARN, f"cannot be imported ({type(err).__name__}): the Triton "
                     "tracks cannot be graded", "pip install triton")
    import torch

    mode = "compiled on the GPU" if torch.cuda.is_available() else \
        "interpreter (TRITON_INTERPRET=1, no GPU): kernels are checked, never timed"
    return Check("triton", OK, f"{triton.__version__}, {mode}")


def _isolation() -> Check:
    """What the grader's sandbox (quizapp.core.grading.sandbox) can apply on this kernel."""
    from quizapp.core.grading.sandbox import landlock_abi, platform_line

    abi = landlock_abi()
    if abi < 1:
        return Check("isolation", WARN, f"partial on {platform_line()} (no Landlock): solutions "
                     "run in a separate process with time, memory and output limits but can "
                     "read and write what you can", "on Linux ≥ 5.13, enable Landlock (lsm=)")
    extras = ["filesystem confined (Landlock ABI " + str(abi) + ")"]
    extras.append("no TCP" if abi >= 4 else "TCP not blocked (ABI < 4)")
    extras.append("no signals outside the sandbox" if abi >= 6 else
                  "signals not scoped (ABI < 6)")
    level = OK if abi >= 6 else WARN
    return Check("isolation", level, f"{'full' if level == OK else 'partial'}: "
                 + ", ".join(extras) + "; hard memory limit; every leftover process killed")


def _home() -> tuple[Check, Check]:
    env = os.environ.get("QUIZAPP_HOME")
    try:
        home = paths.home()
    except OSError as err:
        where = env or "the platform's user data directory"
        return (Check("home", FAIL, f"{where}: cannot be created ({err.strerror})",
                      "set QUIZAPP_HOME to a writable directory"),
                Check("database", FAIL, "no home directory"))
    origin = "QUIZAPP_HOME" if env else "default"
    if not os.access(home, os.W_OK):
        home_check = Check("home", FAIL, f"{home} ({origin}) is not writable",
                           "make it writable or set QUIZAPP_HOME to a writable directory")
    else:
        home_check = Check("home", OK, f"{home} ({origin})")
    return home_check, _database(paths.db_path())


def _database(path: Path) -> Check:
    from quizapp.core.store import APPLICATION_ID, MIGRATIONS

    if not path.exists():
        return Check("database", OK, f"{path}: not created yet (made on first use)")
    if not path.is_file():
        return Check("database", FAIL, f"{path} is not a file",
                     "move it away; quizapp creates a fresh database")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error as err:
        return Check("database", FAIL, f"{path}: cannot be opened ({err})",
                     "check the file's permissions")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        reviews = 0
        if app_id == APPLICATION_ID:
            reviews = conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
    except sqlite3.Error as err:
        return Check("database", FAIL, f"{path}: not a readable database ({err})",
                     "quizapp moves it aside the next time it opens it; your other files are "
                     "kept")
    finally:
        conn.close()
    if app_id != APPLICATION_ID:
        return Check("database", FAIL, f"{path} belongs to another program",
                     "move it away, or set QUIZAPP_HOME elsewhere")
    if check != "ok":
        return Check("database", FAIL, f"{path} is damaged ({check})",
                     "quizapp moves it aside and starts a fresh one the next time it opens it")
    if version > len(MIGRATIONS):
        return Check("database", FAIL, f"{path} was written by a newer quizapp (schema "
                     f"{version})", "upgrade quizapp")
    return Check("database", OK, f"{path}: healthy, schema {version}, {reviews} answers and "
                 "grades recorded")


def _content(home_ok: bool) -> Check:
    from quizapp.core.bank import load_bank, load_taxonomy
    from quizapp.core.drills import load_drills

    try:
        taxonomy = load_taxonomy()
        # Without a home there is no config (extra question dirs) and no cache: the bundled
        # bank alone, loaded afresh.
        bank = load_bank(None if home_ok else [paths.questions_dir()], taxonomy,
                         cache=home_ok)
        drills = load_drills()
    except Exception as err:  # noqa: BLE001 - the bundled data itself is missing or unreadable
        return Check("content", FAIL, f"cannot load the bundled content ({err})",
                     "reinstall quizapp")
    questions = len(bank.questions)
    problems = len(bank.problems)
    detail = f"{questions} questions, {len(taxonomy.topics)} topics, {len(drills)} drills"
    if problems:
        return Check("content", WARN, f"{detail}; {problems} problems in your question files",
                     "run 'quizapp content check' to see them")
    if not questions or not drills:
        return Check("content", FAIL, detail, "reinstall quizapp (its content is missing)")
    return Check("content", OK, detail)


def _config(home_ok: bool) -> Check:
    from quizapp.core.config import load_config

    if not home_ok:
        return Check("config", WARN, "not read (no usable home directory)")
    path = paths.config_path()
    config = load_config()
    if config.problems:
        return Check("config", WARN, f"{path}: {len(config.problems)} problem(s), defaults used: "
                     f"{config.problems[0]}", "fix the lines named in the file")
    where = path if path.exists() else f"{path} (none, defaults)"
    return Check("config", OK, str(where))


def run_checks() -> list[Check]:
    """Every check, in the order the report prints them."""
    checks: list[Check] = [_python(), _quizapp()]
    torch_check, cuda_check = _torch()
    checks += [torch_check, cuda_check]
    steps: list[Callable[[], Check]] = []
    if torch_check.status != FAIL:
        steps.append(_triton)
    steps += [_isolation]
    checks += [step() for step in steps]
    home_check, db_check = _home()
    home_ok = home_check.status != FAIL
    checks += [home_check, db_check, _content(home_ok), _config(home_ok)]
    return checks


def usable(checks: list[Check]) -> bool:
    """quizapp works when nothing failed."""
    return all(check.status != FAIL for check in checks)
