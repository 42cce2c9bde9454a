"""Rating a card: the four previews shown on reveal, committing one (one transaction with
its log row), undoing it, and answers given outside the review screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Rating, ReviewLog, Scheduler

from quizapp.core.errors import QuizappError
from quizapp.core.review.cards import insert_card, load_card
from quizapp.core.review.days import as_utc, format_interval, study_day
from quizapp.core.review.keys import split_card_key
from quizapp.core.review.policy import (
    RATINGS,
    propose_drill_rating,
    propose_rating,
    propose_short_rating,
)
from quizapp.core.review.settings import ReviewSettings
from quizapp.core.store import Store, to_iso, utcnow


@dataclass(frozen=True)
class Preview:
    """What one rating would do to a card: computed once per reveal, committed as is."""

    rating: Rating
    card: Card
    log: ReviewLog
    interval: timedelta

    @property
    def label(self) -> str:
        """The interval as the rating button shows it."""
        return format_interval(self.interval)


def preview_ratings(scheduler: Scheduler, card: Card, now: datetime) -> dict[Rating, Preview]:
    """The four outcomes of rating `card` at `now`. fsrs fuzzes intervals at random, so call
    this once when the answer is revealed and commit the preview the user picks.

    fsrs fuzzes each rating on its own, so one draw can offer Easy a shorter interval than
    Good (3d vs 4d). Then fsrs is asked for a few more draws per rating and the first
    combination with Hard ≤ Good ≤ Easy is shown: every interval is still exactly one that
    fsrs computed for that rating; none is adjusted by hand.
    """
    now = as_utc(now)

    def draw(rating: Rating) -> Preview:
        new_card, log = scheduler.review_card(card, rating, review_datetime=now)
        return Preview(rating, new_card, log, new_card.due - now)

    out = {rating: draw(rating) for rating in RATINGS}
    if out[Rating.Hard].interval <= out[Rating.Good].interval <= out[Rating.Easy].interval:
        return out
    pools = {rating: [out[rating]] + [draw(rating) for _ in range(_FUZZ_DRAWS - 1)]
             for rating in (Rating.Hard, Rating.Good, Rating.Easy)}
    for good in pools[Rating.Good]:
        hard = next((p for p in pools[Rating.Hard] if p.interval <= good.interval), None)
        easy = next((p for p in pools[Rating.Easy] if p.interval >= good.interval), None)
        if hard is not None and easy is not None:
            return {**out, Rating.Hard: hard, Rating.Good: good, Rating.Easy: easy}
    return out


#: Draws per rating `preview_ratings` asks fsrs for when the first ones are out of order.
_FUZZ_DRAWS = 12


@dataclass(frozen=True)
class RatingRecord:
    """A committed rating, enough to undo it."""

    log_id: int
    key: str
    rating: Rating
    card_before: Card
    card_after: Card
    created_card: bool


def commit_rating(store: Store, key: str, card_before: Card, preview: Preview, *,
                  duration_ms: int | None = None, scheduler: Scheduler | None = None,
                  lapse: bool = False) -> RatingRecord:
    """Store one rating in one transaction: the card's new state and its log row.

    The card row is created here for a bank question reviewed for the first time. The card
    is re-read inside the write transaction: if another quizapp rated it since `card_before`
    was loaded, the rating is recomputed with `scheduler` from the state it has now (without
    a scheduler, it is refused), so no rating is ever computed from a stale state.

    The log row counts as a lapse (towards leeches) when the rating is Again on a card in
    the Review state, as in Anki, or when `lapse` says so (a known mistake made again).
    """
    after, log = preview.card, preview.log
    reviewed_at = as_utc(log.review_datetime)
    with store.transaction() as conn:
        row = conn.execute("SELECT card FROM cards WHERE card_id = ?", (key,)).fetchone()
        exists = row is not None
        stored = Card.from_json(row["card"]) if row else None
        if stored is not None and (stored.last_review, stored.state) != (
                card_before.last_review, card_before.state):
            if scheduler is None:
                raise QuizappError("this card was just rated in another quizapp session; "
                                   "show it again to rate it")
            card_before = stored
            after, log = scheduler.review_card(stored, preview.rating,
                                               review_datetime=reviewed_at)
        state_before = 0 if card_before.last_review is None else int(card_before.state)
        if not exists:
            insert_card(conn, key, reviewed_at)
        conn.execute(
            "UPDATE cards SET card = ?, due = ?, state = ?, stability = ?, last_review = ? "
            "WHERE card_id = ?",
            (after.to_json(), to_iso(after.due), int(after.state), after.stability,
             to_iso(after.last_review) if after.last_review else None, key),
        )
        cur = conn.execute(
            "INSERT INTO review_log (card_id, rating, reviewed_at, duration_ms, card_before, "
            "day, state_before, lapse) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (key, int(preview.rating), to_iso(reviewed_at), duration_ms, card_before.to_json(),
             study_day(reviewed_at).isoformat(), state_before,
             int(lapse or is_lapse(preview.rating, state_before))),
        )
        log_id = int(cur.lastrowid)
    return RatingRecord(log_id, key, preview.rating, card_before, after, not exists)


def is_lapse(rating: Rating, state_before: int) -> bool:
    """Whether a rating is a lapse as Anki counts them: Again on a card in the Review state
    (fsrs State 2), i.e. a card the user had learned and then forgot."""
    return rating == Rating.Again and state_before == 2


def undo_rating(store: Store, record: RatingRecord) -> Card:
    """Take back a rating: restore the card as it was and delete its log row.

    Only the latest rating of a card can be undone (a later one was computed from it).
    """
    with store.transaction() as conn:
        latest = conn.execute(
            "SELECT id FROM review_log WHERE card_id = ? ORDER BY reviewed_at DESC, id DESC "
            "LIMIT 1", (record.key,)
        ).fetchone()
        if latest is None or latest["id"] != record.log_id:
            raise QuizappError("that rating is no longer the card's latest; it cannot be undone")
        conn.execute("DELETE FROM review_log WHERE id = ?", (record.log_id,))
        before = record.card_before
        if record.created_card:
            conn.execute("DELETE FROM cards WHERE card_id = ?", (record.key,))
        else:
            conn.execute(
                "UPDATE cards SET card = ?, due = ?, state = ?, stability = ?, last_review = ? "
                "WHERE card_id = ?",
                (before.to_json(), to_iso(before.due), int(before.state), before.stability,
                 to_iso(before.last_review) if before.last_review else None, record.key),
            )
    return record.card_before


def record_practice(store: Store, key: str, *, passed: bool, score: float = 1.0,
                    self_graded: bool = False, tries: int = 1, hints_used: int = 0,
                    runs: int = 1, now: datetime | None = None, duration_ms: int | None = None,
                    settings: ReviewSettings | None = None) -> RatingRecord | None:
    """An answer given outside the review screen — in a quiz, a mock interview, or a drill
    grade — is a review of that card: it is rated by the proposed-rating rule
    (`propose_rating`, `propose_short_rating` for self-graded answers, `propose_drill_rating`
    for drills), scheduled by fsrs and logged, so it counts for the due list, the streak and
    mastery like any review. One transaction, like `commit_rating`. Returns None when the
    card already has a review at this very instant (a clock that does not move).
    """
    now = as_utc(now or utcnow())
    if store.conn.execute("SELECT 1 FROM review_log WHERE card_id = ? AND reviewed_at = ?",
                          (key, to_iso(now))).fetchone():
        return None  # already reviewed at this very instant: one moment, one review
    settings = settings or ReviewSettings.load(store)
    kind, _ = split_card_key(key)
    if kind == "drill":
        rating = propose_drill_rating(passed, hints_used=hints_used, runs=runs)
    elif self_graded:
        rating = propose_short_rating(score, passed)
    else:
        rating = propose_rating(passed, tries=tries, hints_used=hints_used)
    card = load_card(store, key, now)
    new_card, log = settings.scheduler().review_card(card, rating, review_datetime=now,
                                                     review_duration=duration_ms)
    preview = Preview(rating, new_card, log, new_card.due - now)
    return commit_rating(store, key, card, preview, duration_ms=duration_ms)
