"""`quizapp remote check HOST`: can drills be graded on HOST over ssh (`grade --remote`)?

One line each: reachable, quizapp's version there (a different major version is refused
with the command that fixes it), torch, CUDA and the GPU, Triton, the grader's isolation.
Exit 0 when a remote grade would work, 3 when it would not.
"""

from __future__ import annotations

import argparse

_MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `remote` command group."""
    remote = sub.add_parser("remote", help="grade on your own GPU machine over ssh")
    remote.set_defaults(func=lambda args: remote.print_help() or 2)
    rsub = remote.add_subparsers(title="remote commands", metavar="COMMAND",
                                 parser_class=type(remote))
    check = rsub.add_parser("check", help="is HOST ready for `quizapp grade --remote HOST`?")
    check.add_argument("host", metavar="HOST", nargs="?", default=None,
                       help="an SSH host (default: [grading] remote in config.toml)")
    check.set_defaults(func=check_cmd)


def check_cmd(args: argparse.Namespace) -> int:
    """Print the host's report; exit 0 when a remote grade would work there."""
    from quizapp.core.config import load_config
    from quizapp.core.errors import UsageError
    from quizapp.core.remote import EXIT_REMOTE, Remote, check_remote

    config = load_config()
    host = args.host or config.remote
    if not host:
        raise UsageError("remote check needs a HOST (or set [grading] remote in config.toml)")
    report = check_remote(Remote.from_settings(host, config.remote_command))
    width = max(len(name) for _, name, _ in report.lines)
    for status, name, detail in report.lines:
        print(f"{_MARKS.get(status, status)}  {name:<{width}}  {detail}")
    print(f"{host} is ready for remote grades." if report.ok else
          f"{host} cannot grade yet: fix the FAIL lines.")
    return 0 if report.ok else EXIT_REMOTE
