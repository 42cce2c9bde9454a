"""The review settings (desired retention, new cards a day, learning steps, FSRS
parameters), the scheduler built from them, and its forgetting curve.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fsrs import Scheduler

from quizapp.core.errors import QuizappError, UsageError
from quizapp.core.store import Store

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
