"""Today's review queue: due cards (missed first, then the weakest), new cards within the
daily limit, topic interleaving; the home screen's summary; cram lists.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from quizapp.core.bank import Bank, Question
from quizapp.core.errors import UsageError
from quizapp.core.review.cards import sync_cards
from quizapp.core.review.days import as_utc, end_of_day, study_day
from quizapp.core.review.interview import InterviewPlan, interview_plan
from quizapp.core.review.keys import QUESTION_PREFIX, split_card_key
from quizapp.core.review.settings import ReviewSettings, card_recall, is_missed, retrievability_fn
from quizapp.core.store import Store, from_iso, to_iso, utcnow

T = TypeVar("T")


@dataclass(frozen=True)
class QueueItem:
    """One card to review today."""

    key: str
    kind: str                  # "question" | "drill" | "mistake"
    item_id: str
    topic: str | None          # the main topic (questions), for interleaving and cram
    is_new: bool
    due: datetime | None       # None for a bank question that has no card yet
    retrievability: float      # now; 0 for new cards
    #: The fsrs State of a reviewed card (1 learning, 2 review, 3 relearning); None if new.
    state: int | None = None
    #: Times the card lapsed (see `review.leeches`).
    lapses: int = 0
    #: Added by the interview-date mode (not due yet, but to review before the date).
    interview: bool = False


@dataclass
class ReviewQueue:
    """Today's queue: cards due by the end of the study day, then the interview-date mode's
    extra cards, then new cards."""

    due: list[QueueItem] = field(default_factory=list)
    new: list[QueueItem] = field(default_factory=list)
    #: Not due, but today's share of the cards to review before the interview date.
    interview: list[QueueItem] = field(default_factory=list)
    #: Never-reviewed cards (met or from the bank) beyond today's new-card limit.
    new_held_back: int = 0
    #: New cards already introduced today (counted against the limit).
    new_done_today: int = 0

    @property
    def items(self) -> list[QueueItem]:
        """Due cards first, then the interview extras, then new cards."""
        return self.due + self.interview + self.new


@dataclass(frozen=True)
class ReviewSummary:
    """What the home screen shows about today's reviews."""

    due_today: int
    new_available: int
    streak_days: int
    #: The interview-date mode's plan for today; None when no date is set or it has passed.
    interview: InterviewPlan | None = None


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
        "SELECT count(*) FROM cards WHERE retired = 0 AND last_review IS NOT NULL AND due < ? "
        "AND suspended = 0",
        (to_iso(end_of_day(now)),)).fetchone()
    return int(row[0])


def _new_candidates(store: Store, bank: Bank) -> tuple[list[tuple[str, str | None]],
                                                       list[tuple[str, str | None]]]:
    """(met, unseen): never-reviewed live cards that are not suspended, oldest first, and
    bank questions without a card, in bank order; each as (card key, main topic)."""
    met: list[tuple[str, str | None]] = []
    has_card: set[str] = set()
    questions = bank.questions
    for key, fresh in store.conn.execute(
        "SELECT card_id, last_review IS NULL AND suspended = 0 FROM cards WHERE retired = 0 "
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
    lightly interleaved by topic. Then, with an interview date set, today's share of the
    cards to review before it (see `review.interview`), weakest first. Then new cards up to
    what is left of the daily new limit: items the user has met (quizzes, drills) but never
    reviewed, oldest first, then bank questions never met, one topic at a time in turn.
    Suspended cards never enter it.
    """
    now = as_utc(now or utcnow())
    settings = settings or ReviewSettings.load(store)
    if sync:
        sync_cards(store, bank, drill_ids=drill_ids)
    curve = retrievability_fn(settings.scheduler())
    parse = datetime.fromisoformat  # stored times are all UTC ISO strings (store.to_iso)
    questions = bank.questions
    ranked: list[tuple[bool, float, str, str, int, int]] = []
    for key, due, stability, last_review, state, step, lapses in store.conn.execute(
        "SELECT card_id, due, stability, last_review, state, json_extract(card, '$.step'), "
        "lapses FROM cards WHERE retired = 0 AND last_review IS NOT NULL AND due < ? "
        "AND suspended = 0",
        (to_iso(end_of_day(now)),)
    ):
        r = card_recall(curve, stability, (now - parse(last_review)).days, state, step)
        # Missed cards first (False sorts before True), then the closest to being forgotten.
        ranked.append((not is_missed(state, step), r, due, key, state, lapses))
    ranked.sort()
    due_items = []
    for _, r, due, key, state, lapses in ranked:
        kind, item_id = split_card_key(key)
        topic = _main_topic(questions.get(item_id)) if kind == "question" else None
        due_items.append(QueueItem(key, kind, item_id, topic, False, parse(due), r, state,
                                   lapses))
    plan = interview_plan(store, now, settings=settings)
    extra = _interview_items(store, plan, questions, curve, now) if plan else []

    done = new_done_on(store, study_day(now))
    budget = max(0, settings.new_per_day - done)
    met, unseen = _new_candidates(store, bank)
    # Round-robin only as far as today's budget reaches (the bank may hold thousands).
    chosen = round_robin(met, _topic_of)[:budget]
    if len(chosen) < budget:
        chosen += round_robin(unseen, _topic_of)[:budget - len(chosen)]
    return ReviewQueue(due=interleave(due_items), new=[_new_item(*pair) for pair in chosen],
                       new_held_back=max(0, len(met) + len(unseen) - budget),
                       new_done_today=done, interview=extra)


def _interview_items(store: Store, plan: InterviewPlan, questions: Mapping[str, Question],
                     curve: Callable[[float, int], float], now: datetime) -> list[QueueItem]:
    """The plan's extra cards as queue items, in the plan's order (weakest first)."""
    if not plan.extra_keys:
        return []
    marks = ",".join("?" * len(plan.extra_keys))
    rows = {row[0]: row for row in store.conn.execute(
        "SELECT card_id, due, stability, last_review, state, json_extract(card, '$.step'), "
        f"lapses FROM cards WHERE card_id IN ({marks})", plan.extra_keys)}
    out = []
    for key in plan.extra_keys:
        _, due, stability, last_review, state, step, lapses = rows[key]
        r = card_recall(curve, stability, (now - from_iso(last_review)).days, state, step)
        kind, item_id = split_card_key(key)
        topic = _main_topic(questions.get(item_id)) if kind == "question" else None
        out.append(QueueItem(key, kind, item_id, topic, False, from_iso(due), r, state,
                             lapses, interview=True))
    return out


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
                         streak_days=streak_days(store, now),
                         interview=interview_plan(store, now))


def cram_items(store: Store, bank: Bank, topic: str, now: datetime | None = None,
               ) -> list[QueueItem]:
    """Every question of `topic` but the suspended ones, weakest first (lowest
    retrievability; never-reviewed ones after the reviewed, in bank order). For practice
    that leaves the schedule alone."""
    now = as_utc(now or utcnow())
    questions = bank.by_topic(topic)
    if not questions:
        raise UsageError(f"no questions on topic '{topic}'")
    curve = retrievability_fn(ReviewSettings.load(store).scheduler())
    marks = ",".join("?" * len(questions))
    rows = {row["card_id"]: row for row in store.conn.execute(
        f"SELECT card_id, due, stability, last_review, suspended FROM cards "
        f"WHERE card_id IN ({marks})",
        [QUESTION_PREFIX + q.id for q in questions])}
    reviewed: list[QueueItem] = []
    fresh: list[QueueItem] = []
    for q in questions:
        key = QUESTION_PREFIX + q.id
        row = rows.get(key)
        if row is not None and row["suspended"]:
            continue
        if row is not None and row["last_review"] is not None and row["stability"]:
            r = curve(row["stability"], (now - from_iso(row["last_review"])).days)
            reviewed.append(QueueItem(key, "question", q.id, topic, False,
                                      from_iso(row["due"]), r))
        else:
            fresh.append(QueueItem(key, "question", q.id, topic, True, None, 0.0))
    reviewed.sort(key=lambda item: item.retrievability)
    return reviewed + fresh
