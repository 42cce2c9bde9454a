"""`quizapp content check` and `quizapp content stats`: validate and count the content."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from quizapp.core.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `content` command group."""
    content = sub.add_parser("content", help="validate and count question and drill content")
    content.set_defaults(func=lambda args: content.print_help() or 2)
    csub = content.add_subparsers(title="content commands", metavar="COMMAND",
                                  parser_class=type(content))
    check = csub.add_parser("check", help="validate question and drill YAML "
                                          "(file:line: message per problem)")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                       help="files or directories (default: the bank and your question dirs)")
    check.set_defaults(func=check_content)
    stats = csub.add_parser("stats", help="count questions by topic, kind, difficulty, language")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(func=content_stats)


def _drill_problems(paths: list[Path] | None, question_ids: set[str] | None = None
                    ) -> tuple[list[str], int]:
    """Problems in drill bundles (follow-up ids checked against `question_ids` when given)
    and the number of valid drills."""
    from quizapp.core import drills

    problems = list(drills.check_drills(paths, question_ids=question_ids))
    try:
        count = len(drills.load_drills())
    except Exception:  # noqa: BLE001 - invalid drills are already listed in `problems`
        count = 0
    return problems, count


def check_content(args: argparse.Namespace) -> int:
    """Validate content; print every problem; exit 1 if there is any."""
    from quizapp.core.bank import load_bank

    started = time.perf_counter()
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    question_paths = [p for p in args.paths if "drills" not in p.resolve().parts] or None
    drill_paths = [p for p in args.paths if "drills" in p.resolve().parts] or None
    if args.paths and question_paths is None:
        bank_problems, n_questions, n_files = [], 0, 0
    else:
        bank = load_bank(question_paths)
        bank_problems = [str(p) for p in sorted(bank.problems)]
        n_questions, n_files = len(bank.questions), len(bank.files)
    if args.paths and drill_paths is None:
        drill_problems, n_drills = [], 0
    else:
        # Follow-up questions must exist in the whole bank, whatever paths were named.
        ids = set((bank if question_paths is None and not args.paths else load_bank()).questions)
        drill_problems, n_drills = _drill_problems(drill_paths, ids)
    from quizapp.core.sources import load_sources, sources_file

    source_problems = [f"{sources_file()}:0: {p}" for p in load_sources().problems()]
    problems = bank_problems + list(drill_problems) + source_problems
    for line in problems:
        print(line)
    elapsed = time.perf_counter() - started
    summary = (f"{n_questions} questions in {n_files} files, {n_drills} drills: "
               f"{len(problems)} problem(s) ({elapsed:.2f} s)")
    print(summary, file=sys.stderr)
    return 1 if problems else 0


def content_stats(args: argparse.Namespace) -> int:
    """Print counts by topic, kind, difficulty and language (SPEC.md shape)."""
    from quizapp.core.bank import LANGUAGES, load_bank, user_question_dirs

    bank = load_bank()
    for problem in bank.problems:
        print(problem, file=sys.stderr)
    questions = list(bank.questions.values())
    by_topic: Counter[str] = Counter(t for q in questions for t in q.topics)
    by_kind: Counter[str] = Counter(q.kind for q in questions)
    by_difficulty: Counter[str] = Counter(str(q.difficulty) for q in questions)
    by_language = {lang: sum(lang in q.languages for q in questions) for lang in LANGUAGES}
    _, n_drills = _drill_problems(None)
    stats = {
        "questions": len(questions),
        "drills": n_drills,
        "by_topic": dict(sorted(by_topic.items())),
        "by_kind": dict(sorted(by_kind.items())),
        "by_difficulty": {str(d): by_difficulty.get(str(d), 0) for d in range(1, 6)},
        "by_language": by_language,
    }
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        print(f"{stats['questions']} questions, {stats['drills']} drills, "
              f"{len(user_question_dirs())} question dir(s)")
        for key in ("by_kind", "by_difficulty", "by_language"):
            print(f"{key[3:]}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()))
        print("topics: " + ", ".join(f"{k} {v}" for k, v in stats["by_topic"].items()))
    return 0
