"""The rating bar under a reviewed card: Again / Hard / Good / Easy, each with its interval."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from quizapp.tui.strings import tr

#: (rating value, English name) in key order.
RATING_NAMES = ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy"))


class RatingBar(Horizontal, can_focus=True):
    """Four boxes, one per rating, each showing the interval it would give; the rating the
    grader proposes is highlighted and taken with Enter or Space, and 1–4 pick any other.

    In cram mode there are no intervals: Again shows the card again later, the others move on.
    Posts `RatingBar.Rated`.
    """

    DEFAULT_CSS = """
    RatingBar { height: 4; padding: 0 1; display: none; }
    RatingBar.-shown { display: block; layout: horizontal; }
    RatingBar > .option {
        width: 1fr; height: 4; border: round $panel; content-align: center middle;
        text-align: center; margin: 0 1 0 0;
    }
    RatingBar > .option.-proposed { border: heavy $accent; text-style: bold; }
    RatingBar:focus > .option.-proposed { background: $accent 15%; }
    RatingBar > .option.-r1 { color: $text-error; }
    RatingBar > .option.-r2 { color: $text-warning; }
    RatingBar > .option.-r3 { color: $text-success; }
    RatingBar > .option.-r4 { color: $text-primary; }
    """

    BINDINGS = [
        Binding("1", "rate(1)", "Again", id="review.again",
                tooltip="Forgot or wrong: see it again soon"),
        Binding("2", "rate(2)", "Hard", id="review.hard",
                tooltip="Right, but with a struggle (a hint, a second try)"),
        Binding("3", "rate(3)", "Good", id="review.good", tooltip="Right"),
        Binding("4", "rate(4)", "Easy", id="review.easy",
                tooltip="Right and effortless: a longer interval"),
        Binding("enter,space", "accept", "Rate as proposed", id="review.accept",
                tooltip="Take the highlighted rating"),
    ]

    @dataclass
    class Rated(Message):
        """The user chose a rating (1 Again … 4 Easy)."""

        rating: int

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.proposed = 3
        self.labels: dict[int, str] | None = None
        self.lang = "en"

    def compose(self):  # noqa: ANN201 - a compose generator
        for value, _ in RATING_NAMES:
            yield Static(classes=f"option -r{value}", id=f"rate-{value}")

    def show(self, labels: dict[int, str] | None, proposed: int, lang: str) -> None:
        """Show the options (`labels`: rating → interval text; None in cram mode) and take
        the keyboard."""
        self.labels = labels
        self.proposed = proposed
        self.lang = lang
        self._render_options()
        self.add_class("-shown")
        self.focus()

    def hide(self) -> None:
        """Hide the bar (while the user answers)."""
        self.remove_class("-shown")

    def set_language(self, lang: str) -> None:
        """Re-render in `lang`."""
        self.lang = lang
        if self.has_class("-shown"):
            self._render_options()

    def _render_options(self) -> None:
        for value, name in RATING_NAMES:
            box = self.query_one(f"#rate-{value}", Static)
            if self.labels is not None:
                detail = self.labels[value]
            else:
                detail = tr("see again", self.lang) if value == 1 else tr("next", self.lang)
            text = Content.assemble((f"{value} ", "dim"), tr(name, self.lang), "\n", detail)
            box.update(text)
            box.set_class(value == self.proposed, "-proposed")

    def action_rate(self, value: int) -> None:
        """Rate with `value`."""
        if self.has_class("-shown"):
            self.post_message(self.Rated(value))

    def action_accept(self) -> None:
        """Rate as proposed."""
        self.action_rate(self.proposed)
