"""The interview-date mode: until a date the user sets, every card met so far is reviewed at
least once more before that date, the extra reviews spread evenly over the days left.

FSRS stays the scheduler: this only *adds* reviews to the queue, it never hides a due card or
moves a due date. The cards to cover are the live, unsuspended cards last reviewed before the
mode began (`review.interview_since`, set with the date); a card is covered once it has been
reviewed since then. Of the uncovered cards, those FSRS will bring back before the date come
back on their own; the others — due on or after the date — are the *extra* load. Each study
day gets an equal share of it: the extra cards left at the start of the day (those reviewed
today as extras included) divided by the study days left, rounded up, weakest cards first.
On and after the date the mode is over and the schedule is FSRS's alone.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime

from quizapp.core.errors import UsageError
from quizapp.core.review.days import as_utc, day_start, study_day
from quizapp.core.review.settings import ReviewSettings, card_recall, retrievability_fn
from quizapp.core.store import Store, from_iso, to_iso, utcnow

DATE_SETTING = "review.interview_date"
SINCE_SETTING = "review.interview_since"


@dataclass(frozen=True)
class InterviewPlan:
    """Where the interview-date mode stands today."""

    date: date
    #: When the mode began: cards last reviewed before it are the ones to cover.
    since: datetime
    #: Study days before the date, today included (≥ 1 while the mode runs).
    days_left: int
    #: Cards still to review before the date (the ones FSRS brings back on its own included).
    to_cover: int
    #: Extra reviews today's share asks for, and how many of them are done.
    extra_today: int
    extra_done_today: int
    #: The card keys to add to today's queue, weakest first.
    extra_keys: tuple[str, ...]


def parse_interview_date(text: str) -> date | None:
    """`YYYY-MM-DD` → the date; `none` (any case) → None. Anything else is a UsageError."""
    if text.strip().lower() == "none":
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"bad interview date {text[:20]!r}: use YYYY-MM-DD, or 'none' to "
                         "clear it") from None


def interview_date(store: Store) -> date | None:
    """The interview date set, or None (also for a stored value this version cannot read)."""
    value = store.get_setting(DATE_SETTING)
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _since(store: Store) -> datetime | None:
    value = store.get_setting(SINCE_SETTING)
    try:
        return from_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None


def set_interview_date(store: Store, day: date | None, now: datetime | None = None) -> None:
    """Set (or with None, clear) the interview date. The mode begins now, unless a date was
    already set and not yet past: moving the date keeps the coverage already done. A date
    that is not after today is refused."""
    now = as_utc(now or utcnow())
    if day is None:
        with store.transaction() as conn:
            conn.execute("DELETE FROM settings WHERE key IN (?, ?)", (DATE_SETTING,
                                                                      SINCE_SETTING))
        return
    today = study_day(now)
    if day <= today:
        raise UsageError(f"the interview date must be after today ({today.isoformat()})")
    old, since = interview_date(store), _since(store)
    if old is None or since is None or old <= today:
        since = now
    store.set_setting(DATE_SETTING, day.isoformat())
    store.set_setting(SINCE_SETTING, to_iso(since))


def interview_plan(store: Store, now: datetime | None = None, *,
                   settings: ReviewSettings | None = None) -> InterviewPlan | None:
    """Today's plan, or None when no date is set or the date has come (normal schedule)."""
    now = as_utc(now or utcnow())
    day, since = interview_date(store), _since(store)
    if day is None or since is None:
        return None
    today = study_day(now)
    days_left = (day - today).days
    if days_left <= 0:
        return None
    settings = settings or ReviewSettings.load(store)
    curve = retrievability_fn(settings.scheduler())
    since_iso = to_iso(since)
    date_start = to_iso(day_start(day, now))
    parse = datetime.fromisoformat
    uncovered = ("FROM cards WHERE retired = 0 AND suspended = 0 AND last_review IS NOT NULL "
                 "AND last_review < ?")
    to_cover = store.conn.execute(f"SELECT count(*) {uncovered}", (since_iso,)).fetchone()[0]
    candidates: list[tuple[float, str]] = []
    # Only the cards FSRS would not show before the date are extra; the JSON step is read
    # for those alone (it matters only to cards in learning).
    for key, stability, last_review, state, step in store.conn.execute(
        "SELECT card_id, stability, last_review, state, "
        f"CASE WHEN state = 2 THEN NULL ELSE json_extract(card, '$.step') END {uncovered} "
        "AND due >= ?", (since_iso, date_start)
    ):
        r = card_recall(curve, stability, (now - parse(last_review)).days, state, step)
        candidates.append((r, key))
    done = _extras_done_today(store, now, since, date_start)
    quota = math.ceil((len(candidates) + done) / days_left)
    wanted = max(0, quota - done)
    candidates.sort()
    return InterviewPlan(day, since, days_left, to_cover, quota, min(done, quota),
                         tuple(key for _, key in candidates[:wanted]))


def _extras_done_today(store: Store, now: datetime, since: datetime, date_start: str) -> int:
    """Cards reviewed today whose review was an extra one: last reviewed before the mode
    began and not due until the date (read from the card as each review found it)."""
    start = to_iso(day_start(study_day(now), now))
    first: set[str] = set()
    extras = 0
    for key, before in store.conn.execute(
        "SELECT card_id, card_before FROM review_log WHERE reviewed_at >= ? "
        "ORDER BY reviewed_at, id", (start,)
    ):
        if key in first:
            continue
        first.add(key)   # the day's first review of the card decides
        card = json.loads(before) if before else {}
        last = card.get("last_review")
        if last and from_iso(last) < since and to_iso(from_iso(card["due"])) >= date_start:
            extras += 1
    return extras
