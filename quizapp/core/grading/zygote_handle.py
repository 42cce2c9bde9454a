"""The grading parent's handle on a zygote (`zygote`): starting it, asking it to fork,
and reading its records (`zygote_records`) — which children it forked, how they exited,
and what they left running that it had to kill.

The zygote is spawned with an environment free of user paths (`child_environment`).
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from quizapp.core.grading import sandbox, zygote_records

#: The package root, put on the zygote's PYTHONPATH so it runs from a source checkout too.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])
#: Seconds a fresh zygote may take to import torch before a fork request gives up.
STARTUP_TIMEOUT_S = 120.0


class ChildGone(Exception):
    """The child ended (or closed its channel) before sending what was expected."""



def child_environment() -> dict[str, str]:
    """The environment of the zygote, and so of every grading child (no user paths)."""
    return sandbox.child_environment(dict(os.environ), _PACKAGE_ROOT)


class Zygote:
    """A spawned process with torch imported that forks grading children on request."""

    def __init__(self) -> None:
        parent_end, child_end = socket.socketpair()
        self.workdir = tempfile.TemporaryDirectory(prefix="quizapp-zygote-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quizapp.core.grading.zygote", str(child_end.fileno())],
            pass_fds=(child_end.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.workdir.name,
            env=child_environment(), start_new_session=True)
        child_end.close()
        self.control = parent_end
        self._request_lock = threading.Lock()
        self._pending: queue.Queue[queue.Queue[int]] = queue.Queue()
        self._exits: dict[int, int] = {}
        self._strays: dict[int, list[int]] = {}
        self._exit_cond = threading.Condition()
        #: True once the zygote said it became a child subreaper (Linux).
        self.subreaper = False
        #: Set once the zygote has imported torch and can fork.
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True, name="grader-zygote").start()

    def _read(self) -> None:
        reader = zygote_records.Reader()
        try:
            while True:
                chunk = self.control.recv(4096)
                if not chunk:
                    break
                for kind, pid, value in reader.feed(chunk):
                    if kind == zygote_records.READY:
                        self.subreaper = bool(value & zygote_records.SUBREAPER)
                        self.ready.set()
                    elif kind == zygote_records.FORKED:
                        self._pending.get_nowait().put(pid)
                    elif kind == zygote_records.STRAY:
                        with self._exit_cond:
                            self._strays.setdefault(int(value), []).append(pid)
                    else:
                        with self._exit_cond:
                            self._exits[pid] = os.waitstatus_to_exitcode(int(value))
                            self._exit_cond.notify_all()
        except (OSError, queue.Empty):
            pass
        finally:
            while not self._pending.empty():
                self._pending.get_nowait().put(-1)
            with self._exit_cond:
                self._exit_cond.notify_all()

    def alive(self) -> bool:
        """True while the zygote runs."""
        return self.proc.poll() is None

    def fork(self, job_fd: int, result_fd: int, output_fd: int) -> queue.Queue[int]:
        """Ask for a new child wired to these pipe ends. Returns at once (the zygote may still
        be importing torch); the queue receives the pid, or -1 if the zygote failed."""
        with self._request_lock:
            if not self.alive():
                raise ChildGone("the grading zygote is not running")
            reply: queue.Queue[int] = queue.Queue()
            self._pending.put(reply)
            try:
                socket.send_fds(self.control, [zygote_records.FORK], [job_fd, result_fd, output_fd])
            except OSError:
                self.proc.kill()
                raise ChildGone("the grading zygote did not take the request") from None
            return reply

    def exit_code(self, pid: int, timeout: float) -> int | None:
        """The child's exit code once the zygote has reaped it (None while running)."""
        deadline = time.monotonic() + timeout
        with self._exit_cond:
            while pid not in self._exits:
                remaining = deadline - time.monotonic()
                if not self.alive():
                    return self._exits.get(pid, -9)
                if remaining <= 0:
                    return None
                self._exit_cond.wait(min(remaining, 0.1))
            return self._exits[pid]

    def strays_of(self, pid: int) -> list[int]:
        """Processes left running that the zygote killed, blamed on child `pid` (or on no
        one in particular, when several children ran at once)."""
        with self._exit_cond:
            return [*self._strays.get(pid, []), *self._strays.get(0, [])]

    def close(self) -> None:
        """Stop the zygote (it kills its children first)."""
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
