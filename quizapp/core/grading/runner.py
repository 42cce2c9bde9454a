"""Starting, talking to, watching and killing the sandboxed grading child.

Every grading child is forked by a *zygote* (`quizapp.core.grading.zygote`): a trusted
process, spawned with an environment free of user paths (`sandbox.child_environment`), that
imports torch once and then forks one fresh child per request (the parent's handle on it:
`zygote_handle.Zygote`). The warm pool (`keep_warm()`:
the TUI, `drill watch`, the tests) keeps one zygote for many grades; a single CLI grade starts
a zygote of its own, which costs the same as spawning the child directly. The zygote is the
grade's child subreaper: whatever a child leaves running is killed and reported.

`ChildProcess` is the parent's handle on one child:

- a job pipe (parent → child) and a result pipe (child → parent): the private channel of
  `protocol`;
- stdout and stderr on one pipe that a thread drains, keeping the first `OUTPUT_CAP` bytes,
  so a solution that prints 100 MB cannot fill memory or block;
- a watchdog that kills the process group when its resident memory passes a ceiling (the
  child also sets its own hard address-space limit on CPU).

`WarmPool` (`POOL`) hands out children, from the warm zygote when there is one.
"""

from __future__ import annotations

import atexit
import os
import queue
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quizapp.core.grading import protocol
from quizapp.core.grading.zygote_handle import STARTUP_TIMEOUT_S, ChildGone, Zygote

__all__ = ["OUTPUT_CAP", "POOL", "Cancelled", "ChildGone", "ChildProcess", "WarmPool"]

#: Bytes of the solution's stdout/stderr kept for the report.
OUTPUT_CAP = 16 * 1024


class Cancelled(Exception):
    """Waiting for a sandbox was abandoned because the grade was cancelled."""


class ChildProcess:
    """One sandboxed child process (forked by a zygote) and its channels."""

    def __init__(self, rss_limit: int | None, zygote: Zygote, *,
                 owns_zygote: bool = False) -> None:
        self.workdir = tempfile.TemporaryDirectory(prefix="quizapp-grade-")
        self.zygote = zygote
        self.owns_zygote = owns_zygote
        job_r, self._job_w = os.pipe()
        self._result_r, result_w = os.pipe()
        out_r, out_w = os.pipe()
        self.started_at = time.monotonic()
        try:
            self.proc = _Forked(zygote, zygote.fork(job_r, result_w, out_w))
        except BaseException:
            for fd in (self._job_w, self._result_r, out_r):
                os.close(fd)
            raise
        finally:
            for fd in (job_r, result_w, out_w):
                os.close(fd)
        self._output = os.fdopen(out_r, "rb", buffering=0)
        self.messages: queue.Queue[Any] = queue.Queue()
        self.output = bytearray()
        self.output_total = 0
        self.rss_limit = rss_limit
        #: Set when the output pipe reached its end (every writer is gone).
        self.output_done = threading.Event()
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
        stream = self._output
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            self.output_total += len(chunk)
            room = OUTPUT_CAP - len(self.output)
            if room > 0:
                self.output += chunk[:room]
        stream.close()
        self.output_done.set()

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
        pid = self.proc.pid
        if pid <= 0:
            return
        status = Path(f"/proc/{pid}/status")
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
        """Kill the child and everything in its process group (the zygote kills the rest)."""
        with self._lock:
            self.killed = True
            self.signal(signal.SIGKILL)

    def signal(self, signum: int) -> None:
        """Send `signum` to the child's process group (nothing if it never started)."""
        pid = self.proc.pid
        if pid <= 0:  # never os.kill(-1, …): that would signal every process we may
            return
        for send in (os.killpg, os.kill):
            try:
                send(pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    def finish(self, timeout: float = 2.0) -> None:
        """Let the child exit by itself (killing it after `timeout`) and wait until the zygote
        has reported its exit — by then every process it left behind is dead and counted."""
        self._outbox.put(None)
        if self.proc.wait(timeout) is None:
            self.kill()
            self.proc.wait(10)

    def strays(self) -> list[int]:
        """Processes the child left running, which the zygote had to kill."""
        pid = self.proc.pid
        return self.zygote.strays_of(pid) if pid > 0 else []

    def close(self) -> None:
        """Kill if still running, reap, and remove the working directory."""
        self._outbox.put(None)
        if self.proc.poll() is None:
            self.kill()
        self.proc.wait(timeout=10)
        if self.owns_zygote:
            self.zygote.close()
        self.workdir.cleanup()

    def exit_description(self) -> str:
        """How the process ended, in words ("exited with code 0", "killed by SIGSEGV")."""
        code = self.proc.wait(timeout=5)
        if code is None:
            return "ended" if self.killed else "stopped answering"
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


class _Process:
    """What the parent needs of a child process."""

    pid: int

    def poll(self) -> int | None:
        """The exit code (negative: killed by that signal), or None while running."""
        raise NotImplementedError

    def wait(self, timeout: float) -> int | None:
        """Wait up to `timeout` seconds for the exit code (None if still running)."""
        raise NotImplementedError


class _Forked(_Process):
    def __init__(self, zygote: Zygote, pending: queue.Queue[int]) -> None:
        self.zygote = zygote
        self._pending = pending
        self._pid: int | None = None

    @property
    def pid(self) -> int:  # type: ignore[override]
        """The child's pid, once the zygote has forked it (-1 if it never will)."""
        if self._pid is None:
            try:
                self._pid = self._pending.get(timeout=STARTUP_TIMEOUT_S)
            except queue.Empty:
                self._pid = -1
        return self._pid

    def poll(self) -> int | None:
        return self.wait(0.0)

    def wait(self, timeout: float) -> int | None:
        if self._pid is None:
            try:
                self._pid = self._pending.get(timeout=max(timeout, 0.0))
            except queue.Empty:
                return None if self.zygote.alive() else -9
        if self._pid <= 0:
            return -9
        return self.zygote.exit_code(self._pid, timeout)


class WarmPool:
    """The zygote, when keeping warm is enabled (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zygote: Zygote | None = None
        self.enabled = False

    def take(self, rss_limit: int | None,
             cancelled: Callable[[], bool] = lambda: False) -> ChildProcess:
        """A started child: forked from the warm zygote, or from a zygote of its own (which
        the child stops when it closes).

        While the warm zygote is still starting, waits for it (it will be ready sooner than a
        new process would), polling `cancelled`: raises `Cancelled` when it says so."""
        with self._lock:
            zygote = self._zygote
        if self.enabled and zygote is not None:
            while zygote.alive() and not zygote.ready.wait(0.05):
                if cancelled():
                    raise Cancelled()
            if zygote.alive():
                try:
                    return ChildProcess(rss_limit, zygote)
                except ChildGone:
                    pass
        return ChildProcess(rss_limit, Zygote(), owns_zygote=True)

    def sibling(self, child: ChildProcess, rss_limit: int | None) -> ChildProcess:
        """Another child from the same zygote as `child` (the timing baseline's process)."""
        return ChildProcess(rss_limit, child.zygote)

    def refill(self, rss_limit: int | None = None) -> None:
        """(Re)start the zygote if keeping warm is enabled and it is not running."""
        if not self.enabled:
            return
        with self._lock:
            if self._zygote is None or not self._zygote.alive():
                if self._zygote is not None:
                    self._zygote.close()
                self._zygote = Zygote()

    def shutdown(self) -> None:
        """Stop the zygote, if any."""
        with self._lock:
            zygote, self._zygote = self._zygote, None
        if zygote is not None:
            zygote.close()


POOL = WarmPool()
atexit.register(POOL.shutdown)
