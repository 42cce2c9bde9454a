"""The grading parent's side of the conversation with one sandboxed child.

After the job and the cases are sent (`grader`), `Conversation.collect` reads the child's
messages up to "cases_done" — "ready", "sandboxed" (what isolation it applied), "imported"
or "fatal", then "start"/"case" per case — judging each case as it arrives
(`judging.evaluate_case`), and turns every way the child can go wrong (a time-out, a crash,
a memory kill, messages out of turn or forged) into an `Ending`. Only the harness's own
messages count: a solution that writes into the private channel ends the grade.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quizapp.core.drills import Drill
from quizapp.core.grading.expected import Prepared
from quizapp.core.grading.judging import Evaluation, evaluate_case, import_failure
from quizapp.core.grading.limits import STARTUP_LIMIT_S
from quizapp.core.grading.results import CaseResult, GradingCancelled
from quizapp.core.grading.runner import ChildGone, ChildProcess
from quizapp.core.grading.sandbox import Isolation

#: What a grade says when the child's messages cannot be trusted.
FORGED = ("the solution wrote into the grader's private channel, so its results cannot be "
          "trusted")


@dataclass(frozen=True)
class Ending:
    """How a grade ended before its verdict: a status and message; `with_cases` when the
    cases belong in the result (those never run are listed as such)."""

    status: str
    message: str
    with_cases: bool = True
    #: The case the grade ended in (its result is among the cases), if it ended in one.
    case: str | None = None


def receive(side: ChildProcess, deadline: float, cancel: threading.Event | None) -> Any:
    """The next message of `side`, honouring the deadline (`TimeoutError`) and the cancel
    event (kills `side`, raises `GradingCancelled`)."""
    while True:
        if cancel is not None and cancel.is_set():
            side.kill()
            raise GradingCancelled()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            return side.receive(min(remaining, 0.05))
        except queue.Empty:
            continue


class Conversation:
    """Receives and judges one child's results; `results`, `wrong`, `noted` and `isolation`
    hold what it learned (also after an `Ending`)."""

    def __init__(self, child: ChildProcess, drill: Drill, *, track: str, device: str,
                 time_limit: float, cancel: threading.Event | None,
                 say: Callable[[str], None]) -> None:
        self.child = child
        self.drill = drill
        self.track = track
        self.device = device
        self.time_limit = time_limit
        self.cancel = cancel
        self.say = say
        self.results: list[CaseResult] = []
        #: Case name → the solution's (packed output, in-place arguments) where they were
        #: judged wrong by value (for mistake diagnosis).
        self.wrong: dict[str, tuple[Any, Any]] = {}
        #: Case name → the evaluation of each float64 case that passed only at the drill's
        #: precision (`judging.evaluate_case`).
        self.noted: dict[str, Evaluation] = {}
        self.isolation: Isolation | None = None

    def collect(self, prepared: Sequence[Prepared]) -> Ending | None:
        """Receive everything up to "cases_done"; an `Ending` if the grade ended early."""
        child = self.child
        phase = "starting"
        current: int | None = None
        received: set[int] = set()
        deadline = time.monotonic() + STARTUP_LIMIT_S
        try:
            while True:
                message = receive(child, deadline, self.cancel)
                kind = message.get("type") if isinstance(message, dict) else None
                if kind == "sandboxed":
                    self.isolation = Isolation.from_json(message.get("isolation"))
                elif kind == "ready":
                    phase = "importing"
                    self.say("importing your solution")
                    deadline = time.monotonic() + self.time_limit
                elif kind == "fatal":
                    return Ending(*import_failure(self.drill, message), with_cases=False)
                elif kind == "imported":
                    phase = "running"
                elif kind == "start":
                    if not isinstance(message.get("index"), int) \
                            or not 0 <= message["index"] < len(prepared):
                        return self._forged()
                    current = message["index"]
                    self.say(f"case {current + 1}/{len(prepared)}: "
                             f"{prepared[current].case.name}")
                elif kind == "case":
                    index = message.get("index")
                    if not isinstance(index, int) or not 0 <= index < len(prepared) \
                            or index in received or index != current:
                        return self._forged()
                    received.add(index)
                    judged = evaluate_case(self.drill, self.track, self.device,
                                           prepared[index], message)
                    self.results.append(judged.result)
                    if judged.strict is not None:
                        self.noted[judged.result.name] = judged
                    elif judged.output is not None:
                        self.wrong[judged.result.name] = judged.output
                    current = None
                elif kind == "cases_done":
                    # Only the harness's own results count: a solution that forges the end
                    # of the run (or skips cases) must not pass on the cases never run.
                    if len(received) != len(prepared):
                        return self._forged()
                    return None
                else:
                    return self._forged()
        except TimeoutError:
            child.kill()
            return self._timed_out(phase, current, prepared)
        except ChildGone as gone:
            return self._gone(gone, phase, current, prepared)

    def _forged(self) -> Ending:
        self.child.kill()
        return Ending("error", FORGED)

    def _timed_out(self, phase: str, current: int | None,
                   prepared: Sequence[Prepared]) -> Ending:
        limit = self.time_limit
        if phase == "starting":
            return Ending("error", "the sandbox did not start within "
                                   f"{STARTUP_LIMIT_S:.0f} s (is the machine busy?)",
                          with_cases=False)
        if current is None and phase == "importing":
            return Ending("timeout", f"importing the solution did not finish within "
                                     f"{limit:g} s (an endless loop at module level?)")
        if current is None:
            return Ending("timeout", f"the solution did not finish within the {limit:g} s "
                                     "limit")
        name = prepared[current].case.name
        self.results.append(CaseResult(name, "timeout", f"did not finish within the "
                                                        f"{limit:g} s limit"))
        return Ending("timeout", f"case '{name}' did not finish within the {limit:g} s limit "
                                 "for all cases (an endless loop, or far too slow?)", case=name)

    def _gone(self, gone: ChildGone, phase: str, current: int | None,
              prepared: Sequence[Prepared]) -> Ending:
        child = self.child
        how = child.exit_description()
        if child.killed_for_memory:
            status, message = "memory", ("the solution's process used more memory than "
                                         "the grader allows and was stopped")
        elif "SIGKILL" in how and not child.killed:
            status, message = "memory", ("the solution's process was killed by the system "
                                         "(SIGKILL, usually out of memory)")
        elif str(gone):
            status, message = "error", FORGED
        elif "SIGXCPU" in how:
            status, message = "timeout", "the solution used up its CPU-time limit"
        else:
            doing = {"starting": "starting", "importing": "being imported",
                     "running": "running"}[phase]
            if current is not None:
                doing = f"running case '{prepared[current].case.name}'"
            status, message = "error", (f"the solution's process {how} while {doing}"
                                        " — did it call os._exit(), exit or crash?")
        if current is None:
            return Ending(status, message)
        name = prepared[current].case.name
        self.results.append(CaseResult(name, status, message))
        return Ending(status, message, case=name)


