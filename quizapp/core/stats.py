"""Review and mastery statistics: what the stats screen draws and `quizapp stats --json` prints.

Owns the numbers, not their drawing: mastery per domain and topic (mean retrievability now),
accuracy per day, the calendar of reviews, the 30-day forecast of due cards, and the best
drill results. Nothing here scans the review log: per-day totals live in `review_days`, which
SQL triggers keep exact on every insert, undo and import, and card numbers come from the
cards' mirrored due/stability columns — so the cost grows with the number of cards and of
days shown, not with the length of the log.

Never imports textual.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from quizapp.core.bank import Bank, Taxonomy
from quizapp.core.review import (
    DEFAULT_LEECH_THRESHOLD,
    DRILL_PREFIX,
    QUESTION_PREFIX,
    ReviewSettings,
    as_utc,
    card_recall,
    count_due,
    count_new_available,
    day_start,
    retrievability_fn,
    split_card_key,
    streak_days,
    study_day,
)
from quizapp.core.store import Store, from_iso, to_iso, utcnow

#: Days of the calendar heatmap (a year, like Anki's), of the accuracy chart, of the forecast.
HEATMAP_DAYS = 365
ACCURACY_DAYS = 90
FORECAST_DAYS = 30


@dataclass(frozen=True)
class Mastery:
    """How well one topic or domain is known now."""

    id: str
    name: str
    zh: str
    domain: str
    #: Mean retrievability over every question of the topic (never-reviewed ones count 0).
    mastery: float
    #: Mean retrievability over the reviewed questions only (None when none is reviewed).
    retention: float | None
    reviewed: int
    total: int


@dataclass(frozen=True)
class DayCount:
    """Reviews on one study day."""

    day: date
    reviews: int
    correct: int          # rated Hard, Good or Easy
    recall: int           # reviews of cards in the Review state (a real test of memory)
    recall_correct: int

    @property
    def accuracy(self) -> float | None:
        """Share of the day's reviews not rated Again."""
        return self.correct / self.reviews if self.reviews else None


@dataclass(frozen=True)
class DrillStats:
    """A drill's grading history and its review card."""

    drill_id: str
    attempts: int
    passes: int
    best_ms: float | None      # fastest passing run (user time, ms)
    best_ratio: float | None   # best passing speed ratio against the reference
    last_at: datetime | None
    retrievability: float | None
    due: datetime | None


@dataclass(frozen=True)
class LeechStats:
    """A card the user keeps forgetting (see `review.leeches`)."""

    key: str
    kind: str
    item_id: str
    lapses: int
    suspended: bool


@dataclass
class Stats:
    """Everything the stats screen shows, computed at one moment."""

    now: datetime
    today: date
    cards: dict[str, int]
    due_today: int
    new_available: int
    reviewed_today: int
    time_today_ms: int
    streak_days: int
    total_reviews: int
    #: Share of Review-state reviews passed in the last 30 days, against the target below.
    true_retention_30d: float | None
    desired_retention: float
    domains: list[Mastery]
    topics: list[Mastery]
    #: One entry per day of the last ACCURACY_DAYS days, oldest first (empty days included).
    accuracy: list[DayCount]
    #: Reviews per day over the last HEATMAP_DAYS days, oldest first (dense).
    heatmap: list[tuple[date, int]]
    #: Cards due on each of the next FORECAST_DAYS study days; [0] includes overdue cards.
    forecast: list[int]
    drills: list[DrillStats] = field(default_factory=list)
    #: Leeches (lapses ≥ leech_threshold), most lapses first, at most MAX_LEECHES.
    leeches: list[LeechStats] = field(default_factory=list)
    leech_threshold: int = DEFAULT_LEECH_THRESHOLD

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the `quizapp stats --json` shape)."""

        def mastery(m: Mastery) -> dict[str, Any]:
            out = asdict(m)
            out["mastery"] = round(m.mastery, 4)
            out["retention"] = None if m.retention is None else round(m.retention, 4)
            return out

        return {
            "generated_at": to_iso(self.now),
            "study_day": self.today.isoformat(),
            "cards": self.cards,
            "today": {"due": self.due_today, "new_available": self.new_available,
                      "reviewed": self.reviewed_today, "time_ms": self.time_today_ms},
            "streak_days": self.streak_days,
            "reviews": {
                "total": self.total_reviews,
                "true_retention_30d": None if self.true_retention_30d is None
                else round(self.true_retention_30d, 4),
                "desired_retention": self.desired_retention,
            },
            "mastery": {"domains": [mastery(m) for m in self.domains],
                        "topics": [mastery(m) for m in self.topics]},
            "accuracy": [{"day": d.day.isoformat(), "reviews": d.reviews, "correct": d.correct}
                         for d in self.accuracy if d.reviews],
            "heatmap": {"from": self.heatmap[0][0].isoformat() if self.heatmap else None,
                        "to": self.today.isoformat(),
                        "counts": {d.isoformat(): n for d, n in self.heatmap if n}},
            "forecast": [{"day": (self.today + timedelta(days=i)).isoformat(), "due": n}
                         for i, n in enumerate(self.forecast)],
            "drills": [{"drill": d.drill_id, "attempts": d.attempts, "passes": d.passes,
                        "best_ms": d.best_ms, "best_ratio": d.best_ratio,
                        "last_at": to_iso(d.last_at) if d.last_at else None,
                        "retrievability": None if d.retrievability is None
                        else round(d.retrievability, 4),
                        "due": to_iso(d.due) if d.due else None}
                       for d in self.drills],
            "leeches": {"threshold": self.leech_threshold,
                        "cards": [{"card": c.key, "kind": c.kind, "lapses": c.lapses,
                                   "suspended": c.suspended} for c in self.leeches]},
        }


def compute_stats(store: Store, bank: Bank, taxonomy: Taxonomy, now: datetime | None = None,
                  *, leech_threshold: int = DEFAULT_LEECH_THRESHOLD) -> Stats:
    """All statistics at `now` (default: the current time); cards with `leech_threshold`
    lapses or more are listed as leeches (0: none)."""
    now = as_utc(now or utcnow())
    settings = ReviewSettings.load(store)
    curve = retrievability_fn(settings.scheduler())
    today = study_day(now)
    conn = store.conn

    # Retrievability of every reviewed, live card, from the mirrored columns.
    parse = datetime.fromisoformat  # stored times are all UTC ISO strings (store.to_iso)
    recall: dict[str, float] = {}
    card_due: dict[str, datetime] = {}
    for key, stability, last_review, due, state, step in conn.execute(
        "SELECT card_id, stability, last_review, due, state, json_extract(card, '$.step') "
        "FROM cards WHERE retired = 0 AND last_review IS NOT NULL"
    ):
        recall[key] = card_recall(curve, stability, (now - parse(last_review)).days, state,
                                  step)
        if key.startswith(DRILL_PREFIX):
            card_due[key] = parse(due)

    topics, domains = _mastery(bank, taxonomy, recall)

    cards = {"total": 0, "new": 0, "learning": 0, "review": 0, "relearning": 0, "retired": 0,
             "suspended": 0}
    names = {1: "learning", 2: "review", 3: "relearning"}
    for retired, fresh, state, suspended, n in conn.execute(
        "SELECT retired, last_review IS NULL, state, suspended, count(*) FROM cards "
        "GROUP BY 1, 2, 3, 4"
    ):
        cards["total"] += n
        if suspended and not retired:
            cards["suspended"] += n
        if retired:
            cards["retired"] += n
        elif fresh:
            cards["new"] += n
        else:
            cards[names.get(state, "learning")] += n

    # Per-day totals come from review_days, which triggers keep in step with the log.
    days = _day_counts(store, today - timedelta(days=HEATMAP_DAYS - 1), today)
    accuracy = days[-ACCURACY_DAYS:]
    heatmap = [(d.day, d.reviews) for d in days]
    last30 = accuracy[-30:]
    recall_n = sum(d.recall for d in last30)
    true_retention = sum(d.recall_correct for d in last30) / recall_n if recall_n else None
    row = conn.execute("SELECT reviews, duration_ms FROM review_days WHERE day = ?",
                       (today.isoformat(),)).fetchone()
    reviewed_today, time_today = (int(row[0]), int(row[1])) if row else (0, 0)
    total_reviews = conn.execute("SELECT coalesce(sum(reviews), 0) FROM review_days"
                                 ).fetchone()[0]

    return Stats(
        now=now, today=today, cards=cards, due_today=count_due(store, now),
        new_available=count_new_available(store, bank, now, settings),
        reviewed_today=reviewed_today,
        time_today_ms=time_today, streak_days=streak_days(store, now),
        total_reviews=int(total_reviews),
        true_retention_30d=true_retention, desired_retention=settings.desired_retention,
        domains=domains, topics=topics, accuracy=accuracy, heatmap=heatmap,
        forecast=forecast(store, now), drills=_drills(store, recall, card_due),
        leeches=_leeches(store, leech_threshold),
        leech_threshold=leech_threshold,
    )


def _mastery(bank: Bank, taxonomy: Taxonomy, recall: dict[str, float]
             ) -> tuple[list[Mastery], list[Mastery]]:
    """Per topic and per domain, in taxonomy order; topics with no questions are left out."""
    per_topic: dict[str, list[float | None]] = {}
    per_domain: dict[str, list[float | None]] = {}
    for qid, question in bank.questions.items():
        r = recall.get(QUESTION_PREFIX + qid)
        seen_domains = set()
        for topic_id in question.topics:
            per_topic.setdefault(topic_id, []).append(r)
            topic = taxonomy.topics.get(topic_id)
            if topic is not None and topic.domain not in seen_domains:
                seen_domains.add(topic.domain)
                per_domain.setdefault(topic.domain, []).append(r)

    def make(id_: str, name: str, zh: str, domain: str, values: list[float | None]) -> Mastery:
        known = [v for v in values if v is not None]
        return Mastery(id=id_, name=name, zh=zh, domain=domain,
                       mastery=sum(known) / len(values),
                       retention=sum(known) / len(known) if known else None,
                       reviewed=len(known), total=len(values))

    topics = [make(t.id, t.name, t.zh, t.domain, per_topic[t.id])
              for t in taxonomy.topics.values() if t.id in per_topic]
    domains = []
    for name, members in taxonomy.domains.items():
        if name in per_domain:
            domains.append(make(name, name, members[0].domain_zh, name, per_domain[name]))
    return topics, domains


#: Leeches listed at most (the most lapses first); stats stay fast with thousands of them.
MAX_LEECHES = 50


def _leeches(store: Store, threshold: int) -> list[LeechStats]:
    """The live cards with at least `threshold` lapses (none when 0), most lapses first."""
    if threshold <= 0:
        return []
    out = []
    for key, lapses, suspended in store.conn.execute(
        "SELECT card_id, lapses, suspended FROM cards WHERE retired = 0 AND lapses >= ? "
        "ORDER BY lapses DESC, card_id LIMIT ?", (threshold, MAX_LEECHES)
    ):
        kind, item_id = split_card_key(key)
        out.append(LeechStats(key, kind, item_id, int(lapses), bool(suspended)))
    return out


def _day_counts(store: Store, first: date, last: date) -> list[DayCount]:
    """Per study day from `first` to `last` inclusive, empty days included."""
    found = {}
    for day, n, correct, recall_n, recall_ok in store.conn.execute(
        "SELECT day, reviews, correct, recall, recall_correct FROM review_days "
        "WHERE day BETWEEN ? AND ?", (first.isoformat(), last.isoformat())
    ):
        found[day] = (n, correct, recall_n, recall_ok)
    out = []
    day = first
    while day <= last:
        n, correct, recall_n, recall_ok = found.get(day.isoformat(), (0, 0, 0, 0))
        out.append(DayCount(day, n, correct, recall_n, recall_ok))
        day += timedelta(days=1)
    return out


def forecast(store: Store, now: datetime | None = None, days: int = FORECAST_DAYS) -> list[int]:
    """Reviewed cards due on each of the next `days` study days; overdue ones count today."""
    now = as_utc(now or utcnow())
    today = study_day(now)
    # Boundaries as stored ISO strings: every stored time is UTC in one format, so string
    # order is time order and bucketing needs no parsing.
    bounds = [to_iso(day_start(today + timedelta(days=i), now)) for i in range(1, days + 1)]
    counts = [0] * days
    for (due,) in store.conn.execute(
        "SELECT due FROM cards WHERE retired = 0 AND last_review IS NOT NULL AND due < ? "
        "AND suspended = 0",
        (bounds[-1],)
    ):
        counts[bisect.bisect_right(bounds, due)] += 1
    return counts


def _drills(store: Store, recall: dict[str, float], card_due: dict[str, datetime]
            ) -> list[DrillStats]:
    out = []
    for row in store.conn.execute(
        "SELECT drill_id, count(*) AS n, sum(passed) AS passes, "
        "min(CASE WHEN passed THEN user_ms END) AS best_ms, "
        "min(CASE WHEN passed THEN ratio END) AS best_ratio, max(at) AS last_at "
        "FROM drill_results GROUP BY drill_id ORDER BY drill_id"
    ):
        key = DRILL_PREFIX + row["drill_id"]
        out.append(DrillStats(row["drill_id"], row["n"], row["passes"] or 0, row["best_ms"],
                              row["best_ratio"],
                              from_iso(row["last_at"]) if row["last_at"] else None,
                              recall.get(key), card_due.get(key)))
    return out
