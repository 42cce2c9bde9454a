"""The progress store under hostile conditions: nothing a user's disk or another process does
may crash quizapp or cost progress (issue 15).

Only a file SQLite identifies as damaged or foreign is moved aside; a directory, a dangling
symlink, a newer schema, a missing table, a read-only file or directory, a full disk and a
held write lock are one `quizapp: …` line with exit 1, and the file is left byte for byte.
Read-only cases run in a child without the capabilities that let root ignore permissions
(`setpriv`), since root would otherwise write anyway.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.core import store as store_mod
from quizapp.core.store import BUSY_MESSAGE, Store, StoreError

ROOT = os.geteuid() == 0


def _seeded(home: Path) -> bytes:
    """A healthy, cleanly closed store with a little progress; returns its bytes."""
    with Store.open(home / "progress.db") as store:
        store.set_setting("review.new_per_day", 7)
        store.record_attempt("q1", "question", 1, 1.0, True)
    return (home / "progress.db").read_bytes()


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("quizapp: "), captured.err
    assert "Traceback" not in captured.out + captured.err
    return lines[0]


def test_a_directory_as_the_database_is_reported_not_touched(
        quizapp_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (quizapp_home / "progress.db").mkdir(parents=True)
    assert main(["stats"]) == 1
    assert "is a directory" in _one_line_error(capsys)
    assert (quizapp_home / "progress.db").is_dir()
    assert sorted(p.name for p in quizapp_home.iterdir()) == ["progress.db"]


def test_a_dangling_symlink_is_reported_not_replaced(
        quizapp_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quizapp_home.mkdir()
    (quizapp_home / "progress.db").symlink_to(quizapp_home / "gone" / "real.db")
    assert main(["progress", "settings"]) == 1
    assert "symbolic link" in _one_line_error(capsys)
    assert (quizapp_home / "progress.db").is_symlink()


@pytest.mark.parametrize("argv", [["stats"], ["stats", "--json"], ["progress", "settings"],
                                  ["progress", "export", "out.json"], []])
def test_a_newer_schema_is_exit_1_and_one_line_everywhere(
        quizapp_home: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`[]` is the bare command: the TUI refuses before it draws anything."""
    monkeypatch.chdir(tmp_path)
    quizapp_home.mkdir()
    before = _seeded(quizapp_home)
    with sqlite3.connect(quizapp_home / "progress.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    before = (quizapp_home / "progress.db").read_bytes()
    assert main(argv) == 1
    assert "written by a newer quizapp (schema 99)" in _one_line_error(capsys)
    assert (quizapp_home / "progress.db").read_bytes() == before


def test_a_missing_table_is_reported_and_the_file_kept(
        quizapp_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quizapp_home.mkdir()
    _seeded(quizapp_home)
    with sqlite3.connect(quizapp_home / "progress.db") as conn:
        conn.execute("DROP TABLE review_days")
    before = (quizapp_home / "progress.db").read_bytes()
    assert main(["stats"]) == 1
    assert "the table 'review_days' is missing" in _one_line_error(capsys)
    assert (quizapp_home / "progress.db").read_bytes() == before
    assert not list(quizapp_home.glob("*.bad-*"))


def test_quizapp_home_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a directory")
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    for argv in (["stats"], ["progress", "settings"], []):
        assert main(argv) == 1
        assert "home-file" in _one_line_error(capsys)
    assert home.read_text() == "not a directory"


def test_a_held_write_lock_is_busy_not_a_traceback(
        quizapp_home: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    quizapp_home.mkdir()
    _seeded(quizapp_home)
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(quizapp_home / "progress.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert main(["progress", "settings", "--new-per-day", "5"]) == 1
        assert _one_line_error(capsys) == f"quizapp: {BUSY_MESSAGE}"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert main(["progress", "settings", "--new-per-day", "5"]) == 0


def test_moved_aside_notice_never_lands_on_stdout_with_json(
        quizapp_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quizapp_home.mkdir()
    (quizapp_home / "progress.db").write_bytes(b"\x00garbage" * 512)
    assert main(["stats", "--json"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout is the JSON and nothing else
    assert "moved it to" in captured.err


def test_the_aside_copy_keeps_its_wal(quizapp_home: Path) -> None:
    """A foreign database whose rows are still in its WAL (its writer died) is moved aside
    with the WAL folded in or moved along: the copy opens and has every row."""
    quizapp_home.mkdir()
    db = quizapp_home / "progress.db"
    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, sqlite3
        conn = sqlite3.connect({str(db)!r}, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE theirs (x)")
        conn.executemany("INSERT INTO theirs VALUES (?)", [(i,) for i in range(500)])
        os._exit(0)   # no close, no checkpoint: the rows live in the -wal
        """)], check=True)
    assert (quizapp_home / "progress.db-wal").stat().st_size > 0
    with Store.open() as store:
        assert store.notices and "another program" in store.notices[0]
    (aside,) = quizapp_home.glob("progress.db.bad-*[0-9]Z")
    with sqlite3.connect(f"file:{aside}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM theirs").fetchone()[0] == 500


# --------------------------------------------------------------------------- full disk


@pytest.fixture
def small_tmpfs() -> Iterator[Path]:
    if not ROOT or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root; the simulated ENOSPC test covers it")
    mount = Path(tempfile.mkdtemp(prefix="quizapp-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_moves_nothing_and_loses_nothing(
        small_tmpfs: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    home = small_tmpfs / "home"
    home.mkdir()
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    _seeded(home)
    filler = _fill(small_tmpfs)
    for argv in (["stats"], ["progress", "settings", "--new-per-day", "9"]):
        assert main(argv) == 1
        assert "full" in _one_line_error(capsys)
    assert not list(home.glob("*.bad-*"))
    # The bank cache could not be written either: no temp file is left behind.
    from quizapp.core.bank import load_bank

    load_bank()
    assert not [p for p in (home / "cache").glob("*") if p.name != "bank.pickle"] \
        if (home / "cache").exists() else True
    filler.unlink()
    assert main(["progress", "settings"]) == 0
    assert "new cards per day  7" in capsys.readouterr().out


def test_simulated_enospc_is_reported_and_nothing_moved(
        quizapp_home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Runs everywhere: SQLite's SQLITE_FULL and SQLITE_IOERR (what a full disk gives while
    mapping the -shm) are reported, never taken for damage."""
    quizapp_home.mkdir()
    before = _seeded(quizapp_home)
    real_connect = sqlite3.connect

    class Failing(sqlite3.Connection):
        code = 13

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if "journal_mode" in sql or sql.startswith("BEGIN"):
                err = sqlite3.OperationalError("database or disk is full")
                err.sqlite_errorcode = self.code
                raise err
            return super().execute(sql, *args)

    for code, word in ((13, "full"), (10, "I/O error")):
        Failing.code = code
        monkeypatch.setattr(sqlite3, "connect",
                            lambda *a, **k: real_connect(*a, **k, factory=Failing))
        assert main(["stats"]) == 1
        assert word in _one_line_error(capsys)
        monkeypatch.setattr(sqlite3, "connect", real_connect)
    assert (quizapp_home / "progress.db").read_bytes() == before
    assert not list(quizapp_home.glob("*.bad-*"))


def test_a_failed_bank_cache_write_leaves_no_temp_file(
        quizapp_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from quizapp.core import bank as bank_mod

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pickle, "dump", no_space)
    assert bank_mod.load_bank().questions  # the load itself never fails over its cache
    assert list((quizapp_home / "cache").iterdir()) == []


# --------------------------------------------------------------------------- read-only


def _unprivileged() -> list[str]:
    if not ROOT:
        return []  # permissions already apply
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: root ignores file permissions")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def _run(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUIZAPP_HOME": str(home)}
    return subprocess.run([*_unprivileged(), sys.executable, "-m", "quizapp.cli.main", *argv],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("case", ["read-only database", "read-only home",
                                  "home under a read-only parent"])
def test_read_only_places_are_one_line_and_untouched(tmp_path: Path, case: str) -> None:
    home = tmp_path / "parent" / "home"
    home.mkdir(parents=True)
    before = _seeded(home)
    db = home / "progress.db"
    if case == "read-only database":
        db.chmod(0o444)
    elif case == "read-only home":
        home.chmod(0o555)
    else:
        shutil.rmtree(home)
        home.parent.chmod(0o555)
    try:
        done = _run(home, "progress", "settings", "--new-per-day", "3")
    finally:
        home.parent.chmod(0o755)
        if home.exists():
            home.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("quizapp: ")
    assert "Traceback" not in done.stderr
    if case != "home under a read-only parent":
        assert db.read_bytes() == before
        assert not list(home.glob("*.bad-*"))
    else:
        assert not home.exists()


# --------------------------------------------------------------------------- concurrency


def test_two_sessions_never_rate_from_a_stale_card(quizapp_home: Path) -> None:
    """Session A shows a card; session B (another process, its own connection) rates it;
    then A rates: A's rating is computed from B's result, not from what A loaded."""
    from datetime import datetime, timedelta, timezone

    from fsrs import Rating

    from quizapp.core import review as rv

    t0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    with Store.open() as first, Store.open() as second:
        items = [rv.QueueItem(key="q:x", kind="question", item_id="x", topic=None,
                              is_new=True, due=None, retrievability=0.0)]
        a = rv.ReviewSession(first, items, clock=lambda: t0)
        b = rv.ReviewSession(second, list(items), clock=lambda: t0 + timedelta(seconds=5))
        a.next_card()
        a.reveal()
        b.next_card()
        b.reveal()
        record_b = b.rate(Rating.Good)
        a.clock = lambda: t0 + timedelta(seconds=30)
        record_a = a.rate(Rating.Good)
        assert record_a.card_before.last_review == record_b.card_after.last_review
        rows = first.conn.execute(
            "SELECT state_before, card_before FROM review_log ORDER BY id").fetchall()
        assert len(rows) == 2 and rows[0]["state_before"] == 0 and rows[1]["state_before"] != 0


def test_a_stale_rating_without_a_scheduler_is_refused(quizapp_home: Path) -> None:
    from datetime import datetime, timezone

    from fsrs import Rating

    from quizapp.core import review as rv
    from quizapp.core.errors import QuizappError

    t0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    with Store.open() as store:
        scheduler = rv.ReviewSettings.load(store).scheduler()
        card = rv.load_card(store, "q:x", t0)
        previews = rv.preview_ratings(scheduler, card, t0)
        rv.commit_rating(store, "q:x", card, previews[Rating.Good])
        with pytest.raises(QuizappError, match="another quizapp session"):
            rv.commit_rating(store, "q:x", card, previews[Rating.Easy])


def test_store_error_is_a_one_line_quizapp_error() -> None:
    from quizapp.core.errors import QuizappError

    assert issubclass(StoreError, QuizappError) and StoreError.exit_code == 1
