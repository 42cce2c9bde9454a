"""Mistake cards: a known mistake the grader named in one of the user's drill solutions
becomes a card of its own, `m:<drill id>:<mistake id>`, reviewed like a short-answer
question: its front shows the buggy pattern as a short code excerpt and asks what is wrong
and why; its back gives the mistake's explanation and the fix, and the key points to tick
come from that explanation.

The card is created the first time the mistake is named; every later time the same mistake is
named is a lapse of that card (fsrs sees an Again, the log row counts towards leeches). A
failed grade of a drill whose card the user had learned (the Review state) is an Again on the
drill's card too, so it comes back after the relearning steps instead of at its old interval.

The texts are read from `solutions/<drill>/mistakes.py` without running it (the file imports
torch): `title`, `explanation`, and the optional `excerpt` and `fix` code strings. A mistake
without an `excerpt` shows the source of its known-wrong variant instead, saying so, when
that variant is a function of its own; a variant built by a shared helper with a flag has no
code that shows the bug without naming it, so its card names the case that exposed it.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fsrs import Rating

from quizapp.core.bank import KeyPoint, Question, Source, Text
from quizapp.core.review.cards import insert_card, load_card
from quizapp.core.review.days import as_utc, end_of_day
from quizapp.core.review.keys import card_key, mistake_key
from quizapp.core.review.rating import Preview, RatingRecord, commit_rating
from quizapp.core.review.settings import ReviewSettings
from quizapp.core.store import Store, to_iso, utcnow

#: Longest excerpt shown when it is derived from a variant's source (lines).
MAX_DERIVED_LINES = 16


@dataclass(frozen=True)
class MistakeText:
    """What a mistake card shows, as mistakes.py states it."""

    drill_id: str
    mistake_id: str
    title: Text
    explanation: Text
    #: The buggy pattern as code ("" when mistakes.py gives none and none can be derived).
    excerpt: str
    #: True when mistakes.py has no `excerpt` and this is its variant's source.
    excerpt_derived: bool
    #: The corrected code, when mistakes.py gives one.
    fix: str | None
    #: The grading case that exposes the mistake.
    exposed_by: str = ""


# --------------------------------------------------------------------------- reading


def read_mistakes(drill_id: str, path: Path) -> dict[str, MistakeText]:
    """The mistakes listed in `path` (a mistakes.py), by id, read statically. A file that
    cannot be read or parsed gives no mistakes (`content check` reports it)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return dict(_read_cached(drill_id, str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=64)
def _read_cached(drill_id: str, path: str, mtime_ns: int, size: int
                 ) -> tuple[tuple[str, MistakeText], ...]:
    try:
        source = Path(path).read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return ()
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    # Module-level constants (texts shared by several mistakes are often named once), and
    # helpers that only build a {en, zh} dict from their arguments.
    constants: dict[str, Any] = {"\0builders": _builders(functions)}
    for n in tree.body:
        target = n.targets[0] if isinstance(n, ast.Assign) and len(n.targets) == 1 else \
            n.target if isinstance(n, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and n.value is not None:
            value = _literal(n.value, constants)
            if value is not None:
                constants[target.id] = value
    listing = next((n.value for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                    and any(isinstance(t, ast.Name) and t.id == "MISTAKES" for t in
                            (n.targets if isinstance(n, ast.Assign) else [n.target]))), None)
    if not isinstance(listing, ast.List):
        return ()
    out = []
    for item in listing.elts:
        if not isinstance(item, ast.Dict):
            continue
        fields = {k.value: v for k, v in zip(item.keys, item.values, strict=True)
                  if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        literal = {key: _literal(fields.get(key), constants)
                   for key in ("id", "title", "explanation", "excerpt", "fix",
                               "exposed_by")}
        mistake_id = literal["id"]
        if not isinstance(mistake_id, str):
            continue
        title = _text(literal["title"]) or {"en": mistake_id}
        explanation = _text(literal["explanation"]) or {"en": ""}
        excerpt = literal["excerpt"] if isinstance(literal["excerpt"], str) else None
        derived = excerpt is None
        if excerpt is None:
            excerpt = _variant_source(source, fields, functions)
            derived = bool(excerpt)
        fix = literal["fix"] if isinstance(literal["fix"], str) else None
        out.append((mistake_id, MistakeText(drill_id, mistake_id, title, explanation,
                                            excerpt.strip("\n"), derived,
                                            fix.strip("\n") if fix else None,
                                            str(literal["exposed_by"] or ""))))
    return tuple(out)


def _literal(node: ast.expr | None, constants: dict[str, Any]) -> Any:
    """The value of a literal expression, names of earlier constants and `+` of strings
    included; None for anything else (nothing is executed)."""
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Dict):
        out = {}
        for key, value in zip(node.keys, node.values, strict=True):
            k, v = _literal(key, constants), _literal(value, constants)
            if k is None or v is None:
                return None
            out[k] = v
        return out
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        builder = constants.get("\0builders", {}).get(node.func.id)
        args = [_literal(arg, constants) for arg in node.args]
        if builder is None or len(args) != len(builder[0]) or any(a is None for a in args):
            return None
        bound = dict(zip(builder[0], args, strict=True))
        return {key: bound[param] for key, param in builder[1].items()}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, constants), _literal(node.right, constants)
        return left + right if isinstance(left, str) and isinstance(right, str) else None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _builders(functions: dict[str, ast.FunctionDef]
              ) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Functions whose body is only `return {"en": en, "zh": zh}` (keys literal, values
    parameters): by name, (parameters, key → parameter)."""
    out = {}
    for name, func in functions.items():
        params = [a.arg for a in func.args.args]
        body = [n for n in func.body if not (isinstance(n, ast.Expr)
                                             and isinstance(n.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) \
                or not isinstance(body[0].value, ast.Dict):
            continue
        mapping = {}
        for key, value in zip(body[0].value.keys, body[0].value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) \
                    and isinstance(value, ast.Name) and value.id in params:
                mapping[key.value] = value.id
        if mapping and len(mapping) == len(body[0].value.keys):
            out[name] = (params, mapping)
    return out


def _text(value: Any) -> Text | None:
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()) \
            and value.get("en"):
        return value
    return None


_META_KEYS = {"id", "title", "explanation", "excerpt", "fix", "exposed_by", "agrees_on",
              "tracks"}


def _variant_source(source: str, fields: dict[str, ast.expr],
                    functions: dict[str, ast.FunctionDef]) -> str:
    """The code of the mistake's first overriding entry, cut to MAX_DERIVED_LINES lines.

    A variant given by name shows that function; one built by a call (a shared helper
    applied to the variant's piece) shows the piece. The function appears under a neutral
    name (the entry point's, when it is the entry) and without its docstring: both name
    the bug.
    """
    for key, value in fields.items():
        if key in _META_KEYS:
            continue
        node: ast.AST | None = None
        rename = key
        if isinstance(value, ast.Name) and value.id in functions:
            node = functions[value.id]
        elif isinstance(value, ast.Call):
            inner = [a for a in value.args if isinstance(a, ast.Name) and a.id in functions]
            if inner:
                node, rename = functions[inner[0].id], "variant"
        # Anything else (a shared helper called with a flag) has no code that shows the bug
        # without naming it: no excerpt.
        text = _without_docstring(source, node) if node is not None else None
        if text and isinstance(node, ast.FunctionDef):
            text = re.sub(rf"\b{re.escape(node.name)}\b", rename, text)
        if text:
            lines = text.splitlines()
            if len(lines) > MAX_DERIVED_LINES:
                lines = lines[:MAX_DERIVED_LINES] + ["    ..."]
            return "\n".join(lines)
    return ""


def _without_docstring(source: str, node: ast.AST) -> str | None:
    text = ast.get_source_segment(source, node)
    if text is None:
        return None
    if isinstance(node, ast.FunctionDef) and node.body and isinstance(node.body[0], ast.Expr) \
            and isinstance(node.body[0].value, ast.Constant) \
            and isinstance(node.body[0].value.value, str):
        doc = ast.get_source_segment(source, node.body[0])
        if doc:
            text = re.sub(r"\n[ \t]*" + re.escape(doc) + r"[ \t]*(?=\n)", "", text, count=1)
    return textwrap.dedent(text)


def mistake_text(drill: Any, mistake_id: str) -> MistakeText | None:
    """The texts of mistake `mistake_id` of the loaded `drill` (a `Drill`), or None when its
    mistakes.py no longer lists it."""
    return read_mistakes(drill.id, drill.solution_file("mistakes")).get(mistake_id)


# --------------------------------------------------------------------------- the card


_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*(?=\S)")
_PROMPT = {
    "en": ("A solution of yours to **{drill}** was graded as this known mistake. What is "
           "wrong in this code, and why does it matter?"),
    "zh": "你在 **{drill}** 中的一次提交被判定为下面这个已知错误。这段代码错在哪里？为什么重要？",
}
_NO_CODE = {
    "en": ("A solution of yours to **{drill}** failed the case '{case}' exactly the way a "
           "known mistake does. Which classic mistake gives this result, and why is it wrong?"),
    "zh": "你在 **{drill}** 中的一次提交在用例「{case}」上的错误结果与一个已知错误完全一致。"
          "这是哪种经典错误？为什么错？",
}
_DERIVED = {
    "en": "(The grader's model of the mistake, written in float64.)",
    "zh": "（评分器对这个错误的复现代码，以 float64 计算。）",
}
_FIX = {"en": "The fix:", "zh": "改法："}


def key_points(explanation: Text) -> tuple[KeyPoint, ...]:
    """The points an answer should make: the explanation's sentences, paired across
    languages when both have as many; otherwise the whole explanation is one point."""
    split = {lang: [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]
             for lang, text in explanation.items() if text}
    counts = {len(parts) for parts in split.values()}
    if len(counts) == 1 and counts != {0}:
        n = counts.pop()
        return tuple(KeyPoint(text={lang: parts[i] for lang, parts in split.items()})
                     for i in range(n))
    return (KeyPoint(text=dict(explanation)),)


def mistake_question(drill: Any, mistake: MistakeText) -> Question:
    """The mistake card as a self-graded short-answer question, so the review screen shows
    it with the question view it already has: prompt with the excerpt, key points from the
    explanation, and the explanation and fix as the model answer."""
    code = f"```python\n{mistake.excerpt}\n```"
    prompt: dict[str, str] = {}
    answer: dict[str, str] = {}
    for lang in ("en", "zh"):
        title = drill.title.get(lang) or drill.title.get("en") or drill.id
        if mistake.excerpt:
            parts = [_PROMPT[lang].format(drill=title), code]
        else:
            parts = [_NO_CODE[lang].format(drill=title, case=mistake.exposed_by)]
        if mistake.excerpt_derived:
            parts.append(_DERIVED[lang])
        prompt[lang] = "\n\n".join(parts)
        explanation = mistake.explanation.get(lang) or mistake.explanation.get("en", "")
        name = mistake.title.get(lang) or mistake.title.get("en", "")
        back = [f"**{name}.** {explanation}"]
        if mistake.fix:
            back.append(f"{_FIX[lang]}\n\n```python\n{mistake.fix}\n```")
        answer[lang] = "\n\n".join(back)
    return Question(
        id=mistake_key(mistake.drill_id, mistake.mistake_id), kind="short",
        topics=tuple(drill.topics), difficulty=int(drill.difficulty),
        source=Source(refs=(f"solutions/{mistake.drill_id}/mistakes.py",)),
        prompt=prompt, explanation=answer, key_points=key_points(mistake.explanation),
        model_answer=answer, pass_threshold=0.6)


# --------------------------------------------------------------------------- grades


@dataclass(frozen=True)
class GradeReview:
    """What recording a grade did to the review cards."""

    #: The mistake card named by the grade, if any.
    mistake_key: str | None = None
    #: Whether that card was created by this grade (else the grade was a lapse of it).
    mistake_created: bool = False
    #: The Again given to the drill's own card (a failed grade of a learned drill).
    drill_again: RatingRecord | None = None
    #: The Again given to the mistake card (a mistake made again).
    mistake_again: RatingRecord | None = None


def record_grade_review(store: Store, drill_id: str, *, passed: bool,
                        mistake_id: str | None = None, now: datetime | None = None,
                        settings: ReviewSettings | None = None) -> GradeReview:
    """What a recorded grade means for review: a named mistake creates its card (first time)
    or is a lapse of it (every later time); a failed grade of a learned drill (Review state)
    that is not due today is an Again on the drill's card, so it comes back sooner. Passing
    grades, and drills due today, are left to the callers that rate the drill's card (the
    drill screen, the review screen's drill round)."""
    now = as_utc(now or utcnow())
    settings = settings or ReviewSettings.load(store)
    scheduler = settings.scheduler()
    key = None
    created = False
    mistake_again = None
    if mistake_id:
        key = mistake_key(drill_id, mistake_id)
        exists = store.conn.execute("SELECT 1 FROM cards WHERE card_id = ?",
                                    (key,)).fetchone() is not None
        if not exists:
            with store.transaction() as conn:
                insert_card(conn, key, now)
            created = True
        else:
            mistake_again = _again(store, key, now, scheduler, lapse=True)
    drill_again = None
    if not passed:
        drill = card_key("drill", drill_id)
        row = store.conn.execute("SELECT state, last_review, due FROM cards "
                                 "WHERE card_id = ?", (drill,)).fetchone()
        # A card due today is in today's queue already, and a review round of the drill
        # rates it from all its grades (`drill_outcome`): only a learned drill that was not
        # due yet is pulled forward.
        if row is not None and row["last_review"] is not None and row["state"] == 2 \
                and row["due"] >= to_iso(end_of_day(now)):
            drill_again = _again(store, drill, now, scheduler, lapse=False)
    return GradeReview(key, created, drill_again, mistake_again)


def _again(store: Store, key: str, now: datetime, scheduler: Any, *, lapse: bool
           ) -> RatingRecord | None:
    """Commit an Again for `key` at `now` (None if it already has a review at `now`)."""
    if store.conn.execute("SELECT 1 FROM review_log WHERE card_id = ? AND reviewed_at = ?",
                          (key, to_iso(now))).fetchone():
        return None
    card = load_card(store, key, now)
    after, log = scheduler.review_card(card, Rating.Again, review_datetime=now)
    return commit_rating(store, key, card, Preview(Rating.Again, after, log, after.due - now),
                         scheduler=scheduler, lapse=lapse)
