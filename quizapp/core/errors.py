"""Errors a user can cause. The CLI prints them as one line and exits with their code."""

from __future__ import annotations


class QuizappError(Exception):
    """A problem the user can fix; `str(err)` is the one line they see."""

    exit_code = 1


class UsageError(QuizappError):
    """Unknown drill, missing file, bad flag: exit code 2 (SPEC.md)."""

    exit_code = 2


class ContentError(QuizappError):
    """Invalid content (questions, drills): exit code 1."""

    exit_code = 1
