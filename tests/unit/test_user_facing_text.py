"""Content speaks to the user: no "the notes", no errata ids, no seed file names (issue 14).

The user has never read our seed notes or ERRATA.md, so no text they can see may address them
as if they had: every user-visible text of every bundled question is scanned, and every source
line the app shows is built from `content/sources.yaml`.
"""

from __future__ import annotations

import re

import pytest

from quizapp.core.bank import SEED_FILES, Bank, Source, load_bank, shows_work
from quizapp.core.paths import questions_dir
from quizapp.core.quantities import parse_quantity
from quizapp.core.sources import load_sources

#: What a user must never see, with the reason shown on failure.
FORBIDDEN = [
    (re.compile(r"\b(the|these|our|seed) notes?\b", re.I),
     "addresses the user as if they had read our notes"),
    (re.compile(r"(?<!面试)(?<!某篇)(?<!有)笔记(?!仓库)"),
     "笔记 without saying whose (一份流行的面试笔记…)"),
    (re.compile(r"\bERRATA\b|\bE\d\d\b|勘误"), "an errata id belongs in metadata, not in text"),
    (re.compile(r"\d{3}_[0-9a-f]{16}|\b\d{3}_…|\b00\d ?号"), "a seed file name"),
    (re.compile(r"\bthe seed\b", re.I), "refers to our seed files"),
]


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([questions_dir()], cache=False)


def _visible_texts(bank: Bank):
    for question in bank.questions.values():
        for text in question.texts():
            for lang, value in text.items():
                yield question.id, lang, value
        for slot, blank in question.blanks.items():
            for accepted in blank.accept:
                yield question.id, f"blank {slot}", accepted


def test_no_text_addresses_our_sources(bank: Bank) -> None:
    found = []
    for qid, lang, value in _visible_texts(bank):
        for pattern, why in FORBIDDEN:
            match = pattern.search(value)
            if match:
                around = value[max(0, match.start() - 30):match.end() + 30]
                found.append(f"{qid} [{lang}] {why}: …{around}…")
    assert not found, "\n".join(found[:40])


def test_the_scan_catches_what_it_should() -> None:
    bad = ["The notes say x.", "笔记说 x。", "(ERRATA E05)", "see E28", "003_… says", "000 号笔记",
           "001_2bf531b10e6dc749.txt §15", "The seed shows"]
    for text in bad:
        assert any(p.search(text) for p, _ in FORBIDDEN), text
    good = ["Popular interview notes say x.", "一份流行的面试笔记称 x。", "流行的面试笔记说",
            "E = mc²",
            "Vaswani et al. note that", "某篇笔记这样描述"]
    for text in good:
        assert not any(p.search(text) for p, _ in FORBIDDEN), text


def test_every_source_line_is_readable(bank: Bank) -> None:
    sources = load_sources()
    assert sources.problems() == []
    assert set(sources.seeds) == set(SEED_FILES)
    for question in bank.questions.values():
        for lang in ("en", "zh"):
            line = sources.describe(question.source, lang)
            assert line, question.id
            for pattern, why in FORBIDDEN[2:]:
                assert not pattern.search(line), f"{question.id}: {why}: {line}"
            assert not re.search(r"\bl\.\s?\d", line), f"{question.id}: seed line numbers: {line}"


def test_source_line_names_the_seed_by_title_and_inserts_paper_titles() -> None:
    sources = load_sources()
    source = Source(seed="001_2bf531b10e6dc749.txt", section="§15 (l.308)",
                    refs=("Vaswani et al. 2017, arXiv:1706.03762 §3.2", "GQA, arXiv:2305.13245"),
                    erratum="E05")
    line = sources.describe(source, "en")
    assert line == ("Popular interview note 《大模型相关知识》 (in Chinese) §15; "
                    "Vaswani et al. 2017, Attention Is All You Need, arXiv:1706.03762 §3.2; "
                    "GQA, arXiv:2305.13245")
    assert "E05" not in line
    zh = sources.describe(source, "zh")
    assert zh.startswith("流行的面试笔记《大模型相关知识》（中文） §15")


def test_worked_answers_that_explain_nothing_are_not_shown(bank: Bank) -> None:
    hidden = {q.id for q in bank.questions.values() if q.numeric and not shows_work(q.numeric)}
    assert "decoding.top-p.nucleus-size" in hidden  # work "1 + 1 + 1"
    assert "tokenisation.bbpe.gpt2-merges" not in hidden  # "50257 - 256 - 1" explains
    for qid in hidden:  # the explanation carries the reasoning instead
        assert len(bank.questions[qid].explanation["en"]) > 120, qid


def test_sentencepiece_gap_marker_is_not_the_answer() -> None:
    from quizapp.tui.widgets.question.cloze import template_with_gaps

    shown = template_with_gaps("written {{mark}}, so", {"mark": 1})
    assert "▁" not in shown and "1" in shown


def test_mock_questions_are_self_contained(bank: Bank) -> None:
    for question in bank.questions.values():
        for value in question.prompt.values():
            assert not re.search(r"\bsame setting\b|同样的设置|^同样", value, re.I), question.id


@pytest.mark.parametrize("typed", ["2.8x", "2.8×", "2.8 x", "2.8X", "2.8 times"])
def test_ratio_marker_is_dimensionless(typed: str) -> None:
    assert parse_quantity(typed) == pytest.approx(2.8)
