"""Starting, talking to, watching and killing the sandboxed grading child.

`ChildProcess` spawns `python -m quizapp.core.grading.child` (a fresh interpreter: never a
fork of a process that holds expected outputs) in its own session, with:

- a job pipe (parent → child) and a result pipe (child → parent) passed as file descriptors:
  the private channel of `protocol`;
- stdout and stderr on one pipe that a thread drains, keeping the first `OUTPUT_CAP` bytes,
  so a solution that prints 100 MB cannot fill memory or block;
- a watchdog that kills the process group when its resident memory passes a ceiling (the
  child also sets its own address-space limit on CPU).

Interpreter start-up and `import torch` dominate a grade, so `WarmPool` can keep a *zygote*
running: a process spawned the same way that imports torch once and then forks one fresh
child per grade (in milliseconds). The zygote never receives a job or any data — only the
three pipe ends of each new child — so its children are as clean as spawned ones. The CLI
does not use it (a single grade gains nothing); the TUI, `drill watch` and the tests call
`keep_warm()`.
"""

from __future__ import annotations

import atexit
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quizapp.core.grading import protocol

#: Bytes of the solution's stdout/stderr kept for the report.
OUTPUT_CAP = 16 * 1024
#: The package root, put on the child's PYTHONPATH so it runs from a source checkout too.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])


class Cancelled(Exception):
    """Waiting for a sandbox was abandoned because the grade was cancelled."""


class ChildGone(Exception):
    """The child ended (or closed its channel) before sending what was expected."""


class ChildProcess:
    """One sandboxed child process and its channels."""

    def __init__(self, rss_limit: int | None = None, zygote: Zygote | None = None) -> None:
        self.workdir = tempfile.TemporaryDirectory(prefix="quizapp-grade-")
        job_r, self._job_w = os.pipe()
        self._result_r, result_w = os.pipe()
        self.started_at = time.monotonic()
        self.proc: _Process
        if zygote is not None:
            out_r, out_w = os.pipe()
            try:
                self.proc = _Forked(zygote, zygote.fork(job_r, result_w, out_w))
            finally:
                for fd in (job_r, result_w, out_w):
                    os.close(fd)
            self._output = os.fdopen(out_r, "rb", buffering=0)
        else:
            popen = subprocess.Popen(
                [sys.executable, "-m", "quizapp.core.grading.child", str(job_r), str(result_w)],
                pass_fds=(job_r, result_w), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, cwd=self.workdir.name, env=child_environment(),
                start_new_session=True)
            os.close(job_r)
            os.close(result_w)
            assert popen.stdout is not None
            self._output = popen.stdout
            self.proc = _Spawned(popen)
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
            for kill in (os.killpg, os.kill):
                try:
                    kill(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def close(self) -> None:
        """Kill if still running, reap, and remove the working directory."""
        self._outbox.put(None)
        if self.proc.poll() is None:
            self.kill()
        self.proc.wait(timeout=10)
        # Anything the solution left running in its group goes too.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
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
    """What the parent needs of a child process, however it was started."""

    pid: int

    def poll(self) -> int | None:
        """The exit code (negative: killed by that signal), or None while running."""
        raise NotImplementedError

    def wait(self, timeout: float) -> int | None:
        """Wait up to `timeout` seconds for the exit code (None if still running)."""
        raise NotImplementedError


class _Spawned(_Process):
    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen
        self.pid = popen.pid

    def poll(self) -> int | None:
        return self.popen.poll()

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


class _Forked(_Process):
    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote = zygote
        self.pid = pid

    def poll(self) -> int | None:
        return self.zygote.exit_code(self.pid, 0.0)

    def wait(self, timeout: float) -> int | None:
        return self.zygote.exit_code(self.pid, timeout)


def child_environment() -> dict[str, str]:
    """The environment of a grading child (or zygote)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [_PACKAGE_ROOT, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    env.pop("TRITON_INTERPRET", None)  # the child decides, per job
    env["PYTHONUNBUFFERED"] = "1"  # prints reach the capped pipe even if the child dies
    env["PYTHONIOENCODING"] = "utf-8"
    # numpy's BLAS pool would be a second thread in the zygote at fork time; torch has its own.
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


_RECORD = struct.Struct(">cqq")  # mirrors child._RECORD


class Zygote:
    """A spawned process with torch imported that forks grading children on request."""

    def __init__(self) -> None:
        parent_end, child_end = socket.socketpair()
        self.workdir = tempfile.TemporaryDirectory(prefix="quizapp-zygote-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quizapp.core.grading.child", "--zygote",
             str(child_end.fileno())],
            pass_fds=(child_end.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.workdir.name,
            env=child_environment(), start_new_session=True)
        child_end.close()
        self.control = parent_end
        self._request_lock = threading.Lock()
        self._forked: queue.Queue[int] = queue.Queue()
        self._exits: dict[int, int] = {}
        self._exit_cond = threading.Condition()
        #: Set once the zygote has imported torch and can fork.
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True, name="grader-zygote").start()

    def _read(self) -> None:
        buffer = b""
        try:
            while True:
                chunk = self.control.recv(4096)
                if not chunk:
                    break
                buffer += chunk
                while len(buffer) >= _RECORD.size:
                    kind, pid, status = _RECORD.unpack(buffer[:_RECORD.size])
                    buffer = buffer[_RECORD.size:]
                    if kind == b"R":
                        self.ready.set()
                    elif kind == b"P":
                        self._forked.put(pid)
                    else:
                        with self._exit_cond:
                            self._exits[pid] = os.waitstatus_to_exitcode(int(status))
                            self._exit_cond.notify_all()
        except OSError:
            pass
        finally:
            self._forked.put(-1)
            with self._exit_cond:
                self._exit_cond.notify_all()

    def alive(self) -> bool:
        """True while the zygote runs."""
        return self.proc.poll() is None

    def fork(self, job_fd: int, result_fd: int, output_fd: int) -> int:
        """A new child wired to these pipe ends; its pid. Raises ChildGone if the zygote is
        gone."""
        with self._request_lock:
            if not self.alive():
                raise ChildGone("the grading zygote is not running")
            try:
                socket.send_fds(self.control, [b"F"], [job_fd, result_fd, output_fd])
                pid = self._forked.get(timeout=STARTUP_TIMEOUT_S)
            except (OSError, queue.Empty):
                pid = -1
            if pid < 0:
                # A late reply would pair the next request with the wrong pid: retire it.
                self.proc.kill()
                raise ChildGone("the grading zygote did not fork")
            return pid

    def exit_code(self, pid: int, timeout: float) -> int | None:
        """The child's exit code once the zygote has reaped it (None while running)."""
        deadline = time.monotonic() + timeout
        with self._exit_cond:
            while pid not in self._exits:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.alive():
                    return self._exits.get(pid)
                self._exit_cond.wait(remaining)
            return self._exits[pid]

    def close(self) -> None:
        """Stop the zygote (its idle children notice and exit)."""
        try:
            # shutdown() first: close() alone neither wakes our reader thread blocked in
            # recv() nor lets the zygote see the end of the stream.
            self.control.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.control.close()
        except OSError:
            pass
        if not self.ready.is_set():
            self.proc.kill()  # still importing torch: nothing to finish
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.workdir.cleanup()


#: Seconds a fresh zygote may take to import torch before a fork request gives up.
STARTUP_TIMEOUT_S = 120.0


class WarmPool:
    """The zygote, when keeping warm is enabled (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zygote: Zygote | None = None
        self.enabled = False

    def take(self, rss_limit: int | None,
             cancelled: Callable[[], bool] = lambda: False) -> ChildProcess:
        """A started child: forked from the zygote when warm, else freshly spawned.

        While the zygote is still starting, waits for it (it will be ready sooner than a new
        process would), polling `cancelled`: raises `Cancelled` when it says so."""
        with self._lock:
            zygote = self._zygote
        if self.enabled and zygote is not None:
            while zygote.alive() and not zygote.ready.wait(0.05):
                if cancelled():
                    raise Cancelled()
            if zygote.alive():
                try:
                    return ChildProcess(rss_limit, zygote=zygote)
                except ChildGone:
                    pass
        return ChildProcess(rss_limit)

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
