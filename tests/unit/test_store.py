"""The progress store: migrations, transactions, crash safety, bad files moved aside."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizapp.core.store import APPLICATION_ID, MIGRATIONS, Store, StoreError


def test_new_store_is_migrated_and_in_wal_mode(quizapp_home: Path) -> None:
    with Store.open() as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.notices == []
    assert (quizapp_home / "progress.db").exists()


def test_attempts_round_trip() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    with Store.open() as store:
        store.record_attempt("q1", "question", {1, 2}, 0.5, False, mode="mock",
                             duration_ms=1200, hints_used=1, at=at)
        store.record_attempt("q2", "question", "6.7B", 1.0, True)
        (first,) = store.attempts("q1")
    assert first.answer == [1, 2] and first.score == 0.5 and not first.passed
    assert first.at == at and first.mode == "mock" and first.hints_used == 1
    with Store.open() as store:  # survives reopening
        assert [a.item_id for a in store.attempts()] == ["q1", "q2"]
        assert len(store.attempts(since=at + timedelta(days=1))) == 1


def test_naive_datetimes_are_rejected() -> None:
    with Store.open() as store, pytest.raises(ValueError):
        store.record_attempt("q", "question", None, 1, True, at=datetime(2026, 1, 1))


def test_drill_results_and_best() -> None:
    with Store.open() as store:
        t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
        store.record_drill_result("rmsnorm", track="torch", status="failed", passed=False,
                                  message="m", result={"timing": None}, at=t0)
        store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                                  message="", result={"timing": {"user_ms": 2.0, "ratio": 1.5}},
                                  at=t0 + timedelta(hours=1))
        store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                                  message="", result={"timing": {"user_ms": 1.0, "ratio": 0.9}},
                                  at=t0 + timedelta(hours=2))
        store.record_drill_result("rmsnorm", track="torch", status="failed", passed=False,
                                  message="m", result={}, at=t0 + timedelta(hours=3))
        best = store.best_drill_results()["rmsnorm"]
    assert best.passed and best.ratio == 0.9 and best.user_ms == 1.0


def test_settings() -> None:
    with Store.open() as store:
        assert store.get_setting("lang", "en") == "en"
        store.set_setting("lang", "zh")
        store.set_setting("lang", "en")
        store.set_setting("limits", {"new": 20})
    with Store.open() as store:
        assert store.get_setting("lang") == "en" and store.get_setting("limits") == {"new": 20}


def test_failed_transaction_rolls_back() -> None:
    with Store.open() as store:
        with pytest.raises(RuntimeError), store.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
        assert store.get_setting("a") is None


def _files_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_corrupt_file_is_moved_aside_not_overwritten(quizapp_home: Path) -> None:
    quizapp_home.mkdir(parents=True)
    db = quizapp_home / "progress.db"
    junk = b"this is not sqlite at all" * 100
    db.write_bytes(junk)
    with Store.open() as store:
        (notice,) = store.notices
        assert store.schema_version == len(MIGRATIONS)
    aside = [p for p in quizapp_home.iterdir() if p.name.startswith("progress.db.bad-")]
    assert len(aside) == 1 and aside[0].read_bytes() == junk
    assert str(aside[0]) in notice and "\n" not in notice


def test_damaged_pages_are_detected(quizapp_home: Path) -> None:
    with Store.open() as store:
        for i in range(300):
            store.record_attempt(f"q{i}", "question", "x" * 200, 1, True)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = quizapp_home / "progress.db"
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(2 * page, min(len(data), 6 * page)):
        data[offset] = 0xA5
    db.write_bytes(bytes(data))
    with Store.open() as store:
        (notice,) = store.notices
        assert "corrupt" in notice or "not a readable" in notice
        assert store.attempts() == []


def test_foreign_database_is_moved_aside(quizapp_home: Path) -> None:
    quizapp_home.mkdir(parents=True)
    db = quizapp_home / "progress.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE other (x)")
    conn.execute("INSERT INTO other VALUES (42)")
    conn.commit()
    conn.close()
    with Store.open() as store:
        assert "another program" in store.notices[0]
    aside = next(p for p in quizapp_home.iterdir() if p.name.startswith("progress.db.bad-"))
    assert sqlite3.connect(aside).execute("SELECT x FROM other").fetchone() == (42,)


def test_newer_schema_is_refused_not_reset(quizapp_home: Path) -> None:
    with Store.open() as store:
        store.record_attempt("q", "question", None, 1, True)
        store.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(StoreError, match="newer quizapp"):
        Store.open()
    conn = sqlite3.connect(quizapp_home / "progress.db")
    assert conn.execute("SELECT count(*) FROM attempts").fetchone() == (1,)


WRITER = textwrap.dedent("""
    import sys
    from quizapp.core.store import Store
    store = Store.open()
    i = 0
    while True:
        store.record_attempt(f"q{i}", "question", {"i": i}, 1.0, True)
        print(i, flush=True)   # reported only after the commit returned
        i += 1
""")


def test_killing_the_process_mid_write_loses_at_most_the_write_in_flight(
        quizapp_home: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER], stdout=subprocess.PIPE,
                            env={**os.environ, "QUIZAPP_HOME": str(quizapp_home)}, text=True)
    assert proc.stdout is not None
    committed = -1
    deadline = time.monotonic() + 30
    while committed < 200 and time.monotonic() < deadline:
        committed = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rest = proc.stdout.read().split()
    committed = int(rest[-1]) if rest else committed
    with Store.open() as store:
        rows = store.attempts()
        assert store.notices == []
    # Every acknowledged write is there, plus at most the one in flight.
    assert committed + 1 <= len(rows) <= committed + 2
    assert [a.answer["i"] for a in rows] == list(range(len(rows)))
