"""Timing a passing solution against the reference (`quizapp grade --bench`), honestly.

After the verdict, the grader times the solution (in its sandboxed child) against the
reference's idiomatic same-precision implementation (`BENCH_BASELINES[entry]` in
reference.py, else the oracle) served by a *separate* process that never loaded user code
(`child_timed.serve_baseline`), and on CUDA also against the Triton reference kernel. `Benchmark`
drives both:

- the clock is the grader's (wall clock from "go" to "done" over the private pipes): a
  solution cannot replace the sampler or the timer;
- every round sends a fresh input set (a fresh random seed per grade), and each function
  runs once on it: no two timed calls of the solution see the same data, so a cached result
  cannot be served fast, and every timed output is checked against the baseline's;
- while the baseline runs, the solution's process group is stopped (SIGSTOP): a thread left
  spinning or holding a lock cannot slow the baseline down;
- the order alternates every round, so drift hits both sides; the first round is a warm-up;
- CPU: one thread each; CUDA: synchronised calls, L2 flushed before each (outside the clock).
  Interpreted Triton (no GPU) is never timed.

`summarize` turns the samples into a `Timing`: medians, the ratio user/reference, a 95%
bootstrap confidence interval of that ratio (resampling the paired rounds) and a verdict —
faster / slower when the whole interval lies beyond 1 ± 3% (smaller differences are not
worth a word), inconclusive otherwise, and "suspicious" rather than "faster" beyond 10×
(KernelBench's lesson: such wins are usually measurement artefacts). The calls include a
pipe round trip (tens of µs) on both sides, which pulls ratios slightly towards 1.
"""

from __future__ import annotations

import random
import signal
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

#: Threads used for CPU timing (fixed, so numbers are comparable between runs).
CPU_THREADS = 1
#: Seconds of measurement per benchmark (CPU), not counting warm-up.
CPU_BUDGET_S = 2.0
_perf_counter = time.perf_counter


@dataclass(frozen=True)
class Timing:
    """How fast a solution ran, relative to the reference."""

    device: str
    label: str
    threads: int | None
    size: str
    user_ms: float
    reference_ms: float
    ratio: float
    ci95: tuple[float, float]
    verdict: str
    baseline: str
    samples: int
    triton_ms: float | None = None
    triton_ratio: float | None = None
    triton_ci95: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        """The `timing` object of `quizapp grade --json` (SPEC.md, plus details)."""
        out: dict[str, Any] = {
            "device": self.device, "user_ms": round(self.user_ms, 6),
            "reference_ms": round(self.reference_ms, 6), "ratio": round(self.ratio, 4),
            "ci95": [round(self.ci95[0], 4), round(self.ci95[1], 4)],
            "verdict": self.verdict, "label": self.label, "threads": self.threads,
            "size": self.size, "baseline": self.baseline, "samples": self.samples}
        if self.triton_ms is not None:
            out["triton_ms"] = round(self.triton_ms, 6)
            out["triton_ratio"] = round(self.triton_ratio or 0.0, 4)
            out["triton_ci95"] = [round(v, 4) for v in self.triton_ci95 or (0.0, 0.0)]
        return out

    def summary(self) -> str:
        """One line: "0.93× the reference's time (95% CI 0.90–0.97): faster"."""
        verdict = self.verdict
        if verdict == "suspicious":
            verdict = (f"suspicious — over {SUSPICIOUS_RATIO:g}× faster than an idiomatic "
                       "baseline is rare; worth a second look")
        elif self.ratio > SUSPICIOUS_RATIO:
            verdict += f" (over {SUSPICIOUS_RATIO:g}× slower: worth a second look)"
        text = (f"{self.ratio:.2f}× the reference's time (95% CI {self.ci95[0]:.2f}–"
                f"{self.ci95[1]:.2f}): {verdict}; you {self.user_ms:.3g} ms, reference "
                f"{self.reference_ms:.3g} ms ({self.label})")
        if self.triton_ratio is not None and self.triton_ms is not None:
            text += f"; {self.triton_ratio:.2f}× the Triton kernel ({self.triton_ms:.3g} ms)"
        return text


# --------------------------------------------------------------------------- statistics


def ratio_ci(user: list[float], reference: list[float], *, paired: bool, resamples: int = 2000,
             seed: int = 0) -> tuple[float, tuple[float, float]]:
    """median(user)/median(reference) and its 95% bootstrap percentile interval."""
    ratio = statistics.median(user) / statistics.median(reference)
    rng = random.Random(seed)
    estimates: list[float] = []
    n, m = len(user), len(reference)
    for _ in range(resamples):
        if paired:
            idx = [rng.randrange(n) for _ in range(n)]
            u = [user[i] for i in idx]
            r = [reference[i] for i in idx]
        else:
            u = [user[rng.randrange(n)] for _ in range(n)]
            r = [reference[rng.randrange(m)] for _ in range(m)]
        estimates.append(statistics.median(u) / statistics.median(r))
    estimates.sort()
    lo = estimates[int(0.025 * (resamples - 1))]
    hi = estimates[int(0.975 * (resamples - 1))]
    return ratio, (lo, hi)


#: Differences smaller than this are not called faster or slower, however tight the interval.
PRACTICAL_MARGIN = 0.03


def verdict(ci: tuple[float, float]) -> str:
    """faster / slower when the whole interval is beyond 1 ± 3%, else inconclusive;
    "suspicious" when even the interval's near end is over 10× faster (worth a second look,
    never reported as a win)."""
    if ci[1] < 1.0 / SUSPICIOUS_RATIO:
        return "suspicious"
    if ci[1] < 1.0 - PRACTICAL_MARGIN:
        return "faster"
    if ci[0] > 1.0 + PRACTICAL_MARGIN:
        return "slower"
    return "inconclusive"


def _thin(values: list[float], most: int = 300) -> list[float]:
    """At most `most` evenly spaced samples (do_bench can return thousands), so that the
    bootstrap stays fast; order is kept, so CPU rounds stay paired."""
    if len(values) <= most:
        return values
    step = len(values) / most
    return [values[int(i * step)] for i in range(most)]


def summarize(raw: Mapping[str, Any], *, size: str, baseline: str) -> Timing:
    """A `Timing` from the child's raw samples (seconds)."""
    samples = {label: _thin(list(values)) for label, values in raw["samples"].items()}
    paired = bool(raw.get("paired"))
    user, reference = samples["user"], samples["reference"]
    ratio, ci = ratio_ci(user, reference, paired=paired)
    device = raw["device"]
    threads = raw.get("threads")
    checked = raw.get("checked")
    fresh = f", {checked} fresh inputs, outputs checked" if checked else ""
    if device == "cpu":
        label = (f"CPU timing, wall clock of the grader around each call, {threads} thread"
                 + ("s" if threads != 1 else "") + fresh)
    else:
        label = f"CUDA timing, wall clock of the grader around each synchronised call " \
                f"(L2 flushed){fresh}"
    triton = samples.get("triton")
    triton_ms = triton_ratio = None
    triton_ci = None
    if triton:
        triton_ratio, triton_ci = ratio_ci(user, triton, paired=False)
        triton_ms = statistics.median(triton) * 1e3
    return Timing(device=device, label=label, threads=threads, size=size,
                  user_ms=statistics.median(user) * 1e3,
                  reference_ms=statistics.median(reference) * 1e3, ratio=ratio, ci95=ci,
                  verdict=verdict(ci), baseline=baseline, samples=len(user),
                  triton_ms=triton_ms, triton_ratio=triton_ratio, triton_ci95=triton_ci)


# --------------------------------------------------------------------------- measuring


class Rejected(Exception):
    """The timed calls cannot be trusted (wrong output, broken conversation); the message
    says why, in one line."""


class Endpoint(Protocol):
    """What the benchmark needs of a child process (`runner.ChildProcess` is one)."""

    def send(self, message: Any) -> None: ...

    def signal(self, signum: int) -> None: ...


#: Rounds of timed calls (one fresh input set each); the first is a warm-up, not counted.
MIN_ROUNDS = 6
MAX_ROUNDS = 16
#: Ratios beyond this (either way) are flagged for a second look: a real 10× win over an
#: idiomatic same-precision baseline is rare, a measurement or caching trick is not.
SUSPICIOUS_RATIO = 10.0


@dataclass
class Benchmark:
    """The parent's side of the timing conversation with two processes.

    `user` runs the solution; `baseline` is a process that never loaded user code and serves
    `labels` ("reference", and on CUDA possibly "triton"). Every round sends one fresh input
    set (`make_inputs(round)`) to both; then, in alternating order, each function is called
    once on it. The clock is this process's: from sending "go" until "done" arrives —
    nothing the solution does can rewrite it. While the baseline runs, the user's whole
    process group is stopped (SIGSTOP), so no thread of the solution can compete for the CPU
    or hold a lock. Every timed output of the solution is checked (`check`) against the
    baseline's output for the same inputs."""

    user: Endpoint
    baseline: Endpoint
    labels: list[str]
    receive: Callable[[Endpoint, str], Any]  # the next message of that type (raises Rejected)
    make_inputs: Callable[[int], dict[str, Any]]  # the "inputs" message of a round
    check: Callable[[Any, Any], str | None]  # ("output" messages: user's, baseline's) → problem
    device: str
    budget_s: float = CPU_BUDGET_S

    def run(self) -> dict[str, Any]:
        """Raw samples (seconds) for `summarize`; raises `Rejected`."""
        samples: dict[str, list[float]] = {label: [] for label in ("user", *self.labels)}
        spent = 0.0
        checked = 0
        for round_ in range(MAX_ROUNDS):
            inputs = {"type": "inputs", **self.make_inputs(round_)}
            for side in (self.user, self.baseline):
                side.send(inputs)
            for side in (self.user, self.baseline):
                self.receive(side, "loaded")
            order = ["user", *self.labels]
            if round_ % 2:
                order.reverse()
            outputs: dict[str, Any] = {}
            times: dict[str, float] = {}
            for label in order:
                times[label], outputs[label] = self._call(label)
            problem = self.check(outputs["user"], outputs["reference"])
            if problem is not None:
                raise Rejected(f"the output of timed call {round_ + 1} is wrong: {problem} — "
                               "a cached or stale result?")
            checked += 1
            if round_ == 0:
                continue  # warm-up
            for label, seconds in times.items():
                samples[label].append(seconds)
            spent += sum(times.values())
            if round_ + 1 >= MIN_ROUNDS and spent >= self.budget_s:
                break
        for side in (self.user, self.baseline):
            side.send({"type": "end"})
        return {"device": self.device, "threads": 1 if self.device == "cpu" else None,
                "paired": True, "samples": samples, "checked": checked}

    def _call(self, label: str) -> tuple[float, Any]:
        side = self.user if label == "user" else self.baseline
        stopped = side is not self.user
        if stopped:
            self.user.signal(signal.SIGSTOP)
        try:
            if self.device == "cuda":
                side.send({"type": "prepare"})
                self.receive(side, "prepared")
            started = _perf_counter()
            side.send({"type": "go", "label": label})
            self.receive(side, "done")
            elapsed = _perf_counter() - started
        finally:
            if stopped:
                self.user.signal(signal.SIGCONT)
        output = self.receive(side, "output")
        if output.get("error"):
            error = output["error"]
            who = "your function" if label == "user" else f"the {label}"
            raise Rejected(f"{who} raised {error.get('type')}: "
                           f"{str(error.get('message', '')).splitlines()[0:1]} during timing")
        return elapsed, output
