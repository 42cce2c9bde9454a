"""Cloze answers: the template with numbered gaps, one input per gap."""

from __future__ import annotations

import random
import re
from typing import Any

from textual.containers import Horizontal
from textual.widgets import Input, Label

from quizapp.core.bank import Question, localize
from quizapp.core.scoring import Verdict
from quizapp.tui.strings import tr
from quizapp.tui.widgets.markdown import MathMarkdown
from quizapp.tui.widgets.question.base import AnswerArea

_SLOT = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def slots_in_order(template: str) -> list[str]:
    """The slot names of a template, in the order they appear."""
    return _SLOT.findall(template)


def template_with_gaps(template: str, numbers: dict[str, int]) -> str:
    """The template with each `{{slot}}` shown as a numbered gap (no Markdown specials)."""
    # Not "▁": a gap must never look like an answer (SentencePiece's space marker is ▁).
    return _SLOT.sub(lambda m: f"⋯❬{numbers[m.group(1)]}❭⋯", template)


class ClozeAnswer(AnswerArea):
    """The sentence with numbered gaps, then an input per gap. Enter moves to the next gap;
    on the last one it submits. Units are accepted in numeric gaps."""

    DEFAULT_CSS = """
    ClozeAnswer .template { margin: 0 0 1 0; }
    ClozeAnswer .gap { height: auto; }
    ClozeAnswer .gap Label { width: 6; padding: 1 1 0 1; }
    ClozeAnswer .gap Input { width: 1fr; max-width: 50; }
    ClozeAnswer .gap Label.expected { width: 1fr; max-width: 100; color: $text-muted; }
    ClozeAnswer Input.-correct { border: tall $success; }
    ClozeAnswer Input.-wrong { border: tall $error; }
    """

    def __init__(self, question: Question, lang: str, rng: random.Random, **kwargs: Any) -> None:
        super().__init__(question, lang, rng, **kwargs)
        assert question.template is not None
        self.slots = slots_in_order(question.template["en"])
        self.numbers = {slot: i + 1 for i, slot in enumerate(self.slots)}
        self.template = MathMarkdown(self._template_text(), classes="template")
        self.inputs = {slot: Input(placeholder=tr("gap {n}", lang).format(n=n),
                                   id=f"gap-{n}")
                       for slot, n in self.numbers.items()}

    def _template_text(self) -> str:
        return template_with_gaps(localize(self.question.template, self.lang), self.numbers)

    def compose(self):  # noqa: ANN201
        yield self.template
        for slot, n in self.numbers.items():
            with Horizontal(classes="gap"):
                yield Label(f"❬{n}❭", markup=False)
                yield self.inputs[slot]
                yield Label("", classes="expected", id=f"expected-{n}", markup=False)

    def focus_answer(self) -> None:
        self.inputs[self.slots[0]].focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.locked:
            return
        order = list(self.inputs.values())
        index = order.index(event.input)
        empty = [i for i in order if not i.value.strip()]
        if index + 1 < len(order) and empty:
            # Enter walks the gaps; it submits from the last gap or once all are filled.
            nxt = next((i for i in order[index + 1:] if not i.value.strip()), empty[0])
            nxt.focus()
        else:
            self.post_message(self.Submit())

    def value(self) -> Any:
        return {slot: field.value for slot, field in self.inputs.items()}

    def show_result(self, answer: Any, verdict: Verdict) -> None:
        super().show_result(answer, verdict)
        results = verdict.details.get("blanks", {})
        for slot, field in self.inputs.items():
            field.value = str(answer.get(slot, ""))
            field.disabled = True
            ok = bool(results.get(slot))
            field.set_class(ok, "-correct")
            field.set_class(not ok, "-wrong")
        self._show_expected()

    def _show_expected(self) -> None:
        if not self.locked:
            return
        for slot, n in self.numbers.items():
            blank = self.question.blanks[slot]
            if blank.numeric is not None:
                expected = f"{blank.numeric.answer:g}"
            elif blank.regex:
                expected = blank.shown or blank.accept[0]
            else:
                # The first forms say it; the full list of accepted spellings is noise.
                expected = " · ".join(blank.accept[:2]) + (" · …" if len(blank.accept) > 2
                                                             else "")
            self.query_one(f"#expected-{n}", Label).update(
                tr("expected: {x}", self.lang).format(x=expected))

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        self.template.show(self._template_text())
        for slot, n in self.numbers.items():
            self.inputs[slot].placeholder = tr("gap {n}", lang).format(n=n)
        self._show_expected()
