"""The FSRS optimizer entry point: fitting parameters to the user's own review log (the
optional `fsrs[optimizer]` extra).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from fsrs import Rating, ReviewLog

from quizapp.core.errors import QuizappError
from quizapp.core.review.days import Clock, as_utc
from quizapp.core.review.keys import fsrs_id
from quizapp.core.review.settings import ReviewSettings
from quizapp.core.store import Store, from_iso, to_iso, utcnow

#: The optimizer needs this many reviews that fall on a later day than the card's previous
#: review; below it, fsrs silently returns the default parameters.
OPTIMIZER_MIN_REVIEWS = 512


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
