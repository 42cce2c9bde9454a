"""Starting, talking to, watching and killing the sandboxed grading child.

`ChildProcess` spawns `python -m quizapp.core.grading.child` (a fresh interpreter: never a
fork of a process that holds expected outputs) in its own session, with:

- a job pipe (parent → child) and a result pipe (child → parent) passed as file descriptors:
  the private channel of `protocol`;
- stdout and stderr on one pipe that a thread drains, keeping the first `OUTPUT_CAP` bytes,
  so a solution that prints 100 MB cannot fill memory or block;
- a watchdog that kills the process group when its resident memory passes a ceiling (the
  child also sets its own address-space limit on CPU).

Interpreter start-up and `import torch` dominate a grade, so `WarmPool` can keep one child
started ahead of time (it holds nothing but torch; each child grades exactly one solution).
The CLI does not use it; the TUI and `drill watch` call `keep_warm()`.
"""

from __future__ import annotations

import atexit
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from quizapp.core.grading import protocol

#: Bytes of the solution's stdout/stderr kept for the report.
OUTPUT_CAP = 16 * 1024
#: The package root, put on the child's PYTHONPATH so it runs from a source checkout too.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])


class ChildGone(Exception):
    """The child ended (or closed its channel) before sending what was expected."""


class ChildProcess:
    """One sandboxed child process and its channels."""

    def __init__(self, rss_limit: int | None = None) -> None:
        self.workdir = tempfile.TemporaryDirectory(prefix="quizapp-grade-")
        job_r, self._job_w = os.pipe()
        self._result_r, result_w = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [_PACKAGE_ROOT, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
        env.pop("TRITON_INTERPRET", None)  # the child decides, per job
        env["PYTHONUNBUFFERED"] = "1"  # prints reach the capped pipe even if the child dies
        env["PYTHONIOENCODING"] = "utf-8"
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quizapp.core.grading.child", str(job_r), str(result_w)],
            pass_fds=(job_r, result_w), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, cwd=self.workdir.name, env=env, start_new_session=True)
        os.close(job_r)
        os.close(result_w)
        self.messages: queue.Queue[Any] = queue.Queue()
        self.output = bytearray()
        self.output_total = 0
        self.rss_limit = rss_limit
        self.killed_for_memory = False
        self.killed = False
        self._outbox: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        for target, name in ((self._read_results, "results"), (self._drain_output, "output"),
                             (self._write_jobs, "jobs"), (self._watch_memory, "memory")):
            threading.Thread(target=target, daemon=True, name=f"grader-{name}").start()

    # -- threads ----------------------------------------------------------------------------

    def _read_results(self) -> None:
        try:
            while True:
                payload = protocol.read_frame(self._result_r)
                if payload is None:
                    break
                try:
                    self.messages.put(protocol.decode(payload))
                except protocol.ChannelError as err:
                    self.messages.put(err)
                    break
        except (OSError, protocol.ChannelError) as err:
            self.messages.put(protocol.ChannelError(str(err)))
        finally:
            self.messages.put(None)  # end of stream
            os.close(self._result_r)

    def _drain_output(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            chunk = stream.read1(65536)
            if not chunk:
                break
            self.output_total += len(chunk)
            room = OUTPUT_CAP - len(self.output)
            if room > 0:
                self.output += chunk[:room]
        stream.close()

    def _write_jobs(self) -> None:
        while True:
            payload = self._outbox.get()
            if payload is None:
                break
            try:
                protocol.write_frame(self._job_w, payload)
            except OSError:
                break
        try:
            os.close(self._job_w)
        except OSError:
            pass

    def _watch_memory(self) -> None:
        if self.rss_limit is None:
            return
        status = Path(f"/proc/{self.proc.pid}/status")
        while self.proc.poll() is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        if int(line.split()[1]) * 1024 > self.rss_limit:
                            self.killed_for_memory = True
                            self.kill()
                        break
            except (OSError, ValueError):
                return
            time.sleep(0.05)

    # -- API --------------------------------------------------------------------------------

    def send(self, message: Any) -> None:
        """Queue a message for the child (never blocks, even if the child is stuck)."""
        self._outbox.put(protocol.encode(message))

    def receive(self, timeout: float) -> Any:
        """The next message; `queue.Empty` after `timeout` seconds; `ChildGone` at the end."""
        message = self.messages.get(timeout=max(timeout, 0.0))
        if message is None:
            self.messages.put(None)  # keep reporting the end to later calls
            raise ChildGone()
        if isinstance(message, protocol.ChannelError):
            raise ChildGone(str(message))
        return message

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None

    def kill(self) -> None:
        """Kill the child and everything it started (its process group)."""
        with self._lock:
            self.killed = True
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                try:
                    self.proc.kill()
                except ProcessLookupError:
                    pass

    def close(self) -> None:
        """Kill if still running, reap, and remove the working directory."""
        self._outbox.put(None)
        if self.proc.poll() is None:
            self.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        # Anything the solution left running in its group goes too.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.workdir.cleanup()

    def exit_description(self) -> str:
        """How the process ended, in words ("exited with code 0", "killed by SIGSEGV")."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "still running"
        if code is None:
            return "still running"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"was killed by {name}"
        return f"exited with code {code}"

    def captured_output(self) -> tuple[str, int]:
        """(the first OUTPUT_CAP bytes printed, as text; bytes left out)."""
        text = bytes(self.output).decode("utf-8", errors="replace")
        return text, max(0, self.output_total - len(self.output))


class WarmPool:
    """At most one child started ahead of time, waiting for its job (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: ChildProcess | None = None
        self.enabled = False

    def take(self, rss_limit: int | None) -> ChildProcess:
        """A started child: the warm one when there is one, else a new one."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None and child.alive() and child.rss_limit == rss_limit:
            return child
        if child is not None:
            child.close()
        return ChildProcess(rss_limit)

    def refill(self, rss_limit: int | None) -> None:
        """Start the next child now, if keeping warm is enabled."""
        if not self.enabled:
            return
        with self._lock:
            if self._child is not None and self._child.alive():
                return
            self._child = ChildProcess(rss_limit)

    def shutdown(self) -> None:
        """Stop the waiting child, if any."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            child.close()


POOL = WarmPool()
atexit.register(POOL.shutdown)
