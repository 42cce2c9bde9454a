"""Drill cards: reviewing a drill means solving it again from a blank starter; what the
grades since the card was shown propose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fsrs import Rating

from quizapp.core.review.policy import propose_drill_rating
from quizapp.core.store import Store, to_iso


def begin_drill_review(drill_id: str, track: str | None = None) -> tuple[Path, Path | None]:
    """Put a blank starter in the drill's workspace file for a review from scratch.

    The user's previous solution is kept beside it as `<name>.before-review.py` (replacing
    an older such copy); returns (workspace file, where the old one went or None).
    """
    from quizapp.core import drills  # the grader's module; imported only for drill cards

    target = drills.workspace_file(drill_id, track)
    kept = None
    if target.exists():
        kept = target.with_name(target.stem + ".before-review.py")
        target.replace(kept)
    return drills.start_drill(drill_id, track, overwrite=True), kept


@dataclass(frozen=True)
class DrillOutcome:
    """What happened to a drill since its review card was shown."""

    runs: int                 # grades recorded
    passed: bool              # any of them passed
    runs_to_pass: int         # grades up to and including the first pass (0 if none)
    hints_used: int
    proposed: Rating


def drill_outcome(store: Store, drill_id: str, since: datetime) -> DrillOutcome:
    """The drill grades (and hints, from attempts) recorded since `since`, and the rating
    they propose: no pass → Again; a pass after hints or failed runs → Hard; else Good."""
    rows = store.conn.execute(
        "SELECT passed FROM drill_results WHERE drill_id = ? AND at >= ? ORDER BY at, id",
        (drill_id, to_iso(since))).fetchall()
    passes = [i for i, row in enumerate(rows) if row["passed"]]
    runs_to_pass = passes[0] + 1 if passes else 0
    hints = store.conn.execute(
        "SELECT coalesce(max(hints_used), 0) FROM attempts WHERE item_id = ? AND "
        "item_kind = 'drill' AND at >= ?", (drill_id, to_iso(since))).fetchone()[0]
    proposed = propose_drill_rating(bool(passes), hints_used=int(hints),
                                    runs=max(1, runs_to_pass))
    return DrillOutcome(len(rows), bool(passes), runs_to_pass, int(hints), proposed)
