"""Commands that open the Textual app: `quizapp` (home), `quizapp quiz`, `quizapp review`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add `quiz` and `review`; bare `quizapp` also lands in `run_app`."""
    quiz = sub.add_parser("quiz", help="open the app straight into a quiz session")
    quiz.add_argument("--topic", action="append", default=[], metavar="T",
                      help="a topic id (repeatable)")
    quiz.add_argument("-n", type=_length, default=10, metavar="N",
                      help="number of questions (1 to 200)")
    quiz.set_defaults(func=run_app, screen="quiz")
    review = sub.add_parser("review", help="open the app straight into today's review queue")
    review.set_defaults(func=run_app, screen="review")


def _length(text: str) -> int:
    """argparse type: a quiz length, 1 to 200 (as the config file's quiz.length)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:20]!r}") from None
    if not 1 <= value <= 200:
        raise argparse.ArgumentTypeError("must be from 1 to 200")
    return value


def run_app(args: argparse.Namespace) -> int:
    """Start the TUI on the screen the command names (default: home)."""
    from quizapp.tui.app import QuizApp

    app = QuizApp(start=getattr(args, "screen", "home"),
                  topics=getattr(args, "topic", []), length=getattr(args, "n", 10))
    app.run()
    return app.return_code or 0


def run_drill_app(drill_id: str, track: str | None) -> int:
    """Start the TUI straight on a drill's workspace (`quizapp drill open`)."""
    from quizapp.tui.app import QuizApp

    app = QuizApp(start="drill", drill=drill_id, track=track)
    app.run()
    return app.return_code or 0
