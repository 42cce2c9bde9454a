"""A real SSH server on 127.0.0.1 for the remote-grading tests, and the real `ssh` client.

The server is asyncssh's (in this process, on a thread of its own, with a throw-away host key
and one authorised client key); it runs each command the client sends with /bin/sh, as sshd
does, in an environment that plays the remote machine: its own QUIZAPP_HOME and a PATH with
this environment's `quizapp`. Modes make it misbehave the ways a real host can: `drop` cuts
the connection mid-grade, `stall` never answers, `no_quizapp` has no quizapp on the PATH.
The client is the system's OpenSSH `ssh`, pointed at a config file naming the host
`localhost-test-host` (QUIZAPP_SSH="ssh -F <config>"), so nothing of the user's ~/.ssh is read.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

asyncssh = pytest.importorskip("asyncssh", reason="asyncssh (dev extra) runs the test server")

HOST = "localhost-test-host"


@dataclass
class SSHServer:
    """The running server and what the client needs to reach it."""

    port: int
    config: Path
    remote_home: Path
    mode: dict[str, str] = field(default_factory=lambda: {"name": "normal"})
    commands: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _remote_env(remote_home: Path, with_quizapp: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QUIZAPP_", "PYTEST_"))}
    env["QUIZAPP_HOME"] = str(remote_home)
    system_path = "/usr/local/bin:/usr/bin:/bin"
    env["PATH"] = (f"{Path(sys.executable).parent}:" if with_quizapp else "") + system_path
    return env


def _serve(server: SSHServer, host_key: object, client_pub: Path, ready: threading.Event,
           stop: list[object]) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def handle(process: asyncssh.SSHServerProcess) -> None:
        try:
            await serve_one(process)
        except Exception as err:  # noqa: BLE001 - shown in the test's failure output
            server.errors.append(repr(err))
            raise

    async def serve_one(process: asyncssh.SSHServerProcess) -> None:
        mode = server.mode["name"]
        server.commands.append(process.command or "")
        if mode == "stall":
            await asyncio.sleep(3600)
            return
        env = _remote_env(server.remote_home, with_quizapp=mode != "no_quizapp")
        proc = await asyncio.create_subprocess_shell(
            process.command or "true", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, start_new_session=True)
        # Like sshd, the whole of the client's stdin reaches the command (a command that exits
        # without reading it just leaves it unread).
        data = await process.stdin.read()
        try:
            proc.stdin.write(data)
            await proc.stdin.drain()
            proc.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass

        async def pump(source: asyncio.StreamReader, sink: object) -> None:
            while chunk := await source.read(65536):
                sink.write(chunk)  # type: ignore[attr-defined]

        pumps = asyncio.gather(pump(proc.stdout, process.stdout),
                               pump(proc.stderr, process.stderr))
        if mode == "drop":
            # Let the grade start (progress flows), then cut the connection under it.
            await asyncio.sleep(float(server.mode.get("after", "2")))
            process.channel.get_connection().abort()
            pumps.cancel()
            os.killpg(proc.pid, signal.SIGKILL)  # the shell and the grade it started
            await proc.wait()
            return
        await pumps
        code = await proc.wait()
        await process.stdout.drain()
        await process.stderr.drain()
        process.exit(code)

    async def start() -> None:
        listener = await asyncssh.create_server(
            asyncssh.SSHServer, "127.0.0.1", 0, server_host_keys=[host_key],
            authorized_client_keys=str(client_pub), process_factory=handle,
            encoding=None, allow_scp=False)
        server.port = listener.sockets[0].getsockname()[1]
        stop.append(listener)

    loop.run_until_complete(start())
    ready.set()
    loop.run_forever()


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SSHServer]:
    """The loopback server, its client config and the key pair the client uses."""
    if shutil.which("ssh") is None:
        pytest.skip("the OpenSSH client (ssh) is not installed; .ci/run installs it")
    base = tmp_path_factory.mktemp("ssh")
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    other_key = asyncssh.generate_private_key("ssh-ed25519")
    for name, key in (("id_test", client_key), ("id_other", other_key)):
        (base / name).write_bytes(key.export_private_key())
        (base / name).chmod(0o600)
    client_pub = base / "authorized_keys"
    client_pub.write_bytes(client_key.export_public_key())
    server = SSHServer(port=0, config=base / "ssh_config", remote_home=base / "remote-home")
    ready = threading.Event()
    stop: list[object] = []
    thread = threading.Thread(target=_serve, args=(server, host_key, client_pub, ready, stop),
                              daemon=True)
    thread.start()
    assert ready.wait(30), "the test SSH server did not start"
    known = base / "known_hosts"
    known.write_text(f"[127.0.0.1]:{server.port} "
                     f"{host_key.export_public_key().decode().strip()}\n")
    common = (f"  HostName 127.0.0.1\n  Port {server.port}\n  IdentitiesOnly yes\n"
              f"  UserKnownHostsFile {known}\n  GlobalKnownHostsFile /dev/null\n"
              "  StrictHostKeyChecking yes\n  LogLevel ERROR\n")
    server.config.write_text(
        f"Host {HOST}\n{common}  IdentityFile {base / 'id_test'}\n\n"
        f"Host wrong-key-host\n{common}  IdentityFile {base / 'id_other'}\n\n"
        "Host closed-port-host\n  HostName 127.0.0.1\n  Port 9\n"
        f"  UserKnownHostsFile {known}\n")
    yield server


@pytest.fixture()
def remote_env(ssh_server: SSHServer, monkeypatch: pytest.MonkeyPatch) -> SSHServer:
    """The client side pointed at the test server; the server back to normal behaviour."""
    monkeypatch.setenv("QUIZAPP_SSH", f"ssh -F {ssh_server.config}")
    monkeypatch.delenv("QUIZAPP_REMOTE_TIMEOUT", raising=False)
    ssh_server.mode.clear()
    ssh_server.mode["name"] = "normal"
    ssh_server.commands.clear()
    return ssh_server
