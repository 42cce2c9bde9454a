"""How long a user waits for a verdict: `quizapp grade` per drill, next to `import torch`.

Runs, in the same session and interleaved so machine load hits both alike:

- `python -c "import torch"` — the floor: a grade spawns a fresh sandboxed interpreter
  that must import torch, and the CLI process imports torch too (in parallel);
- `quizapp grade ID solutions/ID/reference.py --json` as a subprocess, exactly as a user
  runs it (a passing solution, so every case runs);
- the same grade in-process with the warm zygote (`keep_warm`), which is what the TUI and
  `quizapp drill watch` pay for every grade after the first.

Prints a table of medians and the ratio of each grade to the `import torch` time.

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

ROOT = Path(__file__).resolve().parents[1]


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("drills", nargs="*")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from quizapp.core.drills import load_drills
    from quizapp.core.grading import grade_solution, keep_warm

    drills = args.drills or list(load_drills())
    home = tempfile.mkdtemp(prefix="quizapp-bench-")
    env = dict(os.environ, QUIZAPP_HOME=home)
    os.environ["QUIZAPP_HOME"] = home
    script = Path(sys.executable).with_name("quizapp")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "quizapp.cli.main"]
    torch_import = [sys.executable, "-c", "import torch"]

    cold: dict[str, list[float]] = {d: [] for d in drills}
    warm: dict[str, list[float]] = {d: [] for d in drills}
    imports: list[float] = []
    _timed(torch_import, env)  # fill the page cache before anything is measured
    keep_warm(True)
    try:
        for _ in range(args.repeats):
            for drill in drills:
                reference = ROOT / "solutions" / drill / "reference.py"
                imports.append(_timed(torch_import, env))
                cold[drill].append(_timed([*cli, "grade", drill, str(reference), "--json"],
                                          env))
                started = time.perf_counter()
                result = grade_solution(drill, reference, record=False)
                warm[drill].append(time.perf_counter() - started)
                if not result.passed:
                    raise SystemExit(f"{drill}: the reference did not pass: {result.message}")
    finally:
        keep_warm(False)
        shutil.rmtree(home, ignore_errors=True)

    base = statistics.median(imports)
    cores = os.cpu_count()
    print(f"grade latency, median of {args.repeats} ({cores} cores); "
          f"`python -c \"import torch\"` = {base:.2f} s (median of {len(imports)})")
    print(f"{'drill':<15}{'cases':>6}{'quizapp grade':>15}{'× import torch':>16}"
          f"{'warm (TUI/watch)':>18}{'× import torch':>16}")
    all_drills = load_drills()
    for drill in drills:
        c, w = statistics.median(cold[drill]), statistics.median(warm[drill])
        n = len(all_drills[drill].cases_for("torch"))
        print(f"{drill:<15}{n:>6}{c:>13.2f} s{c / base:>15.2f}×{w:>16.2f} s{w / base:>15.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
