"""Export and import of the user's progress as one JSON file.

The file holds the review cards, the full review log, quiz attempts, drill results and the
settings. Importing merges it into the open store in one transaction and is idempotent:
a review is identified by (card, time), an attempt by (item, time, mode), a drill result by
(drill, time, track), so importing the same file twice — or a file exported from a machine
that already has some of the same history — adds nothing twice. For a card known on both
sides, the state with the later last review wins. Local settings are never overwritten;
settings missing locally are taken from the file.

An import file is user input: it is read only if it is a regular file (a FIFO or a device is
refused without blocking), and every value is checked before anything is written — numbers
finite and sized for SQLite, times within years 1970–2999, nesting at most `MAX_DEPTH` deep,
each known setting of the right type and range. A bad file is rejected whole, with one line
naming the entry and field.

Never imports textual.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
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

#: Deepest nesting of lists and objects an import file may have (exports need about 6).
MAX_DEPTH = 32
#: Largest import file read (a million reviews export to about 400 MB).
MAX_IMPORT_BYTES = 1 << 30
#: SQLite stores integers in 64 bits.
_INT64 = (-(2**63), 2**63 - 1)
#: Times an import may carry (UTC years): later ones could overflow interval arithmetic.
_YEARS = (1970, 2999)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    try:
        if path.is_dir():
            raise QuizappError(f"{path} is a directory; name the file to write")
        if not path.parent.exists():
            raise QuizappError(f"no such directory: {path.parent}")
        if not path.parent.is_dir():
            raise QuizappError(f"cannot write {path}: {path.parent} is not a directory")
        if len(os.fsencode(path.name)) > 200:  # the temp name adds a prefix and suffix
            raise QuizappError(f"cannot write {path}: the file name is too long")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise QuizappError(f"cannot write {path}: {err.strerror or err}") from None
    counts = {"cards": 0, "reviews": 0, "attempts": 0, "drill_results": 0}
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
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise QuizappError(f"cannot write {path}: {err.strerror or err}; nothing was "
                               "written") from None
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
        "SELECT card_id, card, created_at, retired, suspended FROM cards ORDER BY card_id"
    ):
        yield {"card_id": row["card_id"], "card": json.loads(row["card"]),
               "created_at": row["created_at"], "retired": bool(row["retired"]),
               "suspended": bool(row["suspended"])}


def _reviews(store: Store) -> Iterator[dict[str, Any]]:
    for row in store.conn.execute(
        "SELECT card_id, rating, reviewed_at, duration_ms, card_before, day, state_before, "
        "lapse FROM review_log ORDER BY reviewed_at, id"
    ):
        yield {"card_id": row["card_id"], "rating": row["rating"],
               "reviewed_at": row["reviewed_at"], "duration_ms": row["duration_ms"],
               "card_before": json.loads(row["card_before"]) if row["card_before"] else None,
               "day": row["day"], "state_before": row["state_before"],
               "lapse": bool(row["lapse"])}


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
    text = _read_text(path)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise QuizappError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    except _Bad as bad:
        raise QuizappError(f"{path}: {bad}; nothing was imported") from None
    except ValueError as err:  # an integer of more than 4300 digits
        raise QuizappError(f"{path}: a number is too large ({str(err)[:60]}); nothing was "
                           "imported") from None
    except RecursionError:
        raise QuizappError(f"{path}: lists and objects nest too deeply; nothing was "
                           "imported") from None
    try:
        _check_values(data)
    except _Bad as bad:
        raise QuizappError(f"{path}: {bad}; nothing was imported") from None
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
    try:
        for key, value in data.get("settings", {}).items():
            _check_setting(key, value)
    except _Bad as bad:
        raise QuizappError(f"{path}: {bad}; nothing was imported") from None
    return data


def _read_text(path: Path) -> str:
    """The file's text (a UTF-8 BOM is skipped), only if it is a regular file: a FIFO is
    opened without blocking and refused, like a device (/dev/zero would never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise QuizappError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise QuizappError(f"{path} is a directory, not an export file") from None
    except OSError as err:
        raise QuizappError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise QuizappError(f"{path} is a directory, not an export file")
        if not stat.S_ISREG(info.st_mode):
            raise QuizappError(f"{path} is not a regular file (a pipe or a device?); "
                               "export to a file and import that")
        if info.st_size > MAX_IMPORT_BYTES:
            raise QuizappError(f"{path} is larger than {MAX_IMPORT_BYTES >> 20} MiB; "
                               "not a quizapp export")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as stream:
            fd = -1
            raw = stream.read(MAX_IMPORT_BYTES + 1)
    except OSError as err:
        raise QuizappError(f"cannot read {path}: {err.strerror or err}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise QuizappError(f"cannot read {path}: not UTF-8 text (byte {err.start})") from None


def _no_constant(name: str) -> Any:
    raise _Bad(f"{name} is not a number an export can hold")


def _check_values(data: Any) -> None:
    """Every number finite and within SQLite's 64-bit integers, nesting at most MAX_DEPTH;
    iterative, so a deep file cannot exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, bool) or value is None or isinstance(value, str):
            continue
        if isinstance(value, int):
            if not _INT64[0] <= value <= _INT64[1]:
                raise _Bad(f"{where or 'a value'}: integer out of range")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise _Bad(f"{where or 'a value'}: not a finite number")
        elif isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                raise _Bad(f"{where or 'the file'}: nested more than {MAX_DEPTH} deep")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                label = f"{where}.{key}" if isinstance(value, dict) else f"{where}[{key}]"
                stack.append((item, label.lstrip("."), depth + 1))


def _number(value: Any, name: str, low: float, high: float, *, integer: bool = False
            ) -> float:
    kinds = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) \
            or not (math.isfinite(value) and low <= value <= high):
        raise _Bad(f"'{name}' must be {'an integer' if integer else 'a number'} from "
                   f"{low:g} to {high:g}, got {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, (dict, list)) \
        else type(value).__name__
    return text if len(text) <= 40 else text[:39] + "…"


def _steps(value: Any, name: str) -> None:
    if not isinstance(value, list) or len(value) > 20:
        raise _Bad(f"'{name}' must be a list of at most 20 step lengths in seconds")
    for step in value:
        _number(step, name, 1, 365 * 86400)


#: Checkers of the settings quizapp knows, by key (ranges as ReviewSettings enforces them).
_SETTINGS: dict[str, Callable[[Any, str], Any]] = {
    "review.desired_retention": lambda v, n: _number(v, n, 0.7, 0.99),
    "review.new_per_day": lambda v, n: _number(v, n, 0, 10_000, integer=True),
    "review.maximum_interval": lambda v, n: _number(v, n, 1, 36_500, integer=True),
    "review.learning_steps": _steps,
    "review.relearning_steps": _steps,
    "review.optimized_reviews": lambda v, n: _number(v, n, 0, _INT64[1], integer=True),
    "language": lambda v, n: None if v in ("en", "zh") else _fail(n, "'en' or 'zh'"),
}
_SETTING_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[Any, str], Any]], ...] = (
    (re.compile(r"^drill\.hints\.[\w.-]{1,100}$"),
     lambda v, n: _number(v, n, 0, 1000, integer=True)),
    (re.compile(r"^drill\.track\.[\w.-]{1,100}$"),
     lambda v, n: None if isinstance(v, str) and 0 < len(v) <= 40
     else _fail(n, "a track name")),
)


def _fail(name: str, expected: str) -> None:
    raise _Bad(f"'{name}' must be {expected}")


def _check_setting(key: Any, value: Any) -> None:
    """One imported setting, checked by its own rules; an unknown (newer) setting may only
    hold a short scalar, so nothing this version reads can be damaged by it."""
    name = f"settings.{key}"
    if not isinstance(key, str) or not 0 < len(key) <= 200:
        raise _Bad("settings: a setting's name must be 1 to 200 characters")
    if key.startswith(_LOCAL_SETTINGS_PREFIX):
        return  # this machine's bookkeeping: never imported
    if key == "review.parameters":
        if value is not None and not (isinstance(value, list) and len(value) == 21):
            raise _Bad(f"'{name}' must be null or a list of 21 FSRS parameters")
        for item in value or ():
            _number(item, name, -1e6, 1e6)
        return
    if key in ("review.optimized_at", "review.interview_since"):
        _time({key: value}, key)
        return
    if key == "review.interview_date":
        if not (isinstance(value, str) and _DAY.match(value) and _valid_day(value)):
            raise _Bad(f"'{name}' must be a date like 2025-01-31, got {_shown(value)}")
        return
    check = _SETTINGS.get(key)
    if check is None:
        check = next((c for pattern, c in _SETTING_PATTERNS if pattern.match(key)), None)
    if check is not None:
        check(value, name)
    elif isinstance(value, (dict, list)) or (isinstance(value, str) and len(value) > 1000):
        raise _Bad(f"'{name}' is not a setting this quizapp knows, and its value is not a "
                   "short plain value")


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
    return to_iso(_moment(text, key))


def _moment(text: str, key: str) -> datetime:
    """An aware datetime from ISO-8601 text, within the years quizapp can compute with."""
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 64 else None
    except ValueError:
        moment = None
    if moment is None:
        raise _Bad(f"'{key}' is not an ISO-8601 time: {_shown(text)}")
    if moment.tzinfo is None:
        raise _Bad(f"'{key}' has no time zone: {_shown(text)}")
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not _YEARS[0] <= utc.year <= _YEARS[1]:
        raise _Bad(f"'{key}' must be a time in the years {_YEARS[0]}–{_YEARS[1]}, got "
                   f"{_shown(text)}")
    return utc


def _card_key(entry: Any) -> str:
    key = _field(entry, "card_id", str)
    try:
        split_card_key(key)
    except ValueError:
        raise _Bad(f"'card_id' must start with 'q:', 'd:' or 'm:', got {key!r}") from None
    return key


def _card(value: Any, key: str) -> Card:
    """An fsrs card, every field checked (fsrs itself converts without checking ranges)."""
    if not isinstance(value, dict):
        raise _Bad("'card' must be an object")
    state = value.get("state")
    if state not in (1, 2, 3) or isinstance(state, bool):
        raise _Bad(f"card 'state' must be 1, 2 or 3, got {_shown(state)}")
    if value.get("step") is not None:
        _number(value.get("step"), "card step", 0, 1000, integer=True)
    for name, low, high in (("stability", 0, 1e7), ("difficulty", 0, 11)):
        if value.get(name) is not None:
            _number(value.get(name), f"card {name}", low, high)
    due = _moment(_field(value, "due", str), "card due")
    last = value.get("last_review")
    if last is not None:
        _moment(_field(value, "last_review", str), "card last_review")
    try:
        card = Card.from_dict({**value, "card_id": fsrs_id(key)})
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        raise _Bad(f"not an fsrs card ({str(err)[:60]})") from None
    card.due = due
    return card


def _merge_card(conn: Any, entry: Any) -> str:
    key = _card_key(entry)
    card = _card(entry.get("card"), key)
    created = _time(entry, "created_at")
    for flag in ("retired", "suspended"):
        if entry.get(flag) not in (None, True, False, 0, 1):
            raise _Bad(f"'{flag}' must be true or false")
    row = conn.execute("SELECT last_review FROM cards WHERE card_id = ?", (key,)).fetchone()
    values = (card.to_json(), to_iso(card.due), int(card.state), card.stability,
              to_iso(card.last_review) if card.last_review else None)
    if row is None:
        conn.execute(
            "INSERT INTO cards (card_id, fsrs_id, card, due, created_at, retired, state, "
            "stability, last_review, suspended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, fsrs_id(key), values[0], values[1], created, int(bool(entry.get("retired"))),
             *values[2:], int(bool(entry.get("suspended")))))
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
    duration = _duration(entry)
    before = entry.get("card_before")
    before_json = _card(before, key).to_json() if before is not None else None
    day = entry.get("day") or study_day(from_iso(reviewed_at)).isoformat()
    if not isinstance(day, str) or not _DAY.match(day) or not _valid_day(day):
        raise _Bad(f"'day' must be a date like 2025-01-31, got {_shown(day)}")
    state_before = entry.get("state_before")
    if state_before is None:
        state_before = 0 if before is None or before.get("last_review") is None \
            else int(before.get("state", 2))
    elif state_before not in (0, 1, 2, 3) or isinstance(state_before, bool):
        raise _Bad(f"'state_before' must be 0 to 3, got {_shown(state_before)}")
    lapse = entry.get("lapse")
    if lapse is None:  # an export from before lapses were logged: Anki's rule
        lapse = rating == 1 and state_before == 2
    elif lapse not in (True, False, 0, 1):
        raise _Bad(f"'lapse' must be true or false, got {_shown(lapse)}")
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
        "card_before, day, state_before, lapse) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (key, rating, reviewed_at, duration, before_json, str(day), int(state_before),
         int(lapse)))
    return cur.rowcount == 1


def _insert_attempt(conn: Any, entry: Any) -> int:
    item_id = _name(_field(entry, "item_id", str), "item_id")
    at = _time(entry, "at")
    mode = _name(entry.get("mode") or "quiz", "mode")
    item_kind = _field(entry, "item_kind", str)
    if item_kind not in ("question", "drill"):
        raise _Bad(f"'item_kind' must be 'question' or 'drill', got {_shown(item_kind)}")
    hints = entry.get("hints_used") or 0
    _number(hints, "hints_used", 0, 1000, integer=True)
    if conn.execute("SELECT 1 FROM attempts WHERE item_id = ? AND at = ? AND mode = ?",
                    (item_id, at, mode)).fetchone():
        return 0
    score = _number(_field(entry, "score", (int, float)), "score", 0, 1)
    conn.execute(
        "INSERT INTO attempts (item_id, item_kind, at, mode, answer, score, passed, "
        "duration_ms, hints_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (item_id, item_kind, at, mode,
         json.dumps(entry.get("answer"), ensure_ascii=False), float(score),
         int(bool(entry.get("passed"))), _duration(entry), int(hints)))
    return 1


def _insert_drill_result(conn: Any, entry: Any) -> int:
    drill_id = _name(_field(entry, "drill_id", str), "drill_id")
    at = _time(entry, "at")
    track = _name(_field(entry, "track", str), "track")
    user_ms = _field(entry, "user_ms", (int, float), optional=True)
    ratio = _field(entry, "ratio", (int, float), optional=True)
    for name, value in (("user_ms", user_ms), ("ratio", ratio)):
        if value is not None:
            _number(value, name, 0, 1e12)
    message = entry.get("message") or ""
    if not isinstance(message, str):
        raise _Bad("'message' must be text")
    if conn.execute("SELECT 1 FROM drill_results WHERE drill_id = ? AND at = ? AND track = ?",
                    (drill_id, at, track)).fetchone():
        return 0
    result = entry.get("result")
    if not isinstance(result, dict):
        raise _Bad("'result' must be an object")
    conn.execute(
        "INSERT INTO drill_results (drill_id, at, track, status, passed, message, user_ms, "
        "ratio, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (drill_id, at, track, _name(_field(entry, "status", str), "status"),
         int(bool(entry.get("passed"))), message, user_ms, ratio,
         json.dumps(result, ensure_ascii=False)))
    return 1


def _name(value: Any, key: str) -> str:
    """An identifier-like text field: text of 1 to 200 characters."""
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        raise _Bad(f"'{key}' must be text of 1 to 200 characters")
    return value


def _duration(entry: Any) -> int | None:
    value = _field(entry, "duration_ms", int, optional=True)
    if value is not None:
        _number(value, "duration_ms", 0, 10**12, integer=True)
    return value


def _valid_day(text: str) -> bool:
    try:
        return _YEARS[0] <= date.fromisoformat(text).year <= _YEARS[1]
    except ValueError:
        return False
