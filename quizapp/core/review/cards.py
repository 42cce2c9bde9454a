"""The cards table: creating cards for what the user met, retiring cards whose item left
the catalogue, loading a card; the user's own card actions (suspend, unsuspend, reset) and
the card search behind the card browser.

A suspended card keeps its schedule and history but never enters the queue (nor cram lists,
nor the due counts) until it is unsuspended. Resetting a card makes it new again (Anki's
"Forget"): its schedule and lapse count start over, its review log stays.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Card

from quizapp.core.bank import Bank, Question
from quizapp.core.errors import UsageError
from quizapp.core.review.days import as_utc
from quizapp.core.review.keys import KINDS, card_key, fsrs_id, split_card_key, split_mistake
from quizapp.core.store import Store, from_iso, to_iso, utcnow


def insert_card(conn: Any, key: str, now: datetime) -> None:
    """Insert a fresh, never-reviewed card for `key` dated `now`, unless it exists."""
    card = Card(card_id=fsrs_id(key), due=as_utc(now))
    conn.execute(
        "INSERT OR IGNORE INTO cards (card_id, fsrs_id, card, due, created_at, retired, state, "
        "stability, last_review) VALUES (?, ?, ?, ?, ?, 0, ?, NULL, NULL)",
        (key, card.card_id, card.to_json(), to_iso(card.due), to_iso(now), int(card.state)),
    )


def sync_cards(store: Store, bank: Bank, *, drill_ids: Collection[str] | None = None) -> None:
    """Bring the cards in line with what the user has met and what the bank holds.

    Every question or drill with an attempt (or drill grade) gets a card; a card whose
    question left the bank is retired (its log stays) and comes back if the question does.
    A new card is dated when its item was first met. `drill_ids` None leaves drill cards
    unretired (the drill list is unknown); so does an empty list, and an empty bank leaves
    question cards alone: both far more likely mean that loading failed than that everything
    was removed. Writes only when something changed.
    """
    if drill_ids is not None and not drill_ids:
        drill_ids = None
    last_attempt = store.get_setting("review._synced_attempt_id", 0)
    last_grade = store.get_setting("review._synced_drill_result_id", 0)
    met: dict[str, str] = {}   # card key -> when first met (UTC ISO)
    max_attempt = last_attempt
    for row in store.conn.execute(
        "SELECT id, item_id, item_kind, at FROM attempts WHERE id > ?", (last_attempt,)
    ):
        max_attempt = max(max_attempt, row["id"])
        if row["item_kind"] in ("question", "drill"):
            key = card_key(row["item_kind"], row["item_id"])
            met[key] = min(met.get(key, row["at"]), row["at"])
    max_grade = last_grade
    for row in store.conn.execute("SELECT id, drill_id, at FROM drill_results WHERE id > ?",
                                  (last_grade,)):
        max_grade = max(max_grade, row["id"])
        key = card_key("drill", row["drill_id"])
        met[key] = min(met.get(key, row["at"]), row["at"])

    existing = {row[0]: bool(row[1]) for row in
                store.conn.execute("SELECT card_id, retired FROM cards")}
    # A met drill gets its card even when the drill list cannot be read (it existed then).
    to_create = [key for key in met if key not in existing
                 and _in_catalogue(key, bank, drill_ids) is not False]
    retire, revive = [], []
    for key, retired in existing.items():
        present = _in_catalogue(key, bank, drill_ids)
        if present is None:
            continue
        if retired and present:
            revive.append(key)
        elif not retired and not present:
            retire.append(key)
    if not (to_create or retire or revive or max_attempt != last_attempt
            or max_grade != last_grade):
        return
    with store.transaction() as conn:
        for key in sorted(to_create):
            insert_card(conn, key, from_iso(met[key]))
        conn.executemany("UPDATE cards SET retired = 1 WHERE card_id = ?", [(k,) for k in retire])
        conn.executemany("UPDATE cards SET retired = 0 WHERE card_id = ?", [(k,) for k in revive])
        for setting, value in (("review._synced_attempt_id", max_attempt),
                               ("review._synced_drill_result_id", max_grade)):
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) "
                         "DO UPDATE SET value = excluded.value", (setting, str(value)))


def _in_catalogue(key: str, bank: Bank, drill_ids: Collection[str] | None) -> bool | None:
    """Whether the card's item exists now; None when we cannot know (no drill list, or an
    empty bank)."""
    kind, item_id = split_card_key(key)
    if kind == "question":
        return item_id in bank.questions if bank.questions else None
    if drill_ids is None:
        return None
    if kind == "mistake":
        # A mistake card lives as long as its drill (mistake ids are the drill's to rename).
        item_id = split_mistake(item_id)[0]
    return item_id in drill_ids


def load_card(store: Store, key: str, now: datetime | None = None) -> Card:
    """The fsrs card stored under `key`, or a fresh one (due now) if there is none yet."""
    row = store.conn.execute("SELECT card FROM cards WHERE card_id = ?", (key,)).fetchone()
    if row is None:
        return Card(card_id=fsrs_id(key), due=as_utc(now or utcnow()))
    return Card.from_json(row["card"])


# --------------------------------------------------------------------------- user actions


def _existing(conn: Any, key: str) -> Any:
    row = conn.execute("SELECT card_id, suspended FROM cards WHERE card_id = ?",
                       (key,)).fetchone()
    if row is None:
        raise UsageError(f"no card '{key}' (keys look like q:<question id>, d:<drill id>, "
                         "m:<drill id>:<mistake id>)")
    return row


def suspend(store: Store, key: str, now: datetime | None = None) -> bool:
    """Suspend the card `key`: it keeps its schedule but never enters the queue. A valid key
    with no card yet (a bank question never met) gets a new, suspended card. Returns whether
    anything changed (False if it was already suspended)."""
    split_card_key(key)  # a malformed key is a ValueError: callers check keys first
    with store.transaction() as conn:
        insert_card(conn, key, as_utc(now or utcnow()))
        cur = conn.execute("UPDATE cards SET suspended = 1 WHERE card_id = ? AND suspended = 0",
                           (key,))
        return cur.rowcount == 1


def unsuspend(store: Store, key: str) -> bool:
    """Put a suspended card back in the queue; returns whether it was suspended. A key with
    no card is a UsageError."""
    with store.transaction() as conn:
        _existing(conn, key)
        cur = conn.execute("UPDATE cards SET suspended = 0 WHERE card_id = ? AND suspended = 1",
                           (key,))
        return cur.rowcount == 1


def reset(store: Store, key: str, now: datetime | None = None) -> None:
    """Make the card new again, due now, with no lapses (its log and suspension stay). A key
    with no card is a UsageError."""
    now = as_utc(now or utcnow())
    fresh = Card(card_id=fsrs_id(key), due=now)
    with store.transaction() as conn:
        _existing(conn, key)
        conn.execute(
            "UPDATE cards SET card = ?, due = ?, state = ?, stability = NULL, "
            "last_review = NULL, lapses = 0 WHERE card_id = ?",
            (fresh.to_json(), to_iso(now), int(fresh.state), key))


# --------------------------------------------------------------------------- search

#: Card states as the browser names them (fsrs has no "new": a never-reviewed card).
STATES = ("new", "learning", "review", "relearning")
_STATE_NAMES = {1: "learning", 2: "review", 3: "relearning"}


@dataclass(frozen=True)
class CardInfo:
    """One card as the card browser lists it."""

    key: str
    kind: str                  # "question" | "drill" | "mistake"
    item_id: str
    state: str                 # one of STATES
    due: datetime
    last_review: datetime | None
    stability: float | None
    lapses: int
    suspended: bool
    retired: bool
    #: A question's topics (from the bank); empty for drills, mistakes, unknown questions.
    topics: tuple[str, ...] = ()


def _matches_text(question: Question | None, item_id: str, needle: str) -> bool:
    if needle in item_id.casefold():
        return True
    if question is None:
        return False
    return any(needle in text.casefold() for texts in question.texts() if texts
               for text in texts.values() if isinstance(text, str))


def find_cards(store: Store, bank: Bank | None = None, *, text: str | None = None,
               topic: str | None = None, kinds: Collection[str] | None = None,
               states: Collection[str] | None = None, suspended: bool | None = None,
               leeches_at: int | None = None, include_retired: bool = False,
               limit: int | None = None) -> list[CardInfo]:
    """The cards matching every filter given, by key.

    `text` matches the item id and, for questions, any of their texts in the bank (case
    folded); `topic` keeps questions with that topic (needs `bank`); `kinds` and `states`
    keep those kinds and states (`STATES`); `suspended` keeps only suspended (True) or only
    unsuspended (False) cards; `leeches_at` keeps cards with at least that many lapses.
    Retired cards (whose item left the catalogue) are left out unless `include_retired`.
    """
    query = ("SELECT card_id, state, due, last_review, stability, lapses, suspended, retired "
             "FROM cards WHERE 1 = 1")
    args: list[Any] = []
    if not include_retired:
        query += " AND retired = 0"
    if suspended is not None:
        query += " AND suspended = ?"
        args.append(int(suspended))
    if leeches_at is not None:
        query += " AND lapses >= ?"
        args.append(leeches_at)
    if kinds is not None:
        prefixes = [KINDS[kind] for kind in kinds if kind in KINDS]
        if not prefixes:
            return []
        query += " AND (" + " OR ".join("substr(card_id, 1, 2) = ?" for _ in prefixes) + ")"
        args += prefixes
    questions = bank.questions if bank is not None else {}
    needle = text.casefold().strip() if text else ""
    out: list[CardInfo] = []
    for row in store.conn.execute(query + " ORDER BY card_id", args):
        kind, item_id = split_card_key(row["card_id"])
        state = "new" if row["last_review"] is None else _STATE_NAMES.get(row["state"],
                                                                           "learning")
        if states is not None and state not in states:
            continue
        question = questions.get(item_id) if kind == "question" else None
        topics = question.topics if question is not None else ()
        if topic is not None and topic not in topics:
            continue
        if needle and not _matches_text(question, item_id, needle):
            continue
        out.append(CardInfo(row["card_id"], kind, item_id, state, from_iso(row["due"]),
                            from_iso(row["last_review"]) if row["last_review"] else None,
                            row["stability"], int(row["lapses"]), bool(row["suspended"]),
                            bool(row["retired"]), topics))
        if limit is not None and len(out) >= limit:
            break
    return out
