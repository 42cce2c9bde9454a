"""The question bank: question models, the topic taxonomy, and YAML loading with validation.

Question files are YAML lists (format: content/SCHEMA.md). Loading never stops at the first
problem: every problem of every file is collected as a `Problem` (`path:line: message`), files
with problems are skipped as a whole, and the valid files still load. Parsing uses PyYAML's C
loader; a small constructor hook records the line of every mapping and key so that messages
point at the offending line.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from quizapp.core import paths, patterns
from quizapp.core.arith import ArithmeticError_, evaluate
from quizapp.core.quantities import UNIT_FAMILIES, asked_unit

LANGUAGES = ("en", "zh")
KINDS = ("single", "multi", "numeric", "short", "cloze", "spot_bug", "ordering")
SEED_FILES = frozenset({
    "000_c0e3f7b9ffd16c27.txt",
    "001_2bf531b10e6dc749.txt",
    "002_b04fe452629b1421.txt",
    "003_3edf1eb5566b5afa.txt",
    "004_171cc750351aad5e.txt",
})
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SLOT = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_ERRATUM = re.compile(r"^E\d{2}$")

#: A user-visible string in several languages: {"en": ..., "zh": ...}.
Text = Mapping[str, str]


def localize(text: Text | None, lang: str) -> str:
    """`text` in `lang`, falling back to English (then any language)."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()), "")


# --------------------------------------------------------------------------- YAML with lines


class LineDict(dict):
    """A YAML mapping that remembers where it and each of its keys start (1-based lines)."""

    line: int = 0
    key_lines: dict[Any, int]
    duplicate_keys: list[tuple[Any, int]]

    def line_of(self, key: Any) -> int:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """PyYAML's C loader, building `LineDict`s."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    mapping.duplicate_keys = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain scalars", key_node.start_mark
            )
        line = key_node.start_mark.line + 1
        if key in mapping:
            mapping.duplicate_keys.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _marked(constructor: Any) -> Any:
    """Wrap a scalar constructor so that a value it rejects with a plain exception (an
    impossible date, a bad `!!int`, an integer of more than 4300 digits, bad base64) becomes
    a ConstructorError carrying the line, like every other YAML problem."""

    def construct(loader: _LineLoader, node: yaml.Node) -> Any:
        try:
            return constructor(loader, node)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as err:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this {node.tag.rsplit(':', 1)[-1]} value "
                f"({_cut(str(err), 80)})", node.start_mark) from None

    return construct


for _tag, _constructor in list(_LineLoader.yaml_constructors.items()):
    # Generator constructors (collections) fail lazily and only through their items.
    if _tag is not None and not inspect.isgeneratorfunction(_constructor):
        _LineLoader.add_constructor(_tag, _marked(_constructor))

#: Deepest nesting of lists and mappings a content file may have (questions need about 6).
MAX_DEPTH = 40
#: Largest content file read (the biggest bundled file is well under 200 KiB).
MAX_FILE_BYTES = 8 << 20


class NestingError(yaml.MarkedYAMLError):
    """The document nests lists and mappings deeper than `MAX_DEPTH`."""


def _collections(node: yaml.Node) -> list[yaml.Node]:
    """The list and mapping nodes directly inside `node` (scalars add one level, no more)."""
    if isinstance(node, yaml.MappingNode):
        return [c for pair in node.value for c in pair if not isinstance(c, yaml.ScalarNode)]
    if isinstance(node, yaml.SequenceNode):
        return [c for c in node.value if not isinstance(c, yaml.ScalarNode)]
    return []


def _check_depth(root: yaml.Node) -> None:
    """Raise NestingError at a node nested deeper than MAX_DEPTH, without recursion.

    Aliases make the node graph a DAG (an alias bomb shares its nodes, and an alias can
    stack one deep structure under another), so the height of every distinct collection
    node is computed once, post-order; a recursive alias (a cycle) adds no height.
    """
    if isinstance(root, yaml.ScalarNode):
        return
    height: dict[int, int] = {}
    inner: dict[int, list[yaml.Node]] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            height[id(node)] = 1 + max((height.get(id(c), 0) for c in inner[id(node)]),
                                       default=1)
        elif id(node) not in height:
            height[id(node)] = 0  # in progress
            inner[id(node)] = children = _collections(node)
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in height)
    if height[id(root)] <= MAX_DEPTH:
        return
    node = root
    for _ in range(MAX_DEPTH):  # walk down the tallest branch to the first node too deep
        node = max(inner[id(node)], key=lambda c: height.get(id(c), 0))
    raise NestingError(None, None, f"lists and mappings nest more than {MAX_DEPTH} deep",
                       node.start_mark)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file with line information; raises yaml.YAMLError on bad YAML
    (including values the constructors reject and nesting deeper than `MAX_DEPTH`)."""
    with open(path, encoding="utf-8") as stream:
        loader = _LineLoader(stream)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_depth(node)
            return loader.construct_document(node)
        finally:
            loader.dispose()


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _cut(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value: Any, limit: int = 60) -> str:
    """`repr(value)` cut to about `limit` characters, built without ever expanding a huge
    or self-referencing value (an alias bomb used as an id must not be printed whole)."""
    out: list[str] = []
    budget = [limit + 1]

    def emit(text: str) -> None:
        if budget[0] > 0:
            out.append(text[: budget[0]])
            budget[0] -= len(text)

    def walk(item: Any, depth: int) -> None:
        if budget[0] <= 0:
            return
        if isinstance(item, (list, tuple, dict)):
            if depth > 4:
                emit("...")
                return
            pairs = item.items() if isinstance(item, dict) else None
            emit("{" if pairs is not None else "[")
            for i, element in enumerate(pairs if pairs is not None else item):
                if budget[0] <= 0:
                    break
                if i:
                    emit(", ")
                if pairs is not None:
                    walk(element[0], depth + 1)
                    emit(": ")
                    walk(element[1], depth + 1)
                else:
                    walk(element, depth + 1)
            emit("}" if pairs is not None else "]")
        elif isinstance(item, str):
            emit(repr(item[: budget[0] + 2]))
        elif isinstance(item, int) and not isinstance(item, bool) \
                and item.bit_length() > 200:
            emit(f"<an integer of about {int(item.bit_length() * 0.30103)} digits>")
        else:
            emit(repr(item)[: budget[0] + 1])

    walk(value, 0)
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- taxonomy


@dataclass(frozen=True)
class Topic:
    """One topic of the taxonomy."""

    id: str
    code: str
    name: str
    zh: str
    domain: str
    domain_zh: str

    def title(self, lang: str) -> str:
        """The topic's name in `lang`."""
        return self.zh if lang == "zh" and self.zh else self.name


@dataclass(frozen=True)
class Taxonomy:
    """The topics, grouped by domain, in file order."""

    topics: dict[str, Topic]

    @cached_property
    def domains(self) -> dict[str, list[Topic]]:
        """Domain name → its topics."""
        grouped: dict[str, list[Topic]] = {}
        for topic in self.topics.values():
            grouped.setdefault(topic.domain, []).append(topic)
        return grouped


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load `content/topics.yaml` (parsed once per version of the file)."""
    path = path or paths.topics_file()
    st = path.stat()
    return _load_taxonomy(path.resolve(), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_taxonomy(path: Path, size: int, mtime_ns: int) -> Taxonomy:
    data = load_yaml(path)
    topics: dict[str, Topic] = {}
    for domain in data["domains"]:
        for item in domain["topics"]:
            topics[item["id"]] = Topic(
                id=item["id"], code=item["code"], name=item["name"], zh=item.get("zh", ""),
                domain=domain["name"], domain_zh=domain.get("zh", domain["name"]),
            )
    return Taxonomy(topics)


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class Source:
    """Where a question's facts come from."""

    seed: str | None = None
    section: str | None = None
    refs: tuple[str, ...] = ()
    erratum: str | None = None

    def describe(self) -> str:
        """One line naming the seed section and references."""
        parts = []
        if self.seed:
            parts.append(f"{self.seed} {self.section or ''}".strip())
        parts.extend(self.refs)
        if self.erratum:
            parts.append(f"corrects ERRATA {self.erratum}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Choice:
    """An option of a single- or multiple-choice question."""

    text: Text
    correct: bool
    why: Text


@dataclass(frozen=True)
class NumericSpec:
    """The expected number of a numeric question, its tolerance and its worked computation."""

    answer: float
    work: str
    unit: str | None = None
    abs: float = 0.0
    rel: float = 0.01
    also_accept: tuple[float, ...] = ()
    #: The unit the prompt asks the answer in (`answer_in`, or read off "Answer in GiB"):
    #: a bare number typed by the user is read in it. None: the family's base unit.
    answer_in: str | None = None

    def accepts(self, value: float, target: float | None = None) -> bool:
        """Whether `value` is within tolerance of `target` (default: the answer)."""
        target = self.answer if target is None else target
        return abs(value - target) <= max(self.abs, self.rel * abs(target))


_SMALL_SUM = re.compile(r"[\d\s+()]+")


def shows_work(spec: NumericSpec) -> bool:
    """Whether `spec.work` is worth showing as a worked answer.

    A bare number, or a sum of single-digit counts ("1 + 1 + 1"), explains nothing on its own:
    the explanation carries the reasoning for those, so the "Worked:" line is left out.
    """
    work = spec.work.strip()
    if not work or re.fullmatch(r"[\d.\s]+", work):
        return False
    if _SMALL_SUM.fullmatch(work) and all(int(n) < 10 for n in re.findall(r"\d+", work)):
        return False
    return True


@dataclass(frozen=True)
class KeyPoint:
    """A point a short answer should make; ticked by the user when self-grading."""

    text: Text
    weight: float = 1.0
    required: bool = False
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blank:
    """One blank of a cloze question."""

    accept: tuple[str, ...] = ()
    regex: bool = False
    numeric: NumericSpec | None = None
    #: The answer as a user reads it, for a `regex` blank (its pattern is not for users).
    shown: str = ""


@dataclass(frozen=True)
class Bug:
    """A bug of a spot-the-bug question."""

    lines: tuple[int, ...]
    summary: Text
    fix: Text


@dataclass(frozen=True)
class Question:
    """A question of any kind; only the fields of its kind are set."""

    id: str
    kind: str
    topics: tuple[str, ...]
    difficulty: int
    source: Source
    prompt: Text
    explanation: Text
    tags: tuple[str, ...] = ()
    path: str = ""
    line: int = 0
    # single / multi
    choices: tuple[Choice, ...] = ()
    scoring: str = "exact"
    shuffle: bool = True
    # numeric
    numeric: NumericSpec | None = None
    # short
    key_points: tuple[KeyPoint, ...] = ()
    model_answer: Text | None = None
    pass_threshold: float = 0.6
    # cloze
    template: Text | None = None
    blanks: dict[str, Blank] = field(default_factory=dict)
    # spot_bug
    code: str = ""
    language: str = "python"
    bugs: tuple[Bug, ...] = ()
    min_bugs_to_pass: int = 0
    # ordering (items in the correct order)
    items: tuple[Text, ...] = ()

    def texts(self) -> Iterator[Text]:
        """Every user-visible text of the question."""
        yield self.prompt
        yield self.explanation
        for choice in self.choices:
            yield choice.text
            yield choice.why
        for point in self.key_points:
            yield point.text
        if self.model_answer:
            yield self.model_answer
        if self.template:
            yield self.template
        for bug in self.bugs:
            yield bug.summary
            yield bug.fix
        yield from self.items

    @cached_property
    def languages(self) -> frozenset[str]:
        """The languages in which every text of the question exists."""
        texts = list(self.texts())
        return frozenset(lang for lang in LANGUAGES if all(t.get(lang) for t in texts))


@dataclass
class Bank:
    """The loaded questions, and every problem found on the way."""

    questions: dict[str, Question] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    def by_topic(self, topic: str) -> list[Question]:
        """The questions that list `topic`."""
        return [q for q in self.questions.values() if topic in q.topics]


# --------------------------------------------------------------------------- validation

_COMMON = {"id", "kind", "topics", "difficulty", "source", "prompt", "explanation", "tags"}
_KIND_FIELDS = {
    "single": {"choices", "shuffle"},
    "multi": {"choices", "shuffle", "scoring"},
    "numeric": {"numeric"},
    "short": {"key_points", "model_answer", "pass_threshold"},
    "cloze": {"cloze"},
    "spot_bug": {"code", "language", "bugs", "min_bugs_to_pass"},
    "ordering": {"items"},
}


class _Checker:
    """Validates one question mapping, collecting problems instead of raising."""

    def __init__(self, path: str, taxonomy: Taxonomy | None) -> None:
        self.path = path
        self.taxonomy = taxonomy
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # -- small typed readers; each returns None after reporting a problem

    def mapping(self, value: Any, line: int, what: str) -> LineDict | None:
        if value is None:
            self.error(line, f"{what} is missing")
            return None
        if not isinstance(value, LineDict):
            self.error(line, f"{what} must be a mapping, got {_type_name(value)}")
            return None
        for key, dup_line in value.duplicate_keys:
            self.error(dup_line, f"duplicate key {_shown(key)} in {what}")
        return value

    def text(self, parent: LineDict, key: str, what: str, required: bool = True) -> Text | None:
        line = parent.line_of(key)
        if key not in parent:
            if required:
                self.error(parent.line, f"{what}: missing '{key}'")
            return None
        value = parent[key]
        if isinstance(value, str):
            self.error(line, f"{what}: '{key}' must be a mapping of languages like "
                             f"{{en: ..., zh: ...}}, got a plain string")
            return None
        node = self.mapping(value, line, f"{what} '{key}'")
        if node is None:
            return None
        ok = True
        for lang in node:
            if lang not in LANGUAGES:
                self.error(node.line_of(lang), f"{what}: unknown language {_shown(lang)} "
                                              f"(use {', '.join(LANGUAGES)})")
                ok = False
            elif not isinstance(node[lang], str) or not node[lang].strip():
                self.error(node.line_of(lang), f"{what}: '{key}.{lang}' must be non-empty text")
                ok = False
        if "en" not in node:
            self.error(line, f"{what}: '{key}' has no English ('en') text")
            ok = False
        return {k: str(v) for k, v in node.items()} if ok else None

    def number(self, parent: LineDict, key: str, what: str, default: float | None = None,
               positive: bool = False) -> float | None:
        if key not in parent:
            if default is None:
                self.error(parent.line, f"{what}: missing '{key}'")
            return default
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(parent.line_of(key), f"{what}: '{key}' must be a number, "
                                            f"got {_type_name(value)}")
            return None
        if not _finite(value):
            self.error(parent.line_of(key), f"{what}: '{key}' must be a finite number, "
                                            f"got {_shown(value)}")
            return None
        if positive and value < 0:
            self.error(parent.line_of(key), f"{what}: '{key}' must not be negative")
            return None
        return float(value)

    def str_list(self, parent: LineDict, key: str, what: str) -> tuple[str, ...] | None:
        value = parent.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(parent.line_of(key), f"{what}: '{key}' must be a list of strings")
            return None
        return tuple(value)

    def entries(self, node: LineDict, key: str, what: str, noun: str, fields: set[str],
                minimum: int = 1) -> list[tuple[str, LineDict]] | None:
        """The mappings listed under `key` (each labelled "<what> <noun> N" for messages,
        unknown fields reported), or None when the list itself is missing or too short.
        A malformed entry is reported and left out: callers compare with `len(node[key])`."""
        raw = node.get(key)
        if not isinstance(raw, list) or len(raw) < minimum:
            self.error(node.line_of(key), f"{what}: '{key}' must list at least {minimum} "
                                          f"{noun}{'s' if minimum > 1 else ''}")
            return None
        found = []
        for i, item in enumerate(raw):
            label = f"{what} {noun} {i + 1}"
            mapping = self.mapping(item, node.line_of(key), label)
            if mapping is not None:
                self.unknown_keys(mapping, fields, label)
                found.append((label, mapping))
        return found

    def unknown_keys(self, node: LineDict, allowed: set[str], what: str) -> None:
        for n, key in enumerate(k for k in node if k not in allowed):
            if n == _MAX_HINTS:
                self.error(node.line, f"{what}: more unknown fields")
                break
            if key not in allowed:
                hint = _closest(str(key)[:100], allowed)
                self.error(node.line_of(key), f"{what}: unknown field {_shown(key)}"
                                              + (f" (did you mean '{hint}'?)" if hint else ""))

    # -- the question

    def question(self, node: Any, index: int) -> Question | None:
        line = node.line if isinstance(node, LineDict) else 0
        if self.mapping(node, line, f"question #{index + 1}") is None:
            return None
        before = len(self.problems)
        qid = node.get("id")
        if not isinstance(qid, str) or not _ID.match(qid):
            self.error(node.line_of("id"), "question needs an 'id': a lowercase slug "
                                           "of letters, digits, '.', '_' or '-'"
                                           + (f", got {_shown(qid)}" if "id" in node else ""))
            qid = None
        what = f"question '{qid or f'#{index + 1}'}'"
        kind = node.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            self.error(node.line_of("kind"), f"{what}: 'kind' must be one of "
                                             f"{', '.join(KINDS)}, got {_shown(kind)}")
            kind = None
        else:
            self.unknown_keys(node, _COMMON | _KIND_FIELDS[kind], what)
        topics = self.topics(node, what)
        difficulty = node.get("difficulty")
        if isinstance(difficulty, bool) or not isinstance(difficulty, int) \
                or not 1 <= difficulty <= 5:
            self.error(node.line_of("difficulty"),
                       f"{what}: 'difficulty' must be an integer from 1 to 5, "
                       f"got {_shown(difficulty)}")
        source = self.source(node, what)
        prompt = self.text(node, "prompt", what)
        explanation = self.text(node, "explanation", what)
        tags = self.str_list(node, "tags", what)
        extra = self.kind_fields(node, kind, what) if kind else None
        if len(self.problems) > before or extra is None:
            return None
        return Question(
            id=qid, kind=kind, topics=topics, difficulty=difficulty, source=source,
            prompt=prompt, explanation=explanation, tags=tags or (), path=self.path,
            line=node.line, **extra,
        )

    def topics(self, node: LineDict, what: str) -> tuple[str, ...]:
        value = node.get("topics")
        if not isinstance(value, list) or not value or \
                not all(isinstance(t, str) for t in value):
            self.error(node.line_of("topics"), f"{what}: 'topics' must be a non-empty "
                                               "list of topic ids")
            return ()
        if self.taxonomy is not None:
            unknown = [t for t in dict.fromkeys(value) if t not in self.taxonomy.topics]
            for topic in unknown[:_MAX_HINTS]:  # difflib per topic: keep a huge list fast
                hint = _closest(topic, self.taxonomy.topics)
                self.error(node.line_of("topics"), f"{what}: unknown topic {_shown(topic)}"
                           + (f" (did you mean '{hint}'?)" if hint else ""))
            if len(unknown) > _MAX_HINTS:
                self.error(node.line_of("topics"), f"{what}: {len(unknown) - _MAX_HINTS} "
                                                   "more unknown topics")
        if len(set(value)) != len(value):
            self.error(node.line_of("topics"), f"{what}: a topic is listed twice")
        return tuple(value)

    def source(self, node: LineDict, what: str) -> Source | None:
        src = self.mapping(node.get("source"), node.line_of("source"), f"{what} 'source'")
        if src is None:
            return None
        self.unknown_keys(src, {"seed", "section", "refs", "erratum"}, f"{what} source")
        seed, section = src.get("seed"), src.get("section")
        refs = self.str_list(src, "refs", f"{what} source") or ()
        if seed is not None and (not isinstance(seed, str) or seed not in SEED_FILES):
            self.error(src.line_of("seed"), f"{what}: unknown seed file {_shown(seed)}")
        if seed is not None and not (isinstance(section, str) and section.strip()):
            self.error(src.line_of("seed"), f"{what}: a seed needs its 'section'")
        if seed is None and not refs:
            self.error(src.line, f"{what}: source needs a 'seed' (with 'section') or 'refs'")
        erratum = src.get("erratum")
        if erratum is not None and not (isinstance(erratum, str) and _ERRATUM.match(erratum)):
            self.error(src.line_of("erratum"), f"{what}: 'erratum' must look like E05")
        if section is not None and not isinstance(section, str):
            self.error(src.line_of("section"), f"{what}: 'section' must be text")
        return Source(seed=seed, section=section, refs=refs, erratum=erratum)

    def kind_fields(self, node: LineDict, kind: str, what: str) -> dict[str, Any] | None:
        return getattr(self, f"_{kind}")(node, what)

    def _choices(self, node: LineDict, what: str) -> tuple[Choice, ...] | None:
        entries = self.entries(node, "choices", what, "choice", {"text", "correct", "why"}, 2)
        if entries is None:
            return None
        choices = []
        for label, item in entries:
            correct = item.get("correct", False)
            if not isinstance(correct, bool):
                self.error(item.line_of("correct"), f"{label}: 'correct' must be true or false")
            text, why = self.text(item, "text", label), self.text(item, "why", label)
            if text and why:
                choices.append(Choice(text=text, correct=bool(correct), why=why))
        if len(choices) != len(node["choices"]):
            return None
        if len({c.text["en"].strip() for c in choices}) != len(choices):
            self.error(node.line_of("choices"), f"{what}: two choices have the same text")
        return tuple(choices)

    def _single(self, node: LineDict, what: str) -> dict[str, Any] | None:
        choices = self._choices(node, what)
        if choices is None:
            return None
        n_right = sum(c.correct for c in choices)
        if n_right != 1:
            self.error(node.line_of("choices"), f"{what}: a single-choice question needs "
                                                f"exactly one correct choice, found {n_right}")
        return {"choices": choices, "shuffle": self._bool(node, "shuffle", True, what)}

    def _multi(self, node: LineDict, what: str) -> dict[str, Any] | None:
        choices = self._choices(node, what)
        if choices is None:
            return None
        if not any(c.correct for c in choices):
            self.error(node.line_of("choices"), f"{what}: no choice is marked correct")
        scoring = node.get("scoring", "exact")
        if scoring not in ("exact", "partial"):
            self.error(node.line_of("scoring"), f"{what}: 'scoring' must be exact or partial")
        return {"choices": choices, "scoring": scoring,
                "shuffle": self._bool(node, "shuffle", True, what)}

    def _bool(self, node: LineDict, key: str, default: bool, what: str) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.error(node.line_of(key), f"{what}: '{key}' must be true or false")
            return default
        return value

    def numeric_spec(self, raw: Any, line: int, what: str, need_work: bool,
                     prompt_en: str = "") -> NumericSpec | None:
        spec = self.mapping(raw, line, f"{what} numeric")
        if spec is None:
            return None
        self.unknown_keys(spec, {"answer", "unit", "abs", "rel", "also_accept", "work",
                                 "answer_in"}, f"{what} numeric")
        answer = self.number(spec, "answer", what)
        tol_abs = self.number(spec, "abs", what, default=0.0, positive=True)
        default_rel = 0.01 if "abs" not in spec else 0.0
        tol_rel = self.number(spec, "rel", what, default=default_rel, positive=True)
        unit = spec.get("unit")
        if unit is not None and (not isinstance(unit, str) or unit not in UNIT_FAMILIES):
            self.error(spec.line_of("unit"), f"{what}: unknown unit family {_shown(unit)} "
                                             f"(use {', '.join(UNIT_FAMILIES)})")
        also = spec.get("also_accept", [])
        if not isinstance(also, list) or not all(
            isinstance(a, (int, float)) and not isinstance(a, bool) and _finite(a) for a in also
        ):
            self.error(spec.line_of("also_accept"), f"{what}: 'also_accept' must be a "
                                                    "list of finite numbers")
            also = []
        work = spec.get("work")
        if need_work and not (isinstance(work, str) and work.strip()):
            self.error(spec.line, f"{what}: numeric needs 'work': the worked computation as "
                                  "an arithmetic expression")
        if None in (answer, tol_abs, tol_rel):
            return None
        answer_in = spec.get("answer_in")
        if answer_in is not None and (
                not isinstance(answer_in, str)
                or answer_in.lower() not in UNIT_FAMILIES.get(unit or "", {})):
            self.error(spec.line_of("answer_in"), f"{what}: 'answer_in' must be a unit of the "
                                                  f"'{unit}' family")
            answer_in = None
        if answer_in is None and prompt_en:
            answer_in = asked_unit(prompt_en, unit)
        result = NumericSpec(answer=answer, work=work if isinstance(work, str) else "",
                             unit=unit, abs=tol_abs, rel=tol_rel,
                             also_accept=tuple(float(a) for a in also), answer_in=answer_in)
        if isinstance(work, str) and work.strip():
            try:
                value = evaluate(work)
            except ArithmeticError_ as err:
                self.error(spec.line_of("work"), f"{what}: 'work' {err}")
            else:
                if not result.accepts(value):
                    self.error(spec.line_of("work"), f"{what}: 'work' evaluates to {value:.6g}, "
                                                     f"not the answer {answer:.6g}")
        return result

    def _numeric(self, node: LineDict, what: str) -> dict[str, Any] | None:
        prompt = node.get("prompt")
        prompt_en = prompt.get("en", "") if isinstance(prompt, dict) else ""
        spec = self.numeric_spec(node.get("numeric"), node.line_of("numeric"), what, True,
                                 prompt_en if isinstance(prompt_en, str) else "")
        return None if spec is None else {"numeric": spec}

    def _short(self, node: LineDict, what: str) -> dict[str, Any] | None:
        entries = self.entries(node, "key_points", what, "key point",
                               {"text", "weight", "required", "keywords"})
        if entries is None:
            return None
        points = []
        for label, item in entries:
            text = self.text(item, "text", label)
            weight = self.number(item, "weight", label, default=1.0)
            if weight is not None and weight <= 0:
                self.error(item.line_of("weight"), f"{label}: 'weight' must be positive")
            keywords = self.str_list(item, "keywords", label) or ()
            for pattern in keywords:
                reason = patterns.check_pattern(pattern)
                if reason:
                    self.error(item.line_of("keywords"),
                               f"{label}: bad regex {_shown(pattern)}: {reason}")
            if text and weight:
                points.append(KeyPoint(text=text, weight=weight, keywords=keywords,
                                       required=self._bool(item, "required", False, label)))
        model = self.text(node, "model_answer", what)
        threshold = self.number(node, "pass_threshold", what, default=0.6)
        if threshold is not None and not 0 < threshold <= 1:
            self.error(node.line_of("pass_threshold"),
                       f"{what}: 'pass_threshold' must be in (0, 1]")
        if len(points) != len(node["key_points"]) or model is None:
            return None
        return {"key_points": tuple(points), "model_answer": model,
                "pass_threshold": threshold or 0.6}

    def _cloze(self, node: LineDict, what: str) -> dict[str, Any] | None:
        cloze = self.mapping(node.get("cloze"), node.line_of("cloze"), f"{what} 'cloze'")
        if cloze is None:
            return None
        self.unknown_keys(cloze, {"template", "blanks"}, f"{what} cloze")
        template = self.text(cloze, "template", what)
        blanks_node = self.mapping(cloze.get("blanks"), cloze.line_of("blanks"),
                                   f"{what} cloze 'blanks'")
        if template is None or blanks_node is None:
            return None
        blanks: dict[str, Blank] = {}
        for slot, raw in blanks_node.items():
            label = f"{what} blank {_shown(slot)}"
            spec = self.mapping(raw, blanks_node.line_of(slot), label)
            if spec is None:
                continue
            self.unknown_keys(spec, {"accept", "regex", "numeric", "shown"}, label)
            if "numeric" in spec:
                num = self.numeric_spec(spec["numeric"], spec.line_of("numeric"), label, False)
                if num is not None:
                    blanks[str(slot)] = Blank(numeric=num)
                continue
            accept = self.str_list(spec, "accept", label)
            if not accept:
                self.error(spec.line, f"{label}: needs 'accept' (a non-empty list) or 'numeric'")
                continue
            regex = self._bool(spec, "regex", False, label)
            shown = spec.get("shown", "")
            if not isinstance(shown, str):
                self.error(spec.line_of("shown"), f"{label}: 'shown' must be a string")
                shown = ""
            if regex:
                for pattern in accept:
                    reason = patterns.check_pattern(pattern)
                    if reason:
                        self.error(spec.line_of("accept"),
                                   f"{label}: bad regex {_shown(pattern)}: {reason}")
                # The feedback shows the answer; a pattern is no answer for a user to read.
                if not shown.strip():
                    self.error(spec.line, f"{label}: a regex blank needs 'shown' (the answer "
                                          "as the user should read it)")
                elif (valid := [p for p in accept if not patterns.check_pattern(p)]) and \
                        not any(patterns.fullmatch(p, shown.strip()) for p in valid):
                    self.error(spec.line_of("shown"), f"{label}: 'shown' {_shown(shown)} is "
                                                      "not accepted by its own pattern")
            blanks[str(slot)] = Blank(accept=accept, regex=regex, shown=shown.strip())
        for lang, body in template.items():
            slots = _SLOT.findall(body)
            if len(set(slots)) != len(slots):
                self.error(cloze.line_of("template"), f"{what}: template.{lang} repeats a slot")
            missing = set(slots) - set(blanks_node)
            unused = set(blanks_node) - set(slots)
            if missing:
                self.error(cloze.line_of("template"),
                           f"{what}: template.{lang} has slots with no blank: "
                           f"{', '.join(sorted(missing))}")
            if unused:
                self.error(cloze.line_of("template"),
                           f"{what}: template.{lang} lacks the slots "
                           f"{', '.join(sorted(map(str, unused)))}")
        return {"template": template, "blanks": blanks}

    def _spot_bug(self, node: LineDict, what: str) -> dict[str, Any] | None:
        code = node.get("code")
        if not isinstance(code, str) or not code.strip():
            self.error(node.line_of("code"), f"{what}: 'code' must be the code as text")
            return None
        n_lines = len(code.rstrip("\n").split("\n"))
        entries = self.entries(node, "bugs", what, "bug", {"lines", "summary", "fix"})
        if entries is None:
            return None
        bugs = []
        for label, item in entries:
            lines = item.get("lines")
            if not isinstance(lines, list) or not lines or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in lines
            ):
                self.error(item.line_of("lines"),
                           f"{label}: 'lines' must be a list of line numbers")
                continue
            bad = [n for n in lines if not 1 <= n <= n_lines]
            if bad:
                self.error(item.line_of("lines"), f"{label}: line {_shown(bad[0])} is outside the "
                                                  f"code (1–{n_lines})")
            summary, fix = self.text(item, "summary", label), self.text(item, "fix", label)
            if summary and fix and not bad:
                bugs.append(Bug(lines=tuple(lines), summary=summary, fix=fix))
        if len(bugs) != len(node["bugs"]):
            return None
        min_bugs = node.get("min_bugs_to_pass", len(bugs))
        if isinstance(min_bugs, bool) or not isinstance(min_bugs, int) \
                or not 1 <= min_bugs <= len(bugs):
            self.error(node.line_of("min_bugs_to_pass"),
                       f"{what}: 'min_bugs_to_pass' must be from 1 to {len(bugs)}")
            return None
        language = node.get("language", "python")
        if not isinstance(language, str):
            self.error(node.line_of("language"), f"{what}: 'language' must be a name")
        return {"code": code, "bugs": tuple(bugs), "min_bugs_to_pass": min_bugs,
                "language": str(language)}

    def _ordering(self, node: LineDict, what: str) -> dict[str, Any] | None:
        raw = node.get("items")
        if not isinstance(raw, list) or len(raw) < 2:
            self.error(node.line_of("items"), f"{what}: 'items' must list at least 2 steps")
            return None
        items = []
        holder = LineDict({str(i): item for i, item in enumerate(raw)})
        holder.line, holder.key_lines, holder.duplicate_keys = node.line_of("items"), {}, []
        for i in range(len(raw)):
            text = self.text(holder, str(i), f"{what} item {i + 1}")
            if text:
                items.append(text)
        if len(items) != len(raw):
            return None
        if len({t["en"].strip() for t in items}) != len(items):
            self.error(node.line_of("items"), f"{what}: two items have the same text")
        return {"items": tuple(items)}


def _finite(value: int | float) -> bool:
    """Whether a YAML number is a finite float (huge integers overflow float: not finite)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", LineDict: "a mapping", list: "a list", str: "text",
            int: "a number", float: "a number", bool: "true/false"}.get(type(value),
                                                                     type(value).__name__)


def _closest(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.75)
    return found[0] if found else None


# --------------------------------------------------------------------------- loading


def user_question_dirs() -> list[Path]:
    """Every question directory the app reads: `question_dirs()` plus the config file's
    `[content] question_dirs` (a broken config file adds nothing; the app reports it)."""
    from quizapp.core.config import load_config

    return question_dirs(load_config().question_dirs)


def question_dirs(extra: Iterable[Path] = ()) -> list[Path]:
    """The bundled bank, then `QUIZAPP_QUESTION_DIRS` (os.pathsep-separated), then `extra`."""
    dirs = [paths.questions_dir()]
    env = os.environ.get("QUIZAPP_QUESTION_DIRS", "")
    dirs.extend(Path(p).expanduser() for p in env.split(os.pathsep) if p.strip())
    dirs.extend(Path(p).expanduser() for p in extra)
    return dirs


def iter_question_files(roots: Iterable[Path]) -> Iterator[Path]:
    """Every `*.yaml`/`*.yml` file under `roots` (files are yielded as given), sorted."""
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")
                              and p.is_file())


def load_bank(roots: Iterable[Path] | None = None, taxonomy: Taxonomy | None = None, *,
              cache: bool = True) -> Bank:
    """Load and validate every question file under `roots` (default: `question_dirs()`).

    Never raises for bad content: problems are collected in `Bank.problems`, and a file with
    any problem is skipped whole (listed in `Bank.skipped`). With `cache`, the result is kept
    in QUIZAPP_HOME/cache, keyed on every input file's path, size and mtime (questions,
    taxonomy, and the validator's own modules), so an unchanged bank loads in milliseconds.
    """
    roots = list(roots) if roots is not None else user_question_dirs()
    key = _cache_key(roots, taxonomy) if cache else None
    if key is not None:
        cached = _read_cache(key)
        if cached is not None:
            return cached
    bank = _load_bank(roots, taxonomy or load_taxonomy())
    if key is not None:
        _write_cache(key, bank)
    return bank


_CACHE_INPUTS = (Path(__file__), Path(__file__).with_name("arith.py"),
                 Path(__file__).with_name("quantities.py"))


def _cache_key(roots: list[Path], taxonomy: Taxonomy | None) -> str | None:
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    if taxonomy is not None:
        digest.update(" ".join(sorted(taxonomy.topics)).encode())
    try:
        for path in [*_CACHE_INPUTS, paths.topics_file(), *iter_question_files(roots)]:
            st = path.stat()
            digest.update(f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        for root in roots:
            digest.update(f"root {root.resolve()} {root.exists()}\n".encode())
        digest.update(str(Path.cwd()).encode())  # problems show cwd-relative paths
    except OSError:
        return None
    return digest.hexdigest()


def _cache_file() -> Path:
    return paths.home() / "cache" / "bank.pickle"


def _read_cache(key: str) -> Bank | None:
    import pickle

    try:
        with open(_cache_file(), "rb") as stream:
            stored_key, bank = pickle.load(stream)
    except Exception:  # noqa: BLE001 - a missing or unreadable cache just means a fresh load
        return None
    return bank if stored_key == key and isinstance(bank, Bank) else None


def _write_cache(key: str, bank: Bank) -> None:
    import pickle
    import tempfile

    tmp: str | None = None
    try:
        target = _cache_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".bank.", suffix=".tmp",
                                         delete=False) as stream:
            tmp = stream.name
            pickle.dump((key, bank), stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        tmp = None
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # caching is an optimisation; never fail a load over it (full disk, read-only)
    finally:
        if tmp is not None:  # a failed write leaves no temp file behind
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _load_bank(roots: list[Path], taxonomy: Taxonomy) -> Bank:
    bank = Bank()
    first_seen: dict[str, Question] = {}
    for path in iter_question_files(roots):
        bank.files.append(path)
        shown = _display_path(path)
        problems, questions = _check_file(path, shown, taxonomy)
        for question in questions:
            if question.id in first_seen:
                first = first_seen[question.id]
                problems.append(Problem(shown, question.line, f"duplicate id '{question.id}' "
                                        f"(first defined at {first.path}:{first.line})"))
        if problems:
            bank.problems.extend(problems)
            bank.skipped.append(path)
            continue
        for question in questions:
            first_seen[question.id] = question
            bank.questions[question.id] = question
    for path in roots:
        if not path.exists():
            bank.problems.append(Problem(_display_path(path), 0, "no such file or directory"))
    return bank


#: Unknown names (topics, fields) reported with a did-you-mean hint per list or mapping.
_MAX_HINTS = 10
#: Problems reported per file at most; a file with more is summarised by one last line.
MAX_PROBLEMS_PER_FILE = 50


def _check_file(path: Path, shown: str, taxonomy: Taxonomy | None
                ) -> tuple[list[Problem], list[Question]]:
    """Parse and validate one file. Never raises: whatever goes wrong with one user file
    becomes a Problem naming it, so the other files still load."""
    try:
        problems, questions = _check_file_unguarded(path, shown, taxonomy)
    except RecursionError:
        return [Problem(shown, 1, "the file nests too deeply to check")], []
    except MemoryError:
        return [Problem(shown, 1, "the file is too large to check")], []
    except Exception as err:  # noqa: BLE001 - one bad user file must never stop the app
        return [Problem(shown, 1, f"cannot check this file ({type(err).__name__}: "
                                  f"{_cut(str(err), 80)})")], []
    if len(problems) > MAX_PROBLEMS_PER_FILE:
        rest = len(problems) - MAX_PROBLEMS_PER_FILE
        problems = problems[:MAX_PROBLEMS_PER_FILE] + [
            Problem(shown, problems[MAX_PROBLEMS_PER_FILE].line,
                    f"... and {rest} more problem(s) in this file")]
    return problems, questions


def _check_file_unguarded(path: Path, shown: str, taxonomy: Taxonomy | None
                          ) -> tuple[list[Problem], list[Question]]:
    try:
        size = path.stat().st_size
    except OSError as err:
        return [Problem(shown, 0, f"cannot read: {err.strerror}")], []
    if size > MAX_FILE_BYTES:
        return [Problem(shown, 0, f"the file is larger than {MAX_FILE_BYTES >> 20} MiB")], []
    try:
        data = load_yaml(path)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 0
        reason = err.problem or err.context or "invalid YAML"
        if err.context and err.context_mark and err.problem_mark \
                and err.context_mark.line != err.problem_mark.line:
            reason += f" ({err.context} started at line {err.context_mark.line + 1})"
        return [Problem(shown, line, f"invalid YAML: {_cut(reason, 200)}")], []
    except yaml.YAMLError as err:
        return [Problem(shown, 0, f"invalid YAML: {_cut(str(err), 200)}")], []
    except OSError as err:
        return [Problem(shown, 0, f"cannot read: {err.strerror or err}")], []
    except UnicodeDecodeError as err:
        return [Problem(shown, 0, f"cannot read: not UTF-8 text ({err.reason} at byte "
                                  f"{err.start})")], []
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [Problem(shown, getattr(data, "line", 1),
                        "a question file must be a YAML list of questions")], []
    checker = _Checker(shown, taxonomy)
    questions: list[Question] = []
    ids: dict[str, int] = {}
    for index, node in enumerate(data):
        question = checker.question(node, index)
        if question is None:
            continue
        if question.id in ids:
            checker.error(question.line, f"duplicate id '{question.id}' "
                                         f"(first defined at {shown}:{ids[question.id]})")
            continue
        ids[question.id] = question.line
        questions.append(question)
    return checker.problems, questions


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
