"""The rating policy: which fsrs Rating an answer, a self-graded answer or a drill grade
proposes. The user may override it; Easy is theirs.
"""

from __future__ import annotations

from fsrs import Rating

#: The keys of `Rating`, in key order, for UIs.
RATINGS: tuple[Rating, ...] = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)


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
