"""The zygote: a trusted process that imports torch once and forks one grading child per request.

Started by `quizapp.core.grading.runner.Zygote` as `python -m quizapp.core.grading.zygote
CONTROL_FD`. It never receives a job, an input or an expected output, and never runs user
code: it receives three file descriptors (job pipe, result pipe, output pipe), forks, and
reports the child's pid and, later, its wait status (records: `zygote_records`).
Children start in milliseconds instead of paying for `import torch` again; a one-grade CLI
run uses a zygote too (it costs the same as spawning the child directly), so there is one
way to start a child.

It is also the grade's **child subreaper** (Linux `PR_SET_CHILD_SUBREAPER`): every process a
grading child starts and abandons — a double-forked `setsid()` daemon included — is
re-parented to the zygote, which kills it at once and reports it (record `STRAY`); when a
grading child exits, everything it left behind is killed before its exit (`EXITED`) is
reported, so when the grader sees the exit, nothing of the grade is left running. When its
parent goes away, the zygote kills all its children and exits.
"""

from __future__ import annotations

import ctypes
import gc
import os
import select
import signal
import socket
import sys
import time

from quizapp.core.grading import child, zygote_records

_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children() -> set[int]:
    """Pids of this process's children (Linux /proc), including adopted orphans."""
    me = os.getpid()
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{me}/task"):
            with open(f"/proc/{me}/task/{task}/children", encoding="ascii") as handle:
                found.update(int(p) for p in handle.read().split())
        return found
    except OSError:
        pass
    try:  # kernels without CONFIG_PROC_CHILDREN
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    stat = handle.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(entry))
    except OSError:
        pass
    return found


class _Zygote:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.graded: set[int] = set()  # live grading children

    def send(self, kind: bytes, pid: int, value: int) -> None:
        try:
            self.control.sendall(zygote_records.encode(kind, pid, value))
        except OSError:
            self.shutdown()

    def kill_strays(self, owner: int) -> None:
        """Kill every child that is not a live grading child (adopted or abandoned processes),
        until none is left; report each."""
        for _ in range(100):
            strays = _children() - self.graded
            if not strays:
                return
            for pid in strays:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
            for pid in strays:
                try:
                    _, status = os.waitpid(pid, 0)
                except ChildProcessError:
                    continue
                # A process that had already ended by itself was not left running.
                if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
                    continue
                self.send(zygote_records.STRAY, pid, owner)

    def reap(self) -> None:
        """Report exited grading children, after killing what each left behind."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.graded:
                self.graded.discard(pid)
                self.kill_strays(pid)
                self.send(zygote_records.EXITED, pid, status)

    def owner(self) -> int:
        return next(iter(self.graded)) if len(self.graded) == 1 else 0

    def shutdown(self) -> None:
        self.graded.clear()
        self.kill_strays(0)
        os._exit(0)

    def fork(self, fds: list[int], wake: tuple[int, int]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for fd in wake:
                    os.close(fd)
                self.control.close()
                child.serve_forked(*fds)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        self.graded.add(pid)
        self.send(zygote_records.FORKED, pid, 0)


def main(control_fd: int) -> None:
    """Import torch, report ready, then fork on request until the parent goes away."""
    control = socket.socket(fileno=control_fd)
    subreaper = _become_subreaper()
    child.prepare_torch()
    gc.collect()
    gc.freeze()  # keep the forked children from touching (copying) the zygote's pages
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select() through wake_w
    zygote = _Zygote(control)
    zygote.send(zygote_records.READY, os.getpid(),
                zygote_records.SUBREAPER if subreaper else 0)
    while True:
        # While a grade runs, look for abandoned processes a few times a second.
        timeout = 0.1 if zygote.graded else None
        readable, _, _ = select.select([control, wake_r], [], [], timeout)
        if wake_r in readable:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
        zygote.reap()
        if zygote.graded:
            zygote.kill_strays(zygote.owner())
        if control not in readable:
            continue
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 3)
        except OSError:
            zygote.shutdown()
        if not message:  # the parent is gone
            zygote.shutdown()
        if len(fds) != 3 or message != zygote_records.FORK:
            for fd in fds:
                os.close(fd)
            continue
        zygote.fork(list(fds), (wake_r, wake_w))
        time.sleep(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
