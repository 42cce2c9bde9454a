"""What a grade found out: `CaseResult`, `MistakeMatch`, `FirstFailure`, `GradeResult` and
their JSON.

`GradeResult.to_json()` is the `quizapp grade --json` object of SPEC.md; `quizapp.core.remote`
rebuilds these classes from that JSON, so a field added here must be optional there. Plain
data only: importing this module never imports torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from quizapp.core.grading.sandbox import Isolation
from quizapp.core.grading.timing import Timing


class GradingCancelled(Exception):
    """The grade was cancelled (its `cancel` event was set); the child has been killed."""


@dataclass
class CaseResult:
    """The outcome of one case."""

    name: str
    status: str  # passed | failed | error | timeout | memory | banned | not run
    message: str = ""
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    seconds: float | None = None
    #: A passed case's caveat (a float64 case computed in float32); "" when none.
    note: str = ""
    #: The seed of a trial drawn fresh for this grade (replayable); None for the drill's
    #: named cases, whose seeds are fixed.
    seed: int | None = None

    @property
    def passed(self) -> bool:
        """True for a passed case."""
        return self.status == "passed"

    def to_json(self) -> dict[str, Any]:
        """One entry of the `cases` list of `quizapp grade --json`."""
        return {"name": self.name, "passed": self.passed, "status": self.status,
                "max_abs_err": self.max_abs_err, "max_rel_err": self.max_rel_err,
                "message": self.message, "note": self.note, "seed": self.seed}


@dataclass(frozen=True)
class FirstFailure:
    """The case a failed grade's message is about, as data (the message says it in words)."""

    case: str
    status: str
    message: str
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    seed: int | None = None

    @classmethod
    def of(cls, case: CaseResult) -> FirstFailure:
        """The first failure that `case` is."""
        return cls(case.name, case.status, case.message, case.max_abs_err, case.max_rel_err,
                   case.seed)

    def to_json(self) -> dict[str, Any]:
        """The `first_failure` object of `quizapp grade --json`."""
        return {"case": self.case, "status": self.status, "message": self.message,
                "max_abs_err": self.max_abs_err, "max_rel_err": self.max_rel_err,
                "seed": self.seed}


@dataclass(frozen=True)
class MistakeMatch:
    """A known wrong variant that the solution's outputs match."""

    id: str
    title: Mapping[str, str]
    explanation: Mapping[str, str]

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """`{"id", "explanation"}` (plus the title) in `lang`."""
        return {"id": self.id, "title": self.title.get(lang, self.title["en"]),
                "explanation": self.explanation.get(lang, self.explanation["en"])}


@dataclass
class GradeResult:
    """Everything a grade found out; `to_json()` is the `quizapp grade --json` object."""

    drill: str
    track: str
    device: str
    status: str
    message: str
    cases: list[CaseResult] = field(default_factory=list)
    mistake: MistakeMatch | None = None
    timing: Timing | None = None
    output: str = ""
    output_truncated: int = 0
    interpreted: bool = False
    seconds: float = 0.0
    path: str = ""
    isolation: Isolation | None = None
    #: The SSH host the grade ran on (`quizapp grade --remote`); None for a local grade.
    host: str | None = None
    #: Caveats of a verdict, one sentence each (a float64 case computed in float32).
    notes: list[str] = field(default_factory=list)
    #: The case `message` is about, when it is about one case (None for a pass, or when the
    #: grade stopped outside any case: a syntax error, an import that raised, …).
    first_failure: FirstFailure | None = None
    #: The seed of this grade's fresh trials (`quizapp grade --seed N` replays them).
    seed: int | None = None

    @property
    def passed(self) -> bool:
        """True when every case passed."""
        return self.status == "passed"

    def to_json(self) -> dict[str, Any]:
        """The SPEC.md `quizapp grade --json` object (with a few extra fields)."""
        return {"drill": self.drill, "passed": self.passed, "status": self.status,
                "message": self.message,
                "mistake": self.mistake.to_json() if self.mistake else None,
                "cases": [c.to_json() for c in self.cases],
                "timing": self.timing.to_json() if self.timing else None,
                "track": self.track, "device": self.device, "interpreted": self.interpreted,
                "output": self.output, "output_truncated_bytes": self.output_truncated,
                "seconds": round(self.seconds, 3),
                "isolation": self.isolation.to_json() if self.isolation else None,
                "host": self.host, "notes": list(self.notes),
                "first_failure": self.first_failure.to_json() if self.first_failure else None,
                "seed": self.seed}
