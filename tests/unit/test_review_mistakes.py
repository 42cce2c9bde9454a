"""Mistake cards: a graded known mistake creates `m:<drill>:<mistake>` once and lapses it
every later time; a failed grade brings a learned drill's card back sooner; the card's texts
come from mistakes.py (read without running it); `progress export` carries the cards."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating

from quizapp.cli.main import main
from quizapp.core import review as rv
from quizapp.core.drills import load_drills
from quizapp.core.store import Store
from tests.unit.test_review import review

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
DRILLS = load_drills()


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


def card_row(store: Store, key: str) -> dict | None:
    row = store.conn.execute("SELECT * FROM cards WHERE card_id = ?", (key,)).fetchone()
    return dict(row) if row else None


def test_a_graded_no_scale_attention_creates_its_card_and_is_exported(tmp_path: Path) -> None:
    """The issue's example, end to end: a real grade of a solution that forgets 1/√D."""
    from quizapp.core.grading import grade_solution
    from quizapp.core.grading.verify import write_mistake_file

    solution = write_mistake_file(tmp_path / "no_scale", DRILLS["attention"], "no_scale")
    result = grade_solution("attention", solution, track="torch")   # records, as the CLI does
    assert result.mistake is not None and result.mistake.id == "no_scale", result.message
    with Store.open() as store:
        row = card_row(store, "m:attention:no_scale")
        assert row is not None and row["last_review"] is None and row["lapses"] == 0
    out = tmp_path / "progress.json"
    assert main(["progress", "export", str(out)]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert "m:attention:no_scale" in [c["card_id"] for c in exported["cards"]]
    # The same mistake again is a lapse of that card, not a second card.
    grade_solution("attention", solution, track="torch")
    with Store.open() as store:
        assert card_row(store, "m:attention:no_scale")["lapses"] == 1
        assert store.conn.execute("SELECT count(*) FROM cards WHERE card_id LIKE 'm:%'"
                                  ).fetchone()[0] == 1


def test_a_mistake_made_again_is_a_lapse_each_time(store: Store) -> None:
    first = rv.record_grade_review(store, "attention", passed=False, mistake_id="no_scale",
                                   now=T0)
    assert first.mistake_created and first.mistake_again is None
    for n in range(1, 9):
        again = rv.record_grade_review(store, "attention", passed=False,
                                       mistake_id="no_scale", now=T0 + timedelta(hours=n))
        assert not again.mistake_created and again.mistake_again is not None
    assert card_row(store, "m:attention:no_scale")["lapses"] == 8
    assert rv.is_leech(8) and [c.key for c in rv.leeches(store)] == ["m:attention:no_scale"]
    # Undoing the last one takes its lapse back.
    rv.undo_rating(store, again.mistake_again)
    assert card_row(store, "m:attention:no_scale")["lapses"] == 7 and not rv.leeches(store)


def test_a_failed_grade_brings_a_learned_drill_back_sooner(store: Store) -> None:
    key = "d:attention"
    review(store, key, Rating.Good, T0)
    review(store, key, Rating.Good, T0 + timedelta(minutes=11))
    review(store, key, Rating.Good, T0 + timedelta(days=3))
    before = card_row(store, key)
    assert before["state"] == 2
    at = T0 + timedelta(days=4)
    outcome = rv.record_grade_review(store, "attention", passed=False, now=at)
    after = card_row(store, key)
    assert outcome.drill_again is not None and outcome.drill_again.rating == Rating.Again
    assert rv.from_iso(after["due"]) < rv.from_iso(before["due"])
    assert rv.from_iso(after["due"]) <= at + timedelta(hours=1)       # relearning step
    assert after["lapses"] == 1
    # Failing again while relearning adds nothing: one lapse per forgetting.
    again = rv.record_grade_review(store, "attention", passed=False,
                                   now=at + timedelta(minutes=1))
    assert again.drill_again is None and card_row(store, key)["lapses"] == 1
    # A drill due today is rated by its review round: a failed run there adds nothing.
    review(store, key, Rating.Good, at + timedelta(minutes=20))
    due = rv.from_iso(card_row(store, key)["due"])
    rv.record_grade_review(store, "attention", passed=False, now=due + timedelta(hours=1))
    assert rv.from_iso(card_row(store, key)["due"]) == due
    # A pass is the callers' to rate; a never-learned drill is left alone.
    assert rv.record_grade_review(store, "attention", passed=True, now=at).drill_again is None
    assert rv.record_grade_review(store, "rmsnorm", passed=False, now=at).drill_again is None
    assert card_row(store, "d:rmsnorm") is None


@pytest.mark.parametrize("drill_id", list(DRILLS))
def test_every_mistake_has_card_texts(drill_id: str) -> None:
    drill = DRILLS[drill_id]
    texts = rv.read_mistakes(drill.id, drill.solution_file("mistakes"))
    assert set(texts) == {m.id for m in drill.mistakes}
    for mistake in texts.values():
        assert mistake.explanation["en"] and mistake.explanation["zh"] and mistake.title["zh"]
        if mistake.excerpt_derived:
            # The variant's name and docstring would give the answer away.
            assert mistake.mistake_id not in mistake.excerpt
            assert '"""' not in mistake.excerpt
        question = rv.mistake_question(drill, mistake)
        assert question.kind == "short" and question.key_points
        assert question.id == f"m:{drill.id}:{mistake.mistake_id}"
        if mistake.excerpt:
            assert f"```python\n{mistake.excerpt}\n```" in question.prompt["en"]
        else:   # no code shows this bug without naming it: the card names the case
            assert mistake.exposed_by and f"'{mistake.exposed_by}'" in question.prompt["en"]
        assert mistake.explanation["en"] in question.model_answer["en"]
        if mistake.fix:
            assert mistake.fix in question.model_answer["en"]


def test_excerpt_and_fix_are_read_from_the_bundle(tmp_path: Path) -> None:
    path = tmp_path / "mistakes.py"
    path.write_text(
        'import torch\n\n\ndef off_by_one(x):\n    """Names the bug."""\n    return x + 1\n\n\n'
        "MISTAKES = [\n"
        '    {"id": "a", "title": {"en": "A", "zh": "甲"},\n'
        '     "explanation": {"en": "One. Two.", "zh": "一。二。"},\n'
        '     "excerpt": ("y = x\\n" "return y"), "fix": "return x",\n'
        '     "exposed_by": "c", "agrees_on": None, "f": off_by_one},\n'
        '    {"id": "b", "title": {"en": "B", "zh": "乙"},\n'
        '     "explanation": {"en": "Only one sentence here. And two.", "zh": "只有一句。"},\n'
        '     "exposed_by": "c", "agrees_on": None, "f": off_by_one},\n'
        "]\n", encoding="utf-8")
    texts = rv.read_mistakes("demo", path)
    assert texts["a"].exposed_by == "c"
    assert texts["a"].excerpt == "y = x\nreturn y" and texts["a"].fix == "return x"
    assert not texts["a"].excerpt_derived
    derived = texts["b"]
    assert derived.excerpt_derived and derived.fix is None
    assert derived.excerpt == "def f(x):\n    return x + 1"
    # Key points pair sentences across languages when both have as many.
    assert [p.text for p in rv.mistake_question.__globals__["key_points"](
        texts["a"].explanation)] == [{"en": "One.", "zh": "一。"}, {"en": "Two.", "zh": "二。"}]
    assert len(rv.mistake_question.__globals__["key_points"](derived.explanation)) == 1
    assert rv.read_mistakes("demo", tmp_path / "missing.py") == {}
