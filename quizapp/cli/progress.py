"""`quizapp stats [--json]` and `quizapp progress
export|import|settings|optimize|suspend|unsuspend|reset`.

Review statistics for people and scripts, moving progress between machines, the review
settings (desired retention, daily new cards, learning steps, the interview date), the FSRS
optimizer, and the user's own card actions (suspend, unsuspend, reset).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from quizapp.core.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    """Add `stats` and the `progress` command group."""
    stats = sub.add_parser("stats", help="review and mastery statistics")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(func=show_stats)

    progress = sub.add_parser("progress", help="export, import and tune your review progress")
    progress.set_defaults(func=lambda args: progress.print_help() or 2)
    psub = progress.add_subparsers(title="progress commands", metavar="COMMAND",
                                   parser_class=type(progress))
    export = psub.add_parser("export", help="write your progress to a JSON file")
    export.add_argument("file", type=Path, metavar="FILE")
    export.set_defaults(func=export_cmd)
    imp = psub.add_parser("import", help="merge a JSON export into your progress "
                                         "(importing twice adds nothing)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(func=import_cmd)
    settings = psub.add_parser("settings", help="show or change the review settings")
    settings.add_argument("--retention", type=float, metavar="R",
                          help="desired retention, 0.70 to 0.99 (default 0.9)")
    settings.add_argument("--new-per-day", type=_new_per_day, metavar="N",
                          help="new cards a day may introduce (default 20)")
    settings.add_argument("--learning-steps", metavar="STEPS",
                          help="e.g. '1m, 10m' (units s, m, h, d)")
    settings.add_argument("--relearning-steps", metavar="STEPS", help="e.g. '10m'")
    settings.add_argument("--reset-parameters", action="store_true",
                          help="go back to the default FSRS parameters")
    settings.add_argument("--interview-date", metavar="YYYY-MM-DD",
                          help="review every card met so far at least once more before this "
                               "date ('none' clears it)")
    settings.set_defaults(func=settings_cmd)
    optimize = psub.add_parser(
        "optimize", help="fit the FSRS parameters to your own review log (needs "
                         "512 reviews and the fsrs[optimizer] extra)")
    optimize.add_argument("--dry-run", action="store_true",
                          help="compute and print the parameters without saving them")
    optimize.set_defaults(func=optimize_cmd)
    for name, helptext in (("suspend", "keep cards out of review (they keep their schedule)"),
                           ("unsuspend", "put suspended cards back in review"),
                           ("reset", "make cards new again (their review log stays)")):
        action = psub.add_parser(name, help=helptext)
        action.add_argument("keys", nargs="+", metavar="KEY",
                            help="q:<question id>, d:<drill id> or m:<drill id>:<mistake id> "
                                 "(as `quizapp stats` lists them)")
        action.set_defaults(func=card_cmd, action=name)


def _open_store() -> Any:
    """The progress store; its notices (a file moved aside) go to stderr, never to stdout,
    which `--json` reserves for the JSON. A store that cannot be opened is a StoreError:
    one line, exit 1."""
    import sys

    from quizapp.core.store import Store

    store = Store.open()
    for notice in store.notices:
        print(f"quizapp: {notice}", file=sys.stderr)
    return store


def _new_per_day(text: str) -> int:
    """argparse type: a whole number of new cards a day, 0 to 10000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:20]!r}") from None
    if not 0 <= value <= 10_000:
        raise argparse.ArgumentTypeError("must be from 0 to 10000")
    return value


def _load_bank() -> Any:
    """The bank the app uses: bundled questions, QUIZAPP_QUESTION_DIRS and config dirs."""
    from quizapp.core.bank import load_bank

    return load_bank()


def show_stats(args: argparse.Namespace) -> int:
    """Print the statistics (text, or one JSON object with --json)."""
    from quizapp.core.bank import load_taxonomy
    from quizapp.core.config import load_config
    from quizapp.core.stats import compute_stats

    threshold = load_config().leech_threshold
    with _open_store() as store:
        stats = compute_stats(store, _load_bank(), load_taxonomy(),
                              leech_threshold=threshold)
    if args.json:
        print(json.dumps(stats.to_json(), ensure_ascii=False, indent=2))
        return 0
    print("\n".join(stats_text(stats)))
    return 0


def stats_text(stats: Any, width: int = 24) -> list[str]:
    """The statistics as lines of text with Unicode charts (what `quizapp stats` prints)."""
    from quizapp.core.charts import bar, calendar_text, columns, sparkline

    lines = [
        f"Today ({stats.today.isoformat()}): {stats.due_today} due, {stats.new_available} new; "
        f"{stats.reviewed_today} reviewed in {stats.time_today_ms / 60000:.0f} min; "
        f"streak {stats.streak_days} day(s)",
        f"Cards: {stats.cards['total']} ({stats.cards['new']} new, {stats.cards['learning']} "
        f"learning, {stats.cards['review']} review, {stats.cards['relearning']} relearning, "
        f"{stats.cards['retired']} retired, {stats.cards['suspended']} suspended); "
        f"{stats.total_reviews} reviews in all",
    ]
    if stats.true_retention_30d is not None:
        lines.append(f"Recall of due cards, last 30 days: {stats.true_retention_30d:.0%} "
                     f"(target {stats.desired_retention:.0%})")
    lines += ["", "Mastery by domain (mean recall probability now; unseen count 0)"]
    for m in stats.domains:
        lines.append(f"  {bar(m.mastery, width)} {m.mastery:4.0%}  {m.reviewed:>4}/{m.total:<4} "
                     f"{m.name}")
    weakest = sorted((m for m in stats.topics if m.reviewed), key=lambda m: m.retention)[:5]
    if weakest:
        lines += ["", "Weakest reviewed topics (mean recall of reviewed questions)"]
        for m in weakest:
            lines.append(f"  {bar(m.retention, width)} {m.retention:4.0%}  {m.name}")
    acc = stats.accuracy
    lines += ["", f"Accuracy per day, last {len(acc)} days (share not rated Again)"]
    if any(d.reviews for d in acc):
        lines.append("  " + sparkline([d.accuracy for d in acc], top=1.0))
    else:
        lines.append("  (no reviews yet)")
    lines += ["", f"Due in the next {len(stats.forecast)} days "
              f"(max {max(stats.forecast, default=0)}/day)"]
    lines += ["  " + row for row in columns(stats.forecast, 4)]
    lines += ["", f"Reviews per day, last {len(stats.heatmap)} days"]
    lines += calendar_text(stats.heatmap)
    if stats.leeches:
        lines += ["", f"Leeches ({stats.leech_threshold}+ lapses; review shows a remedy; "
                      "quizapp progress suspend KEY)"]
        for c in stats.leeches:
            lines.append(f"  {c.lapses:>3} lapses  {c.key}" + ("  (suspended)" if c.suspended
                                                            else ""))
    if stats.drills:
        lines += ["", "Drills          runs  passes  best time  best ratio"]
        for d in stats.drills:
            best = f"{d.best_ms:.2f} ms" if d.best_ms is not None else "-"
            ratio = f"{d.best_ratio:.2f}×" if d.best_ratio is not None else "-"
            lines.append(f"  {d.drill_id:<14}{d.attempts:>4}{d.passes:>8}  {best:>9}  "
                         f"{ratio:>10}")
    return lines


def export_cmd(args: argparse.Namespace) -> int:
    """Write the progress export."""
    from quizapp.core.progress_io import export_progress

    with _open_store() as store:
        report = export_progress(store, args.file)
    print(f"exported {report.reviews} review(s), {report.cards} card(s), {report.attempts} "
          f"attempt(s), {report.drill_results} drill result(s) to {report.path}")
    return 0


def import_cmd(args: argparse.Namespace) -> int:
    """Merge an export into the progress."""
    from quizapp.core.progress_io import import_progress

    if not args.file.exists():
        raise UsageError(f"no such file: {args.file}")
    with _open_store() as store:
        report = import_progress(store, args.file)
    print(f"imported {args.file}: {report.describe()}")
    return 0


def settings_cmd(args: argparse.Namespace) -> int:
    """Show the review settings, changing the ones given."""
    from dataclasses import replace

    from quizapp.core.review import (
        ReviewSettings,
        format_steps,
        interview_date,
        interview_plan,
        parse_interview_date,
        parse_steps,
        set_interview_date,
    )

    with _open_store() as store:
        settings = ReviewSettings.load(store)
        changes: dict[str, Any] = {}
        if args.retention is not None:
            changes["desired_retention"] = args.retention
        if args.new_per_day is not None:
            changes["new_per_day"] = args.new_per_day
        if args.learning_steps is not None:
            changes["learning_steps"] = parse_steps(args.learning_steps)
        if args.relearning_steps is not None:
            changes["relearning_steps"] = parse_steps(args.relearning_steps)
        if args.reset_parameters:
            changes["parameters"] = None
        if args.interview_date is not None:
            set_interview_date(store, parse_interview_date(args.interview_date))
        if changes:
            settings = replace(settings, **changes)
            settings.save(store)
        plan = interview_plan(store)
        day = interview_date(store)
        print(f"desired retention  {settings.desired_retention:.2f}")
        print(f"new cards per day  {settings.new_per_day}")
        print(f"learning steps     {format_steps(settings.learning_steps) or 'none'}")
        print(f"relearning steps   {format_steps(settings.relearning_steps) or 'none'}")
        print(f"maximum interval   {settings.maximum_interval} days")
        print("FSRS parameters    " + ("optimized on your reviews" if settings.parameters
                                       else "fsrs defaults"))
        if plan is not None:
            print(f"interview date     {plan.date.isoformat()}: {plan.days_left} day(s) left, "
                  f"{plan.to_cover} card(s) still to cover")
        else:
            print(f"interview date     {day.isoformat() + ' (passed)' if day else 'none'}")
    return 0


def card_cmd(args: argparse.Namespace) -> int:
    """Suspend, unsuspend or reset the cards named; every key is checked before any is
    changed, so a typo changes nothing."""
    from quizapp.core import review

    with _open_store() as store:
        known = {row[0] for row in store.conn.execute("SELECT card_id FROM cards")}
        bank = None
        for key in args.keys:
            try:
                kind, item_id = review.split_card_key(key)
            except ValueError:
                raise UsageError(f"not a card key: {key!r} (use q:<question id>, "
                                 "d:<drill id> or m:<drill id>:<mistake id>)") from None
            if key in known:
                continue
            if args.action == "suspend" and kind == "question":
                bank = bank or _load_bank()
                if item_id in bank.questions:
                    continue
            raise UsageError(f"no card {key!r} in your progress")
        for key in args.keys:
            if args.action == "suspend":
                changed = review.suspend(store, key)
                print(f"{key}: suspended" if changed else f"{key}: already suspended")
            elif args.action == "unsuspend":
                changed = review.unsuspend(store, key)
                print(f"{key}: back in review" if changed else f"{key}: was not suspended")
            else:
                review.reset(store, key)
                print(f"{key}: reset to new")
    return 0


def optimize_cmd(args: argparse.Namespace) -> int:
    """Run the FSRS optimizer on the user's review log."""
    from quizapp.core.review import optimize

    with _open_store() as store:
        result = optimize(store, apply=not args.dry_run)
    print(f"optimized on {result.reviews_used} reviews: "
          + ", ".join(f"{p:.4f}" for p in result.parameters))
    if result.optimal_retention is not None:
        print(f"fsrs suggests a desired retention of {result.optimal_retention:.2f} "
              "(quizapp progress settings --retention R)")
    print("saved: new ratings use these parameters" if not args.dry_run
          else "not saved (--dry-run)")
    return 0
