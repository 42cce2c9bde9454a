"""Start-up time of `quizapp` against a minimal Textual app, measured in the same run.

Each app is started in a pseudo-terminal (120×40), as a user starts it, and timed from the
process's launch until its first frame has been written: the home screen's title for
`quizapp`, the only line of the minimal app. For `quizapp` the time until the home screen is
complete (questions, drills and today's numbers loaded in a worker) is shown too. Runs
alternate between the two apps so that both see the same machine; the table gives the median
of N repeats and the ratio of medians (target: quizapp ≤ 1.5× the minimal app).

    python bench/startup.py [--repeats 7]

It also checks that start-up imports neither torch nor triton (they load only when a drill is
graded, in the grader's sandbox).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("minimal app ready")

Minimal().run()
"""

IMPORT_PROBE = """
import sys
from quizapp.cli.main import build_parser
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.app import load_content
from quizapp.core.config import load_config
load_content(load_config())
heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'triton'))
print(','.join(heavy))
"""


def time_until(argv: list[str], markers: list[bytes], env: dict[str, str],
               timeout: float = 60.0) -> list[float]:
    """Seconds from launching `argv` in a 120×40 pty until each marker has been written."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    seen: list[float] = []
    buffer = b""
    try:
        while len(seen) < len(markers):
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{argv[0]}: no {markers[len(seen)]!r} after {timeout} s")
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                raise RuntimeError(f"{argv[0]} exited early:\n{buffer[-2000:]!r}") from None
            buffer += chunk
            now = time.perf_counter() - started
            while len(seen) < len(markers) and markers[len(seen)] in buffer:
                seen.append(now)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="quizapp-bench-"))
    env = {**os.environ, "QUIZAPP_HOME": str(home), "TERM": "xterm-256color",
           "COLORTERM": "truecolor"}
    env.pop("TEXTUAL", None)
    quizapp = shutil.which("quizapp")
    quizapp_argv = [quizapp] if quizapp else [sys.executable, "-m", "quizapp.cli.main"]
    minimal_argv = [sys.executable, "-c", MINIMAL_APP]

    heavy = subprocess.run([sys.executable, "-c", IMPORT_PROBE], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    print(f"torch/triton imported at start-up: {heavy or 'none'}")

    # One untimed start of each: the bank cache and the OS file cache are then warm, as on
    # every start after a user's first.
    time_until(quizapp_argv, [b"Maths"], env)
    time_until(minimal_argv, [b"minimal app ready"], env)

    first, ready, minimal = [], [], []
    for _ in range(args.repeats):
        a, b = time_until(quizapp_argv, [b"interview prep", b"Maths"], env)
        first.append(a)
        ready.append(b)
        minimal.extend(time_until(minimal_argv, [b"minimal app ready"], env))

    def row(name: str, values: list[float]) -> str:
        return (f"{name:<34} {statistics.median(values) * 1000:8.0f} "
                f"{min(values) * 1000:8.0f} {max(values) * 1000:8.0f}")

    print(f"\n{'first frame (ms), ' + str(args.repeats) + ' runs each':<34} "
          f"{'median':>8} {'min':>8} {'max':>8}")
    print(row("minimal Textual app", minimal))
    print(row("quizapp: home screen drawn", first))
    print(row("quizapp: home filled (content)", ready))
    ratio = statistics.median(first) / statistics.median(minimal)
    print(f"\nratio quizapp / minimal (first frame): {ratio:.2f}×  (target ≤ 1.5×)")
    print(f"ratio quizapp / minimal (home filled): "
          f"{statistics.median(ready) / statistics.median(minimal):.2f}×")
    shutil.rmtree(home, ignore_errors=True)
    return 0 if ratio <= 1.5 and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
