"""A review session: the headless state machine the review screen drives (what to show
next, reveal, rate, undo, learning cards coming back the same day, cram).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from fsrs import Card, Rating

from quizapp.core.errors import QuizappError
from quizapp.core.review.cards import load_card
from quizapp.core.review.days import Clock, as_utc, end_of_day
from quizapp.core.review.policy import RATINGS
from quizapp.core.review.queue import QueueItem
from quizapp.core.review.rating import (
    Preview,
    RatingRecord,
    commit_rating,
    preview_ratings,
    undo_rating,
)
from quizapp.core.review.settings import ReviewSettings
from quizapp.core.store import Store, utcnow


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
