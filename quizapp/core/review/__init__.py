"""Spaced repetition: review cards scheduled by FSRS (the `fsrs` package).

This package owns what a review *means*; the `fsrs` package owns the maths of scheduling (we
never compute an interval ourselves). Cards live in the store's `cards` table, keyed by
`q:<question id>` or `d:<drill id>`, so that editing a question keeps its history; the integer
id fsrs wants is a stable hash of that key. Every rating is one transaction that updates the
card and appends to `review_log` (with the card as it was, for undo), so a crash in the middle
of a session loses nothing already rated.

Modules, along the seams of the domain:

- `keys`: card keys (`q:`, `d:`, `m:`) and fsrs ids;
- `days`: study days (04:00 local to 04:00) and interval labels;
- `settings`: the user's review settings, the scheduler, its forgetting curve;
- `policy`: the rating an answer or a grade proposes;
- `cards`: creating, retiring, loading cards; suspend, unsuspend, reset; the card search;
- `queue`: today's queue, the home summary, cram lists;
- `rating`: previews, committing and undoing a rating, practice outside review;
- `session`: the headless review session the review screen drives;
- `drill_cards`: reviewing a drill from a blank starter;
- `mistakes`: mistake cards (`m:<drill>:<mistake>`) and what a grade means for review;
- `leeches`: cards the user keeps forgetting, and remedies;
- `interview`: the interview-date mode (extra reviews before a date);
- `optimizer`: fitting FSRS parameters to the user's log.

Everything callers use is re-exported here (`from quizapp.core import review`). Never
imports textual.
"""

from fsrs import Card, Rating

from quizapp.core.review.cards import (
    STATES,
    CardInfo,
    find_cards,
    load_card,
    reset,
    suspend,
    sync_cards,
    unsuspend,
)
from quizapp.core.review.days import (
    DAY_ROLLOVER_HOURS,
    Clock,
    as_utc,
    day_start,
    end_of_day,
    format_interval,
    study_day,
)
from quizapp.core.review.drill_cards import DrillOutcome, begin_drill_review, drill_outcome
from quizapp.core.review.interview import (
    InterviewPlan,
    interview_date,
    interview_plan,
    parse_interview_date,
    set_interview_date,
)
from quizapp.core.review.keys import (
    DRILL_PREFIX,
    KINDS,
    MISTAKE_PREFIX,
    QUESTION_PREFIX,
    card_key,
    fsrs_id,
    mistake_key,
    split_card_key,
    split_mistake,
)
from quizapp.core.review.leeches import (
    DEFAULT_LEECH_THRESHOLD,
    Remedy,
    is_leech,
    leeches,
    remedy,
)
from quizapp.core.review.mistakes import (
    GradeReview,
    MistakeText,
    mistake_question,
    mistake_text,
    read_mistakes,
    record_grade_review,
)
from quizapp.core.review.optimizer import (
    OPTIMIZER_MIN_REVIEWS,
    OptimizerResult,
    count_optimizer_reviews,
    load_optimizer,
    optimize,
    review_logs,
)
from quizapp.core.review.policy import (
    RATINGS,
    propose_drill_rating,
    propose_rating,
    propose_short_rating,
)
from quizapp.core.review.queue import (
    QueueItem,
    ReviewQueue,
    ReviewSummary,
    build_queue,
    count_due,
    count_new_available,
    cram_items,
    interleave,
    new_done_on,
    round_robin,
    streak_days,
    summary,
)
from quizapp.core.review.rating import (
    Preview,
    RatingRecord,
    commit_rating,
    is_lapse,
    preview_ratings,
    record_practice,
    undo_rating,
)
from quizapp.core.review.session import ReviewSession
from quizapp.core.review.settings import (
    MAX_STEP_DAYS,
    ReviewSettings,
    card_recall,
    format_steps,
    is_missed,
    parse_steps,
    retrievability_fn,
)
from quizapp.core.store import from_iso, to_iso, utcnow

__all__ = [
    "Card", "Rating", "from_iso", "to_iso", "utcnow",
    "QUESTION_PREFIX", "DRILL_PREFIX", "MISTAKE_PREFIX", "KINDS", "card_key",
    "split_card_key", "mistake_key", "split_mistake", "fsrs_id",
    "DAY_ROLLOVER_HOURS", "Clock", "as_utc", "study_day", "day_start", "end_of_day",
    "format_interval",
    "MAX_STEP_DAYS", "parse_steps", "format_steps", "ReviewSettings", "retrievability_fn",
    "card_recall", "is_missed",
    "RATINGS", "propose_rating", "propose_short_rating", "propose_drill_rating",
    "sync_cards", "load_card", "suspend", "unsuspend", "reset", "STATES", "CardInfo",
    "find_cards",
    "QueueItem", "ReviewQueue", "ReviewSummary", "interleave", "round_robin", "new_done_on",
    "count_due", "build_queue", "streak_days", "count_new_available", "summary", "cram_items",
    "Preview", "preview_ratings", "RatingRecord", "commit_rating", "is_lapse", "undo_rating",
    "record_practice",
    "ReviewSession",
    "InterviewPlan", "interview_date", "interview_plan", "parse_interview_date",
    "set_interview_date",
    "DEFAULT_LEECH_THRESHOLD", "Remedy", "is_leech", "leeches", "remedy",
    "GradeReview", "MistakeText", "mistake_question", "mistake_text", "read_mistakes",
    "record_grade_review",
    "begin_drill_review", "DrillOutcome", "drill_outcome",
    "OPTIMIZER_MIN_REVIEWS", "OptimizerResult", "review_logs", "count_optimizer_reviews",
    "load_optimizer", "optimize",
]
