"""Anki export: questions of the bank as an Anki package (`.apkg`), built with genanki.

One note per question. The note's GUID is `genanki.guid_for(question.id)`, so importing a
later export into Anki updates the notes it already has instead of adding copies; model and
deck ids are fixed numbers for the same reason (Anki matches note types and decks by id).
Cloze questions become Anki cloze notes (every gap is `c1`: one card asks all the gaps at
once, as quizapp does); every other kind becomes a "quizapp question" note whose front is
the prompt (with the choices, the code or the shuffled steps it needs) and whose back is the
answer, the explanation and the source, the source named as `core.sources` names it for
the user. Each domain of the taxonomy is a subdeck `quizapp::<domain>`.

Texts are Markdown: they are rendered to HTML with markdown-it (raw HTML in a text is
escaped, never passed through; `$…$` maths becomes MathJax `\\(…\\)`, which Anki renders).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import genanki
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from quizapp.core.bank import Bank, Blank, Question, Taxonomy, Text, localize, shows_work
from quizapp.core.errors import QuizappError, UsageError
from quizapp.core.quantities import format_quantity
from quizapp.core.scoring import blank_correct
from quizapp.core.sources import Sources, load_sources

if sys.version_info >= (3, 11):  # the sre_* modules are deprecated aliases from 3.11
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

#: Languages an export can be written in.
LANG_MODES = ("en", "zh", "both")
#: The parent deck; each domain is a subdeck of it.
ROOT_DECK = "quizapp"


def stable_id(name: str) -> int:
    """A stable Anki id for `name`, in [2**30, 2**31) as genanki advises for model ids."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
    return (digest & ((1 << 30) - 1)) | (1 << 30)


#: `stable_id("quizapp/anki/model/question/v1")` and `…/cloze/v1`, written out so that a
#: change to `stable_id` cannot silently fork the note types in users' collections.
QUESTION_MODEL_ID = 1685508962
CLOZE_MODEL_ID = 1909559033

_CSS = """\
.card { font-family: sans-serif; font-size: 18px; text-align: left; line-height: 1.4; }
.zh { margin-top: .4em; }
.lang + .lang { border-top: 1px dashed #999; padding-top: .4em; }
pre { text-align: left; background: rgba(127,127,127,.12); padding: .5em; overflow-x: auto; }
pre .ln { color: #888; user-select: none; }
.label { font-weight: bold; }
.choices li { margin: .2em 0; }
.right { color: #1a7f37; } .wrong { color: #b42318; }
.why, .fix { color: #666; margin-left: 1.2em; }
.explanation { margin-top: .8em; }
.source { margin-top: .8em; font-size: 14px; color: #777; }
.qid { margin-top: .6em; font-size: 11px; color: #aaa; }
.cloze { font-weight: bold; color: #0969da; }
"""

_BACK_TAIL = (
    "{{#Explanation}}<div class=\"explanation\">{{Explanation}}</div>{{/Explanation}}"
    "{{#Source}}<div class=\"source\">{{Source}}</div>{{/Source}}"
    "<div class=\"qid\">{{Id}}</div>"
)


@lru_cache(maxsize=1)
def question_model() -> genanki.Model:
    """The note type of every kind but cloze: front the prompt, back the answer."""
    return genanki.Model(
        QUESTION_MODEL_ID, "quizapp question",
        fields=[{"name": "Prompt"}, {"name": "Answer"}, {"name": "Explanation"},
                {"name": "Source"}, {"name": "Id"}],
        templates=[{"name": "Card 1", "qfmt": "{{Prompt}}",
                    "afmt": "{{FrontSide}}<hr id=\"answer\">{{Answer}}" + _BACK_TAIL}],
        css=_CSS)


@lru_cache(maxsize=1)
def cloze_model() -> genanki.Model:
    """The cloze note type: the prompt and the sentence with its gaps as `{{c1::…}}`."""
    return genanki.Model(
        CLOZE_MODEL_ID, "quizapp cloze",
        fields=[{"name": "Text"}, {"name": "Extra"}, {"name": "Explanation"},
                {"name": "Source"}, {"name": "Id"}],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                    "afmt": "{{cloze:Text}}<hr id=\"answer\">"
                            "{{#Extra}}<div>{{Extra}}</div>{{/Extra}}" + _BACK_TAIL}],
        css=_CSS, model_type=genanki.Model.CLOZE)


# --------------------------------------------------------------------------- text to HTML

_LABELS: dict[str, dict[str, str]] = {
    "answer": {"en": "Answer", "zh": "答案"},
    "worked": {"en": "Worked", "zh": "算式"},
    "also": {"en": "Also accepted", "zh": "也接受"},
    "model": {"en": "Model answer", "zh": "参考答案"},
    "points": {"en": "Key points", "zh": "要点"},
    "required": {"en": "required", "zh": "必答"},
    "multi": {"en": "Choose every correct option.", "zh": "选出所有正确选项。"},
    "bugs": {"en": "The bugs", "zh": "Bug"},
    "line": {"en": "line {n}", "zh": "第 {n} 行"},
    "lines": {"en": "lines {n}", "zh": "第 {n} 行"},
    "fix": {"en": "Fix", "zh": "修复"},
    "order": {"en": "Right order", "zh": "正确顺序"},
    "pattern": {"en": "pattern", "zh": "模式"},
}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # No space inside the dollars and no digit after the closing one: "$5 and $10" is money.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    rules = md.renderer.rules
    rules["math_inline"] = lambda tokens, idx, *_: f"\\({html.escape(tokens[idx].content)}\\)"
    rules["math_inline_double"] = \
        lambda tokens, idx, *_: f"\\[{html.escape(tokens[idx].content)}\\]"
    rules["math_block"] = \
        lambda tokens, idx, *_: f"<div>\\[{html.escape(tokens[idx].content.strip())}\\]</div>\n"
    return md


def markdown_html(text: str, inline: bool = False) -> str:
    """Markdown as HTML; raw HTML in `text` is shown as text, code is escaped."""
    md = _markdown()
    return (md.renderInline(text) if inline else md.render(text)).strip()


class _Render:
    """Renders texts in one language mode (en, zh, or both, English first)."""

    def __init__(self, lang: str, sources: Sources) -> None:
        self.langs = ("en", "zh") if lang == "both" else (lang,)
        self.sources = sources

    def text(self, text: Text | None, inline: bool = False) -> str:
        """`text` as HTML in each language of the mode (a missing language falls back to
        English, shown once)."""
        if not text:
            return ""
        shown: list[tuple[str, str]] = []
        for lang in self.langs:
            value = localize(text, lang)
            if value and value not in (v for _, v in shown):
                shown.append((lang, value))
        if len(shown) == 1:
            return markdown_html(shown[0][1], inline)
        tag = "span" if inline else "div"
        sep = " / " if inline else ""
        return sep.join(f'<{tag} class="lang {lang}">{markdown_html(value, inline)}</{tag}>'
                        for lang, value in shown)

    def label(self, key: str, **values: object) -> str:
        """A heading word in the mode's languages ("Answer / 答案"), HTML-escaped."""
        return html.escape(" / ".join(dict.fromkeys(
            _LABELS[key][lang].format(**values) for lang in self.langs)))

    def source(self, question: Question) -> str:
        """The question's source as the user reads it (never a file name)."""
        lines = dict.fromkeys(self.sources.describe(question.source, lang)
                              for lang in self.langs)
        return "<br>".join(html.escape(line) for line in lines if line)


def _labelled(label: str, body: str) -> str:
    return f'<div><span class="label">{label}:</span> {body}</div>'


def code_html(code: str, numbered: bool = False) -> str:
    """Code in `<pre>`, HTML-escaped, optionally with 1-based line numbers."""
    lines = code.rstrip("\n").split("\n")
    if numbered:
        width = len(str(len(lines)))
        body = "\n".join(f'<span class="ln">{i:>{width}}</span>  {html.escape(line)}'
                         for i, line in enumerate(lines, start=1))
    else:
        body = html.escape("\n".join(lines))
    return f"<pre><code>{body}</code></pre>"


# --------------------------------------------------------------------------- regex samples


def pattern_sample(pattern: str) -> str | None:
    """A short text that `pattern` accepts, to show instead of the pattern itself.

    Walks the parsed pattern taking the first alternative, the first character of a class,
    each optional part once and each starred part never: `^(π|pi)\\s*_?\\{?(θ)?\\}?\\(y\\)$`
    gives `π_{θ}(y)`. None when the pattern has parts this cannot sample (the caller then
    checks the sample against the grader anyway)."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    out: list[str] = []

    def walk(items: Iterable[tuple[Any, Any]], depth: int = 0) -> bool:
        if depth > 50:
            return False
        for op, arg in items:
            if op is sre_constants.LITERAL:
                out.append(chr(arg))
            elif op is sre_constants.SUBPATTERN:
                if not walk(arg[-1], depth + 1):
                    return False
            elif op is sre_constants.BRANCH:
                if not walk(arg[1][0], depth + 1):
                    return False
            elif op is sre_constants.IN:
                first = next((a for o, a in arg if o is sre_constants.LITERAL), None)
                if first is None:
                    ranges = [a for o, a in arg if o is sre_constants.RANGE]
                    if not ranges:
                        return False
                    first = ranges[0][0]
                out.append(chr(first))
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, high, sub = arg
                # `x?` once (it is usually the visible part: `_?`, `\{?`), `x*` never.
                times = low or (1 if high == 1 and _printable(sub) else 0)
                for _ in range(min(times, 8)):
                    if not walk(sub, depth + 1):
                        return False
            elif op is sre_constants.AT:
                continue
            else:  # ANY, categories such as \s or \d, lookarounds: leave it to the caller
                return False
        return True

    return "".join(out) if walk(parsed) else None


def _printable(items: Iterable[tuple[Any, Any]]) -> bool:
    """Whether an optional part is worth showing (a bare `\\s` is not)."""
    return not all(op is sre_constants.IN and all(o is sre_constants.CATEGORY for o, _ in arg)
                   for op, arg in items)


def blank_answer(blank: Blank) -> str | None:
    """The answer shown in a gap: the first accepted form, a number, the regex blank's
    `shown` form (the app's own feedback shows it), or else a sample of the pattern that the
    grader accepts. None for a pattern that cannot be sampled."""
    if blank.regex and blank.shown:
        return blank.shown
    if blank.numeric is not None:
        return f"{blank.numeric.answer:g}"
    if not blank.accept:
        return None
    if not blank.regex:
        return blank.accept[0]
    sample = pattern_sample(blank.accept[0])
    return sample if sample and blank_correct(blank, sample) else None


# --------------------------------------------------------------------------- notes


def _cloze_token(n: int) -> str:
    # Letters only: Markdown leaves the token alone wherever it stands.
    return f"QZAPPGAP{n}QZAPP"


def _cloze_escape(text: str) -> str:
    """An answer safe inside `{{c1::…}}` (no `::` hint separator, no closing braces)."""
    return html.escape(text).replace(":", "&#58;").replace("}", "&#125;").replace(
        "{", "&#123;")


def _cloze_fields(question: Question, r: _Render) -> tuple[str, str]:
    assert question.template is not None
    slots = list(question.blanks)
    answers: dict[str, str | None] = {slot: blank_answer(question.blanks[slot])
                                      for slot in slots}
    tokens = {slot: _cloze_token(i) for i, slot in enumerate(slots)}
    marked = {lang: re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}",
                           lambda m: tokens.get(m.group(1), m.group(0)), value)
              for lang, value in question.template.items()}
    body = r.text(marked)
    for slot, token in tokens.items():
        answer = answers[slot]
        if answer is None:  # a pattern no sample can show: the gap still hides something
            answer = f"({r.label('pattern')}) {question.blanks[slot].accept[0]}"
        body = body.replace(token, "{{c1::" + _cloze_escape(answer) + "}}")
    text = f"{r.text(question.prompt)}\n<div>{body}</div>"
    extra: list[str] = []
    for slot in slots:
        blank = question.blanks[slot]
        shown = answers[slot]
        others = [a for a in blank.accept if a != shown] if not blank.regex else []
        if others:
            extra.append(html.escape(" · ".join(others[:4]) + (" · …" if len(others) > 4
                                                               else "")))
    extra_html = _labelled(r.label("also"), "; ".join(extra)) if extra else ""
    return text, extra_html


def _front_and_back(question: Question, r: _Render) -> tuple[str, str]:
    """The Prompt and Answer fields of a non-cloze question."""
    front = [r.text(question.prompt)]
    back: list[str] = []
    kind = question.kind
    if kind in ("single", "multi"):
        if kind == "multi":
            front.append(f"<p><i>{r.label('multi')}</i></p>")
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        front.append('<ol class="choices" type="A">' + "".join(
            f"<li>{r.text(c.text, inline=True)}</li>" for c in question.choices) + "</ol>")
        right = ", ".join(letters[i] for i, c in enumerate(question.choices) if c.correct)
        back.append(_labelled(r.label("answer"), right))
        items = []
        for i, choice in enumerate(question.choices):
            mark, css = ("✓", "right") if choice.correct else ("✗", "wrong")
            why = r.text(choice.why) if choice.why else ""
            items.append(f'<li><span class="{css}">{mark} {letters[i]}.</span> '
                         f"{r.text(choice.text, inline=True)}"
                         + (f'<div class="why">{why}</div>' if why else "") + "</li>")
        back.append('<ul class="choices" style="list-style:none;padding-left:0">'
                    + "".join(items) + "</ul>")
    elif kind == "numeric" and question.numeric is not None:
        spec = question.numeric
        back.append(_labelled(r.label("answer"),
                              html.escape(format_quantity(spec.answer, spec.unit))))
        if spec.work and shows_work(spec):
            work = spec.work.replace("**", "^").replace("*", "×")
            back.append(_labelled(r.label("worked"), f"<code>{html.escape(work)}</code>"))
        if spec.also_accept:
            back.append(_labelled(r.label("also"), html.escape(", ".join(
                format_quantity(v, spec.unit) for v in spec.also_accept))))
    elif kind == "short":
        if question.model_answer:
            back.append(f'<div class="label">{r.label("model")}</div>'
                        + r.text(question.model_answer))
        if question.key_points:
            items = "".join(
                f"<li>{r.text(p.text, inline=True)}"
                + (f" <i>({r.label('required')})</i>" if p.required else "") + "</li>"
                for p in question.key_points)
            back.append(f'<div class="label">{r.label("points")}</div><ul>{items}</ul>')
    elif kind == "spot_bug":
        front.append(code_html(question.code, numbered=True))
        items = []
        for bug in question.bugs:
            where = r.label("line" if len(bug.lines) == 1 else "lines",
                            n=", ".join(str(n) for n in bug.lines))
            items.append(f"<li><b>{where}</b>: {r.text(bug.summary, inline=True)}"
                         f'<div class="fix">{r.label("fix")}: '
                         f"{r.text(bug.fix, inline=True)}</div></li>")
        back.append(f'<div class="label">{r.label("bugs")}</div><ul>{"".join(items)}</ul>')
    elif kind == "ordering":
        shuffled = shuffled_order(question)
        front.append("<ul>" + "".join(f"<li>{r.text(question.items[i], inline=True)}</li>"
                                      for i in shuffled) + "</ul>")
        back.append(f'<div class="label">{r.label("order")}</div><ol>' + "".join(
            f"<li>{r.text(item, inline=True)}</li>" for item in question.items) + "</ol>")
    return "\n".join(front), "\n".join(back)


def shuffled_order(question: Question) -> list[int]:
    """The ordering items' indices as the front shows them: shuffled the same way in every
    export (seeded by the id), and never already in the right order."""
    order = list(range(len(question.items)))
    random.Random(question.id).shuffle(order)
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


def _tag(text: str) -> str:
    """An Anki tag (no spaces)."""
    return re.sub(r"\s+", "_", text.strip())


def note_for(question: Question, lang: str, sources: Sources | None = None) -> genanki.Note:
    """The Anki note of one question, in `lang` (en, zh or both)."""
    r = _Render(lang, sources if sources is not None else load_sources())
    explanation = r.text(question.explanation)
    source = r.source(question)
    tags = ["quizapp", f"quizapp::kind::{question.kind}",
            f"quizapp::difficulty::{question.difficulty}"]
    tags += [f"quizapp::topic::{_tag(t)}" for t in question.topics]
    tags += [f"quizapp::tag::{_tag(t)}" for t in question.tags]
    if question.kind == "cloze":
        text, extra = _cloze_fields(question, r)
        fields = [text, extra, explanation, source, html.escape(question.id)]
        model = cloze_model()
    else:
        front, back = _front_and_back(question, r)
        fields = [front, back, explanation, source, html.escape(question.id)]
        model = question_model()
    return genanki.Note(model=model, fields=fields, tags=tags,
                        guid=genanki.guid_for(question.id))


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class AnkiExport:
    """What `export_anki` wrote."""

    path: Path
    notes: int
    cloze_notes: int
    decks: tuple[str, ...]


def deck_name(question: Question, taxonomy: Taxonomy) -> str:
    """`quizapp::<domain>` of the question's main topic (`quizapp::Other` without one)."""
    topic = taxonomy.topics.get(question.topics[0]) if question.topics else None
    return f"{ROOT_DECK}::{topic.domain if topic else 'Other'}"


def select_questions(bank: Bank, taxonomy: Taxonomy, topics: Sequence[str]) -> list[Question]:
    """The bank's questions under any of `topics` (all of them when empty); a topic the
    taxonomy does not know is a UsageError naming it."""
    from quizapp.core.quiz import resolve_topic

    chosen: set[str] = set()
    for name in topics:
        try:
            chosen |= resolve_topic(taxonomy, name)
        except KeyError as err:
            raise UsageError(str(err.args[0])) from None
    return [q for q in bank.questions.values()
            if not chosen or chosen.intersection(q.topics)]


def export_anki(path: Path, questions: Sequence[Question], taxonomy: Taxonomy,
                lang: str = "both", *, timestamp: float | None = None) -> AnkiExport:
    """Write `questions` to the Anki package `path` (replaced whole, never half-written)."""
    if lang not in LANG_MODES:
        raise UsageError(f"--lang must be one of {', '.join(LANG_MODES)}, not {lang!r}")
    if path.suffix.lower() != ".apkg":
        raise UsageError(f"{path}: an Anki package must end in .apkg (Anki imports no other)")
    if not questions:
        raise UsageError("no questions to export (check --topic)")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory")
    sources = load_sources()
    decks: dict[str, genanki.Deck] = {}
    cloze = 0
    for question in questions:
        name = deck_name(question, taxonomy)
        deck = decks.get(name)
        if deck is None:
            deck = decks[name] = genanki.Deck(stable_id(name), name)
        deck.add_note(note_for(question, lang, sources))
        cloze += question.kind == "cloze"
    ordered = [decks[name] for name in sorted(decks)]
    _write_package(path, genanki.Package(ordered), timestamp)
    return AnkiExport(path=path, notes=len(questions), cloze_notes=cloze,
                      decks=tuple(sorted(decks)))


def _write_package(path: Path, package: genanki.Package, timestamp: float | None) -> None:
    """genanki's `write_to_file`, but atomic and without leaving its temporary database
    behind (genanki 0.13 never deletes it)."""
    stamp = time.time() if timestamp is None else timestamp
    target = path.resolve()
    with tempfile.TemporaryDirectory(prefix="quizapp-anki-") as tmp:
        db = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            package.write_to_db(conn.cursor(), stamp, itertools.count(int(stamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        part = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as out:
                out.write(db, "collection.anki2")
                out.writestr("media", "{}")
            os.replace(part, target)
        except OSError as err:
            # Name the file the user gave, not the temporary one beside it.
            raise QuizappError(f"{path}: cannot write ({err.strerror or err})") from None
        finally:
            part.unlink(missing_ok=True)
