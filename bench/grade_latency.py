"""How long a user waits for a verdict: `quizapp grade` per drill, next to `import torch`.

Runs, in the same session and interleaved so machine load hits both alike:

- `python -c "import torch"` — the floor: a grade spawns a fresh sandboxed interpreter
  that must import torch, and the CLI process imports torch too (in parallel);
- `quizapp grade ID solutions/ID/reference.py --json` as a subprocess, exactly as a user
  runs it (a passing solution, so every case runs): the first time with an empty
  prepared-case cache (`first`: every reference computed, as after an install or an edit of
  the drill), then with the cache that the first grade filled (`cold`, what every later CLI
  grade pays);
- the same grade in-process with the warm zygote (`keep_warm`), which is what the TUI and
  `quizapp drill watch` pay for every grade after the first (`warm`), and the same without
  the cases a grade adds to the named ones (fresh trials, no_grad / inference_mode passes):
  `warm − named only` is what those cases cost;
- once per run: how long the `--bench` baseline process (a second child that never loads
  user code) takes to be ready to time the reference.

Prints a table of medians, each grade also as a multiple of the `import torch` time, and the
load average before and after (timings on a busy machine are not the user's).

    python bench/grade_latency.py [--repeats 3] [DRILL ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return elapsed


def _named_only() -> Any:
    """A context in which grades run the drills' named cases only."""
    from unittest import mock

    from quizapp.core.drills import Drill

    def named(self: Any, track: str, seed: int, *, interpreted: bool = False) -> Any:
        return self.cases_for(track, interpreted=interpreted)

    return mock.patch.object(Drill, "graded_cases", named)


def _baseline_ready(drill_id: str) -> float:
    """Seconds from asking the warm zygote for the `--bench` baseline process until it is
    ready to time `drill_id`'s reference (forked, reference and inputs loaded)."""
    import queue

    from quizapp.core.drills import get_drill
    from quizapp.core.grading.limits import memory_limits
    from quizapp.core.grading.runner import POOL, ChildProcess

    drill = get_drill(drill_id)
    spec = drill.bench["cpu"]
    entry = drill.entry(spec.entry)
    probe = POOL.take(memory_limits()[1])  # a child of the warm zygote, to fork beside
    try:
        started = time.perf_counter()
        baseline: ChildProcess = POOL.sibling(probe, memory_limits()[1])
        baseline.send({"type": "baseline", "workdir": baseline.workdir.name,
                       "entry": spec.entry, "device": "cpu",
                       "reference": str(drill.solution_file("reference")), "kernel": None,
                       "inputs": str(drill.inputs_path),
                       "factories": sorted(set(entry.callables.values()))})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                message = baseline.receive(0.05)
            except queue.Empty:
                continue
            if message.get("type") == "baseline_ready":
                elapsed = time.perf_counter() - started
                baseline.close()
                return elapsed
        raise SystemExit("the baseline process did not get ready")
    finally:
        probe.close()


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("drills", nargs="*")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from quizapp.core.drills import load_drills
    from quizapp.core.grading import casecache, grade_solution, keep_warm

    drills = args.drills or list(load_drills())
    home = tempfile.mkdtemp(prefix="quizapp-bench-")
    env = dict(os.environ, QUIZAPP_HOME=home)
    os.environ["QUIZAPP_HOME"] = home
    script = Path(sys.executable).with_name("quizapp")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "quizapp.cli.main"]
    torch_import = [sys.executable, "-c", "import torch"]

    first: dict[str, float] = {}
    cold: dict[str, list[float]] = {d: [] for d in drills}
    warm: dict[str, list[float]] = {d: [] for d in drills}
    named: dict[str, list[float]] = {d: [] for d in drills}
    imports: list[float] = []
    load_before = os.getloadavg()
    _timed(torch_import, env)  # fill the page cache before anything is measured
    keep_warm(True)
    try:
        for repeat in range(args.repeats):
            for drill in drills:
                reference = ROOT / "solutions" / drill / "reference.py"
                imports.append(_timed(torch_import, env))
                if repeat == 0:
                    shutil.rmtree(casecache.folder(drill), ignore_errors=True)
                seconds = _timed([*cli, "grade", drill, str(reference), "--json"], env)
                (first.__setitem__(drill, seconds) if repeat == 0
                 else cold[drill].append(seconds))
                grade_solution(drill, reference, record=False)  # this process's own caches
                started = time.perf_counter()
                result = grade_solution(drill, reference, record=False)
                warm[drill].append(time.perf_counter() - started)
                if not result.passed:
                    raise SystemExit(f"{drill}: the reference did not pass: {result.message}")
                with _named_only():
                    started = time.perf_counter()
                    grade_solution(drill, reference, record=False)
                    named[drill].append(time.perf_counter() - started)
        baseline = statistics.median(_baseline_ready(drills[0]) for _ in range(3))
    finally:
        keep_warm(False)
        shutil.rmtree(home, ignore_errors=True)
    load_after = os.getloadavg()

    base = statistics.median(imports)
    print(f"grade latency, median of {args.repeats} ({os.cpu_count()} cores, load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after); `python -c \"import "
          f"torch\"` = {base:.2f} s (median of {len(imports)})")
    print(f"{'drill':<21}{'cases':>6}{'first':>8}{'cold':>8}{'− torch':>9}"
          f"{'warm':>8}{'named only':>12}{'new cases':>11}")
    all_drills = load_drills()
    for drill in drills:
        c = statistics.median(cold[drill]) if cold[drill] else first[drill]
        w, n = statistics.median(warm[drill]), statistics.median(named[drill])
        count = len(all_drills[drill].graded_cases("torch", 0))
        print(f"{drill:<21}{count:>6}{first[drill]:>7.2f}s{c:>7.2f}s{c - base:>+8.2f}s"
              f"{w:>7.2f}s{n:>11.2f}s{w - n:>+10.2f}s")
    print(f"--bench baseline process ready in {baseline * 1000:.0f} ms ({drills[0]}, "
          "median of 3: fork from the warm zygote, load reference.py and inputs.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
