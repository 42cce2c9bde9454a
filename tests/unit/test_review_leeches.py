"""Leeches (eight lapses by default, `[review] leech_threshold` in config.toml), their
remedies, `quizapp stats` listing them, and the card commands of `quizapp progress`
(suspend, unsuspend, reset, settings --interview-date)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating

from quizapp.cli.main import main
from quizapp.core import review as rv
from quizapp.core.bank import Bank, Question, Source
from quizapp.core.config import load_config
from quizapp.core.stats import compute_stats
from quizapp.core.store import Store
from tests.unit.test_review import review

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def lapse_times(store: Store, key: str, n: int, start: datetime = T0) -> datetime:
    """Learn `key`, then forget it `n` times (each an Again in the Review state)."""
    at = start
    review(store, key, Rating.Good, at)
    review(store, key, Rating.Good, at + timedelta(minutes=11))
    at += timedelta(days=2)
    for _ in range(n):
        review(store, key, Rating.Again, at)
        review(store, key, Rating.Good, at + timedelta(minutes=11))
        at += timedelta(days=3)
    return at


def question(qid: str, topic: str, difficulty: int) -> Question:
    return Question(id=qid, kind="single", topics=(topic,), difficulty=difficulty,
                    source=Source(refs=("t",)), prompt={"en": qid}, explanation={"en": "-"})


class FakeDrill:
    def __init__(self, drill_id: str, topics: tuple[str, ...], difficulty: int = 3,
                 hints: tuple[dict, ...] = (), followups: tuple[str, ...] = ()) -> None:
        self.id, self.topics, self.difficulty = drill_id, topics, difficulty
        self.hints, self.followups = hints, followups


def test_eight_lapses_make_a_leech() -> None:
    with Store.open() as store:
        lapse_times(store, "q:a", 7)
        assert rv.leeches(store) == []
        (card,) = rv.find_cards(store)
        assert card.lapses == 7 and not rv.is_leech(card.lapses)
        lapse_times(store, "q:a", 1, T0 + timedelta(days=60))
        (leech,) = rv.leeches(store)
        assert leech.key == "q:a" and leech.lapses == 8 and rv.is_leech(8)
        assert rv.leeches(store, threshold=9) == [] and rv.leeches(store, threshold=0) == []
        # The queue carries the lapses, so the review screen can mark it.
        queue = rv.build_queue(store, Bank(questions={"a": question("a", "t", 2)}),
                               T0 + timedelta(days=400))
        assert [(i.key, i.lapses) for i in queue.due] == [("q:a", 8)]


def test_remedies() -> None:
    bank = Bank(questions={q.id: q for q in (
        question("hard", "attn", 3), question("easy1", "attn", 1), question("mid", "attn", 2),
        question("easy2", "attn", 1), question("other", "norm", 1), question("hard2", "attn", 3))})
    hint = {"en": "Scale the scores.", "zh": "缩放打分。"}
    drills = {"attention": FakeDrill("attention", ("attn",), 3, (hint,), ("hard",)),
              "rmsnorm": FakeDrill("rmsnorm", ("norm",))}
    q = rv.remedy("q:hard", bank, drills)
    assert q.drill_id == "attention" and q.easier == ("easy1", "easy2", "mid") and q.hint is None
    assert rv.remedy("q:hard2", bank, drills).drill_id == "attention"   # shares the topic
    m = rv.remedy("m:attention:no_scale", bank, drills)
    assert m.drill_id == "attention" and m.hint == hint and m.easier[0] == "easy1"
    d = rv.remedy("d:attention", bank, drills)
    assert d.drill_id is None and d.hint == hint and "hard" not in d.easier
    assert rv.remedy("q:gone", bank, drills) == rv.Remedy()
    assert rv.remedy("q:easy1", bank, drills).easier == ()       # nothing easier


def test_threshold_comes_from_config(quizapp_home: Path) -> None:
    quizapp_home.mkdir(parents=True, exist_ok=True)
    (quizapp_home / "config.toml").write_text("[review]\nleech_threshold = 3\n")
    assert load_config().leech_threshold == 3
    (quizapp_home / "config.toml").write_text("[review]\nleech_threshold = -1\n")
    config = load_config()
    assert config.leech_threshold == 8 and "leech_threshold" in config.problems[0]


def test_stats_list_leeches(quizapp_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        lapse_times(store, "q:a", 3)
        stats = compute_stats(store, Bank(), _taxonomy(), T0 + timedelta(days=30),
                              leech_threshold=3)
        assert [(c.key, c.lapses) for c in stats.leeches] == [("q:a", 3)]
        assert stats.to_json()["leeches"] == {
            "threshold": 3, "cards": [{"card": "q:a", "kind": "question", "lapses": 3,
                                       "suspended": False}]}
    (quizapp_home / "config.toml").write_text("[review]\nleech_threshold = 3\n")
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Leeches (3+ lapses" in out and "3 lapses  q:a" in out
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["leeches"]["cards"][0]["card"] == "q:a"


def _taxonomy():  # noqa: ANN202 - the bundled taxonomy
    from quizapp.core.bank import load_taxonomy

    return load_taxonomy()


def test_cli_suspend_unsuspend_reset(capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        lapse_times(store, "q:a", 1)
    assert main(["progress", "suspend", "q:a"]) == 0
    assert capsys.readouterr().out.strip() == "q:a: suspended"
    assert main(["progress", "suspend", "q:a"]) == 0
    assert "already suspended" in capsys.readouterr().out
    with Store.open() as store:
        assert rv.find_cards(store, suspended=True)[0].key == "q:a"
    assert main(["progress", "unsuspend", "q:a"]) == 0
    assert "back in review" in capsys.readouterr().out
    assert main(["progress", "reset", "q:a"]) == 0
    with Store.open() as store:
        (card,) = rv.find_cards(store)
        assert card.state == "new" and card.lapses == 0
    # A typo changes nothing: every key is checked first; one line, exit 2.
    assert main(["progress", "suspend", "q:a", "q:nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no card 'q:nope'" in err
    with Store.open() as store:
        assert rv.find_cards(store, suspended=True) == []
    assert main(["progress", "unsuspend", "bogus"]) == 2
    assert "not a card key" in capsys.readouterr().err


def test_cli_interview_date(capsys: pytest.CaptureFixture[str]) -> None:
    future = (date.today() + timedelta(days=21)).isoformat()
    assert main(["progress", "settings", "--interview-date", future]) == 0
    out = capsys.readouterr().out
    assert f"interview date     {future}: " in out and "0 card(s) still to cover" in out
    assert main(["progress", "settings", "--interview-date", "none"]) == 0
    assert "interview date     none" in capsys.readouterr().out
    assert main(["progress", "settings", "--interview-date", "2001-01-01"]) == 2
    assert "after today" in capsys.readouterr().err
    assert main(["progress", "settings", "--interview-date", "soon"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
