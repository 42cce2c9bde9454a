"""The drill workspace: the statement, an editor on the user's workspace file, the grader.

- The editor is a `TextArea.code_editor` on `workspace/<drill>.py` (created from the starter
  on first open); ctrl+s saves, F8 resets to the starter after a confirmation, ctrl+o opens
  the file in `$EDITOR` (the app is suspended meanwhile) and reloads it.
- ctrl+r grades (ctrl+b with timing) in a thread worker: the grader runs the code in a sandboxed
  child process, reports progress, and Escape cancels it (the grader kills the child), so a
  looping or memory-eating solution never freezes the UI.
- ctrl+g reveals the next hint; hints revealed are counted and recorded with every grade
  (`hints_used`), until a passing grade starts the count afresh.
- F5 shows the reference solution and the idiomatic baseline beside the user's code, with a
  diff, once the drill has passed; before a pass it asks, and a reveal counts as a hint
  (`quizapp.core.drills.reference_view`).
- F4 toggles watch mode: the file is re-graded whenever it changes on disk (edit it in any
  editor, save, and the verdict appears here).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from quizapp.core.bank import localize
from quizapp.core.drills import Drill, start_drill, workspace_file
from quizapp.core.errors import QuizappError
from quizapp.tui.messages import GradeProgress
from quizapp.tui.strings import tr
from quizapp.tui.widgets.drill.results import GradeResults
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.markdown import MathMarkdown

#: Width from which the statement is shown beside the editor by default.
WIDE = 110
#: How often watch mode looks at the file (seconds).
WATCH_INTERVAL = 0.5


def _stamp(path: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of a file, or None when it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class DrillScreen(Screen):
    """Implement one drill and have it graded (see the module doc for the keys)."""

    HELP_SECTION = "Drill workspace"

    BINDINGS = [
        Binding("ctrl+r", "grade(False)", "Grade", id="drill.grade",
                tooltip="Save and grade the solution in the sandbox"),
        Binding("ctrl+b", "grade(True)", "Grade + time", id="drill.bench",
                tooltip="Save, grade, and time a passing solution against the reference"),
        Binding("f9", "grade_remote", "Grade remotely", id="drill.remote",
                tooltip="Save and grade on the SSH host set as [grading] remote in "
                        "config.toml (your GPU machine); the result is recorded here"),
        Binding("escape", "cancel", "Cancel grading", id="drill.cancel", priority=True,
                tooltip="Stop the running grade (the sandboxed process is killed)"),
        Binding("ctrl+s", "save", "Save", id="drill.save",
                tooltip="Write the editor to your workspace file"),
        Binding("ctrl+g", "hint", "Hint", id="drill.hint",
                tooltip="Reveal the next hint (hints used are recorded with your grades)"),
        # priority: the editor's own F6/F7 (select line / all) are also on shift+arrows, ctrl+a.
        Binding("f6", "switch_focus", "Statement ⇄ editor", id="drill.focus", priority=True,
                tooltip="Move the keyboard between the statement (arrows scroll it) and the "
                        "editor (Tab indents there)"),
        Binding("f3", "toggle_statement", "Statement", id="drill.statement",
                tooltip="Show or hide the statement beside the editor"),
        Binding("f4", "toggle_watch", "Watch", id="drill.watch",
                tooltip="Re-grade whenever the workspace file changes on disk"),
        Binding("ctrl+t", "switch_track", "Track", id="drill.track",
                tooltip="Switch between the PyTorch and the Triton track"),
        Binding("ctrl+o", "external_editor", "$EDITOR", id="drill.editor",
                tooltip="Edit the file in $EDITOR (the app waits), then reload it"),
        Binding("f7", "followups", "Follow-ups", id="drill.followups", priority=True,
                tooltip="After a pass: a short quiz on the questions that go with this drill"),
        Binding("f5", "reference", "Reference", id="drill.reference",
                tooltip="After a pass: the reference solution and the idiomatic baseline "
                        "beside your code, with a diff (before a pass: reveal them, which "
                        "counts as a hint)"),
        Binding("f8", "reset", "Reset", id="drill.reset",
                tooltip="Replace your file with the starter (asks first)"),
        Binding("escape", "back", "Back", id="drill.back",
                tooltip="Save and go back (from the editor: Escape twice)"),
    ]

    def __init__(self, drill: Drill, track: str | None = None) -> None:
        super().__init__()
        self.drill = drill
        self.track = track or drill.main_track
        #: A track named by the caller (`quizapp drill open --track`) wins over the last used.
        self.track_given = track is not None
        self.path = workspace_file(drill.id, self.track)
        self.cancel_event: threading.Event | None = None
        self.grading = False
        self.watching = False
        self.watch_timer: Timer | None = None
        self.disk_stamp: tuple[int, int] | None = None
        #: Hints revealed on this screen (all of them stay visible while it is open).
        self.hints_shown = 0
        #: When the screen opened: in a review round only a pass from then on unlocks the
        #: reference (an old pass must not give the answer to a card being reviewed).
        self.opened_at: Any = None
        #: Completed grades, for tests and the status line.
        self.grades_done = 0
        #: Whether the running (or last) grade asked for timing (ctrl+b).
        self.bench_requested = False
        #: The file's text as last read or written (the editor is dirty when it differs).
        self.saved_text = ""
        self.editor = TextArea.code_editor("", language="python", id="editor",
                                           soft_wrap=False)

    @property
    def qa(self) -> Any:
        return self.app

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="drill-bar", classes="screen-title", markup=False)
        with Horizontal(id="drill-main"):
            with VerticalScroll(id="statement-pane"):
                yield MathMarkdown(id="statement")
                yield Static(id="signatures", markup=False)
                yield Static(id="hints-title", classes="section-title", markup=False)
                yield Vertical(id="hints")
            yield self.editor
        with VerticalScroll(id="results-pane"):
            yield GradeResults(id="results")
        yield LocalizedFooter()

    def on_mount(self) -> None:
        store = self.qa.store
        saved_track = store.get_setting(f"drill.track.{self.drill.id}")
        if saved_track in self.drill.tracks and not self.track_given:
            self.track = saved_track
        self.hints_shown = int(store.get_setting(f"drill.hints.{self.drill.id}", 0))
        self.opened_at = self.qa.now()
        narrow = self.app.size.width < WIDE
        self.set_class(narrow, "-narrow")
        # Wide: statement beside the editor. Narrow: one at a time, the statement first until
        # the drill has been graded once.
        self.set_class(not narrow or not store.drill_results(self.drill.id), "-with-statement")
        self._open_file()
        self._render_texts()
        last = [r for r in store.drill_results(self.drill.id) if r.track == self.track]
        results = self.query_one(GradeResults)
        if last:
            # The stored grade JSON, with the columns the store keeps for sure.
            results.show_result({**last[-1].result, "status": last[-1].status,
                                 "message": last[-1].message}, self.lang)
        else:
            results.show_idle(self.lang, self._idle_text())
        self.watch(self.app, "lang", self._lang_changed, init=False)
        self._focus_main()
        self._warm_grader()

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < WIDE, "-narrow")

    def _focus_main(self) -> None:
        """Focus the editor, or the statement when it is all there is to see."""
        if self.has_class("-narrow") and self.has_class("-with-statement"):
            self.query_one("#statement-pane").focus()
        else:
            self.editor.focus()

    def _idle_text(self) -> str:
        return tr("Write your solution, then ctrl+r to grade it (ctrl+b also times it).",
                  self.lang)

    def _lang_changed(self, lang: str) -> None:
        self._render_texts()
        self.query_one(GradeResults).set_language(lang)

    def _render_texts(self) -> None:
        lang = self.lang
        self.query_one("#statement", MathMarkdown).show(localize(self.drill.statement, lang))
        signatures = "\n".join(f"  {s}" for s in self.drill.signatures())
        self.query_one("#signatures", Static).update(Content.assemble(
            (tr("Signature", lang) + "\n", "bold"), signatures + "\n\n",
            (tr("Your file", lang) + "\n", "bold"), f"  {self._short_path()}"))
        self._render_hints()
        self._update_bar()

    def _render_hints(self) -> Any:
        """Draw the revealed hints; returns the mount's awaitable (await it to lay out)."""
        lang = self.lang
        total = len(self.drill.hints)
        shown = min(self.hints_shown, total)
        title = ("Hints: {k} of {n} shown (ctrl+g for the next)" if shown < total
                 else "Hints: all {n} shown")
        self.query_one("#hints-title", Static).update(tr(title, lang).format(k=shown, n=total))
        box = self.query_one("#hints", Vertical)
        box.remove_children()
        return box.mount_all(MathMarkdown(f"**{i + 1}.** " + localize(hint, lang),
                                          classes="hint")
                             for i, hint in enumerate(self.drill.hints[:shown]))

    def _update_bar(self) -> None:
        lang = self.lang
        parts = [self.drill.title_in(lang), f"[{self.track}]", self.path.name]
        if self.watching:
            parts.append(tr("👁 watching", lang))
        if self.editor_dirty:
            parts.append(tr("● unsaved", lang))
        self.query_one("#drill-bar", Static).update("  ·  ".join(parts))

    def _short_path(self) -> str:
        home = str(Path.home())
        text = str(self.path)
        return "~" + text[len(home):] if text.startswith(home + os.sep) else text

    # ------------------------------------------------------------------ the file

    def _open_file(self) -> None:
        """Point the editor at the workspace file of the current track (from the starter when
        there is none yet)."""
        self.path = start_drill(self.drill.id, self.track)
        self._load_from_disk()

    def _load_from_disk(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            self.notify(tr("Cannot read {p}: {e}", self.lang).format(p=self.path, e=err),
                        severity="error")
            return
        self.editor.load_text(text)
        self.saved_text = text
        self.disk_stamp = _stamp(self.path)
        self._update_bar()

    @property
    def editor_dirty(self) -> bool:
        """Whether the editor holds changes not yet written to the file."""
        return self.editor.text != self.saved_text

    @on(TextArea.Changed, "#editor")
    def _edited(self) -> None:
        self._update_bar()

    def save(self) -> bool:
        """Write the editor to the file (if it changed); False when writing failed."""
        if not self.editor_dirty and self.path.exists():
            return True
        try:
            self.path.write_text(self.editor.text, encoding="utf-8")
        except OSError as err:
            self.notify(tr("Cannot save {p}: {e}", self.lang).format(p=self.path,
                                                                    e=err.strerror),
                        severity="error")
            return False
        self.saved_text = self.editor.text
        self.disk_stamp = _stamp(self.path)
        self._update_bar()
        return True

    def action_save(self) -> None:
        """Save the editor to the workspace file."""
        if self.save():
            self.notify(tr("Saved {p}", self.lang).format(p=self._short_path()), timeout=2)

    def action_reset(self) -> None:
        """Replace the file with the starter, after a confirmation."""
        from quizapp.tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                start_drill(self.drill.id, self.track, overwrite=True)
                self._load_from_disk()
                self.notify(tr("Back to the starter.", self.lang))

        self.app.push_screen(ConfirmScreen(tr(
            "Replace your solution with the starter? Your current code is lost.", self.lang)),
            done)

    def action_external_editor(self) -> None:
        """Edit the file in $EDITOR while the app is suspended, then reload it."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify(tr("Set $EDITOR (e.g. export EDITOR=vim) to edit outside the app.",
                           self.lang), severity="warning")
            return
        if not self.save():
            return
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), str(self.path)], check=False)
        except Exception as err:  # no terminal to hand over (e.g. on Windows or headless)
            self.notify(tr("Cannot open $EDITOR here: {e}", self.lang).format(e=err),
                        severity="error")
            return
        self._load_from_disk()

    def action_switch_track(self) -> None:
        """Switch between the drill's tracks (each has its own file)."""
        if len(self.drill.tracks) < 2:
            self.notify(tr("This drill has only the PyTorch track.", self.lang))
            return
        if not self.save():
            return
        tracks = list(self.drill.tracks)
        self.track = tracks[(tracks.index(self.track) + 1) % len(tracks)]
        self.qa.store.set_setting(f"drill.track.{self.drill.id}", self.track)
        self._open_file()
        self._render_texts()  # "Your file" names the new track's file
        self.query_one(GradeResults).show_idle(self.lang, self._idle_text())

    def action_switch_focus(self) -> None:
        """Statement → editor → statement, at any width (narrow: the one shown switches)."""
        pane = self.query_one("#statement-pane")
        if self.focused is self.editor or not self.has_class("-with-statement"):
            self.add_class("-with-statement")
            pane.focus()
        else:
            if self.has_class("-narrow"):
                self.remove_class("-with-statement")
            self.editor.focus()

    def action_toggle_statement(self) -> None:
        """Show or hide the statement (on a narrow terminal: switch statement / editor)."""
        self.toggle_class("-with-statement")
        self._focus_main()

    def action_back(self) -> None:
        """Save and leave."""
        if self.grading:
            self.action_cancel()
        self.save()
        self.app.pop_screen()

    # ------------------------------------------------------------------ hints

    async def action_hint(self) -> None:
        """Reveal one more hint and count it; the pane scrolls to show all of it."""
        total = len(self.drill.hints)
        if self.hints_shown >= total:
            self.notify(tr("No more hints: that was all of them.", self.lang))
            return
        self.hints_shown += 1
        self.qa.store.set_setting(f"drill.hints.{self.drill.id}", self.hints_shown)
        self.add_class("-with-statement")
        self._focus_main()
        await self._render_hints()
        pane = self.query_one("#statement-pane")
        # Keep the pane at its end while the new hint is laid out, so its last line is in
        # view (the anchor lets go as soon as the user scrolls).
        pane.anchor()
        pane.scroll_end(animate=False)

    # ------------------------------------------------------------------ the reference

    def action_reference(self) -> None:
        """Show the reference and the baseline (after a pass; before one, ask first: a reveal
        counts as a hint)."""
        from quizapp.core.drills import reference_view as rv

        store = self.qa.store
        since = self.opened_at if self._opened_from_review() else None
        if rv.unlocked(store, self.drill.id, since):
            self._show_reference(tr("Unlocked by your pass.", self.lang))
            return
        if rv.revealed(store, self.drill.id):
            self._show_reference(self._revealed_note())
            return
        from quizapp.tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                rv.reveal(store, self.drill.id)
                self._show_reference(self._revealed_note())

        self.app.push_screen(ConfirmScreen(tr(
            "You have not passed this drill yet. Reveal the reference solution? It counts "
            "as a hint: a pass in this round is then rated Hard.", self.lang)), done)

    def _revealed_note(self) -> str:
        return tr("Revealed before a pass: counted as a hint on your next grade.", self.lang)

    def _show_reference(self, note: str) -> None:
        from quizapp.core.drills.reference_view import reference_view
        from quizapp.tui.widgets.drill.reference import ReferenceScreen

        self.save()
        self.app.push_screen(ReferenceScreen(reference_view(self.drill, self.track),
                                             self.editor.text, self.drill.title_in(self.lang),
                                             note))

    # ------------------------------------------------------------------ grading

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.grading  # otherwise Escape reaches the editor (focus out) or Back
        if action == "grade":
            return None if self.grading else True
        if action == "switch_track":
            return len(self.drill.tracks) > 1
        if action == "followups":
            return bool(self._followup_questions()) and self._passed_here()
        return True

    def action_grade(self, bench: bool, remote: str | None = None) -> None:
        """Save, then grade in a worker thread (on the SSH host `remote` when given)."""
        if self.grading or not self.save():
            return
        self.grading = True
        self.bench_requested = bench
        self.cancel_event = threading.Event()
        running = tr("Grading… (Escape cancels)", self.lang) if remote is None else \
            tr("Grading on {host}… (Escape cancels)", self.lang).format(host=remote)
        self.query_one(GradeResults).show_running(self.lang, running)
        self.refresh_bindings()
        self._grade(bench, self.cancel_event, remote)

    def action_grade_remote(self) -> None:
        """Grade on the configured SSH host (`[grading] remote`), with timing."""
        host = self.app.config.remote
        if not host:
            self.notify(tr("No remote host: set [grading] remote = \"HOST\" in config.toml "
                           "(check it with: quizapp remote check HOST)", self.lang),
                        severity="warning")
            return
        self.action_grade(True, remote=host)

    def action_cancel(self) -> None:
        """Stop the running grade."""
        if self.cancel_event is not None:
            self.cancel_event.set()
            self.query_one(GradeResults).show_running(self.lang, tr("Cancelling…", self.lang))

    @work(thread=True, exclusive=True, group="grader", description="Grading the drill")
    def _grade(self, bench: bool, cancel: threading.Event, remote: str | None = None) -> None:
        # Imported here: the grader (and torch, in its child) is only loaded when grading.
        from quizapp.core.grading import GradingCancelled, grade_solution

        def progress(line: str) -> None:
            self.post_message(GradeProgress(line))

        try:
            if remote is not None:
                from quizapp.core import remote as remote_grading

                source = self.path.read_text(encoding="utf-8")
                target = remote_grading.Remote.from_settings(
                    remote, self.app.config.remote_command)
                result = remote_grading.grade_remote(
                    target, self.drill.id, source, track=self.track, bench=bench,
                    device=remote_grading.REMOTE_DEVICE, progress=progress, cancel=cancel)
                from quizapp.core.grading import record_grade

                record_grade(result)  # a local grade records itself; a remote one is recorded here
            else:
                result = grade_solution(self.drill.id, self.path, track=self.track,
                                        bench=bench, device=default_device(), cancel=cancel,
                                        progress=progress)
        except GradingCancelled:
            self.app.call_from_thread(self._finished, None, "cancelled")
        except QuizappError as err:
            self.app.call_from_thread(self._finished, None, str(err))
        except Exception as err:  # the grader itself failed: say so, keep the app alive
            self.app.call_from_thread(self._finished, None,
                                      f"the grader failed: {type(err).__name__}: {err}")
        else:
            self.app.call_from_thread(self._finished, result, "")

    def _warm_grader(self) -> None:
        """Start a sandbox ahead of time so the first grade skips importing torch."""
        if getattr(self.qa, "warm_grader", True):
            self._start_pool()

    @work(thread=True, group="grader-pool", description="Starting a grading sandbox")
    def _start_pool(self) -> None:
        from quizapp.core.grading import keep_warm

        keep_warm(True)

    @on(GradeProgress)
    def _progress(self, event: GradeProgress) -> None:
        if self.grading:
            self.query_one(GradeResults).show_running(self.lang, event.text)

    def _finished(self, result: Any, problem: str) -> None:
        if not self.is_attached:  # the screen was closed while the grade ran
            return
        self.grading = False
        self.cancel_event = None
        self.refresh_bindings()
        results = self.query_one(GradeResults)
        if result is None:
            self.grades_done += 1
            if problem == "cancelled":
                results.show_idle(self.lang, tr("Grading cancelled.", self.lang))
            else:
                results.show_idle(self.lang, problem)
            return
        data = result.to_json()
        mistake = None
        if result.mistake is not None:
            mistake = {"title": dict(result.mistake.title),
                       "explanation": dict(result.mistake.explanation)}
        self.grades_done += 1
        results.show_result(data, self.lang, mistake, run=self.grades_done)
        if result.passed and self._followup_questions():
            results.show_note(self.lang, tr(
                "Passed. F7 asks the {n} follow-up questions an interviewer would ask next.",
                self.lang).format(n=len(self._followup_questions())))
            self.refresh_bindings()
        if self.bench_requested and not data.get("timing"):
            results.show_note(self.lang, self._no_timing_reason(data))
        self._record(result)
        self.call_after_refresh(self.query_one("#results-pane").scroll_home, animate=False)

    def _record(self, result: Any) -> None:
        """Record the run as an attempt (with the hints used) for review and stats."""
        from quizapp.core.drills import reference_view

        cases = result.cases
        score = sum(c.passed for c in cases) / len(cases) if cases else 0.0
        store = self.qa.store
        # A reveal of the reference before this pass counts like one more hint.
        helped = reference_view.help_used(store, self.drill.id, self.hints_shown)
        store.record_attempt(self.drill.id, "drill",
                             {"status": result.status, "track": result.track,
                              "bench": result.timing is not None},
                             score, result.passed, mode="drill",
                             duration_ms=round(result.seconds * 1000),
                             hints_used=helped, at=self.qa.now())
        if result.passed and not self._opened_from_review():
            # A pass is a review of the drill's card (issue 14), rated by the drill rule:
            # Hard after hints or failed runs since the last pass, else Good. The review
            # screen rates its own drill rounds, so a drill opened from there is left to it.
            from quizapp.core import review

            review.record_practice(store, review.card_key("drill", self.drill.id),
                                   passed=True, hints_used=helped,
                                   runs=self._runs_this_round(), now=self.qa.now())
        if result.passed and self.hints_shown:
            # A pass closes this round: the next attempt starts without hints.
            store.set_setting(f"drill.hints.{self.drill.id}", 0)
        if result.passed:
            reference_view.close_round(store, self.drill.id)

    def _followup_questions(self) -> list[Any]:
        """The drill's `followups:` that the loaded bank has, in the drill's order."""
        content = getattr(self.qa, "content", None)
        if content is None:
            return []
        ids = getattr(self.drill, "followups", ()) or ()
        return [content.bank.questions[i] for i in ids if i in content.bank.questions]

    def _passed_here(self) -> bool:
        results = [r for r in self.qa.store.drill_results(self.drill.id)
                   if r.track == self.track]
        return bool(results) and results[-1].passed

    def action_followups(self) -> None:
        """A quiz on the drill's follow-up questions (offered once it passes)."""
        questions = self._followup_questions()
        if not questions:
            self.notify(tr("This drill has no follow-up questions.", self.lang))
            return
        self.save()
        self.qa._run_session(questions, mode="quiz",
                             title=tr("Follow-ups: {d}", self.lang).format(
                                 d=self.drill.title_in(self.lang)))

    def _no_timing_reason(self, data: dict[str, Any]) -> str:
        """Why ctrl+b gave no timing."""
        if data.get("interpreted"):
            return tr("No timing: without a GPU the Triton track runs in Triton's interpreter "
                      "(TRITON_INTERPRET=1), which is far too slow for a time to mean anything. "
                      "Time it on a machine with an NVIDIA GPU.", self.lang)
        if not data.get("passed"):
            return tr("No timing: only a passing solution is timed.", self.lang)
        return tr("No timing was reported for this run.", self.lang)

    def _opened_from_review(self) -> bool:
        # By the screen's class name: screens do not import each other (lint-imports).
        stack = self.app.screen_stack
        return len(stack) > 1 and type(stack[-2]).__name__ == "ReviewScreen"

    def _runs_this_round(self) -> int:
        """Grades since the previous pass of this drill, this one included."""
        results = self.qa.store.drill_results(self.drill.id)
        runs = 0
        for previous in reversed(results[:-1]):
            if previous.passed:
                break
            runs += 1
        return runs + 1

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A worker that died without reporting (it should not) must not leave us "grading".
        if event.worker.group == "grader" and event.state == WorkerState.ERROR and self.grading:
            self._finished(None, f"the grader failed: {event.worker.error}")

    # ------------------------------------------------------------------ watch mode

    def action_toggle_watch(self) -> None:
        """Start or stop re-grading on every change of the file on disk."""
        self.watching = not self.watching
        if self.watching:
            self.save()
            self.disk_stamp = _stamp(self.path)
            self.watch_timer = self.set_interval(WATCH_INTERVAL, self.poll_file)
            self.notify(tr("Watching {p}: save it in any editor to re-grade.",
                           self.lang).format(p=self._short_path()))
        elif self.watch_timer is not None:
            self.watch_timer.stop()
            self.watch_timer = None
        self._update_bar()

    def poll_file(self) -> bool:
        """Reload and re-grade when the file changed on disk; True when it did."""
        stamp = _stamp(self.path)
        if stamp is None or stamp == self.disk_stamp:
            return False
        if self.editor_dirty:
            self.notify(tr("The file changed on disk: your unsaved edits here were replaced.",
                           self.lang), severity="warning")
        self._load_from_disk()
        if self.grading:
            self.action_cancel()
            self.call_after_refresh(self._regrade_when_idle)
        else:
            self.action_grade(False)
        return True

    def _regrade_when_idle(self) -> None:
        if self.grading:
            self.set_timer(0.2, self._regrade_when_idle)
        else:
            self.action_grade(False)

    def on_unmount(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
        if self.watch_timer is not None:
            self.watch_timer.stop()


def default_device() -> str:
    """"cuda" on a machine with an NVIDIA GPU, else "cpu" (asked without importing torch,
    which only the grader's sandbox loads)."""
    return "cuda" if Path("/dev/nvidiactl").exists() else "cpu"
