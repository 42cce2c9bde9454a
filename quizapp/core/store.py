"""The SQLite progress store: attempts, drill results, review cards and their log, settings.

One database file under QUIZAPP_HOME. WAL mode; every write is its own transaction, so a crash
loses at most the write in flight. `PRAGMA application_id` marks the file as ours and
`PRAGMA user_version` is the schema version, advanced by `MIGRATIONS`.

Only a file SQLite positively identifies as damaged (SQLITE_CORRUPT, SQLITE_NOTADB, a failed
`quick_check`) or as another program's database is moved aside — with its `-wal` and `-shm`,
after a checkpoint where one is possible, so the aside copy stays readable — and a fresh store
is created; the one-line notice naming where it went is in `Store.notices`. Every other failure
(a full disk, a read-only file or directory, permissions, a lock held by another quizapp, I/O
errors, a newer schema, a missing table) moves nothing: it is a `StoreError`, one line for the
user, and the file is left exactly as it was.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from quizapp.core import paths
from quizapp.core.errors import QuizappError

#: "QZAP" — identifies our database files.
APPLICATION_ID = 0x515A4150

#: Schema migrations; MIGRATIONS[i] upgrades user_version i → i + 1. Append, never edit.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        item_id TEXT NOT NULL,            -- question id or drill id
        item_kind TEXT NOT NULL,          -- 'question' | 'drill'
        at TEXT NOT NULL,                 -- UTC ISO-8601
        mode TEXT NOT NULL DEFAULT 'quiz',
        answer TEXT,                      -- JSON
        score REAL NOT NULL,
        passed INTEGER NOT NULL,
        duration_ms INTEGER,
        hints_used INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX attempts_item ON attempts(item_id, at);
    CREATE INDEX attempts_at ON attempts(at);
    CREATE TABLE drill_results (
        id INTEGER PRIMARY KEY,
        drill_id TEXT NOT NULL,
        at TEXT NOT NULL,
        track TEXT NOT NULL,
        status TEXT NOT NULL,
        passed INTEGER NOT NULL,
        message TEXT NOT NULL,
        user_ms REAL,
        ratio REAL,
        result TEXT NOT NULL              -- the full grade JSON
    );
    CREATE INDEX drill_results_drill ON drill_results(drill_id, at);
    CREATE TABLE cards (
        card_id TEXT PRIMARY KEY,         -- 'q:<question id>', 'd:<drill id>' (and later kinds)
        fsrs_id INTEGER NOT NULL UNIQUE,  -- the integer id the fsrs package needs
        card TEXT NOT NULL,               -- fsrs Card.to_json()
        due TEXT NOT NULL,                -- UTC ISO-8601, mirrored for the queue query
        created_at TEXT NOT NULL,
        retired INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX cards_due ON cards(retired, due);
    CREATE TABLE review_log (
        id INTEGER PRIMARY KEY,
        card_id TEXT NOT NULL,
        rating INTEGER NOT NULL,          -- 1 Again, 2 Hard, 3 Good, 4 Easy
        reviewed_at TEXT NOT NULL,        -- UTC ISO-8601
        duration_ms INTEGER,
        card_before TEXT,                 -- fsrs card JSON before the rating (for undo)
        UNIQUE(card_id, reviewed_at)
    );
    CREATE INDEX review_log_at ON review_log(reviewed_at);
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL               -- JSON
    );
    """,
    # 2: review (quizapp/core/review/). Mirror the fsrs card fields the queue and the stats
    # read, so that 10k cards never need a JSON parse each; give every log row its study day
    # and the card's state before the rating, so that heatmaps, streaks and the daily new-card
    # count are index lookups instead of scans of a million rows.
    """
    ALTER TABLE cards ADD COLUMN state INTEGER;   -- fsrs State: 1 learning, 2 review, 3 relearning
    ALTER TABLE cards ADD COLUMN stability REAL;        -- NULL until the first review
    ALTER TABLE cards ADD COLUMN last_review TEXT;      -- UTC ISO-8601; NULL = a new card
    UPDATE cards SET state = json_extract(card, '$.state'),
                     stability = json_extract(card, '$.stability'),
                     last_review = json_extract(card, '$.last_review');
    CREATE INDEX cards_review_due ON cards(due) WHERE retired = 0 AND last_review IS NOT NULL;
    ALTER TABLE review_log ADD COLUMN day TEXT;         -- the local study day, YYYY-MM-DD
    ALTER TABLE review_log ADD COLUMN state_before INTEGER;  -- 0 new, else fsrs State
    UPDATE review_log SET day = substr(reviewed_at, 1, 10),
                          state_before = CASE WHEN json_extract(card_before, '$.last_review')
                                              IS NULL THEN 0
                                              ELSE json_extract(card_before, '$.state') END;
    CREATE INDEX review_log_day ON review_log(day, rating, state_before);
    """,
    # 3: review (quizapp/core/review/, stats.py). One row of totals per study day, kept
    # exact by triggers on every insert, delete (undo) and update of the log, so the calendar,
    # the accuracy chart, streaks and the daily new-card count read a few hundred rows instead
    # of aggregating a million. The per-day index of migration 2 is no longer read: dropped.
    """
    CREATE TABLE review_days (
        day TEXT PRIMARY KEY,             -- the local study day, YYYY-MM-DD
        reviews INTEGER NOT NULL DEFAULT 0,
        correct INTEGER NOT NULL DEFAULT 0,         -- rated Hard, Good or Easy
        recall INTEGER NOT NULL DEFAULT 0,          -- of cards in the Review state
        recall_correct INTEGER NOT NULL DEFAULT 0,
        new_cards INTEGER NOT NULL DEFAULT 0,       -- first reviews of a card
        duration_ms INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO review_days
        SELECT day, count(*), sum(rating > 1), sum(coalesce(state_before = 2, 0)),
               sum(coalesce(state_before = 2, 0) AND rating > 1),
               sum(coalesce(state_before = 0, 0)), coalesce(sum(duration_ms), 0)
        FROM review_log WHERE day IS NOT NULL GROUP BY day;
    CREATE TRIGGER review_days_insert AFTER INSERT ON review_log WHEN NEW.day IS NOT NULL
    BEGIN
        INSERT OR IGNORE INTO review_days (day) VALUES (NEW.day);
        UPDATE review_days SET
            reviews = reviews + 1,
            correct = correct + (NEW.rating > 1),
            recall = recall + coalesce(NEW.state_before = 2, 0),
            recall_correct = recall_correct + (coalesce(NEW.state_before = 2, 0)
                                               AND NEW.rating > 1),
            new_cards = new_cards + coalesce(NEW.state_before = 0, 0),
            duration_ms = duration_ms + coalesce(NEW.duration_ms, 0)
        WHERE day = NEW.day;
    END;
    CREATE TRIGGER review_days_delete AFTER DELETE ON review_log WHEN OLD.day IS NOT NULL
    BEGIN
        UPDATE review_days SET
            reviews = reviews - 1,
            correct = correct - (OLD.rating > 1),
            recall = recall - coalesce(OLD.state_before = 2, 0),
            recall_correct = recall_correct - (coalesce(OLD.state_before = 2, 0)
                                               AND OLD.rating > 1),
            new_cards = new_cards - coalesce(OLD.state_before = 0, 0),
            duration_ms = duration_ms - coalesce(OLD.duration_ms, 0)
        WHERE day = OLD.day;
        DELETE FROM review_days WHERE day = OLD.day AND reviews <= 0;
    END;
    CREATE TRIGGER review_days_update AFTER UPDATE OF day, rating, state_before, duration_ms
        ON review_log
    BEGIN
        UPDATE review_days SET
            reviews = reviews - 1,
            correct = correct - (OLD.rating > 1),
            recall = recall - coalesce(OLD.state_before = 2, 0),
            recall_correct = recall_correct - (coalesce(OLD.state_before = 2, 0)
                                               AND OLD.rating > 1),
            new_cards = new_cards - coalesce(OLD.state_before = 0, 0),
            duration_ms = duration_ms - coalesce(OLD.duration_ms, 0)
        WHERE day = OLD.day;
        DELETE FROM review_days WHERE day = OLD.day AND reviews <= 0;
        INSERT OR IGNORE INTO review_days (day) SELECT NEW.day WHERE NEW.day IS NOT NULL;
        UPDATE review_days SET
            reviews = reviews + 1,
            correct = correct + (NEW.rating > 1),
            recall = recall + coalesce(NEW.state_before = 2, 0),
            recall_correct = recall_correct + (coalesce(NEW.state_before = 2, 0)
                                               AND NEW.rating > 1),
            new_cards = new_cards + coalesce(NEW.state_before = 0, 0),
            duration_ms = duration_ms + coalesce(NEW.duration_ms, 0)
        WHERE day = NEW.day;
    END;
    DROP INDEX review_log_day;
    """,
    # 4: review (quizapp/core/review/cards.py). Suspending a card (it never enters the queue)
    # and lapses, for leeches. A log row says whether its rating was a lapse (Again on a card
    # in the Review state, or a known mistake made again); `cards.lapses` is their count per
    # card, kept exact by triggers as migration 3 does for the daily totals, so listing
    # leeches never scans the log. Existing logs are counted once here.
    """
    ALTER TABLE cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE cards ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE review_log ADD COLUMN lapse INTEGER NOT NULL DEFAULT 0;
    UPDATE review_log SET lapse = 1 WHERE rating = 1 AND state_before = 2;
    UPDATE cards SET lapses = (SELECT count(*) FROM review_log
                               WHERE review_log.card_id = cards.card_id AND lapse = 1);
    CREATE TRIGGER cards_lapses_insert AFTER INSERT ON review_log WHEN NEW.lapse = 1
    BEGIN
        UPDATE cards SET lapses = lapses + 1 WHERE card_id = NEW.card_id;
    END;
    CREATE TRIGGER cards_lapses_delete AFTER DELETE ON review_log WHEN OLD.lapse = 1
    BEGIN
        UPDATE cards SET lapses = max(0, lapses - 1) WHERE card_id = OLD.card_id;
    END;
    CREATE TRIGGER cards_lapses_update AFTER UPDATE OF lapse, card_id ON review_log
    BEGIN
        UPDATE cards SET lapses = max(0, lapses - OLD.lapse) WHERE card_id = OLD.card_id;
        UPDATE cards SET lapses = lapses + NEW.lapse WHERE card_id = NEW.card_id;
    END;
    CREATE INDEX cards_lapses ON cards(lapses) WHERE lapses > 0;
    """,
]


#: The tables the latest schema has; a store missing one is damaged (and left alone).
TABLES = ("attempts", "drill_results", "cards", "review_log", "settings", "review_days")

#: How long a write waits for another quizapp's write to finish before giving up.
BUSY_TIMEOUT_S = 10.0

BUSY_MESSAGE = "the progress database is busy (another quizapp is writing); try again"


class StoreError(QuizappError):
    """The database could not be opened or used; the message is one line for the user.
    Exit code 1: the user's data or disk needs attention, not their command line."""


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only kind of datetime we store)."""
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    """A timezone-aware datetime as UTC ISO-8601; naive datetimes are rejected."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: use timezone-aware UTC datetimes")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    """Parse a stored timestamp back to an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(timezone.utc)


@dataclass(frozen=True)
class Attempt:
    """One answer to a question or one graded drill run, as recorded."""

    id: int
    item_id: str
    item_kind: str
    at: datetime
    mode: str
    answer: Any
    score: float
    passed: bool
    duration_ms: int | None
    hints_used: int


@dataclass(frozen=True)
class DrillResult:
    """One grade of a drill solution."""

    id: int
    drill_id: str
    at: datetime
    track: str
    status: str
    passed: bool
    message: str
    user_ms: float | None
    ratio: float | None
    result: dict[str, Any]


class Store:
    """The user's progress database. Use `Store.open()`; it is a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: Path, notices: list[str]) -> None:
        self.conn = conn
        self.path = path
        #: One-line messages for the user about what happened while opening (e.g. moved aside).
        self.notices = notices

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating or migrating) the store. A file SQLite identifies as damaged or
        foreign is moved aside first; anything else that goes wrong raises `StoreError`."""
        if path is None:
            try:
                path = paths.db_path()
            except OSError as err:
                raise StoreError(_os_message(err, "cannot use the quizapp home")) from None
        _check_location(path)
        notices: list[str] = []
        try:
            conn = _connect_checked(path)
        except _BadDatabase as bad:
            try:
                aside = _move_aside(path)
            except OSError as err:
                raise StoreError(f"{path} {bad.reason}, and it could not be moved aside "
                                 f"({err.strerror}); move it away yourself") from None
            notices.append(f"{path} {bad.reason}; moved it to {aside} and started a fresh "
                           "progress database")
            try:
                conn = _connect_checked(path)
            except _BadDatabase as again:
                raise StoreError(f"{path}: a fresh database {again.reason}") from None
        store = cls(conn, path, notices)
        try:
            store._migrate()
            store._check_tables()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed on success, rolled back on any exception.

        A lock held by another writer past the busy timeout, a full disk, a read-only file or
        an I/O error becomes a one-line `StoreError`; nothing is half-written.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise self._error(err) from None
        try:
            yield self.conn
        except sqlite3.Error as err:
            self._rollback()
            translated = _store_error(err, self.path)
            if translated is None:
                raise
            raise translated from None
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as err:
            self._rollback()
            raise self._error(err) from None

    def _rollback(self) -> None:
        # SQLite may already have rolled back (SQLITE_FULL does): then there is nothing to do.
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _error(self, err: sqlite3.Error) -> StoreError:
        return _store_error(err, self.path) or StoreError(f"{self.path}: {err}")

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path} was written by a newer quizapp (schema {version}); "
                             "upgrade quizapp to open it")
        for target in range(version + 1, len(MIGRATIONS) + 1):
            # executescript commits first, so wrap each migration in one explicit transaction.
            try:
                self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{MIGRATIONS[target - 1]}\n"
                    f"PRAGMA application_id = {APPLICATION_ID};\n"
                    f"PRAGMA user_version = {target};\nCOMMIT;"
                )
            except sqlite3.Error as err:
                self._rollback()
                raise self._error(err) from None

    def _check_tables(self) -> None:
        present = {row[0] for row in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [name for name in TABLES if name not in present]
        if missing:
            raise StoreError(f"{self.path} is damaged: the table '{missing[0]}' is missing "
                             f"(schema {self.schema_version}); quizapp left the file as it "
                             "is — move it away to start a fresh progress database")

    # ------------------------------------------------------------------ attempts

    def record_attempt(self, item_id: str, item_kind: str, answer: Any, score: float,
                       passed: bool, *, mode: str = "quiz", duration_ms: int | None = None,
                       hints_used: int = 0, at: datetime | None = None) -> int:
        """Record one answer (question) or run (drill); returns its row id."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO attempts (item_id, item_kind, at, mode, answer, score, passed, "
                "duration_ms, hints_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (item_id, item_kind, to_iso(at or utcnow()), mode,
                 json.dumps(answer, ensure_ascii=False, default=_json_default),
                 float(score), int(bool(passed)), duration_ms, hints_used),
            )
            return int(cur.lastrowid)

    def attempts(self, item_id: str | None = None, *, since: datetime | None = None
                 ) -> list[Attempt]:
        """Recorded attempts, oldest first; optionally for one item or since a time."""
        query, args = "SELECT * FROM attempts WHERE 1=1", []
        if item_id is not None:
            query += " AND item_id = ?"
            args.append(item_id)
        if since is not None:
            query += " AND at >= ?"
            args.append(to_iso(since))
        rows = self.conn.execute(query + " ORDER BY at, id", args).fetchall()
        return [Attempt(id=r["id"], item_id=r["item_id"], item_kind=r["item_kind"],
                        at=from_iso(r["at"]), mode=r["mode"],
                        answer=json.loads(r["answer"]) if r["answer"] else None,
                        score=r["score"], passed=bool(r["passed"]),
                        duration_ms=r["duration_ms"], hints_used=r["hints_used"])
                for r in rows]

    # ------------------------------------------------------------------ drills

    def record_drill_result(self, drill_id: str, *, track: str, status: str, passed: bool,
                            message: str, result: dict[str, Any], at: datetime | None = None
                            ) -> int:
        """Record one grade of a drill (the full grade JSON in `result`)."""
        timing = result.get("timing") or {}
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO drill_results (drill_id, at, track, status, passed, message, "
                "user_ms, ratio, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (drill_id, to_iso(at or utcnow()), track, status, int(bool(passed)), message,
                 timing.get("user_ms"), timing.get("ratio"),
                 json.dumps(result, ensure_ascii=False, default=_json_default)),
            )
            return int(cur.lastrowid)

    def drill_results(self, drill_id: str | None = None) -> list[DrillResult]:
        """Recorded drill grades, oldest first; optionally for one drill."""
        query, args = "SELECT * FROM drill_results", []
        if drill_id is not None:
            query += " WHERE drill_id = ?"
            args.append(drill_id)
        rows = self.conn.execute(query + " ORDER BY at, id", args).fetchall()
        return [_drill_result(r) for r in rows]

    def best_drill_results(self) -> dict[str, DrillResult]:
        """Per drill, the best result: passed beats failed, then the lowest speed ratio
        (then the fastest user time), else the most recent attempt."""
        best: dict[str, DrillResult] = {}
        for result in self.drill_results():
            current = best.get(result.drill_id)
            if current is None or _better(result, current):
                best[result.drill_id] = result
        return best

    # ------------------------------------------------------------------ settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A setting's value (JSON-decoded), or `default`."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable setting."""
        with self.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                         "DO UPDATE SET value = excluded.value",
                         (key, json.dumps(value, ensure_ascii=False)))


def _better(new: DrillResult, old: DrillResult) -> bool:
    if new.passed != old.passed:
        return new.passed
    if new.passed:
        new_key = (new.ratio if new.ratio is not None else float("inf"),
                   new.user_ms if new.user_ms is not None else float("inf"))
        old_key = (old.ratio if old.ratio is not None else float("inf"),
                   old.user_ms if old.user_ms is not None else float("inf"))
        if new_key != old_key:
            return new_key < old_key
    return new.at >= old.at


def _drill_result(row: sqlite3.Row) -> DrillResult:
    return DrillResult(id=row["id"], drill_id=row["drill_id"], at=from_iso(row["at"]),
                       track=row["track"], status=row["status"], passed=bool(row["passed"]),
                       message=row["message"], user_ms=row["user_ms"], ratio=row["ratio"],
                       result=json.loads(row["result"]))


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, datetime):
        return to_iso(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


class _BadDatabase(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: SQLite's primary result codes that positively identify a damaged or foreign file.
_DAMAGED_CODES = {11: "is corrupt", 26: "is not a database"}  # SQLITE_CORRUPT, SQLITE_NOTADB
_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


def _store_error(err: sqlite3.Error, path: Path) -> StoreError | None:
    """The one-line StoreError for an SQLite failure that is about the environment (disk,
    permissions, locks, I/O), or None for an error in our own use of SQL."""
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _BUSY_CODES:
        return StoreError(BUSY_MESSAGE)
    if primary == 13:  # SQLITE_FULL
        return StoreError(f"the disk holding {path} is full; nothing was written — free some "
                          "space and try again")
    if primary in (8, 3, 23):  # SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH
        return StoreError(f"{path} is read-only here (permission denied); quizapp needs to "
                          "write its progress there")
    if primary == 14:  # SQLITE_CANTOPEN
        return StoreError(f"cannot open {path} (check that its directory exists and is "
                          "writable)")
    if primary == 10:  # SQLITE_IOERR: also what a full disk looks like while mapping -shm
        if _disk_full(path):
            return StoreError(f"the disk holding {path} is full; nothing was written and the "
                              "file was left as it is — free some space and try again")
        return StoreError(f"I/O error on {path} ({err}); the file was left as it is — check "
                          "the disk and try again")
    if primary in _DAMAGED_CODES:
        return StoreError(f"{path} {_DAMAGED_CODES[primary]} ({err})")
    return None


def _disk_full(path: Path) -> bool:
    try:
        usage = os.statvfs(path.parent)
    except OSError:
        return False
    return usage.f_bavail * usage.f_frsize < 64 * 1024


def _os_message(err: OSError, what: str) -> str:
    where = err.filename or ""
    reason = err.strerror or str(err)
    if err.errno == errno.EEXIST:
        reason = "it exists and is not a directory"
    return f"{what} {where}: {reason}".replace("  ", " ")


def _check_location(path: Path) -> None:
    """Refuse, in one line and without touching anything, a path that cannot be our file."""
    if path.is_symlink() and not path.exists():
        raise StoreError(f"{path} is a symbolic link to {os.readlink(path)}, which does not "
                         "exist; restore the file or remove the link")
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not the progress database; move it away")
    if path.exists() and not path.is_file():
        raise StoreError(f"{path} is not a regular file; move it away")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(_os_message(err, "cannot create the directory")) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"the directory {parent} is not writable; quizapp keeps its progress "
                         "database there")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{path} is read-only here (permission denied); quizapp needs to "
                         "write its progress there")


def _connect_checked(path: Path) -> sqlite3.Connection:
    """Connect, and prove the file is a healthy quizapp database (or a new, empty one).

    Raises `_BadDatabase` only when SQLite positively identifies the file as damaged or as
    another program's; any other failure is a `StoreError` and leaves the file alone.
    """
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as err:
        raise _store_error(err, path) or StoreError(f"cannot open {path}: {err}") from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and tables:
            raise _BadDatabase("is a database of another program")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _BadDatabase(f"is corrupt ({check})")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            # Not a property of the file (a file system without shared memory, say): report.
            raise StoreError(f"{path} cannot be switched to WAL mode (got {mode}); the file "
                             "was left as it is")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as err:
        conn.close()
        code = getattr(err, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _DAMAGED_CODES:
            raise _BadDatabase(f"{_DAMAGED_CODES[code & 0xFF]} ({err})") from None
        raise _store_error(err, path) or StoreError(f"cannot open {path}: {err}") from None
    except (_BadDatabase, StoreError):
        conn.close()
        raise
    return conn


def _move_aside(path: Path) -> Path:
    """Rename the file with its -wal and -shm (together, so the copy stays consistent),
    after folding the WAL into the file where SQLite still can."""
    try:
        conn = sqlite3.connect(path, timeout=1.0, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # a damaged file may refuse; its WAL then travels with it unchanged
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.bad-{stamp}-{n}")
        n += 1
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(aside.with_name(aside.name + suffix))
    return aside
