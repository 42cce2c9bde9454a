"""Leeches: cards the user keeps forgetting. As in Anki, a card whose lapses reach a threshold
(8 by default; `[review] leech_threshold` in config.toml) is a leech. Reviewing it again the
same way rarely helps, so the review screen marks it and offers a remedy: the related drill,
easier questions of its topic, or a hint; and the user may suspend it.

A lapse is an Again on a card in the Review state, or a known mistake made again (see
`review.mistakes`); the store counts them per card (`cards.lapses`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quizapp.core.bank import Bank, Question, Text
from quizapp.core.review.cards import CardInfo, find_cards
from quizapp.core.review.keys import split_card_key, split_mistake
from quizapp.core.store import Store

#: Anki's default leech threshold.
DEFAULT_LEECH_THRESHOLD = 8
#: Easier questions a remedy names at most.
MAX_EASIER = 3


def is_leech(lapses: int, threshold: int = DEFAULT_LEECH_THRESHOLD) -> bool:
    """Whether a card with `lapses` lapses is a leech."""
    return threshold > 0 and lapses >= threshold


def leeches(store: Store, threshold: int = DEFAULT_LEECH_THRESHOLD, bank: Bank | None = None,
            ) -> list[CardInfo]:
    """Every live card that is a leech (suspended ones included), most lapses first."""
    if threshold <= 0:
        return []
    cards = find_cards(store, bank, leeches_at=threshold)
    return sorted(cards, key=lambda c: (-c.lapses, c.key))


@dataclass(frozen=True)
class Remedy:
    """What to do about a leech instead of failing it a ninth time."""

    #: A drill to practise (the mistake's drill, or one on the question's topic).
    drill_id: str | None = None
    #: Easier questions of the same topic, easiest first (question ids).
    easier: tuple[str, ...] = ()
    #: A hint (the drill's first hint).
    hint: Text | None = None


def remedy(key: str, bank: Bank, drills: Mapping[str, Any] | None = None) -> Remedy:
    """The remedy for the card `key`: for a mistake, its drill and that drill's first hint;
    for a drill, its first hint and easier questions of its topic; for a question, easier
    questions of its main topic and a drill that follows it up or shares the topic."""
    drills = drills or {}
    kind, item_id = split_card_key(key)
    if kind == "mistake":
        drill_id = split_mistake(item_id)[0]
        drill = drills.get(drill_id)
        return Remedy(drill_id=drill_id, hint=_first_hint(drill),
                      easier=_easier(bank, _topics(drill), None))
    if kind == "drill":
        drill = drills.get(item_id)
        return Remedy(hint=_first_hint(drill),
                      easier=_easier(bank, _topics(drill), getattr(drill, "difficulty", None)))
    question = bank.questions.get(item_id)
    if question is None:
        return Remedy()
    return Remedy(drill_id=_drill_for(question, drills),
                  easier=_easier(bank, question.topics[:1], question.difficulty,
                                 exclude=question.id))


def _topics(drill: Any) -> tuple[str, ...]:
    return tuple(getattr(drill, "topics", ()) or ())[:1]


def _first_hint(drill: Any) -> Text | None:
    hints = getattr(drill, "hints", ()) or ()
    return hints[0] if hints else None


def _easier(bank: Bank, topics: tuple[str, ...], below: int | None, *,
            exclude: str | None = None) -> tuple[str, ...]:
    """Questions of `topics` easier than `below` (any difficulty when None), easiest first,
    bank order within a difficulty."""
    if not topics:
        return ()
    found: list[Question] = [q for q in bank.by_topic(topics[0]) if q.id != exclude
                             and (below is None or q.difficulty < below)]
    found.sort(key=lambda q: q.difficulty)  # stable: bank order within a difficulty
    return tuple(q.id for q in found[:MAX_EASIER])


def _drill_for(question: Question, drills: Mapping[str, Any]) -> str | None:
    for drill_id, drill in drills.items():
        if question.id in (getattr(drill, "followups", ()) or ()):
            return drill_id
    topic = question.topics[0] if question.topics else None
    for drill_id, drill in drills.items():
        if topic is not None and topic in (getattr(drill, "topics", ()) or ()):
            return drill_id
    return None
