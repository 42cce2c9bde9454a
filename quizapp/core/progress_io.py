"""Export and import of the user's progress as one JSON file.

The file holds the review cards, the full review log, quiz attempts, drill results and the
settings. Importing merges it into the open store in one transaction and is idempotent:
a review is identified by (card, time), an attempt by (item, time, mode), a drill result by
(drill, time, track), so importing the same file twice — or a file exported from a machine
that already has some of the same history — adds nothing twice. For a card known on both
sides, the state with the later last review wins. Local settings are never overwritten;
settings missing locally are taken from the file.

Never imports textual.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from fsrs import Card

from quizapp.core.errors import QuizappError
from quizapp.core.review import fsrs_id, split_card_key, study_day
from quizapp.core.store import Store, from_iso, to_iso, utcnow

FORMAT = "quizapp-progress"
VERSION = 1

T = TypeVar("T")

#: Settings that describe this machine's bookkeeping, not the user's choices.
_LOCAL_SETTINGS_PREFIX = "review._"


@dataclass(frozen=True)
class ExportReport:
    """What was written."""

    path: Path
    cards: int
    reviews: int
    attempts: int
    drill_results: int


@dataclass(frozen=True)
class ImportReport:
    """What an import added or changed (zero everywhere for a repeated import)."""

    cards_added: int
    cards_updated: int
    reviews_added: int
    reviews_present: int
    attempts_added: int
    drill_results_added: int
    settings_added: int

    def describe(self) -> str:
        """One line for the user."""
        return (f"{self.reviews_added} review(s) added ({self.reviews_present} already "
                f"present), {self.cards_added} card(s) added, {self.cards_updated} updated, "
                f"{self.attempts_added} attempt(s), {self.drill_results_added} drill "
                f"result(s), {self.settings_added} setting(s)")


# --------------------------------------------------------------------------- export


def export_progress(store: Store, path: Path, now: datetime | None = None) -> ExportReport:
    """Write the whole progress to `path` (atomically: a crash leaves the old file)."""
    path = Path(path)
    if path.is_dir():
        raise QuizappError(f"{path} is a directory; name the file to write")
    if not path.parent.exists():
        raise QuizappError(f"no such directory: {path.parent}")
    counts = {"cards": 0, "reviews": 0, "attempts": 0, "drill_results": 0}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("{\n")
            header = {"format": FORMAT, "version": VERSION,
                      "exported_at": to_iso(now or utcnow()),
                      "schema_version": store.schema_version,
                      "settings": _settings(store)}
            for key, value in header.items():
                out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
            sections = (("cards", _cards(store)), ("review_log", _reviews(store)),
                        ("attempts", _attempts(store)), ("drill_results", _drill_results(store)))
            for i, (name, rows) in enumerate(sections):
                counted = "reviews" if name == "review_log" else name
                counts[counted] = _write_list(out, name, rows)
                out.write(",\n" if i < len(sections) - 1 else "\n")
            out.write("}\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportReport(path, counts["cards"], counts["reviews"], counts["attempts"],
                        counts["drill_results"])


def _write_list(out: TextIO, name: str, rows: Iterator[dict[str, Any]]) -> int:
    """Stream one list, a row per line (a million reviews never sit in memory at once)."""
    out.write(f"{json.dumps(name)}: [")
    n = 0
    for row in rows:
        out.write(("\n" if n == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
        n += 1
    out.write("\n]" if n else "]")
    return n


def _settings(store: Store) -> dict[str, Any]:
    return {row["key"]: json.loads(row["value"]) for row in
            store.conn.execute("SELECT key, value FROM settings ORDER BY key")
            if not row["key"].startswith(_LOCAL_SETTINGS_PREFIX)}


def _cards(store: Store) -> Iterator[dict[str, Any]]:
    for row in store.conn.execute(
        "SELECT card_id, card, created_at, retired FROM cards ORDER BY card_id"
    ):
        yield {"card_id": row["card_id"], "card": json.loads(row["card"]),
               "created_at": row["created_at"], "retired": bool(row["retired"])}


def _reviews(store: Store) -> Iterator[dict[str, Any]]:
    for row in store.conn.execute(
        "SELECT card_id, rating, reviewed_at, duration_ms, card_before, day, state_before "
        "FROM review_log ORDER BY reviewed_at, id"
    ):
        yield {"card_id": row["card_id"], "rating": row["rating"],
               "reviewed_at": row["reviewed_at"], "duration_ms": row["duration_ms"],
               "card_before": json.loads(row["card_before"]) if row["card_before"] else None,
               "day": row["day"], "state_before": row["state_before"]}


def _attempts(store: Store) -> Iterator[dict[str, Any]]:
    for row in store.conn.execute(
        "SELECT item_id, item_kind, at, mode, answer, score, passed, duration_ms, hints_used "
        "FROM attempts ORDER BY at, id"
    ):
        yield {"item_id": row["item_id"], "item_kind": row["item_kind"], "at": row["at"],
               "mode": row["mode"],
               "answer": json.loads(row["answer"]) if row["answer"] else None,
               "score": row["score"], "passed": bool(row["passed"]),
               "duration_ms": row["duration_ms"], "hints_used": row["hints_used"]}


def _drill_results(store: Store) -> Iterator[dict[str, Any]]:
    for row in store.conn.execute(
        "SELECT drill_id, at, track, status, passed, message, user_ms, ratio, result "
        "FROM drill_results ORDER BY at, id"
    ):
        yield {"drill_id": row["drill_id"], "at": row["at"], "track": row["track"],
               "status": row["status"], "passed": bool(row["passed"]),
               "message": row["message"], "user_ms": row["user_ms"], "ratio": row["ratio"],
               "result": json.loads(row["result"])}


# --------------------------------------------------------------------------- import


class _Bad(Exception):
    """A malformed entry; turned into one QuizappError line naming the file and entry."""


def read_export(path: Path) -> dict[str, Any]:
    """Parse and check the envelope of an export file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuizappError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise QuizappError(f"{path} is a directory, not an export file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise QuizappError(f"cannot read {path}: {err}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise QuizappError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise QuizappError(f"{path} is not a quizapp progress export "
                           f"(expected \"format\": \"{FORMAT}\")")
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise QuizappError(f"{path} was exported by a newer quizapp (format version "
                           f"{version}); upgrade quizapp to import it")
    for key in ("cards", "review_log", "attempts", "drill_results"):
        if not isinstance(data.get(key, []), list):
            raise QuizappError(f"{path}: '{key}' must be a list")
    if not isinstance(data.get("settings", {}), dict):
        raise QuizappError(f"{path}: 'settings' must be an object")
    return data


def import_progress(store: Store, path: Path) -> ImportReport:
    """Merge an export file into the store, in one transaction (all or nothing)."""
    data = read_export(path)
    try:
        with store.transaction() as conn:
            settings_added = 0
            for key, value in data.get("settings", {}).items():
                if key.startswith(_LOCAL_SETTINGS_PREFIX):
                    continue
                cur = conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                                   (str(key), json.dumps(value, ensure_ascii=False)))
                settings_added += cur.rowcount
            cards = list(_each("cards", data, lambda e: _merge_card(conn, e)))
            reviews = list(_each("review_log", data, lambda e: _insert_review(conn, e)))
            attempts = sum(_each("attempts", data, lambda e: _insert_attempt(conn, e)))
            results = sum(_each("drill_results", data, lambda e: _insert_drill_result(conn, e)))
    except _Bad as bad:
        raise QuizappError(f"{path}: {bad}; nothing was imported") from None
    return ImportReport(cards.count("added"), cards.count("updated"), sum(reviews),
                        len(reviews) - sum(reviews), attempts, results, settings_added)


def _each(section: str, data: dict[str, Any], merge: Callable[[Any], T]) -> Iterator[T]:
    """Merge every entry of one section, naming the entry when one is malformed."""
    for index, entry in enumerate(data.get(section, [])):
        try:
            yield merge(entry)
        except _Bad as bad:
            raise _Bad(f"{section}[{index}]: {bad}") from None


def _field(entry: Any, key: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
    if not isinstance(entry, dict):
        raise _Bad("must be an object")
    value = entry.get(key)
    if value is None and optional:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise _Bad(f"'{key}' is missing or has the wrong type")
    return value


def _time(entry: Any, key: str) -> str:
    """A timestamp field, re-written in the store's canonical UTC form."""
    text = _field(entry, key, str)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(f"'{key}' is not an ISO-8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise _Bad(f"'{key}' has no time zone: {text!r}")
    return to_iso(moment)


def _card_key(entry: Any) -> str:
    key = _field(entry, "card_id", str)
    try:
        split_card_key(key)
    except ValueError:
        raise _Bad(f"'card_id' must start with 'q:' or 'd:', got {key!r}") from None
    return key


def _card(value: Any, key: str) -> Card:
    if not isinstance(value, dict):
        raise _Bad("'card' must be an object")
    try:
        card = Card.from_dict({**value, "card_id": fsrs_id(key)})
    except (KeyError, TypeError, ValueError) as err:
        raise _Bad(f"not an fsrs card ({err})") from None
    if card.due.tzinfo is None or (card.last_review and card.last_review.tzinfo is None):
        raise _Bad("card times must carry a time zone")
    return card


def _merge_card(conn: Any, entry: Any) -> str:
    key = _card_key(entry)
    card = _card(entry.get("card"), key)
    created = _time(entry, "created_at")
    row = conn.execute("SELECT last_review FROM cards WHERE card_id = ?", (key,)).fetchone()
    values = (card.to_json(), to_iso(card.due), int(card.state), card.stability,
              to_iso(card.last_review) if card.last_review else None)
    if row is None:
        conn.execute(
            "INSERT INTO cards (card_id, fsrs_id, card, due, created_at, retired, state, "
            "stability, last_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, fsrs_id(key), values[0], values[1], created, int(bool(entry.get("retired"))),
             *values[2:]))
        return "added"
    local = from_iso(row["last_review"]) if row["last_review"] else None
    if card.last_review is not None and (local is None or card.last_review > local):
        conn.execute("UPDATE cards SET card = ?, due = ?, state = ?, stability = ?, "
                     "last_review = ? WHERE card_id = ?", (*values, key))
        return "updated"
    return "same"


def _insert_review(conn: Any, entry: Any) -> bool:
    key = _card_key(entry)
    rating = _field(entry, "rating", int)
    if rating not in (1, 2, 3, 4):
        raise _Bad(f"'rating' must be 1 to 4, got {rating}")
    reviewed_at = _time(entry, "reviewed_at")
    duration = _field(entry, "duration_ms", int, optional=True)
    before = entry.get("card_before")
    before_json = _card(before, key).to_json() if before is not None else None
    day = entry.get("day") or study_day(from_iso(reviewed_at)).isoformat()
    state_before = entry.get("state_before")
    if state_before is None:
        state_before = 0 if before is None or before.get("last_review") is None \
            else int(before.get("state", 2))
    # A review belongs to a card; one exported without its card gets a fresh card row so that
    # the log never points at nothing (its state follows from later reviews on this machine).
    if conn.execute("SELECT 1 FROM cards WHERE card_id = ?", (key,)).fetchone() is None:
        fresh = Card(card_id=fsrs_id(key), due=from_iso(reviewed_at))
        conn.execute(
            "INSERT INTO cards (card_id, fsrs_id, card, due, created_at, retired, state) "
            "VALUES (?, ?, ?, ?, ?, 0, ?)",
            (key, fsrs_id(key), fresh.to_json(), reviewed_at, reviewed_at, int(fresh.state)))
    cur = conn.execute(
        "INSERT OR IGNORE INTO review_log (card_id, rating, reviewed_at, duration_ms, "
        "card_before, day, state_before) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (key, rating, reviewed_at, duration, before_json, str(day), int(state_before)))
    return cur.rowcount == 1


def _insert_attempt(conn: Any, entry: Any) -> int:
    item_id = _field(entry, "item_id", str)
    at = _time(entry, "at")
    mode = entry.get("mode") or "quiz"
    if conn.execute("SELECT 1 FROM attempts WHERE item_id = ? AND at = ? AND mode = ?",
                    (item_id, at, mode)).fetchone():
        return 0
    score = _field(entry, "score", (int, float))
    conn.execute(
        "INSERT INTO attempts (item_id, item_kind, at, mode, answer, score, passed, "
        "duration_ms, hints_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (item_id, _field(entry, "item_kind", str), at, mode,
         json.dumps(entry.get("answer"), ensure_ascii=False), float(score),
         int(bool(entry.get("passed"))), _field(entry, "duration_ms", int, optional=True),
         int(entry.get("hints_used") or 0)))
    return 1


def _insert_drill_result(conn: Any, entry: Any) -> int:
    drill_id = _field(entry, "drill_id", str)
    at = _time(entry, "at")
    track = _field(entry, "track", str)
    if conn.execute("SELECT 1 FROM drill_results WHERE drill_id = ? AND at = ? AND track = ?",
                    (drill_id, at, track)).fetchone():
        return 0
    result = entry.get("result")
    if not isinstance(result, dict):
        raise _Bad("'result' must be an object")
    conn.execute(
        "INSERT INTO drill_results (drill_id, at, track, status, passed, message, user_ms, "
        "ratio, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (drill_id, at, track, _field(entry, "status", str), int(bool(entry.get("passed"))),
         str(entry.get("message") or ""), _field(entry, "user_ms", (int, float), optional=True),
         _field(entry, "ratio", (int, float), optional=True),
         json.dumps(result, ensure_ascii=False)))
    return 1
