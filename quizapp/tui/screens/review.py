"""The review screen: today's FSRS queue (or a cram run on one topic), one card at a time.

A question card is answered with the shared `QuestionView`; once graded, the rating bar
proposes a rating (wrong → Again, right after a second try → Hard, right → Good; short
answers from the key points ticked) and shows the interval each rating would give — computed
once per card, because fsrs fuzzes intervals at random. A drill card is solved again from a
blank starter in the drill screen; the grade it records there proposes the rating. A mistake
card (`m:<drill>:<mistake>`) is shown as the self-graded short answer the core builds from the
mistake (`review.mistake_question`). A leech (a card forgotten `[review] leech_threshold`
times) is marked, with a remedy. Every rating is stored at once (one transaction), so leaving
or crashing loses nothing rated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.core import review as rv
from quizapp.core.bank import Question
from quizapp.core.errors import QuizappError
from quizapp.core.scoring import Verdict
from quizapp.core.store import from_iso
from quizapp.tui.messages import QuestionAnswered
from quizapp.tui.strings import tr
from quizapp.tui.widgets.footer import LocalizedFooter
from quizapp.tui.widgets.question import QuestionView
from quizapp.tui.widgets.review.drill_card import DrillCard
from quizapp.tui.widgets.review.rating import RatingBar


class ReviewScreen(Screen):
    """Today's review queue; `cram_topic` makes it a cram run that schedules nothing."""

    HELP_SECTION = "Review"

    DEFAULT_CSS = """
    ReviewScreen #review-status { height: 1; padding: 0 1; background: $boost; }
    ReviewScreen #review-card { height: 1fr; }
    ReviewScreen #review-done { padding: 1 2; height: auto; }
    ReviewScreen #leech { padding: 0 1; margin: 0 0 1 0; height: auto;
                          background: $warning 20%; color: $text; }
    """

    BINDINGS = [
        Binding("u", "undo", "Undo", id="review.undo", tooltip="Take back the last rating"),
        Binding("o", "open_drill", "Open drill", id="review.open_drill",
                tooltip="Solve this drill again from a blank starter"),
        Binding("g", "check_drill", "Check grade", id="review.check_drill",
                tooltip="Read the drill's latest grades and propose a rating"),
        # F4 first: it also works while a typed answer has the keyboard (c is typed there).
        Binding("f4,c", "cram", "Cram a topic", id="review.cram",
                tooltip="Practise one topic without changing the schedule"),
        Binding("t", "app.open('stats')", "Stats", id="review.stats",
                tooltip="Review and mastery statistics"),
        Binding("escape", "app.pop_screen", "Back", id="review.back",
                tooltip="Leave the review (every rating is already saved)"),
    ]

    def __init__(self, cram_topic: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cram_topic = cram_topic
        self.session: rv.ReviewSession | None = None
        #: The answer shown with each rating of the session, for undo (parallel to history).
        self._answers: list[tuple[Any, Verdict | None, int]] = []
        self._shown_clock = 0.0
        self._answer: tuple[Any, Verdict | None] | None = None
        self._drill_since: datetime | None = None
        self._message = ""

    def compose(self) -> ComposeResult:
        yield Static(id="review-status", markup=False)
        yield VerticalScroll(id="review-card")
        yield RatingBar(id="rating")
        yield LocalizedFooter()

    # ------------------------------------------------------------------ helpers

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    @property
    def qa(self) -> Any:
        """The app, typed loosely (it is a `QuizApp`)."""
        return self.app

    def _question(self, item: rv.QueueItem) -> Question | None:
        """The question to show for a question or a mistake card (None: no longer there)."""
        content = self.qa.content
        if content is None:
            return None
        if item.kind == "mistake":
            drill_id, mistake_id = rv.split_mistake(item.item_id)
            drill = content.drills.get(drill_id)
            text = rv.mistake_text(drill, mistake_id) if drill is not None else None
            return rv.mistake_question(drill, text) if text is not None else None
        return content.bank.questions.get(item.item_id)

    def _drill(self, item: rv.QueueItem) -> Any:
        content = self.qa.content
        return content.drills.get(item.item_id) if content else None

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        self.watch(self.app, "lang", self._set_language, init=False)
        self.watch(self.app, "content", self._start, init=True)

    async def _start(self, content: Any) -> None:
        if content is None:
            self.query_one("#review-status", Static).update(tr("Loading questions…", self.lang))
            return
        if self.session is not None:
            return
        app = self.qa
        now = app.now()
        if self.cram_topic is not None:
            items = rv.cram_items(app.store, content.bank, self.cram_topic, now)
        else:
            items = rv.build_queue(app.store, content.bank, now,
                                   drill_ids=list(content.drills)).items
        self.session = rv.ReviewSession(app.store, items, clock=app.now,
                                        cram=self.cram_topic is not None)
        await self._next()

    # ------------------------------------------------------------------ showing cards

    async def _next(self) -> None:
        assert self.session is not None
        item = self.session.next_card()
        await self._show(item)

    async def _show(self, item: rv.QueueItem | None,
                    replay: tuple[Any, Verdict | None] | None = None) -> None:
        """Put `item` on screen (None: the end-of-session panel)."""
        card_box = self.query_one("#review-card", VerticalScroll)
        await card_box.remove_children()
        bar = self.query_one(RatingBar)
        bar.hide()
        self._answer = None
        self._drill_since = None
        self._shown_clock = self.qa.clock()
        if item is None:
            await card_box.mount(Static(self._done_text(), id="review-done"))
            self._update_status()
            self.refresh_bindings()
            return
        threshold = getattr(getattr(self.qa, "config", None), "leech_threshold",
                            rv.DEFAULT_LEECH_THRESHOLD)
        if not self.session.cram and rv.is_leech(item.lapses, threshold):
            await card_box.mount(Static(self._leech_text(item), id="leech", markup=False))
        if item.kind == "drill":
            drill = self._drill(item)
            if drill is None:   # the drill list is not available: rate it by hand
                await card_box.mount(Static(tr("Drill {d} (its definition could not be loaded): "
                                         "rate from memory.", self.lang).format(d=item.item_id)))
                self._offer_rating(rv.Rating.Good)
            else:
                await card_box.mount(DrillCard(drill, self.lang, id="drill-card"))
        else:
            question = self._question(item)
            if question is None:
                # Retired while the session ran (the bank or the drill changed): skip it,
                # keep its log.
                await self._next()
                return
            view = QuestionView(question, self.lang, rng=self.qa.new_rng(),
                                heading=self._heading(item, question), replay=replay,
                                clock=self.qa.clock, second_chance=replay is None,
                                id="question")
            await card_box.mount(view)
            if replay is not None:
                self._answer = replay
                answer, verdict = replay
                self._offer_rating(self._proposal(question, verdict, 1))
        card_box.scroll_home(animate=False)
        self._update_status()
        self.refresh_bindings()

    def _heading(self, item: rv.QueueItem, question: Question) -> str:
        content = self.qa.content
        topic = content.taxonomy.topics.get(question.topics[0]) \
            if content and question.topics else None
        label = tr("New", self.lang) if item.is_new else tr(
            {1: "Learning", 3: "Relearning"}.get(item.state or 2, "Review"), self.lang)
        if self.cram_topic is not None:
            label = tr("Cram", self.lang)
        kind = tr("Your mistake", self.lang) if item.kind == "mistake" else ""
        extra = tr("Before the interview", self.lang) if item.interview else ""
        return " · ".join(p for p in (label, kind, extra,
                                      topic.title(self.lang) if topic else "") if p)

    def _leech_text(self, item: rv.QueueItem) -> str:
        """The leech mark: how often the card was forgotten, and what to do instead."""
        content = self.qa.content
        lines = [tr("Leech: forgotten {n} times. Reviewing it the same way rarely helps; "
                    "try this first.", self.lang).format(n=item.lapses)]
        if content is None:
            return "\n".join(lines)
        remedy = rv.remedy(item.key, content.bank, content.drills)
        if remedy.drill_id is not None:
            drill = content.drills.get(remedy.drill_id)
            title = drill.title.get(self.lang) or drill.title.get("en") if drill else None
            lines.append(tr("• Practise the drill: {d}", self.lang).format(
                d=title or remedy.drill_id))
        for qid in remedy.easier:
            question = content.bank.questions.get(qid)
            prompt = question.prompt.get(self.lang) or question.prompt.get("en", "") \
                if question else ""
            short = " ".join(prompt.split())
            lines.append(tr("• An easier question first: {q}", self.lang).format(
                q=(short[:70] + "…") if len(short) > 70 else short))
        if remedy.hint:
            lines.append(tr("• Hint: {h}", self.lang).format(
                h=remedy.hint.get(self.lang) or remedy.hint.get("en", "")))
        lines.append(tr("Or suspend it: quizapp progress suspend {key}", self.lang).format(
            key=item.key))
        return "\n".join(lines)

    def _proposal(self, question: Question, verdict: Verdict | None, tries: int) -> rv.Rating:
        if verdict is None:
            return rv.Rating.Good
        if question.kind == "short":
            return rv.propose_short_rating(verdict.score, verdict.passed)
        return rv.propose_rating(verdict.passed, tries=tries)

    def _offer_rating(self, proposed: rv.Rating) -> None:
        assert self.session is not None
        previews = self.session.reveal()
        labels = None if previews is None else {int(r): p.label for r, p in previews.items()}
        self.query_one(RatingBar).show(labels, int(proposed), self.lang)
        self.call_after_refresh(self._scroll_to_feedback)

    def _scroll_to_feedback(self) -> None:
        self.query_one("#review-card", VerticalScroll).scroll_end(animate=False)

    # ------------------------------------------------------------------ answering and rating

    @on(QuestionAnswered)
    def _answered(self, event: QuestionAnswered) -> None:
        event.stop()
        session = self.session
        if session is None or session.current is None:
            return
        mode = "cram" if session.cram else "review"
        record = dict(event.record)
        if event.text:
            record.setdefault("typed", event.text)
        if session.current.kind == "question":
            # A mistake card is no bank question: its review log is its history.
            self.qa.store.record_attempt(event.question.id, "question", event.answer,
                                         event.verdict.score, event.verdict.passed, mode=mode,
                                         duration_ms=event.duration_ms, at=self.qa.now())
        self._answer = (event.answer, event.verdict)
        # `graded_tries` counts real attempts at the content (a typo in a number is none):
        # right on the second try proposes Hard.
        self._offer_rating(self._proposal(event.question, event.verdict, event.graded_tries))

    @on(RatingBar.Rated)
    async def _rated(self, event: RatingBar.Rated) -> None:
        event.stop()
        session = self.session
        if session is None or session.current is None:
            return
        duration = max(0, round((self.qa.clock() - self._shown_clock) * 1000))
        try:
            session.rate(event.rating, duration_ms=duration)
        except QuizappError as err:
            self.notify(str(err), severity="error")
            return
        answer, verdict = self._answer or (None, None)
        self._answers.append((answer, verdict, event.rating))
        await self._next()

    async def action_undo(self) -> None:
        """Take back the last rating and show that card again, answered as it was."""
        session = self.session
        if session is None or not session.can_undo():
            self.notify(tr("Nothing to undo.", self.lang))
            return
        try:
            item = session.undo()
        except QuizappError as err:
            self.notify(str(err), severity="error")
            return
        answer, verdict, rating = self._answers.pop()
        self.notify(tr("Rating taken back.", self.lang), timeout=2)
        if item.kind in ("question", "mistake") and verdict is not None:
            await self._show(item, replay=(answer, verdict))
        else:
            await self._show(item)

    # ------------------------------------------------------------------ drill cards

    def action_open_drill(self) -> None:
        """Copy a blank starter into the drill's workspace file and open the drill."""
        session = self.session
        item = session.current if session else None
        if item is None or item.kind != "drill":
            return
        try:
            _, kept = rv.begin_drill_review(item.item_id)
        except QuizappError as err:
            self.notify(str(err), severity="error")
            return
        # A review round starts with no hints shown: the drill screen counts the hints it
        # reveals from this setting and records them with each grade.
        self.qa.store.set_setting(f"drill.hints.{item.item_id}", 0)
        card = self.query_one(DrillCard)
        card.kept = kept.name if kept else None
        self._drill_since = self.qa.now()
        self.action_check_drill()
        try:
            self.qa.open_drill(item.item_id)
        except ImportError:
            # No drill screen in this build: solve it in an editor and grade from a shell.
            self.notify(tr("Solve it in your editor, grade it with 'quizapp grade {d}', then "
                           "press g here.", self.lang).format(d=item.item_id), timeout=15)

    def action_check_drill(self) -> None:
        """Read the grades recorded since the drill was opened and propose a rating."""
        session = self.session
        item = session.current if session else None
        if item is None or item.kind != "drill" or self._drill_since is None:
            return
        outcome = rv.drill_outcome(self.qa.store, item.item_id, self._drill_since)
        self.query_one(DrillCard).show_outcome(outcome)
        self._offer_rating(outcome.proposed)
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        # Back from the drill screen: what did the grader record?
        self.action_check_drill()

    # ------------------------------------------------------------------ cram

    def action_cram(self) -> None:
        """Pick a topic to cram (a run that leaves the schedule alone)."""
        content = self.qa.content
        if content is None:
            return
        topics = [(t, len(content.bank.by_topic(t.id))) for t in content.taxonomy.topics.values()]
        choices = [(t.id, f"{t.title(self.lang)}  ({n})") for t, n in topics if n]

        def chosen(topic_id: str | None) -> None:
            if topic_id:
                self.app.push_screen(ReviewScreen(cram_topic=topic_id))

        self.app.push_screen(TopicPicker(choices, tr("Cram which topic?", self.lang)), chosen)

    # ------------------------------------------------------------------ status and text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.session
        if action == "undo":
            return bool(session and session.can_undo()) or None
        if action in ("open_drill", "check_drill"):
            shown = bool(session and session.current and session.current.kind == "drill")
            if action == "check_drill":
                return shown and self._drill_since is not None
            return shown
        if action == "cram":
            return self.cram_topic is None
        return True

    def _update_status(self) -> None:
        session = self.session
        status = self.query_one("#review-status", Static)
        if session is None:
            return
        lang = self.lang
        if session.cram:
            content = self.qa.content
            topic = content.taxonomy.topics.get(self.cram_topic) if content else None
            name = topic.title(lang) if topic else self.cram_topic
            status.update(tr("Cram: {t} · {n} left · {d} done · the schedule is not changed",
                             lang).format(t=name, n=session.remaining, d=session.reviewed))
            return
        new, learning, due = session.left()
        status.update(tr("Review · {new} new · {learning} learning · {due} due · {done} done",
                         lang).format(new=new, learning=learning, due=due,
                                      done=session.reviewed))

    def _done_text(self) -> str:
        session = self.session
        lang = self.lang
        lines = []
        if session is None or session.reviewed == 0:
            lines.append(tr("Nothing to review right now.", lang))
        else:
            c = session.counts
            lines.append(tr("Done: {n} card(s) reviewed — Again {a} · Hard {h} · Good {g} · "
                            "Easy {e}.", lang).format(n=session.reviewed, a=c[rv.Rating.Again],
                                                      h=c[rv.Rating.Hard],
                                                      g=c[rv.Rating.Good],
                                                      e=c[rv.Rating.Easy]))
        if session is not None and not session.cram:
            row = self.qa.store.conn.execute(
                "SELECT min(due) FROM cards WHERE retired = 0 AND last_review IS NOT NULL"
            ).fetchone()
            if row[0]:
                wait = from_iso(row[0]) - self.qa.now()
                when = rv.format_interval(wait) if wait.total_seconds() > 0 else tr("now", lang)
                lines.append(tr("Next card due in {w}.", lang).format(w=when))
        lines.append("")
        lines.append(tr("F4: cram a topic · t: statistics · u: undo · Esc: back", lang))
        return "\n".join(lines)

    def _set_language(self, lang: str) -> None:
        self.query_one(RatingBar).set_language(lang)
        for card in self.query(DrillCard):
            card.set_language(lang)
        for done in self.query("#review-done").results(Static):
            done.update(self._done_text())
        self._update_status()


class TopicPicker(ModalScreen[str | None]):
    """Choose one topic: type to filter the list (every word must match), up/down to move,
    Enter to choose; Escape cancels."""

    DEFAULT_CSS = """
    TopicPicker { align: center middle; }
    TopicPicker > #picker-box {
        width: 70; max-width: 95%; height: auto; max-height: 80%;
        border: round $accent; background: $surface;
    }
    TopicPicker #picker-filter { margin: 0 0 0 0; }
    TopicPicker #picker { height: auto; max-height: 20; border: none; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel",
                tooltip="Close without choosing"),
        Binding("down", "move(1)", "Next", id="picker.down", show=False,
                tooltip="Move down the list (while typing too)"),
        Binding("up", "move(-1)", "Previous", id="picker.up", show=False,
                tooltip="Move up the list (while typing too)"),
    ]

    def __init__(self, choices: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.choices = choices
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box") as box:
            box.border_title = self.title_text
            yield Input(placeholder=tr("Type to filter", getattr(self.app, "lang", "en")),
                        id="picker-filter")
            yield OptionList(*self._options(""), id="picker")

    def _options(self, text: str) -> list[Option]:
        words = text.lower().split()
        return [Option(label, id=key) for key, label in self.choices
                if all(word in label.lower() or word in key.lower() for word in words)]

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.set_options(self._options(event.value))
        options.highlighted = 0 if options.option_count else None

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_move(self, delta: int) -> None:
        """Move the list's highlight (the filter keeps the keyboard)."""
        options = self.query_one(OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
