"""The card browser's data: every card the user can look up, and problem reports.

`browse` lists review cards (`review.find_cards`) together with what has no card yet — bank
questions and drills the user never met, shown as new — filtered by text, topic, kind and
state, where a state is a review state (new, learning, review, relearning) or one of two
flags: suspended, or leech (at least `leech_threshold` lapses, 8 as in Anki unless the review
settings say otherwise). Suspended cards are listed under every other state filter too, and
marked.

`report_problem` appends one JSON line per report (the card and question id, the user's
text, the app version, the time, the question's file and line) to `paths.reports_path()`, a
file the user can send to the authors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from quizapp.core import paths
from quizapp.core.bank import Bank, Text
from quizapp.core.errors import QuizappError
from quizapp.core.store import Store, to_iso, utcnow

#: Kinds of card, as the browser names them.
KINDS = ("question", "drill", "mistake")
#: States the browser filters by: the review states and two flags.
STATES = ("new", "learning", "review", "relearning", "suspended", "leech")
#: Lapses that make a card a leech when the review settings name no threshold (Anki's).
DEFAULT_LEECH_THRESHOLD = 8
#: Longest report text kept (a report is a note, not a file).
MAX_REPORT_CHARS = 4000


@dataclass(frozen=True)
class BrowserRow:
    """One card (or card-to-be) as the browser lists it."""

    key: str
    kind: str
    item_id: str
    #: What the row shows: a question's prompt, a drill's title (both languages).
    title: Text
    state: str
    due: datetime | None
    lapses: int
    suspended: bool
    leech: bool
    topics: tuple[str, ...] = ()
    #: False for a bank question or drill the user never met (no card yet).
    has_card: bool = True


def leech_threshold(store: Store) -> int:
    """The lapse count from which a card is a leech (the review settings' when they have
    one)."""
    from quizapp.core import review

    settings = review.ReviewSettings.load(store)
    value = getattr(settings, "leech_threshold", None)
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_LEECH_THRESHOLD


def browse(store: Store, bank: Bank, drills: Mapping[str, Any], *, text: str = "",
           topic: str | None = None, kind: str | None = None, state: str | None = None,
           limit: int = 2000) -> list[BrowserRow]:
    """The rows matching every filter given (see the module doc), cards first, by key."""
    from quizapp.core import review

    threshold = leech_threshold(store)
    needle = text.casefold().strip()
    review_states = None if state in (None, "suspended", "leech") else [state]
    found = review.find_cards(
        store, bank, text=needle or None, topic=topic,
        kinds=[kind] if kind else None, states=review_states,
        suspended=True if state == "suspended" else None,
        leeches_at=threshold if state == "leech" else None)
    rows: list[BrowserRow] = []
    keys: set[str] = set()
    for card in found:
        keys.add(card.key)
        rows.append(BrowserRow(card.key, card.kind, card.item_id,
                               _title(card.kind, card.item_id, bank, drills), card.state,
                               card.due, card.lapses, card.suspended,
                               card.lapses >= threshold, card.topics))
    if state in (None, "new"):
        rows += _unmet(bank, drills, keys, needle, topic, kind)
    return rows[:limit]


def _title(kind: str, item_id: str, bank: Bank, drills: Mapping[str, Any]) -> Text:
    if kind == "question" and item_id in bank.questions:
        return bank.questions[item_id].prompt
    drill_id = item_id.split(":", 1)[0]
    drill = drills.get(drill_id)
    title = dict(drill.title) if drill is not None else {"en": drill_id}
    if kind == "mistake":
        mistake = item_id.split(":", 1)[1] if ":" in item_id else item_id
        return {lang: f"{value} — mistake '{mistake}'" for lang, value in title.items()}
    return title


def _unmet(bank: Bank, drills: Mapping[str, Any], keys: set[str], needle: str,
           topic: str | None, kind: str | None) -> list[BrowserRow]:
    """Bank questions and drills with no card yet, as new rows."""
    from quizapp.core import review

    rows: list[BrowserRow] = []
    if kind in (None, "question"):
        for question in bank.questions.values():
            key = review.card_key("question", question.id)
            if key in keys or (topic is not None and topic not in question.topics):
                continue
            if needle and needle not in question.id.casefold() and not any(
                    needle in value.casefold() for texts in question.texts() if texts
                    for value in texts.values()):
                continue
            rows.append(BrowserRow(key, "question", question.id, question.prompt, "new", None,
                                   0, False, False, question.topics, has_card=False))
    if kind in (None, "drill") and topic is None:
        for drill_id, drill in drills.items():
            key = review.card_key("drill", drill_id)
            title = dict(drill.title)
            if key in keys or (needle and needle not in drill_id.casefold() and not any(
                    needle in value.casefold() for value in title.values())):
                continue
            rows.append(BrowserRow(key, "drill", drill_id, title, "new", None, 0, False,
                                   False, tuple(drill.topics), has_card=False))
    return rows


# --------------------------------------------------------------------------- reports


def app_version() -> str:
    """quizapp's version, from the installed package's metadata (the source's own when the
    tree was never installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quizapp")
    except PackageNotFoundError:
        from quizapp import __version__

        return __version__


def report_problem(bank: Bank, key: str, text: str, *, version: str | None = None,
                   now: datetime | None = None) -> Path:
    """Append a problem report about the card `key` (its question, for a question card) to
    the reports file; returns the file's path.

    Raises QuizappError (one line) when the text is empty or the file cannot be written."""
    from quizapp.core import review

    text = text.strip()
    if not text:
        raise QuizappError("the report is empty: say what is wrong with the question")
    kind, item_id = review.split_card_key(key)
    question = bank.questions.get(item_id) if kind == "question" else None
    entry = {
        "card": key,
        "question": item_id if kind == "question" else None,
        "report": text[:MAX_REPORT_CHARS],
        "app_version": version or app_version(),
        "at": to_iso(now or utcnow()),
        "file": f"{question.path}:{question.line}" if question is not None else None,
    }
    try:
        path = paths.reports_path()
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        # One write of one line in append mode: reports never interleave or truncate.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as err:
        raise QuizappError(f"cannot write the report to {err.filename or 'the reports file'}: "
                           f"{err.strerror or err}") from None
    return path
