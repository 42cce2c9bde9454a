"""Grading on the user's own GPU machine over SSH (`quizapp grade … --remote HOST`).

The system's OpenSSH client does the connecting, so the user's `~/.ssh/config`, keys, agent
and jump hosts work unchanged. The solution's source travels on the connection's stdin; the
remote runs its own `quizapp grade ID - --json --remote-request …` (the same grader, on its
GPU when `--device cuda` is asked), streams progress lines on stderr, and prints the grade's
JSON on stdout. Here the JSON becomes a `GradeResult` again, shown and recorded exactly like
a local grade, with `host` saying where it ran.

Every way this can go wrong is one `RemoteError` line (exit code 3): the host cannot be
reached or resolved, authentication fails, quizapp is missing there or of another major
version, the connection drops mid-grade, or the grade does not finish before the local
deadline (this side kills the connection; it never waits on the network forever).

Knobs (config `[grading]` or the environment): `remote` (the default host for the TUI),
`remote_command` (the quizapp command on the host, default `quizapp`; e.g.
`~/.local/bin/quizapp` when non-interactive shells lack it on PATH), `QUIZAPP_SSH` (the ssh
command, default `ssh`; e.g. `ssh -F ~/.ssh/gpu_config`).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quizapp.core.errors import QuizappError

#: Exit code of a grade or check that could not run on the remote host.
EXIT_REMOTE = 3
#: Prefix of the progress lines the remote writes on stderr.
PROGRESS_PREFIX = "quizapp-progress: "
#: The device the TUI's remote grade key asks for: the host is the user's GPU machine.
REMOTE_DEVICE = "cuda"
#: Seconds allowed for connecting and authenticating.
CONNECT_TIMEOUT_S = 15
#: Seconds added to the drill's own limits for the connection, the remote's start-up and its
#: first `import torch` (a cold GPU host takes a while to initialise CUDA).
REMOTE_OVERHEAD_S = 90.0


class RemoteError(QuizappError):
    """A remote grade or check that could not run; one line for the user."""

    exit_code = EXIT_REMOTE


@dataclass(frozen=True)
class Remote:
    """Where and how to run quizapp over SSH."""

    host: str
    ssh: tuple[str, ...] = ("ssh",)
    command: str = "quizapp"

    @classmethod
    def from_settings(cls, host: str, command: str | None = None) -> Remote:
        """The host with the ssh command from `QUIZAPP_SSH` and the remote quizapp command
        from the argument, `QUIZAPP_REMOTE_COMMAND` or the default."""
        if not host or host.startswith("-"):
            raise QuizappError(f"not a host name: {host!r}")
        ssh = tuple(shlex.split(os.environ.get("QUIZAPP_SSH", "ssh"))) or ("ssh",)
        command = command or os.environ.get("QUIZAPP_REMOTE_COMMAND") or "quizapp"
        return cls(host, ssh, command)

    def argv(self, *remote_args: str) -> list[str]:
        """The local command line running `quizapp <remote_args>` on the host."""
        remote = " ".join([_shell_word(self.command), *map(shlex.quote, remote_args)])
        return [*self.ssh, "-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT_S}",
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
                "-T", "--", self.host, remote]


def _shell_word(command: str) -> str:
    """The remote command as the remote shell should see it: `~/…` left to expand there."""
    if command.startswith("~/"):
        return "~/" + shlex.quote(command[2:])
    return shlex.quote(command)


@dataclass
class _Run:
    returncode: int | None
    stdout: str
    stderr: list[str]
    timed_out: bool
    seconds: float
    saw_progress: bool
    cancelled: bool = False


def _run(remote: Remote, args: list[str], stdin: str, deadline_s: float,
         progress: Callable[[str], None] | None,
         cancel: threading.Event | None = None) -> _Run:
    """Run quizapp on the host; progress lines go to `progress`, the rest is kept."""
    started = time.monotonic()
    try:
        proc = subprocess.Popen(remote.argv(*args), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except FileNotFoundError:
        raise RemoteError(f"cannot run '{remote.ssh[0]}': install the OpenSSH client "
                          "(or set QUIZAPP_SSH)") from None
    stdout_chunks: list[bytes] = []
    stderr_lines: list[str] = []
    seen = threading.Event()

    def read_stdout() -> None:
        assert proc.stdout is not None
        for chunk in iter(lambda: proc.stdout.read(65536), b""):
            stdout_chunks.append(chunk)

    def read_stderr() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith(PROGRESS_PREFIX):
                seen.set()
                if progress is not None:
                    progress(line[len(PROGRESS_PREFIX):])
            elif line:
                stderr_lines.append(line)

    readers = [threading.Thread(target=read_stdout, daemon=True),
               threading.Thread(target=read_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    try:
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode("utf-8"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the connection failed before reading; the exit status says why
    timed_out = cancelled = False
    while True:
        try:
            proc.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.is_set():
                cancelled = True
            elif time.monotonic() - started >= deadline_s:
                timed_out = True
            else:
                continue
            _kill(proc)
            break
    for reader in readers:
        reader.join(timeout=5)
    return _Run(proc.returncode, b"".join(stdout_chunks).decode("utf-8", "replace"),
                stderr_lines, timed_out, time.monotonic() - started, seen.is_set(),
                cancelled)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the ssh client (and anything it started, e.g. a ProxyCommand)."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


_AUTH = ("permission denied", "too many authentication failures", "no more authentication",
         "host key verification failed", "authentication failed")
_UNREACHABLE = ("connection refused", "connection timed out", "no route to host",
                "network is unreachable", "operation timed out", "could not resolve",
                "name or service not known", "temporary failure in name resolution",
                "connection closed by remote host", "kex_exchange_identification")
_DROPPED = ("broken pipe", "connection reset", "connection closed", "not responding",
            "client_loop", "lost connection", "disconnect")


def _explain_failure(remote: Remote, run: _Run, what: str) -> RemoteError:
    """The one line for a run that produced no result."""
    host = remote.host
    text = " ".join(run.stderr).lower()
    last = run.stderr[-1] if run.stderr else ""
    if run.timed_out:
        return RemoteError(f"{host} did not finish the {what} within {run.seconds:.0f} s; "
                           "the connection was closed (is the host overloaded, or the "
                           "network stalled?)")
    if run.returncode == 255 or run.returncode is None or run.returncode < 0:
        if any(word in text for word in _AUTH):
            return RemoteError(f"authentication to {host} failed ({last}); check that "
                               f"'ssh {host}' logs in without a password prompt (keys or "
                               "agent)")
        if run.saw_progress or (any(w in text for w in _DROPPED)
                                and not any(w in text for w in _UNREACHABLE)):
            return RemoteError(f"the connection to {host} dropped during the {what}"
                               + (f" ({last})" if last else ""))
        if any(word in text for word in _UNREACHABLE):
            return RemoteError(f"cannot reach {host}: {last}")
        return RemoteError(f"ssh to {host} failed" + (f": {last}" if last else
                                                        f" (exit {run.returncode})"))
    if run.returncode == 127 or "command not found" in text or "not found" in text \
            and remote.command in text:
        return RemoteError(f"quizapp is not installed on {host} (or not on the PATH of a "
                           f"non-interactive ssh): install it there with 'pipx install "
                           "quizapp', or set [grading] remote_command to its full path")
    if last.startswith("quizapp: "):
        return RemoteError(f"{host}: {last[len('quizapp: '):]}")
    return RemoteError(f"the {what} on {host} ended without a result (exit "
                       f"{run.returncode})" + (f": {last}" if last else ""))


def installed_version() -> str:
    """This quizapp's version, from the package metadata (the source's when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quizapp")
    except PackageNotFoundError:
        from quizapp import __version__

        return __version__


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def check_version(host: str, remote_version: str | None) -> None:
    """Refuse a remote quizapp of another major version, with the command that fixes it."""
    local = installed_version()
    if remote_version is None:
        raise RemoteError(f"{host} runs a quizapp too old to say its version; this is "
                          f"{local}: run 'pipx upgrade quizapp' on {host}")
    if _major(remote_version) != _major(local):
        newer = "upgrade it there" if remote_version < local else "upgrade it here"
        raise RemoteError(f"{host} runs quizapp {remote_version} and this is {local} (major "
                          f"versions differ): {newer} with 'pipx upgrade quizapp'")


def remote_deadline(drill_id: str, bench: bool) -> float:
    """Seconds the local side waits for a remote grade before giving up."""
    env = os.environ.get("QUIZAPP_REMOTE_TIMEOUT")
    if env:
        try:
            return max(1.0, float(env))
        except ValueError:
            raise QuizappError(f"QUIZAPP_REMOTE_TIMEOUT must be a number of seconds, got "
                               f"{env!r}") from None
    from quizapp.core.drills import get_drill

    drill = get_drill(drill_id)
    limit = max(drill.time_limit_s.values(), default=60.0)
    return limit + REMOTE_OVERHEAD_S + (240.0 if bench else 0.0)


def grade_remote(remote: Remote, drill_id: str, source: str, *, track: str | None = None,
                 bench: bool = False, device: str = "cpu",
                 progress: Callable[[str], None] | None = None,
                 deadline_s: float | None = None,
                 cancel: threading.Event | None = None, seed: int | None = None) -> Any:
    """Grade `source` for `drill_id` on the host; the `GradeResult`, with `host` set.
    Setting `cancel` closes the connection and raises `GradingCancelled`; `seed` is the
    fresh trials' seed (`--seed`)."""
    args = ["grade", drill_id, "-", "--json", "--remote-request", "--device", device]
    if bench:
        args.append("--bench")
    if seed is not None:
        args += ["--seed", str(seed)]
    if track:
        args += ["--track", track]
    deadline = deadline_s if deadline_s is not None else remote_deadline(drill_id, bench)
    if progress is not None:
        progress(f"connecting to {remote.host} …")
    run = _run(remote, args, source, deadline, progress, cancel)
    if run.cancelled:
        from quizapp.core.grading import GradingCancelled

        raise GradingCancelled()
    data = _result_json(run.stdout) if not run.timed_out else None
    if data is None or run.returncode not in (0, 1):
        raise _explain_failure(remote, run, "grade")
    check_version(remote.host, data.get("quizapp_version"))
    return result_from_json(data, host=remote.host)


def _result_json(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "status" in data and "drill" in data:
            return data
    return None


def result_from_json(data: dict[str, Any], host: str | None = None) -> Any:
    """A `GradeResult` from `quizapp grade --json` output (the inverse of `to_json`); the
    mistake's title and explanation come in English, as the JSON carries them."""
    from quizapp.core.grading import CaseResult, FirstFailure, GradeResult, MistakeMatch, Timing

    def fnum(value: Any) -> float | None:
        return float(value) if isinstance(value, (int, float)) else None

    try:
        cases = [CaseResult(name=str(c["name"]), status=str(c["status"]),
                            message=str(c.get("message", "")),
                            max_abs_err=fnum(c.get("max_abs_err")),
                            max_rel_err=fnum(c.get("max_rel_err")),
                            note=str(c.get("note") or ""),
                            seed=c["seed"] if isinstance(c.get("seed"), int) else None)
                 for c in data.get("cases", [])]
        first = data.get("first_failure")
        first_failure = None
        if isinstance(first, dict):
            first_failure = FirstFailure(
                case=str(first["case"]), status=str(first["status"]),
                message=str(first.get("message", "")),
                max_abs_err=fnum(first.get("max_abs_err")),
                max_rel_err=fnum(first.get("max_rel_err")),
                seed=first["seed"] if isinstance(first.get("seed"), int) else None)
        mistake = None
        if data.get("mistake"):
            mistake = MistakeMatch(
                id=str(data["mistake"]["id"]),
                title={"en": str(data["mistake"].get("title", data["mistake"]["id"]))},
                explanation={"en": str(data["mistake"].get("explanation", ""))})
        timing = None
        if data.get("timing"):
            t = data["timing"]
            timing = Timing(
                device=str(t["device"]), label=str(t.get("label", t["device"])),
                threads=t.get("threads"), size=str(t.get("size", "")),
                user_ms=float(t["user_ms"]), reference_ms=float(t["reference_ms"]),
                ratio=float(t["ratio"]), ci95=(float(t["ci95"][0]), float(t["ci95"][1])),
                verdict=str(t.get("verdict", "")), baseline=str(t.get("baseline", "")),
                samples=int(t.get("samples", 0)), triton_ms=fnum(t.get("triton_ms")),
                triton_ratio=fnum(t.get("triton_ratio")),
                triton_ci95=tuple(t["triton_ci95"]) if t.get("triton_ci95") else None)
        result = GradeResult(
            drill=str(data["drill"]), track=str(data.get("track", "torch")),
            device=str(data.get("device", "cpu")), status=str(data["status"]),
            message=str(data.get("message", "")), cases=cases, mistake=mistake, timing=timing,
            output=str(data.get("output", "")),
            output_truncated=int(data.get("output_truncated_bytes", 0)),
            interpreted=bool(data.get("interpreted", False)),
            seconds=float(data.get("seconds", 0.0)),
            notes=[str(n) for n in data.get("notes") or []], first_failure=first_failure,
            seed=data["seed"] if isinstance(data.get("seed"), int) else None)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise RemoteError(f"{host or 'the remote'} sent a grade this quizapp cannot read "
                          f"({type(err).__name__}: {err}); are both quizapp versions the "
                          "same?") from None
    if host is not None:
        result.host = host
    return result


@dataclass(frozen=True)
class RemoteReport:
    """What `quizapp remote check HOST` found, one line each."""

    lines: list[tuple[str, str, str]]  # (status, name, detail)
    ok: bool


def check_remote(remote: Remote, deadline_s: float = 120.0) -> RemoteReport:
    """Reach the host, compare quizapp versions, and read its doctor's report."""
    run = _run(remote, ["doctor", "--json"], "", deadline_s, None)
    if run.timed_out or run.returncode not in (0, 1):
        raise _explain_failure(remote, run, "check")
    try:
        report = json.loads(run.stdout.strip().splitlines()[-1])
        checks = {c["name"]: c for c in report["checks"]}
    except (ValueError, KeyError, TypeError, IndexError):
        raise RemoteError(f"{remote.host} answered 'quizapp doctor' with something this "
                          "quizapp cannot read; are both versions the same?") from None
    lines: list[tuple[str, str, str]] = [("ok", "reachable", f"{remote.host} in "
                                          f"{run.seconds:.1f} s (ssh + quizapp doctor)")]
    version = str(checks.get("quizapp", {}).get("detail", "")).split(",", 1)[0]
    try:
        check_version(remote.host, version or None)
        lines.append(("ok", "quizapp", version))
    except RemoteError as err:
        lines.append(("fail", "quizapp", str(err)))
    for name in ("torch", "cuda", "triton", "isolation"):
        if name in checks:
            c = checks[name]
            detail = c["detail"] + (f"  → {c['fix']}" if c.get("fix") else "")
            lines.append((c["status"], name, detail))
    ok = all(status != "fail" for status, _, _ in lines) and bool(report.get("usable"))
    return RemoteReport(lines, ok)
