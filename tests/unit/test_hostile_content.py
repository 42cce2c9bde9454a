"""Hostile question files: a seeded mutator over the real bank feeds `content check` and the
loader hundreds of damaged files, in-process. Every run must end with exit 0 or 1, print each
problem as one `path:line: message` line, never raise, and take under 2 s per file.

The mutations are the kinds of damage an independent test found crashing or hanging the
loader (issue 15): values PyYAML's constructors reject (impossible dates, bad `!!int`), numbers
beyond float range, non-finite numbers, exploding `work` expressions, deep nesting, alias bombs
in `id`/`kind`/`difficulty`, catastrophic regexes, lists where scalars belong, huge lists, plus
plain text damage (deleted, duplicated, re-indented lines, truncation, random bytes).
Set QUIZAPP_FUZZ_SEED to explore other files; the seed is in every failure message.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from quizapp.cli.content import check_content
from quizapp.core import paths
from quizapp.core.bank import load_bank, load_taxonomy

SEED = int(os.environ.get("QUIZAPP_FUZZ_SEED", "1515"))
N_FILES = 320
PROBLEM_LINE = re.compile(r"^[^\n]+:\d+: \S[^\n]*$")

#: Values dropped in place of a scalar: each once crashed or hung something, or is near it.
HOSTILE_VALUES = [
    ".inf", "-.inf", ".nan", "1e400", "-1e400", "9" * 400, "9" * 5000, "0x" + "f" * 300,
    "!!int abc", "!!int 0b2", "!!float x", "2020-02-30", "!!timestamp 2020-13-01",
    "2021-02-29 25:61:00", "!!binary '@@@'", "!!set {a: 1}", "!!omap [a, b]",
    "!!python/object/apply:os.system ['true']", "!!str", "[a, b]", "{a: 1}", "[]", "{}",
    "~", "''", "*nowhere", "&anchor", "true", "-1", "0", "2**4096", "'(2**4096)**4096'",
    "'2**1000 * 2**1000'", "'1e308 * 10'", "'9' * 99", "'(a+)+$'", "'(?=x)y'", "'('",
    "'a{99999}'", "'\\\\1(a)'", "'x' ", "\"\\x00\\x01\"", "\"\\ud800\"", "'[[[[[['",
    "[" * 60 + "]" * 60, "{a: " * 60 + "1" + "}" * 60,
]
KEYS = ["id", "kind", "difficulty", "topics", "seed", "unit", "answer", "work", "rel", "abs",
        "also_accept", "weight", "keywords", "accept", "regex", "lines", "correct", "section",
        "erratum", "scoring", "min_bugs_to_pass", "pass_threshold", "answer_in", "en", "zh"]
#: One mapping whose `_h` expands to 9**8 (43 million) strings if anything walks it whole.
ALIAS_BOMB = "- " + "  ".join(
    f"_{c}: &{c} [" + ", ".join([f"*{p}" if p else "lol"] * 9) + "]\n"
    for p, c in zip(["", "a", "b", "c", "d", "e", "f", "g"], "abcdefgh", strict=True)
)


def _bank_chunks() -> list[str]:
    """The real bank's questions as YAML text, 1 to 3 consecutive questions per chunk."""
    chunks = []
    for path in sorted(paths.questions_dir().rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        items = re.split(r"(?m)^(?=- )", text)
        items = [i for i in items if i.startswith("- ")]
        for start in range(0, len(items), 2):
            chunks.append("".join(items[start:start + 1 + start % 3]))
    return chunks


def _mutate(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.choice([1, 1, 2, 3])):
        op = rng.randrange(10)
        i = rng.randrange(len(lines)) if lines else 0
        if op <= 2 and lines:  # replace a value
            key = rng.choice(KEYS)
            keyed = [n for n, line in enumerate(lines) if re.match(rf"\s*-?\s*{key}:", line)]
            n = rng.choice(keyed) if keyed else i
            head = re.match(r"(\s*-?\s*[\w]+:)", lines[n])
            if head:
                lines[n] = f"{head.group(1)} {rng.choice(HOSTILE_VALUES)}\n"
        elif op == 3 and lines:
            del lines[i]
        elif op == 4 and lines:
            lines.insert(i, lines[i])
        elif op == 5 and lines:
            lines[i] = " " * rng.randrange(7) + lines[i].lstrip()
        elif op == 6 and lines:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 7:  # an alias bomb used as id, kind or difficulty
            field = rng.choice(["id", "kind", "difficulty", "topics", "tags", "prompt"])
            lines = [ALIAS_BOMB] + [
                re.sub(rf"^(\s*-?\s*){field}:.*$", rf"\g<1>{field}: *h", line) for line in lines]
        elif op == 8:  # a huge list where a short one belongs
            key = rng.choice(["topics", "tags", "also_accept", "keywords", "lines"])
            item = rng.choice(["x", "1", ".inf", "'(a|a)*$'"])
            lines.insert(i, f"  {key}: [{', '.join([item] * rng.choice([1000, 20000]))}]\n")
        else:  # raw damage
            raw = "".join(lines).encode()
            cut = rng.randrange(len(raw) + 1)
            damage = rng.choice([b"", bytes(rng.randrange(256) for _ in range(8)),
                                 b"\t", b"\xef\xbb\xbf", b"\x00", b"&a [*a]"])
            return raw[:cut] + damage + raw[cut + rng.randrange(4):]
    return "".join(lines).encode()


def _check(path: Path) -> tuple[int, list[str], str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err):
        code = check_content(argparse.Namespace(paths=[path]))
    return code, out.getvalue().splitlines(), err.getvalue(), time.perf_counter() - started


def test_mutated_question_files_never_crash_or_hang(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    chunks = _bank_chunks()
    taxonomy = load_taxonomy()
    slowest, rejected = 0.0, 0
    for n in range(N_FILES):
        path = tmp_path / f"mutant_{n:03d}.yaml"
        path.write_bytes(_mutate(rng.choice(chunks), rng))
        where = f"seed {SEED}, {path.name}"
        code, lines, err, elapsed = _check(path)
        assert code in (0, 1), where
        assert "Traceback" not in err, where
        for line in lines:
            assert PROBLEM_LINE.match(line), f"{where}: {line[:200]!r}"
            assert line.startswith(f"{path}:") or line.startswith(f"{path.name}:") \
                or ":" in line, where
        assert (code == 1) == bool(lines), where
        # The loader itself, without the cache: same verdict, never an exception.
        started = time.perf_counter()
        bank = load_bank([path], taxonomy, cache=False)
        elapsed += time.perf_counter() - started
        assert bool(bank.problems) == (code == 1), where
        assert all(PROBLEM_LINE.match(str(p)) for p in bank.problems), where
        assert elapsed < 2.0, f"{where}: {elapsed:.2f} s"
        slowest = max(slowest, elapsed)
        rejected += code
    # The mutator must actually damage most files, or the test proves little.
    assert rejected > N_FILES // 2, f"only {rejected} of {N_FILES} mutants were rejected"


@pytest.mark.parametrize("value, message", [
    ("2020-02-30", "cannot read this timestamp value"),
    ("!!int abc", "cannot read this int value"),
    ("9" * 5000, "cannot read this int value"),
])
def test_constructor_errors_are_one_line_with_the_line(tmp_path: Path, value: str,
                                                       message: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(f"- id: a\n  kind: single\n  difficulty: {value}\n")
    bank = load_bank([path], cache=False)
    assert [(p.line, message in p.message) for p in bank.problems] == [(3, True)]


def test_one_bad_user_file_is_skipped_and_named_the_bank_still_loads(tmp_path: Path,
                                                                     monkeypatch) -> None:
    """`content stats`, the loader and the TUI start all go through load_bank."""
    bad = tmp_path / "mine" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("- id: a\n  when: 2021-02-29\n")
    monkeypatch.setenv("QUIZAPP_QUESTION_DIRS", str(bad.parent))
    bank = load_bank()
    assert bank.skipped == [bad] and len(bank.questions) > 400
    out, err = io.StringIO(), io.StringIO()
    from quizapp.cli.content import content_stats

    with redirect_stdout(out), redirect_stderr(err):
        assert content_stats(argparse.Namespace(json=True)) == 0
    assert "bad.yaml:2: invalid YAML: cannot read this timestamp value" in err.getvalue()


def _question(numeric: str = "{answer: 1, work: '1'}", extra: str = "") -> str:
    return ("- id: q.one\n  kind: numeric\n  topics: [sigmoid]\n  difficulty: 2\n"
            "  source: {refs: ['https://arxiv.org/abs/1706.03762']}\n"
            "  prompt: {en: How many?}\n  explanation: {en: One.}\n"
            f"  numeric: {numeric}\n{extra}")


@pytest.mark.parametrize("numeric, message", [
    ("{answer: .inf, work: '1'}", "'answer' must be a finite number"),
    ("{answer: 1, rel: .inf, work: '1'}", "'rel' must be a finite number"),
    ("{answer: 1, abs: .nan, work: '1'}", "'abs' must be a finite number"),
    ("{answer: 1" + "0" * 400 + ", work: '1'}", "'answer' must be a finite number"),
    ("{answer: 1, also_accept: [.inf], work: '1'}", "'also_accept' must be a list of finite"),
    ("{answer: 1, work: '(2**4096)**4096'}", "exceeds 1024 bits"),
    ("{answer: 1, work: '2**1000 * 2**1000 * 2**1000'}", "exceeds 1024 bits"),
    ("{answer: 1, work: '" + "+".join(["1"] * 600) + "'}", "more than 500 parts"),
    ("{answer: 1, work: '1e308 * 10'}", "finite"),
    ("{answer: 1, work: '1', unit: [bytes]}", "unknown unit family ['bytes']"),
])
def test_bad_numbers_are_invalid_content(tmp_path: Path, numeric: str, message: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(_question(numeric))
    started = time.perf_counter()
    bank = load_bank([path], cache=False)
    assert time.perf_counter() - started < 2
    assert any(message in p.message for p in bank.problems), bank.problems
    assert not bank.questions


def test_deep_nesting_and_alias_bombs_are_bounded(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("- " + "{a: " * 300 + "1" + "}" * 300 + "\n")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB + "  id: *h\n  kind: *h\n  difficulty: *h\n")
    started = time.perf_counter()
    bank = load_bank([deep, bomb], cache=False)
    assert time.perf_counter() - started < 2
    messages = [str(p) for p in bank.problems]
    assert any("deep.yaml:1: invalid YAML: lists and mappings nest more than" in m
               for m in messages), messages
    echoed = [m for m in messages if "bomb.yaml" in m and "got [" in m]
    assert echoed and all(len(m) < 300 for m in messages)  # a bomb is never echoed whole


def test_a_huge_list_is_checked_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(_question(extra="  tags: [" + ", ".join(["1"] * 100_000) + "]\n"
                              + "  topics: [" + ", ".join(f"nope{n}" for n in range(2000)) + "]\n"))
    started = time.perf_counter()
    bank = load_bank([path], cache=False)
    assert time.perf_counter() - started < 3
    messages = [p.message for p in bank.problems]
    assert "question 'q.one': 'tags' must be a list of strings" in messages
    # 2000 unknown topics: ten named with a did-you-mean hint, the rest counted in one line.
    assert sum("unknown topic '" in m for m in messages) == 10
    assert "question 'q.one': 1990 more unknown topics" in messages
    assert len(messages) <= 13  # and the duplicate key 'topics'


def test_problems_per_file_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("".join(f"- id: Bad{n}\n" for n in range(200)))
    problems = load_bank([path], cache=False).problems
    assert len(problems) == 51
    assert problems[-1].message.startswith("... and ") and "more problem(s)" in \
        problems[-1].message


def test_bad_regexes_are_content_problems(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "- id: c.one\n  kind: cloze\n  topics: [sigmoid]\n  difficulty: 2\n"
        "  source: {refs: [x]}\n  prompt: {en: Fill}\n  explanation: {en: E}\n"
        "  cloze:\n    template: {en: 'a {{x}} {{y}}'}\n    blanks:\n"
        "      x: {accept: ['(?=a)b'], regex: true, shown: b}\n"
        "      y: {accept: ['a{99999}'], regex: true, shown: a}\n")
    bank = load_bank([path], cache=False)
    assert {p.line for p in bank.problems} == {11, 12}
    assert all("bad regex" in p.message for p in bank.problems)


def test_a_regex_blank_says_its_answer_in_words(tmp_path: Path) -> None:
    """The feedback shows `shown`, never the pattern: it is required, and its own pattern
    must accept it."""
    path = tmp_path / "q.yaml"
    path.write_text(
        "- id: c.one\n  kind: cloze\n  topics: [sigmoid]\n  difficulty: 2\n"
        "  source: {refs: [x]}\n  prompt: {en: Fill}\n  explanation: {en: E}\n"
        "  cloze:\n    template: {en: 'a {{x}} {{y}} {{z}}'}\n    blanks:\n"
        "      x: {accept: ['λ\\s*θ'], regex: true}\n"
        "      y: {accept: ['λ\\s*θ'], regex: true, shown: 'θλ'}\n"
        "      z: {accept: ['λ\\s*θ'], regex: true, shown: 'λ θ'}\n")
    bank = load_bank([path], cache=False)
    assert [(p.line, p.message.split(": ", 1)[1]) for p in bank.problems] == [
        (11, "a regex blank needs 'shown' (the answer as the user should read it)"),
        (12, "'shown' 'θλ' is not accepted by its own pattern")], bank.problems
