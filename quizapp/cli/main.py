"""The `quizapp` command line: parses arguments, dispatches to a command module, prints.

Each command group is a module of this package with `register(subparsers)`; its handlers take
the parsed arguments and return the exit code (SPEC.md: 0 success, 1 failed or invalid content,
2 usage error). Errors a user can cause are `QuizappError`s, printed as one line. Nothing here
imports torch or textual at module level: `quizapp --version` must stay instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from quizapp.core.errors import QuizappError

#: Command modules under quizapp.cli, each with `register(subparsers)`.
COMMAND_MODULES = ["content", "app", "progress", "drill", "doctor", "remote", "export"]


def installed_version() -> str:
    """quizapp's version from the installed package's metadata (the source's own
    `__version__` when it runs from a tree that was never installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quizapp")
    except PackageNotFoundError:
        from quizapp import __version__

        return __version__


class _VersionAction(argparse.Action):
    """`--version`, read from the package metadata only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"quizapp {installed_version()}")
        parser.exit(0)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"quizapp: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every command module registered."""
    parser = _Parser(prog="quizapp", description="Drill the concepts and the code of LLM / "
                     "ML-systems interviews. With no command, opens the app.")
    parser.add_argument("--version", action=_VersionAction,
                        help="show quizapp's version and exit")
    parser.set_defaults(func=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"quizapp.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `quizapp` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = args.func
    if func is None:
        from quizapp.cli.app import run_app

        func = run_app
    try:
        return int(func(args) or 0)
    except QuizappError as err:
        print(f"quizapp: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("quizapp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as err:
        # The environment refused something (a file where a directory belongs, a read-only
        # home): one line naming it, never a traceback.
        where = f"{err.filename}: " if err.filename else ""
        print(f"quizapp: {where}{err.strerror or err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
