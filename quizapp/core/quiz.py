"""Quiz sessions without a UI: which questions a session asks, and what its summary says.

- `QuizSpec` is what the user chose (topics, kinds, difficulties, length); `choose` picks the
  questions: unseen and previously failed ones first, spread over topics, easier first.
- `surprise` ignores filters and leans toward what the user has never seen or got wrong,
  spread over every domain.
- `mock_interview` builds a timed interview: auto-graded kinds only (feedback comes at the end,
  so nothing can be self-graded along the way), difficulty ramping up, one question per domain
  before any domain repeats.
- `summarize` turns a session's answers into the end-of-session summary: score by topic and
  the questions to review.
- `domain_progress` is the home screen's "progress per domain".

Pure functions over the bank and the store's attempts: no Textual, no I/O, deterministic for a
given `random.Random`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from quizapp.core.bank import KINDS, Bank, Question, Taxonomy
from quizapp.core.store import Attempt

#: Kinds graded without the user's judgement (a mock interview uses only these).
AUTO_GRADED = tuple(k for k in KINDS if k != "short")
DEFAULT_LENGTH = 10
MAX_LENGTH = 200


@dataclass(frozen=True)
class QuizSpec:
    """What a quiz session asks about; an empty set means "any"."""

    topics: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    difficulties: frozenset[int] = frozenset()
    length: int = DEFAULT_LENGTH

    def accepts(self, question: Question) -> bool:
        """Whether `question` fits the filters (any of its topics counts)."""
        return ((not self.topics or bool(self.topics.intersection(question.topics)))
                and (not self.kinds or question.kind in self.kinds)
                and (not self.difficulties or question.difficulty in self.difficulties))


@dataclass(frozen=True)
class ItemHistory:
    """What the user did with one question before."""

    attempts: int
    last_passed: bool
    last_at: datetime


def history_from_attempts(attempts: Iterable[Attempt]) -> dict[str, ItemHistory]:
    """Per question id, its attempt count and latest outcome (attempts oldest first)."""
    history: dict[str, ItemHistory] = {}
    for attempt in attempts:
        if attempt.item_kind != "question":
            continue
        before = history.get(attempt.item_id)
        history[attempt.item_id] = ItemHistory(
            attempts=(before.attempts if before else 0) + 1,
            last_passed=attempt.passed, last_at=attempt.at)
    return history


def topics_of(taxonomy: Taxonomy, *, domains: Iterable[str] = (),
              topics: Iterable[str] = ()) -> frozenset[str]:
    """The topic ids of the chosen domains (by name) together with the chosen topics."""
    chosen = set(topics)
    for domain in domains:
        chosen.update(t.id for t in taxonomy.domains.get(domain, []))
    return frozenset(chosen)


def resolve_topic(taxonomy: Taxonomy, name: str) -> frozenset[str]:
    """The topic ids a user's `--topic` names: a topic id or code (`E02`), or a domain's code
    (`E`) or name. Raises KeyError (with a suggestion) when nothing matches."""
    if name in taxonomy.topics:
        return frozenset({name})
    wanted = name.strip().casefold()
    for topic in taxonomy.topics.values():
        if topic.code.casefold() == wanted:
            return frozenset({topic.id})
    for domain, members in taxonomy.domains.items():
        codes = {t.code.rstrip("0123456789").casefold() for t in members}
        if wanted == domain.casefold() or (len(codes) == 1 and wanted in codes):
            return frozenset(t.id for t in members)
    import difflib

    close = difflib.get_close_matches(name, list(taxonomy.topics), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise KeyError(f"unknown topic '{name}'{hint}")


def _priority(question: Question, history: Mapping[str, ItemHistory]) -> int:
    """0: never seen, 1: last answer wrong, 2: last answer right (ask those last)."""
    seen = history.get(question.id)
    if seen is None:
        return 0
    return 2 if seen.last_passed else 1


def _spread(questions: Sequence[Question], rng: random.Random) -> list[Question]:
    """Interleave `questions` round-robin over their main topic, keeping the order within each
    topic, so that one big topic does not fill a short session."""
    groups: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        groups[q.topics[0]].append(q)
    names = list(groups)
    rng.shuffle(names)
    out: list[Question] = []
    while any(groups.values()):
        for name in names:
            if groups[name]:
                out.append(groups[name].pop(0))
    return out


def _ranked(pool: Iterable[Question], history: Mapping[str, ItemHistory],
            rng: random.Random) -> list[Question]:
    """`pool` shuffled, then stably sorted by priority (unseen, failed, passed)."""
    items = list(pool)
    rng.shuffle(items)
    items.sort(key=lambda q: (_priority(q, history),
                              history[q.id].last_at.timestamp() if q.id in history else 0.0))
    return items


def choose(bank: Bank, spec: QuizSpec, rng: random.Random,
           history: Mapping[str, ItemHistory] | None = None) -> list[Question]:
    """Up to `spec.length` questions fitting `spec`: unseen, then previously failed, then the
    least recently passed; spread over topics; asked easier first."""
    history = history or {}
    pool = [q for q in bank.questions.values() if spec.accepts(q)]
    ranked = _ranked(pool, history, rng)
    picked: list[Question] = []
    for tier in (0, 1, 2):
        tier_items = [q for q in ranked if _priority(q, history) == tier]
        picked.extend(_spread(tier_items, rng))
        if len(picked) >= spec.length:
            break
    picked = picked[:max(0, spec.length)]
    # A stable sort keeps the topic spread within each difficulty.
    return sorted(picked, key=lambda q: q.difficulty)


def surprise(bank: Bank, taxonomy: Taxonomy, rng: random.Random,
             history: Mapping[str, ItemHistory] | None = None,
             length: int = DEFAULT_LENGTH) -> list[Question]:
    """A mixed session over the whole bank: one question per domain in turn, each the most
    useful of its domain (unseen or failed first), in random order."""
    history = history or {}
    by_domain: dict[str, list[Question]] = defaultdict(list)
    for q in _ranked(bank.questions.values(), history, rng):
        topic = taxonomy.topics.get(q.topics[0])
        by_domain[topic.domain if topic else ""].append(q)
    domains = list(by_domain)
    rng.shuffle(domains)
    picked: list[Question] = []
    while len(picked) < length and any(by_domain.values()):
        for domain in domains:
            if by_domain[domain] and len(picked) < length:
                picked.append(by_domain[domain].pop(0))
    rng.shuffle(picked)
    return picked


def mock_interview(bank: Bank, taxonomy: Taxonomy, rng: random.Random,
                   history: Mapping[str, ItemHistory] | None = None,
                   length: int = DEFAULT_LENGTH,
                   topics: frozenset[str] = frozenset()) -> list[Question]:
    """A mock interview: auto-graded questions of difficulty ≥ 2 (if there are enough) from as
    many domains as possible, ordered from easier to harder."""
    spec = QuizSpec(topics=topics, kinds=frozenset(AUTO_GRADED))
    pool = [q for q in bank.questions.values() if spec.accepts(q)]
    harder = [q for q in pool if q.difficulty >= 2]
    if len(harder) >= length:
        pool = harder
    sub_bank = Bank(questions={q.id: q for q in pool})
    picked = surprise(sub_bank, taxonomy, rng, history, length)
    return sorted(picked, key=lambda q: q.difficulty)


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class AnswerRecord:
    """One answered question of a session."""

    question: Question
    score: float
    passed: bool


@dataclass(frozen=True)
class TopicScore:
    """A topic's line of the summary."""

    topic: str
    answered: int
    passed: int
    score: float  # mean score over the asked questions in [0, 1]; unanswered ones count 0
    asked: int = 0


@dataclass(frozen=True)
class SessionSummary:
    """The end-of-session summary."""

    asked: int
    answered: int
    passed: int
    score: float  # mean over asked questions; unanswered ones count 0
    by_topic: tuple[TopicScore, ...]
    #: Questions answered wrongly or left unanswered, in session order.
    to_review: tuple[Question, ...] = field(default_factory=tuple)


def summarize(asked: Sequence[Question], answers: Sequence[AnswerRecord]) -> SessionSummary:
    """Score by main topic (weakest first; every asked topic, unanswered questions count 0)
    and the questions to review."""
    by_id = {a.question.id: a for a in answers}
    # Every asked question's main topic has a row, answered or not.
    per_topic: dict[str, list[Question]] = defaultdict(list)
    for question in asked:
        per_topic[question.topics[0]].append(question)
    rows = []
    for topic, questions in per_topic.items():
        records = [by_id[q.id] for q in questions if q.id in by_id]
        rows.append(TopicScore(topic, len(records), sum(a.passed for a in records),
                               sum(a.score for a in records) / len(questions), len(questions)))
    by_topic = tuple(sorted(rows, key=lambda t: (t.score, t.topic)))
    to_review = tuple(q for q in asked if q.id not in by_id or not by_id[q.id].passed)
    total = sum(a.score for a in answers)
    return SessionSummary(asked=len(asked), answered=len(answers),
                          passed=sum(a.passed for a in answers),
                          score=total / len(asked) if asked else 0.0,
                          by_topic=by_topic, to_review=to_review)


# --------------------------------------------------------------------------- home progress


@dataclass(frozen=True)
class DomainProgress:
    """How far the user is in one domain: questions seen, and those whose latest answer passed."""

    domain: str
    total: int
    seen: int
    mastered: int


def questions_in(bank: Bank, topic_ids: Iterable[str]) -> list[Question]:
    """The questions a quiz on `topic_ids` can ask: those listing any of them (each once).

    The one definition of "a topic's / a domain's questions": home, the quiz setup, the
    command palette and the stats all count with it, so their numbers agree.
    """
    wanted = frozenset(topic_ids)
    return [q for q in bank.questions.values() if wanted.intersection(q.topics)]


def domain_progress(bank: Bank, taxonomy: Taxonomy,
                    history: Mapping[str, ItemHistory]) -> list[DomainProgress]:
    """Per domain of the taxonomy (in its order), over `questions_in` the domain's topics."""
    out = []
    for domain, topics in taxonomy.domains.items():
        questions = questions_in(bank, (t.id for t in topics))
        seen = [q for q in questions if q.id in history]
        out.append(DomainProgress(domain, len(questions), len(seen),
                                  sum(history[q.id].last_passed for q in seen)))
    return out


def weak_topics(bank: Bank, history: Mapping[str, ItemHistory]) -> list[tuple[str, int]]:
    """(topic id, questions whose latest answer was wrong) by main topic, most first."""
    wrong: dict[str, int] = defaultdict(int)
    for qid, item in history.items():
        question = bank.questions.get(qid)
        if question is not None and not item.last_passed:
            wrong[question.topics[0]] += 1
    return sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))
