"""Spaced repetition: review cards scheduled by FSRS (the `fsrs` package), the daily queue,
rating, undo, retirement, settings, the optimizer entry point and cram mode.

This module owns what a review *means*; the `fsrs` package owns the maths of scheduling (we
never compute an interval ourselves). Cards live in the store's `cards` table, keyed by
`q:<question id>` or `d:<drill id>`, so that editing a question keeps its history; the integer
id fsrs wants is a stable hash of that key. Every rating is one transaction that updates the
card and appends to `review_log` (with the card as it was, for undo), so a crash in the middle
of a session loses nothing already rated.

Days: a *study day* runs from 04:00 local time to 04:00 the next day (Anki's default), so a
late-night session counts for the evening it started in. All stored times are UTC.

Never imports textual.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from fsrs import Card, Rating, ReviewLog, Scheduler

from quizapp.core.bank import Bank, Question
from quizapp.core.errors import QuizappError, UsageError
from quizapp.core.store import Store, from_iso, to_iso, utcnow

#: Hours after local midnight at which a new study day starts.
DAY_ROLLOVER_HOURS = 4

#: The optimizer needs this many reviews that fall on a later day than the card's previous
#: review; below it, fsrs silently returns the default parameters.
OPTIMIZER_MIN_REVIEWS = 512

QUESTION_PREFIX = "q:"
DRILL_PREFIX = "d:"

#: The keys of `Rating`, in key order, for UIs.
RATINGS: tuple[Rating, ...] = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)

Clock = Callable[[], datetime]
T = TypeVar("T")


# --------------------------------------------------------------------------- ids and days


def card_key(kind: str, item_id: str) -> str:
    """The store key of the card of a question (`kind="question"`) or a drill."""
    if kind == "question":
        return QUESTION_PREFIX + item_id
    if kind == "drill":
        return DRILL_PREFIX + item_id
    raise ValueError(f"unknown card kind {kind!r}")


def split_card_key(key: str) -> tuple[str, str]:
    """(kind, item id) of a card key."""
    if key.startswith(QUESTION_PREFIX):
        return "question", key[len(QUESTION_PREFIX):]
    if key.startswith(DRILL_PREFIX):
        return "drill", key[len(DRILL_PREFIX):]
    raise ValueError(f"not a card key: {key!r}")


def fsrs_id(key: str) -> int:
    """The stable integer id fsrs wants, from a card key (48 bits of blake2b)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=6).digest(), "big")


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware datetime whose tzinfo is exactly `timezone.utc`.

    fsrs rejects any other tzinfo, even ZoneInfo("UTC"); naive datetimes are refused here.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: use timezone-aware UTC datetimes")
    return moment.astimezone(timezone.utc)


def study_day(moment: datetime) -> date:
    """The local study day `moment` falls in (days start at DAY_ROLLOVER_HOURS local time)."""
    local = as_utc(moment).astimezone()
    return (local - timedelta(hours=DAY_ROLLOVER_HOURS)).date()


def day_start(day: date, like: datetime) -> datetime:
    """When study day `day` starts, in UTC, using the local UTC offset in force at `like`."""
    tz = as_utc(like).astimezone().tzinfo
    start = datetime.combine(day, time(DAY_ROLLOVER_HOURS), tzinfo=tz)
    return start.astimezone(timezone.utc)


def end_of_day(now: datetime) -> datetime:
    """The moment (UTC) the study day containing `now` ends."""
    return day_start(study_day(now) + timedelta(days=1), now)


def format_interval(delta: timedelta) -> str:
    """An interval the way review buttons show it: `<1m`, `10m`, `3h`, `4d`, `2.1mo`, `1.5y`."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{hours:.0f}h" if hours >= 10 or hours == int(hours) else f"{hours:.1f}h"
    days = hours / 24
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30.4375:.1f}mo"
    return f"{days / 365.25:.1f}y"


# --------------------------------------------------------------------------- settings

_STEP = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_STEP_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: Longest learning step (a longer one overflows date arithmetic, and means nothing).
MAX_STEP_DAYS = 365


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """`"1m, 10m"` → the learning steps; units s, m, h, d. An empty string means none."""
    steps = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _STEP.match(part)
        if not match:
            raise UsageError(f"bad step {part[:20]!r}: use a number and a unit, like 1m, 10m, "
                             "1h, 1d")
        seconds = float(match.group(1)) * _STEP_UNITS[match.group(2)]
        if seconds <= 0:
            raise UsageError(f"bad step {part[:20]!r}: steps must be longer than zero")
        if seconds > MAX_STEP_DAYS * 86400:
            raise UsageError(f"bad step {part[:20]!r}: a step can be at most {MAX_STEP_DAYS} "
                             "days")
        steps.append(timedelta(seconds=seconds))
    return tuple(steps)


def format_steps(steps: Iterable[timedelta]) -> str:
    """The inverse of `parse_steps`, in the largest whole unit."""
    parts = []
    for step in steps:
        seconds = int(step.total_seconds())
        for unit in ("d", "h", "m", "s"):
            if seconds % _STEP_UNITS[unit] == 0:
                parts.append(f"{seconds // _STEP_UNITS[unit]}{unit}")
                break
    return ", ".join(parts)


@dataclass(frozen=True)
class ReviewSettings:
    """The user's review settings, stored in the `settings` table under `review.*`."""

    #: The recall probability FSRS schedules for (shorter intervals when higher).
    desired_retention: float = 0.9
    #: How many never-reviewed cards a study day may introduce.
    new_per_day: int = 20
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    #: Longest interval, in days.
    maximum_interval: int = 36500
    #: FSRS parameters from the optimizer; None = the fsrs defaults.
    parameters: tuple[float, ...] | None = None

    _KEYS = ("desired_retention", "new_per_day", "learning_steps", "relearning_steps",
             "maximum_interval", "parameters")

    def __post_init__(self) -> None:
        if not 0.7 <= self.desired_retention <= 0.99:
            raise UsageError(f"desired retention must be between 0.70 and 0.99, "
                             f"got {self.desired_retention}")
        if self.new_per_day < 0:
            raise UsageError(f"the daily new-card limit must be 0 or more, got {self.new_per_day}")
        if self.maximum_interval < 1:
            raise UsageError("the maximum interval must be at least 1 day")
        if self.parameters is not None and len(self.parameters) != 21:
            raise UsageError(f"FSRS-6 needs 21 parameters, got {len(self.parameters)}")

    @classmethod
    def load(cls, store: Store) -> ReviewSettings:
        """The stored settings, defaults for what was never set. A stored value this version
        cannot use (written by an older import that did not check it) is ignored, so the
        command that would fix it still runs."""
        values: dict[str, Any] = {}
        for key in cls._KEYS:
            value = store.get_setting(f"review.{key}")
            if value is None:
                continue
            try:
                if key.endswith("steps"):
                    value = tuple(timedelta(seconds=s) for s in value)
                elif key == "parameters":
                    value = tuple(float(p) for p in value)
                cls(**{key: value})  # each field checked on its own
                if key in ("new_per_day", "maximum_interval") and not (
                        isinstance(value, int) and not isinstance(value, bool)
                        and value <= 100_000):
                    continue
            except (QuizappError, TypeError, ValueError, OverflowError):
                continue
            values[key] = value
        return cls(**values)

    def save(self, store: Store) -> None:
        """Store every setting."""
        for key in self._KEYS:
            value = getattr(self, key)
            if key.endswith("steps"):
                value = [step.total_seconds() for step in value]
            elif key == "parameters" and value is not None:
                value = list(value)
            store.set_setting(f"review.{key}", value)

    def scheduler(self) -> Scheduler:
        """An fsrs Scheduler with these settings (fuzz on, as fsrs recommends)."""
        kwargs: dict[str, Any] = {}
        if self.parameters is not None:
            kwargs["parameters"] = self.parameters
        return Scheduler(desired_retention=self.desired_retention,
                         learning_steps=self.learning_steps,
                         relearning_steps=self.relearning_steps,
                         maximum_interval=self.maximum_interval,
                         enable_fuzzing=True, **kwargs)


def retrievability_fn(scheduler: Scheduler) -> Callable[[float, int], float]:
    """The FSRS-6 forgetting curve of `scheduler`, R(stability, whole elapsed days).

    This is `Scheduler.get_card_retrievability` without building a `Card`: the stats and the
    queue evaluate it for thousands of cards from mirrored columns. Its decay comes from the
    scheduler's own parameters, and a test checks it against fsrs on random cards.
    """
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1

    def retrievability(stability: float, elapsed_days: int) -> float:
        return (1 + factor * max(0, elapsed_days) / stability) ** decay

    return retrievability


def card_recall(curve: Callable[[float, int], float], stability: float | None,
                elapsed_days: int, state: int | None, step: int | None) -> float:
    """The recall probability of a reviewed card now — the one definition the queue, the
    mastery bars and "weakest topics" share.

    FSRS's curve counts whole days, so it says 1.0 all day after any review. A card whose
    last answer was wrong (Relearning, or Learning back at step 0) is not known: its recall
    is 0 until it is answered right again, so a miss never shows as 100 %.
    """
    if is_missed(state, step) or not stability:
        return 0.0
    return curve(stability, elapsed_days)


def is_missed(state: int | None, step: int | None) -> bool:
    """Whether a card's latest answer was a miss (or a struggle still at the first step):
    fsrs puts a lapsed card in Relearning, and a new card rated Again (or Hard) stays at
    learning step 0."""
    return state == 3 or (state == 1 and (step or 0) == 0)


# --------------------------------------------------------------------------- rating policy


def propose_rating(passed: bool, *, tries: int = 1, hints_used: int = 0) -> Rating:
    """The rating an auto-graded answer proposes: wrong → Again; right after a hint or on a
    later try → Hard; right first time → Good. The user may override it (Easy is theirs)."""
    if not passed:
        return Rating.Again
    if hints_used > 0 or tries > 1:
        return Rating.Hard
    return Rating.Good


def propose_short_rating(score: float, passed: bool) -> Rating:
    """A self-graded short answer: failing the key points → Again; passing with some points
    missed → Hard; every point ticked → Good."""
    if not passed:
        return Rating.Again
    return Rating.Good if score >= 1.0 - 1e-9 else Rating.Hard


def propose_drill_rating(passed: bool, *, hints_used: int = 0, runs: int = 1,
                         solution_shown: bool = False) -> Rating:
    """A drill solved again from a blank starter: failing or looking at the solution → Again;
    passing after a hint or after failed runs → Hard; passing without hints → Good."""
    if not passed or solution_shown:
        return Rating.Again
    if hints_used > 0 or runs > 1:
        return Rating.Hard
    return Rating.Good


# --------------------------------------------------------------------------- syncing cards


def _insert_card(conn: Any, key: str, now: datetime) -> None:
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
            _insert_card(conn, key, from_iso(met[key]))
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
    return item_id in drill_ids


# --------------------------------------------------------------------------- the queue


@dataclass(frozen=True)
class QueueItem:
    """One card to review today."""

    key: str
    kind: str                  # "question" | "drill"
    item_id: str
    topic: str | None          # the main topic (questions), for interleaving and cram
    is_new: bool
    due: datetime | None       # None for a bank question that has no card yet
    retrievability: float      # now; 0 for new cards
    #: The fsrs State of a reviewed card (1 learning, 2 review, 3 relearning); None if new.
    state: int | None = None


@dataclass
class ReviewQueue:
    """Today's queue: cards due by the end of the study day, then new cards."""

    due: list[QueueItem] = field(default_factory=list)
    new: list[QueueItem] = field(default_factory=list)
    #: Never-reviewed cards (met or from the bank) beyond today's new-card limit.
    new_held_back: int = 0
    #: New cards already introduced today (counted against the limit).
    new_done_today: int = 0

    @property
    def items(self) -> list[QueueItem]:
        """Due cards first, then new cards."""
        return self.due + self.new


@dataclass(frozen=True)
class ReviewSummary:
    """What the home screen shows about today's reviews."""

    due_today: int
    new_available: int
    streak_days: int


def _main_topic(question: Question | None) -> str | None:
    return question.topics[0] if question and question.topics else None


def interleave(items: Sequence[QueueItem], window: int = 3) -> list[QueueItem]:
    """Avoid two cards of one topic in a row, moving a card at most `window` places forward.

    Priority order is kept where no different topic is close by, so the most urgent cards
    still come first.
    """
    pending = list(items)
    out: list[QueueItem] = []
    while pending:
        pick = 0
        if out and pending[0].topic is not None and pending[0].topic == out[-1].topic:
            for i in range(1, min(window + 1, len(pending))):
                if pending[i].topic != out[-1].topic:
                    pick = i
                    break
        out.append(pending.pop(pick))
    return out


def round_robin(items: Sequence[T], topic_of: Callable[[T], str | None]) -> list[T]:
    """One item per topic in turn (topics in order of first appearance), order kept within
    each topic — new material from several topics instead of a block of one."""
    by_topic: OrderedDict[str | None, list[T]] = OrderedDict()
    for item in items:
        by_topic.setdefault(topic_of(item), []).append(item)
    lanes = [iter(lane) for lane in by_topic.values()]
    out: list[T] = []
    while lanes:
        alive = []
        for lane in lanes:
            item = next(lane, None)
            if item is not None:
                out.append(item)
                alive.append(lane)
        lanes = alive
    return out


def new_done_on(store: Store, day: date) -> int:
    """How many never-reviewed cards were first reviewed on study day `day`."""
    row = store.conn.execute("SELECT new_cards FROM review_days WHERE day = ?",
                             (day.isoformat(),)).fetchone()
    return int(row[0]) if row else 0


def count_due(store: Store, now: datetime) -> int:
    """Reviewed, live cards due by the end of the study day containing `now`."""
    row = store.conn.execute(
        "SELECT count(*) FROM cards WHERE retired = 0 AND last_review IS NOT NULL AND due < ?",
        (to_iso(end_of_day(now)),)).fetchone()
    return int(row[0])


def _new_candidates(store: Store, bank: Bank) -> tuple[list[tuple[str, str | None]],
                                                       list[tuple[str, str | None]]]:
    """(met, unseen): never-reviewed live cards, oldest first, and bank questions without a
    card, in bank order; each as (card key, main topic)."""
    met: list[tuple[str, str | None]] = []
    has_card: set[str] = set()
    questions = bank.questions
    for key, fresh in store.conn.execute(
        "SELECT card_id, last_review IS NULL FROM cards WHERE retired = 0 "
        "ORDER BY created_at, card_id"
    ):
        has_card.add(key)
        if fresh:
            topic = None
            if key.startswith(QUESTION_PREFIX):
                topic = _main_topic(questions.get(key[len(QUESTION_PREFIX):]))
            met.append((key, topic))
    unseen = [(key, _main_topic(q)) for qid, q in questions.items()
              if (key := QUESTION_PREFIX + qid) not in has_card]
    return met, unseen


def _new_item(key: str, topic: str | None) -> QueueItem:
    kind, item_id = split_card_key(key)
    return QueueItem(key, kind, item_id, topic, True, None, 0.0)


def _topic_of(pair: tuple[str, str | None]) -> str | None:
    return pair[1]


def build_queue(store: Store, bank: Bank, now: datetime | None = None, *,
                settings: ReviewSettings | None = None,
                drill_ids: Collection[str] | None = None, sync: bool = True) -> ReviewQueue:
    """Today's review queue.

    Due cards (reviewed before, due by the end of the study day) come first: cards whose
    last answer was a miss, then lowest retrievability — the cards the user is closest to
    forgetting — then by due time,
    lightly interleaved by topic. Then new cards up to what is left of the daily new limit:
    items the user has met (quizzes, drills) but never reviewed, oldest first, then bank
    questions never met, one topic at a time in turn.
    """
    now = as_utc(now or utcnow())
    settings = settings or ReviewSettings.load(store)
    if sync:
        sync_cards(store, bank, drill_ids=drill_ids)
    curve = retrievability_fn(settings.scheduler())
    parse = datetime.fromisoformat  # stored times are all UTC ISO strings (store.to_iso)
    questions = bank.questions
    ranked: list[tuple[bool, float, str, str, int]] = []
    for key, due, stability, last_review, state, step in store.conn.execute(
        "SELECT card_id, due, stability, last_review, state, json_extract(card, '$.step') "
        "FROM cards WHERE retired = 0 AND last_review IS NOT NULL AND due < ?",
        (to_iso(end_of_day(now)),)
    ):
        r = card_recall(curve, stability, (now - parse(last_review)).days, state, step)
        # Missed cards first (False sorts before True), then the closest to being forgotten.
        ranked.append((not is_missed(state, step), r, due, key, state))
    ranked.sort()
    due_items = []
    for _, r, due, key, state in ranked:
        kind, item_id = split_card_key(key)
        topic = _main_topic(questions.get(item_id)) if kind == "question" else None
        due_items.append(QueueItem(key, kind, item_id, topic, False, parse(due), r, state))

    done = new_done_on(store, study_day(now))
    budget = max(0, settings.new_per_day - done)
    met, unseen = _new_candidates(store, bank)
    # Round-robin only as far as today's budget reaches (the bank may hold thousands).
    chosen = round_robin(met, _topic_of)[:budget]
    if len(chosen) < budget:
        chosen += round_robin(unseen, _topic_of)[:budget - len(chosen)]
    return ReviewQueue(due=interleave(due_items), new=[_new_item(*pair) for pair in chosen],
                       new_held_back=max(0, len(met) + len(unseen) - budget),
                       new_done_today=done)


def streak_days(store: Store, now: datetime | None = None) -> int:
    """Consecutive study days with at least one review, ending today (or yesterday, when
    today has none yet: the streak is still alive until the day ends)."""
    today = study_day(as_utc(now or utcnow()))
    expected = today
    streak = 0
    for (text,) in store.conn.execute(
        "SELECT day FROM review_days WHERE reviews > 0 AND day <= ? ORDER BY day DESC",
        (today.isoformat(),)
    ):
        day = date.fromisoformat(text)
        if day == expected:
            streak += 1
        elif streak == 0 and day == today - timedelta(days=1):
            streak = 1
        else:
            break
        expected = day - timedelta(days=1)
    return streak


def count_new_available(store: Store, bank: Bank, now: datetime,
                        settings: ReviewSettings | None = None) -> int:
    """How many new cards today's queue would hold (what the daily limit still allows)."""
    settings = settings or ReviewSettings.load(store)
    budget = max(0, settings.new_per_day - new_done_on(store, study_day(now)))
    met, unseen = _new_candidates(store, bank)
    return min(budget, len(met) + len(unseen))


def summary(store: Store, bank: Bank, now: datetime | None = None, *,
            drill_ids: Collection[str] | None = None) -> ReviewSummary:
    """Counts for the home screen: cards due today, new cards today's limit still allows,
    and the current streak of study days. Syncs the cards first (see `sync_cards`)."""
    now = as_utc(now or utcnow())
    sync_cards(store, bank, drill_ids=drill_ids)
    return ReviewSummary(due_today=count_due(store, now),
                         new_available=count_new_available(store, bank, now),
                         streak_days=streak_days(store, now))


# --------------------------------------------------------------------------- rating


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


def load_card(store: Store, key: str, now: datetime | None = None) -> Card:
    """The fsrs card stored under `key`, or a fresh one (due now) if there is none yet."""
    row = store.conn.execute("SELECT card FROM cards WHERE card_id = ?", (key,)).fetchone()
    if row is None:
        return Card(card_id=fsrs_id(key), due=as_utc(now or utcnow()))
    return Card.from_json(row["card"])


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
                  duration_ms: int | None = None, scheduler: Scheduler | None = None
                  ) -> RatingRecord:
    """Store one rating in one transaction: the card's new state and its log row.

    The card row is created here for a bank question reviewed for the first time. The card
    is re-read inside the write transaction: if another quizapp rated it since `card_before`
    was loaded, the rating is recomputed with `scheduler` from the state it has now (without
    a scheduler, it is refused), so no rating is ever computed from a stale state.
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
            _insert_card(conn, key, reviewed_at)
        conn.execute(
            "UPDATE cards SET card = ?, due = ?, state = ?, stability = ?, last_review = ? "
            "WHERE card_id = ?",
            (after.to_json(), to_iso(after.due), int(after.state), after.stability,
             to_iso(after.last_review) if after.last_review else None, key),
        )
        cur = conn.execute(
            "INSERT INTO review_log (card_id, rating, reviewed_at, duration_ms, card_before, "
            "day, state_before) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, int(preview.rating), to_iso(reviewed_at), duration_ms, card_before.to_json(),
             study_day(reviewed_at).isoformat(), state_before),
        )
        log_id = int(cur.lastrowid)
    return RatingRecord(log_id, key, preview.rating, card_before, after, not exists)


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


# --------------------------------------------------------------------------- the session


class ReviewSession:
    """A run through today's queue (or a cram list): what to show next, rating, undo.

    Headless; the review screen drives it. In cram mode nothing is scheduled or logged: the
    cards are only practised, and one rated Again comes back at the end of the list.
    """

    def __init__(self, store: Store, items: Sequence[QueueItem], *,
                 settings: ReviewSettings | None = None, clock: Clock = utcnow,
                 cram: bool = False) -> None:
        self.store = store
        self.settings = settings or ReviewSettings.load(store)
        self.scheduler = self.settings.scheduler()
        self.clock = clock
        self.cram = cram
        self.pending: list[QueueItem] = list(items)
        #: Cards in learning steps that come back later today, with when they are due.
        self.learning: list[tuple[datetime, QueueItem]] = []
        self.history: list[tuple[QueueItem, RatingRecord | None, Rating]] = []
        self.current: QueueItem | None = None
        self.shown_at: datetime | None = None
        self.previews: dict[Rating, Preview] | None = None
        self._card: Card | None = None
        self.reviewed = 0
        self.counts = {rating: 0 for rating in RATINGS}
        self._current_from_learning = False

    # -- flow

    @property
    def remaining(self) -> int:
        """Cards still to show, learning cards that come back today included."""
        return len(self.pending) + len(self.learning) + (1 if self.current else 0)

    def left(self) -> tuple[int, int, int]:
        """Cards still to show today as (new, learning, due), the current one included."""
        new = sum(1 for item in self.pending if item.is_new)
        due = len(self.pending) - new
        learning = len(self.learning)
        if self.current is not None:
            if self.current.is_new:
                new += 1
            elif self._current_from_learning:
                learning += 1
            else:
                due += 1
        return new, learning, due

    def next_card(self) -> QueueItem | None:
        """Advance to the next card: a learning card that is due, else the next queued card,
        else the learning card due soonest (shown a little early rather than waiting)."""
        now = as_utc(self.clock())
        self.learning.sort(key=lambda t: t[0])
        item: QueueItem | None = None
        from_learning = False
        if self.learning and self.learning[0][0] <= now:
            item, from_learning = self.learning.pop(0)[1], True
        elif self.pending:
            item = self.pending.pop(0)
        elif self.learning:
            item, from_learning = self.learning.pop(0)[1], True
        self._current_from_learning = from_learning
        self.current = item
        self.shown_at = now if item else None
        self.previews = None
        self._card = None
        return item

    def reveal(self) -> dict[Rating, Preview] | None:
        """Compute the four previews for the current card (once); None in cram mode."""
        if self.current is None:
            raise QuizappError("no card to reveal")
        if self.cram:
            return None
        if self.previews is None:
            now = as_utc(self.clock())
            self._card = load_card(self.store, self.current.key, now)
            self.previews = preview_ratings(self.scheduler, self._card, now)
        return self.previews

    def rate(self, rating: Rating | int, *, duration_ms: int | None = None
             ) -> RatingRecord | None:
        """Commit `rating` for the current card (one transaction) and advance the session's
        bookkeeping; returns the record (None in cram mode). Call `next_card` afterwards.

        `duration_ms` is the time spent on the card (default: since `next_card`, by the
        session clock); UIs with a monotonic clock pass their own measure.
        """
        rating = Rating(int(rating))
        item = self.current
        if item is None:
            raise QuizappError("no card to rate")
        duration = duration_ms
        if duration is None and self.shown_at is not None:
            duration = max(0, int((as_utc(self.clock()) - self.shown_at).total_seconds() * 1000))
        record = None
        if self.cram:
            if rating == Rating.Again:
                self.pending.append(item)
        else:
            previews = self.reveal()
            assert previews is not None and self._card is not None
            preview = previews[rating]
            record = commit_rating(self.store, item.key, self._card, preview,
                                   duration_ms=duration, scheduler=self.scheduler)
            after = record.card_after  # recomputed if another session rated it meanwhile
            if after.due < end_of_day(preview.log.review_datetime):
                self.learning.append((after.due, replace(
                    item, is_new=False, state=int(after.state))))
        self.history.append((item, record, rating))
        self.reviewed += 1
        self.counts[rating] += 1
        self.current = None
        self.previews = None
        return record

    def can_undo(self) -> bool:
        """Whether there is a rating of this session to take back."""
        return bool(self.history)

    def undo(self) -> QueueItem:
        """Take back the session's last rating; that card becomes current again."""
        if not self.history:
            raise QuizappError("nothing to undo")
        item, record, rating = self.history.pop()
        if record is not None:
            undo_rating(self.store, record)
            # Drop the learning re-entry this rating queued, if it is still waiting.
            for i, (_, queued) in enumerate(self.learning):
                if queued.key == item.key:
                    del self.learning[i]
                    break
        elif rating == Rating.Again:
            # Cram: the card was sent to the back of the list; take it out again.
            for i in range(len(self.pending) - 1, -1, -1):
                if self.pending[i].key == item.key:
                    del self.pending[i]
                    break
        if self.current is not None:
            self.pending.insert(0, self.current)
        self.reviewed -= 1
        self.counts[rating] -= 1
        self.current = item
        self._current_from_learning = False
        self.shown_at = as_utc(self.clock())
        self.previews = None
        self._card = None
        return item


# --------------------------------------------------------------------------- drill cards


def begin_drill_review(drill_id: str, track: str = "torch") -> tuple[Path, Path | None]:
    """Put a blank starter in the drill's workspace file for a review from scratch.

    The user's previous solution is kept beside it as `<name>.before-review.py` (replacing
    an older such copy); returns (workspace file, where the old one went or None).
    """
    from quizapp.core import drills  # the grader's module; imported only for drill cards

    target = drills.workspace_file(drill_id, track)
    kept = None
    if target.exists():
        kept = target.with_name(target.stem + ".before-review.py")
        target.replace(kept)
    return drills.start_drill(drill_id, track, overwrite=True), kept


@dataclass(frozen=True)
class DrillOutcome:
    """What happened to a drill since its review card was shown."""

    runs: int                 # grades recorded
    passed: bool              # any of them passed
    runs_to_pass: int         # grades up to and including the first pass (0 if none)
    hints_used: int
    proposed: Rating


def drill_outcome(store: Store, drill_id: str, since: datetime) -> DrillOutcome:
    """The drill grades (and hints, from attempts) recorded since `since`, and the rating
    they propose: no pass → Again; a pass after hints or failed runs → Hard; else Good."""
    rows = store.conn.execute(
        "SELECT passed FROM drill_results WHERE drill_id = ? AND at >= ? ORDER BY at, id",
        (drill_id, to_iso(since))).fetchall()
    passes = [i for i, row in enumerate(rows) if row["passed"]]
    runs_to_pass = passes[0] + 1 if passes else 0
    hints = store.conn.execute(
        "SELECT coalesce(max(hints_used), 0) FROM attempts WHERE item_id = ? AND "
        "item_kind = 'drill' AND at >= ?", (drill_id, to_iso(since))).fetchone()[0]
    proposed = propose_drill_rating(bool(passes), hints_used=int(hints),
                                    runs=max(1, runs_to_pass))
    return DrillOutcome(len(rows), bool(passes), runs_to_pass, int(hints), proposed)


# --------------------------------------------------------------------------- cram


def cram_items(store: Store, bank: Bank, topic: str, now: datetime | None = None,
               ) -> list[QueueItem]:
    """Every question of `topic`, weakest first (lowest retrievability; never-reviewed ones
    after the reviewed, in bank order). For practice that leaves the schedule alone."""
    now = as_utc(now or utcnow())
    questions = bank.by_topic(topic)
    if not questions:
        raise UsageError(f"no questions on topic '{topic}'")
    curve = retrievability_fn(ReviewSettings.load(store).scheduler())
    marks = ",".join("?" * len(questions))
    rows = {row["card_id"]: row for row in store.conn.execute(
        f"SELECT card_id, due, stability, last_review FROM cards WHERE card_id IN ({marks})",
        [QUESTION_PREFIX + q.id for q in questions])}
    reviewed: list[QueueItem] = []
    fresh: list[QueueItem] = []
    for q in questions:
        key = QUESTION_PREFIX + q.id
        row = rows.get(key)
        if row is not None and row["last_review"] is not None and row["stability"]:
            r = curve(row["stability"], (now - from_iso(row["last_review"])).days)
            reviewed.append(QueueItem(key, "question", q.id, topic, False,
                                      from_iso(row["due"]), r))
        else:
            fresh.append(QueueItem(key, "question", q.id, topic, True, None, 0.0))
    reviewed.sort(key=lambda item: item.retrievability)
    return reviewed + fresh


# --------------------------------------------------------------------------- optimizer


@dataclass(frozen=True)
class OptimizerResult:
    """What running the optimizer did."""

    reviews_used: int
    parameters: tuple[float, ...]
    optimal_retention: float | None


def review_logs(store: Store) -> list[ReviewLog]:
    """The whole review log as fsrs ReviewLog objects (for the optimizer and rescheduling)."""
    return [ReviewLog(card_id=fsrs_id(row["card_id"]), rating=Rating(row["rating"]),
                      review_datetime=from_iso(row["reviewed_at"]),
                      review_duration=row["duration_ms"])
            for row in store.conn.execute(
                "SELECT card_id, rating, reviewed_at, duration_ms FROM review_log "
                "ORDER BY reviewed_at, id")]


def count_optimizer_reviews(store: Store) -> int:
    """Reviews the optimizer learns from: those on a later UTC day than the same card's
    previous review (fsrs skips same-day repeats), as fsrs counts them."""
    count = 0
    last: dict[str, datetime] = {}
    for row in store.conn.execute(
        "SELECT card_id, reviewed_at FROM review_log ORDER BY card_id, reviewed_at"
    ):
        at = from_iso(row["reviewed_at"])
        prev = last.get(row["card_id"])
        if prev is not None and (at - prev).days > 0:
            count += 1
        last[row["card_id"]] = at
    return count


def load_optimizer() -> type:
    """The fsrs Optimizer class; a clear QuizappError when the optional extra is missing."""
    hint = ('the FSRS optimizer needs the optional extra: pip install "fsrs[optimizer]" '
            "(it adds pandas and tqdm; torch is already installed)")
    try:
        import pandas  # noqa: F401 - fsrs's optimizer module imports it; probe without side effects
        import tqdm  # noqa: F401
        from fsrs.optimizer import Optimizer
    except ImportError:
        raise QuizappError(hint) from None
    try:
        Optimizer([])
    except ImportError:
        raise QuizappError(hint) from None
    except Exception:  # an empty log may be rejected in other ways; the class is there
        pass
    return Optimizer


def optimize(store: Store, *, optimizer_cls: type | None = None, apply: bool = True,
             clock: Clock = utcnow) -> OptimizerResult:
    """Fit FSRS parameters to the user's own review log and (with `apply`) save them.

    Needs OPTIMIZER_MIN_REVIEWS reviews on a later day than the card's previous review;
    raises a QuizappError saying how many are still missing. Existing cards keep their due
    dates; the new parameters schedule every rating from now on. Also asks fsrs for the
    retention that minimises workload when every review has a duration.
    """
    usable = count_optimizer_reviews(store)
    if usable < OPTIMIZER_MIN_REVIEWS:
        raise QuizappError(
            f"the optimizer needs {OPTIMIZER_MIN_REVIEWS} reviews made on a later day than the "
            f"card's previous review; you have {usable} "
            f"({OPTIMIZER_MIN_REVIEWS - usable} to go)")
    cls = optimizer_cls or load_optimizer()
    logs = review_logs(store)
    optimizer = cls(logs)
    parameters = tuple(float(p) for p in optimizer.compute_optimal_parameters())
    retention = None
    if all(log.review_duration is not None for log in logs):
        try:
            retention = float(optimizer.compute_optimal_retention(list(parameters)))
        except Exception:  # optional advice; a failure must not lose the parameters
            retention = None
    if apply:
        settings = replace(ReviewSettings.load(store), parameters=parameters)
        settings.save(store)
        store.set_setting("review.optimized_at", to_iso(as_utc(clock())))
        store.set_setting("review.optimized_reviews", usable)
    return OptimizerResult(usable, parameters, retention)
