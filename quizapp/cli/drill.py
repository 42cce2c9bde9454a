"""`quizapp drill list|start|reference|watch` and `quizapp grade`: the code drills from the shell.

Parses and prints only; the work is in `quizapp.core.drills` and `quizapp.core.grading`.
Importing this module imports neither torch nor textual (grading starts torch lazily).

Exit codes (SPEC.md): 0 passed / success, 1 graded and not passed, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from quizapp.core.errors import UsageError

_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "memory": "M",
         "banned": "⊘", "not run": "·"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `drill` command group and the top-level `grade` command."""
    drill = sub.add_parser("drill", help="list, start and watch the code drills")
    drill.set_defaults(func=lambda args: drill.print_help() or 2)
    dsub = drill.add_subparsers(title="drill commands", metavar="COMMAND",
                                parser_class=type(drill))
    listing = dsub.add_parser("list", help="the drills, their tracks and your best result")
    listing.add_argument("--json", action="store_true", help="print one JSON list")
    listing.set_defaults(func=list_drills)
    start = dsub.add_parser("start", help="copy a drill's starter into your workspace and "
                                          "print its path")
    start.add_argument("id", metavar="ID", help="drill id (see `quizapp drill list`)")
    start.add_argument("--track", choices=("torch", "triton"), default=None,
                       help="default: torch, or the drill's only track")
    start.add_argument("--force", action="store_true",
                       help="replace an existing workspace file with the starter")
    start.set_defaults(func=start_cmd)
    verify = dsub.add_parser("verify", help="check a drill bundle the way its author must: "
                                            "one line per check, exit 0 only if all pass")
    verify.add_argument("id", nargs="?", metavar="ID", help="drill id")
    verify.add_argument("--all", action="store_true", help="verify every drill")
    verify.set_defaults(func=verify_cmd)
    opener = dsub.add_parser("open", help="open the app straight on a drill's workspace")
    opener.add_argument("id", metavar="ID", help="drill id (see `quizapp drill list`)")
    opener.add_argument("--track", choices=("torch", "triton"), default=None,
                        help="the track to open (default: the one you used last)")
    opener.set_defaults(func=open_cmd)
    ref = dsub.add_parser("reference", help="after a pass: the drill's reference solution "
                                            "and its idiomatic baseline (or their diffs with "
                                            "your file)")
    ref.add_argument("id", metavar="ID", help="drill id")
    ref.add_argument("--track", choices=("torch", "triton"), default="torch")
    ref.add_argument("--diff", action="store_true",
                     help="print unified diffs from your workspace file to each of them")
    ref.add_argument("--reveal", action="store_true",
                     help="show them before a pass (counts as a hint on your next pass)")
    ref.set_defaults(func=reference_cmd)
    watch = dsub.add_parser("watch", help="re-grade your workspace file every time it is saved")
    watch.add_argument("id", metavar="ID", help="drill id")
    watch.add_argument("file", nargs="?", type=Path, metavar="FILE",
                       help="the solution file (default: your workspace copy)")
    watch.add_argument("--track", choices=("torch", "triton"), default=None)
    watch.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    watch.set_defaults(func=watch_cmd)

    grade = sub.add_parser("grade", help="grade a drill solution (default FILE: your "
                                         "workspace copy)")
    grade.add_argument("id", metavar="ID", help="drill id")
    grade.add_argument("file", nargs="?", type=Path, metavar="FILE", help="the solution file")
    grade.add_argument("--json", action="store_true", help="print one JSON object (SPEC.md)")
    grade.add_argument("--bench", action="store_true",
                       help="time a passing solution against the reference")
    grade.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    grade.add_argument("--track", choices=("torch", "triton"), default=None,
                       help="override the track detected from the file")
    grade.add_argument("--seed", type=int, default=None, metavar="N",
                       help="the seed of the fresh trials (default: a new one each grade); "
                            "a failure on a fresh trial names the seed that replays it")
    grade.add_argument("--remote", metavar="HOST", nargs="?", const="", default=None,
                       help="grade on HOST over ssh (default HOST: [grading] remote in "
                            "config.toml); the result is shown and recorded here")
    # Used by --remote on the far side: FILE '-' is read from stdin, progress goes to stderr
    # as lines, the grade is recorded where it was asked for (here), not there.
    grade.add_argument("--remote-request", action="store_true", help=argparse.SUPPRESS)
    grade.set_defaults(func=grade_cmd)


def open_cmd(args: argparse.Namespace) -> int:
    """`quizapp drill open ID [--track T]`: the TUI on that drill's workspace."""
    from quizapp.cli.app import run_drill_app
    from quizapp.core.drills import get_drill

    drill = get_drill(args.id)  # an unknown id is one clear line, before the app starts
    if args.track is not None and args.track not in drill.tracks:
        raise UsageError(f"drill '{args.id}' has no {args.track} track "
                         f"(tracks: {', '.join(drill.tracks)})")
    return run_drill_app(args.id, args.track)


# --------------------------------------------------------------------------- list / start


def _best_results() -> dict[str, Any]:
    from quizapp.core.store import Store

    with Store.open() as store:
        return store.best_drill_results()


def list_drills(args: argparse.Namespace) -> int:
    """Print the drills with topic, difficulty, tracks and the best result so far."""
    from quizapp.core.drills import load_drills

    drills = load_drills()
    best = _best_results()
    if args.json:
        rows = []
        for drill in drills.values():
            result = best.get(drill.id)
            rows.append({
                "id": drill.id, "title": drill.title["en"], "title_zh": drill.title["zh"],
                "topics": list(drill.topics), "difficulty": drill.difficulty,
                "tracks": list(drill.tracks), "signatures": drill.signatures(),
                "cases": {t: len(drill.cases_for(t)) for t in drill.tracks},
                "mistakes": len(drill.mistakes),
                "best": None if result is None else {
                    "status": result.status, "passed": result.passed, "track": result.track,
                    "at": result.at.isoformat(), "user_ms": result.user_ms,
                    "ratio": result.ratio}})
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(d) for d in drills) if drills else 10
    for drill in drills.values():
        result = best.get(drill.id)
        if result is None:
            status = "not tried"
        elif result.passed:
            status = "passed" + (f", {result.ratio:.2f}× reference" if result.ratio else "")
        else:
            status = result.status
        print(f"{drill.id:<{width}}  {'★' * drill.difficulty:<5}  "
              f"{'/'.join(drill.tracks):<12}  {drill.topics[0]:<30}  {status:<24}  "
              f"{drill.title['en']}")
    return 0


def start_cmd(args: argparse.Namespace) -> int:
    """Copy the starter into the workspace (keeping an existing file) and print the path."""
    from quizapp.core.drills import start_drill, workspace_file

    existed = workspace_file(args.id, args.track).exists()
    path = start_drill(args.id, args.track, overwrite=args.force)
    print(path)
    if existed and not args.force:
        print("quizapp: kept your existing file (use --force to start over from the starter)",
              file=sys.stderr)
    return 0


def verify_cmd(args: argparse.Namespace) -> int:
    """`quizapp drill verify ID | --all`: print each check as it is made; exit 0 only when
    every check of every drill passed."""
    from quizapp.core.drills import check_drills, get_drill, load_drills
    from quizapp.core.grading import keep_warm
    from quizapp.core.grading.verify import verify

    if bool(args.id) == bool(args.all):
        raise UsageError("name one drill ID, or --all")
    if args.all:
        problems = check_drills()
        for line in problems:  # invalid drills are not loaded: say why here
            print(f"FAIL {line}")
        drills = list(load_drills().values())
    else:
        problems = []
        drills = [get_drill(args.id)]
    failed = len(problems)
    keep_warm(True)  # one zygote: every grade below is a fork, not an `import torch`
    try:
        for drill in drills:
            started = time.perf_counter()
            checks = verify(drill, say=lambda c, d=drill.id: print(f"{d}: {c.line()}",
                                                                  flush=True))
            bad = sum(not c.ok for c in checks)
            failed += bad
            print(f"{drill.id}: {len(checks) - bad}/{len(checks)} checks passed "
                  f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    finally:
        keep_warm(False)
    return 0 if failed == 0 else 1


def reference_cmd(args: argparse.Namespace) -> int:
    """`quizapp drill reference ID [--track T] [--diff] [--reveal]`: refused before a pass
    unless --reveal (recorded: it counts as a hint, as in the drill workspace)."""
    from quizapp.core.drills import get_drill, workspace_file
    from quizapp.core.drills import reference_view as rv
    from quizapp.core.errors import QuizappError
    from quizapp.core.store import Store

    drill = get_drill(args.id)
    if args.track not in drill.tracks:
        raise UsageError(f"drill '{drill.id}' has no {args.track} track "
                         f"(tracks: {', '.join(drill.tracks)})")
    mine_file = workspace_file(drill.id, args.track)
    if args.diff and not mine_file.is_file():
        raise UsageError(f"no workspace file {mine_file} (quizapp drill start {drill.id})")
    with Store.open() as store:
        if not rv.unlocked(store, drill.id) and not rv.revealed(store, drill.id):
            if not args.reveal:
                raise QuizappError(f"you have not passed '{drill.id}' yet: a pass unlocks its "
                                   "reference (--reveal shows it now and counts as a hint)")
            rv.reveal(store, drill.id)
            print(f"quizapp: revealed before a pass: counted as a hint when '{drill.id}' "
                  "next passes", file=sys.stderr)
    view = rv.reference_view(drill, args.track)
    titles = {"reference": "Reference solution", "baseline": "Idiomatic baseline (timed)"}
    if args.diff:
        mine = mine_file.read_text(encoding="utf-8", errors="replace")
        for code in view.views():
            print(rv.unified_diff(mine, code, mine_name=str(mine_file))
                  or f"# {titles[code.kind]}: identical to {mine_file}")
        return 0
    for code in view.views():
        print(f"# {titles[code.kind]} — {code.path.parent.name}/{code.path.name}\n")
        print(code.source)
    if view.baseline is None:
        print(f"# '{drill.id}' has no timed baseline.")
    return 0


# --------------------------------------------------------------------------- grade / watch


def _progress(enabled: bool) -> Any:
    if not enabled:
        return None

    def show(line: str) -> None:
        sys.stderr.write(f"\r\033[K  {line[:100]}")
        sys.stderr.flush()

    return show


def _clear_progress(enabled: bool) -> None:
    if enabled:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def grade_cmd(args: argparse.Namespace) -> int:
    """Grade a solution; print the verdict (or one JSON object); exit 0 only if it passed."""
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be a whole number ≥ 0, not {args.seed}")
    if args.remote is not None:
        return _grade_remote(args)
    if args.remote_request:
        return _grade_requested(args)
    from quizapp.core.grading import grade_solution

    live = not args.json and sys.stderr.isatty()
    try:
        result = grade_solution(args.id, args.file, track=args.track, bench=args.bench,
                                device=args.device, progress=_progress(live), record=False,
                                seed=args.seed)
    finally:
        _clear_progress(live)
    _record(result)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print_result(result)
    return 0 if result.passed else 1


def _grade_remote(args: argparse.Namespace) -> int:
    """`--remote HOST`: send the file over ssh, show and record the result here."""
    from quizapp.core.config import load_config
    from quizapp.core.drills import get_drill, workspace_file
    from quizapp.core.errors import UsageError
    from quizapp.core.remote import Remote, grade_remote

    config = load_config()
    host = args.remote or config.remote
    if not host:
        raise UsageError("--remote needs a HOST (or set [grading] remote in config.toml)")
    drill = get_drill(args.id)
    if args.track is not None and args.track not in drill.tracks:
        raise UsageError(f"drill '{args.id}' has no {args.track} track "
                         f"(tracks: {', '.join(drill.tracks)})")
    path = args.file.expanduser() if args.file else workspace_file(args.id, args.track)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no solution at {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    live = not args.json and sys.stderr.isatty()
    remote = Remote.from_settings(host, config.remote_command)
    try:
        result = grade_remote(remote, args.id, source, track=args.track, bench=args.bench,
                              device=args.device, progress=_progress(live), seed=args.seed)
    finally:
        _clear_progress(live)
    result.path = str(path)
    _record(result)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print_result(result)
    return 0 if result.passed else 1


def _grade_requested(args: argparse.Namespace) -> int:
    """The far side of `--remote`: the solution arrives on stdin (FILE '-'), progress leaves
    as `quizapp-progress:` lines on stderr, the JSON (with this quizapp's version) on stdout."""
    import tempfile

    from quizapp.cli.main import installed_version
    from quizapp.core.grading import grade_solution
    from quizapp.core.remote import PROGRESS_PREFIX

    def progress(line: str) -> None:
        sys.stderr.write(PROGRESS_PREFIX + line.replace("\n", " ")[:200] + "\n")
        sys.stderr.flush()

    with tempfile.TemporaryDirectory(prefix="quizapp-remote-") as folder:
        file = args.file
        if file is None or str(file) == "-":
            file = Path(folder) / f"{args.id}.py"
            file.write_bytes(sys.stdin.buffer.read())
        result = grade_solution(args.id, file, track=args.track, bench=args.bench,
                                device=args.device, progress=progress, record=False,
                                seed=args.seed)
    data = result.to_json()
    data["quizapp_version"] = installed_version()
    print(json.dumps(data, ensure_ascii=False))
    return 0 if result.passed else 1


def _record(result: Any) -> None:
    """Store the grade; a broken database costs the record, never the verdict."""
    import sqlite3

    from quizapp.core.grading import record_grade
    from quizapp.core.store import StoreError

    try:
        record_grade(result)
    except (StoreError, sqlite3.Error, OSError) as err:
        print(f"quizapp: the grade was not recorded: {err}", file=sys.stderr)


def print_result(result: Any, out: Any = None) -> None:
    """The human-readable report of a grade."""
    out = out or sys.stdout
    write = out.write
    mark = _MARK.get(result.status, "?")
    where = f"{result.track}, {result.device}" + (", interpreted" if result.interpreted else "")
    if getattr(result, "host", None):
        where += f", on {result.host}"
    write(f"{mark} {result.drill} ({where}): {result.status.upper()} — {result.message}\n")
    isolation = getattr(result, "isolation", None)
    if isolation is not None and isolation.level != "full":
        write(f"  {isolation.line()}\n")
    if result.cases:
        passed = sum(1 for c in result.cases if c.passed)
        write(f"  {passed} of {len(result.cases)} cases passed\n")
        # Group cases failing with the same message: one line each, with a count.
        groups: dict[str, list[Any]] = {}
        for case in result.cases:
            if not case.passed and case.status != "not run":
                groups.setdefault(case.message, []).append(case)
        for shown, (message, cases) in enumerate(groups.items()):
            if shown == 6:
                write(f"  … and {len(groups) - 6} more kinds of failure\n")
                break
            more = f" (and {len(cases) - 1} more case{'s' if len(cases) > 2 else ''})" \
                if len(cases) > 1 else ""
            write(f"  {_MARK.get(cases[0].status, '?')} {cases[0].name}{more}: {message}\n")
    if result.mistake is not None:
        write(f"  Looks like {result.mistake.id}: {result.mistake.explanation['en']}\n")
    for note in getattr(result, "notes", None) or []:
        if note not in result.message:  # a pass carries its notes in the message already
            write(f"  note: {note}\n")
    if result.timing is not None:
        timing = result.timing
        write(f"  Timing ({timing.label}; {timing.size}):\n"
              f"    yours {timing.user_ms:.4g} ms, reference {timing.reference_ms:.4g} ms — "
              f"{timing.ratio:.2f}× (95% CI {timing.ci95[0]:.2f}–{timing.ci95[1]:.2f}), "
              f"{timing.verdict}\n")
        if timing.triton_ms is not None:
            write(f"    Triton reference {timing.triton_ms:.4g} ms — yours is "
                  f"{timing.triton_ratio:.2f}× its time\n")
    if result.output.strip():
        lines = result.output.rstrip().splitlines()
        extra = f", {result.output_truncated} more bytes not kept" \
            if result.output_truncated else ""
        write(f"  Your program printed ({len(lines)} lines shown{extra}):\n")
        for line in lines[:20]:
            write(f"    | {line[:160]}\n")
        if len(lines) > 20:
            write(f"    | … {len(lines) - 20} more lines\n")


def watch_cmd(args: argparse.Namespace) -> int:
    """Grade the file now and again every time it changes, until Ctrl-C."""
    from quizapp.core.drills import get_drill, workspace_file
    from quizapp.core.grading import grade_solution, keep_warm

    get_drill(args.id)
    path = args.file or workspace_file(args.id, args.track)
    if not path.exists():
        raise UsageError(f"no such file: {path}" + ("" if args.file else
                         f" — run `quizapp drill start {args.id}` first"))
    keep_warm(True)
    print(f"watching {path} — save to re-grade, Ctrl-C to stop", file=sys.stderr)
    last: float | None = None
    live = sys.stderr.isatty()
    try:
        while True:
            try:
                stamp = path.stat().st_mtime_ns
            except FileNotFoundError:
                time.sleep(0.3)
                continue
            if stamp != last:
                last = stamp
                print(f"\n── {time.strftime('%H:%M:%S')} {path.name} ──")
                try:
                    result = grade_solution(args.id, path, track=args.track, record=False,
                                            device=args.device, progress=_progress(live))
                finally:
                    _clear_progress(live)
                _record(result)
                print_result(result)
                sys.stdout.flush()
            time.sleep(0.3)
    finally:
        keep_warm(False)
