"""Timing a passing solution against the reference (`quizapp grade --bench`).

Measurement runs in the sandboxed child (it runs the user's code), *after* the verdict:

- **CPU**: `torch.utils.benchmark.Timer` with a fixed thread count; after a warm-up, user and
  reference are timed in alternating rounds (order flipped every round, so drift hits both),
  each round ~30 ms of repeated calls. Labelled as CPU timing.
- **CUDA**: `triton.testing.do_bench`, which flushes the L2 cache before every run and
  synchronises; also against the Triton reference kernel (`solutions/<drill>/kernel.py`)
  when there is one.
- Interpreted Triton (no GPU) is never timed.

The parent turns the raw samples into a `Timing`: medians, the ratio user/reference, a 95%
bootstrap confidence interval of that ratio (resampling the paired rounds on CPU, each side
independently on CUDA) and a verdict — faster / slower when the whole interval lies beyond
1 ± 3% (smaller differences are not worth a word), inconclusive otherwise. The reference
used is `BENCH_BASELINES[entry]` from reference.py when it defines one (an idiomatic
same-precision implementation), else the oracle itself.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Threads used for CPU timing (fixed, so numbers are comparable between runs).
CPU_THREADS = 1
#: Seconds of measurement per benchmark (CPU), not counting warm-up.
CPU_BUDGET_S = 2.0
_perf_counter = time.perf_counter  # captured before any solution can patch it


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
        text = (f"{self.ratio:.2f}× the reference's time (95% CI {self.ci95[0]:.2f}–"
                f"{self.ci95[1]:.2f}): {self.verdict}; you {self.user_ms:.3g} ms, reference "
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
    """faster / slower when the whole interval is beyond 1 ± 3%, else inconclusive."""
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
    if device == "cpu":
        label = f"CPU timing, torch.utils.benchmark, {threads} thread" + \
                ("s" if threads != 1 else "")
    else:
        label = f"CUDA timing, triton.testing.do_bench (L2 flushed), {raw.get('gpu', 'GPU')}"
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


# --------------------------------------------------------------------------- in the child


def measure_in_child(request: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]],
                     device: str) -> dict[str, Any]:
    """Time the user's entry point against the reference (and Triton kernel on CUDA)."""
    import torch

    from quizapp.core.drills.bundle import load_module, make_callables, run_builder
    from quizapp.core.grading.tripwire import set_address_space_limit

    entry = request["entry"]
    inputs_path = Path(request["inputs"])
    inputs = run_builder(inputs_path, entry, request["params"], request["seed"])
    values = {n: v.to(device) if isinstance(v, torch.Tensor) else v
              for n, v in inputs.values.items()}
    values = make_callables(inputs_path, request.get("callables") or {}, values)
    args = [v for n, v in values.items() if n not in inputs.keywords]
    kwargs = {n: values[n] for n in inputs.keywords}
    reference = load_module(Path(request["reference"]))
    baselines = getattr(reference, "BENCH_BASELINES", {}) or {}
    fns: dict[str, Callable[..., Any]] = {
        "user": functions[entry], "reference": baselines.get(entry) or getattr(reference, entry)}
    if device == "cuda" and request.get("kernel"):
        kernel = load_module(Path(request["kernel"]))
        if callable(getattr(kernel, entry, None)):
            fns["triton"] = getattr(kernel, entry)
    # The correctness run's memory limits are for the solution's first run; timing large
    # sizes needs room for the reference too.
    set_address_space_limit(None)
    with torch.no_grad():
        if device == "cpu":
            return _cpu(fns, args, kwargs, int(request.get("threads", CPU_THREADS)),
                        float(request.get("budget_s", CPU_BUDGET_S)))
        return _cuda(fns, args, kwargs)


def _cpu(fns: Mapping[str, Callable[..., Any]], args: list[Any], kwargs: dict[str, Any],
         threads: int, budget_s: float) -> dict[str, Any]:
    import ctypes

    import torch
    from torch.utils.benchmark import Timer

    torch.set_num_threads(threads)
    try:  # back to glibc's usual behaviour for big blocks (see tripwire.make_malloc_predictable)
        ctypes.CDLL(None).mallopt(-3, 32 * 1024 * 1024)
    except (OSError, AttributeError):
        pass
    estimate: dict[str, float] = {}
    for label, fn in fns.items():
        for _ in range(2):
            fn(*args, **kwargs)
        start = _perf_counter()
        fn(*args, **kwargs)
        estimate[label] = max(_perf_counter() - start, 1e-7)
    number = {label: max(1, int(0.03 / est)) for label, est in estimate.items()}
    # Timer.timeit(n) first runs max(n // 100, 2) untimed warm-up calls: budget for them.
    per_round = sum((number[label] + max(number[label] // 100, 2)) * estimate[label]
                    for label in fns)
    rounds = int(min(25, max(5, budget_s / per_round)))
    timers = {label: Timer("fn(*args, **kwargs)", globals={"fn": fn, "args": args,
                                                          "kwargs": kwargs},
                           num_threads=threads, timer=_perf_counter)
              for label, fn in fns.items()}
    samples: dict[str, list[float]] = {label: [] for label in fns}
    order = list(fns)
    for r in range(rounds):
        for label in order if r % 2 == 0 else order[::-1]:
            samples[label].append(float(timers[label].timeit(number[label]).mean))
    return {"device": "cpu", "threads": threads, "paired": True, "samples": samples}


def _cuda(fns: Mapping[str, Callable[..., Any]], args: list[Any], kwargs: dict[str, Any]
          ) -> dict[str, Any]:
    import torch
    from triton.testing import do_bench

    samples: dict[str, list[float]] = {}
    for label, fn in fns.items():
        times = do_bench(lambda fn=fn: fn(*args, **kwargs), warmup=25, rep=200,
                         return_mode="all")
        samples[label] = [t / 1e3 for t in times]  # ms → s
    return {"device": "cuda", "threads": None, "paired": False, "samples": samples,
            "gpu": torch.cuda.get_device_name()}
