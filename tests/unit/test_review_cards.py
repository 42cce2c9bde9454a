"""The card-state API of the review package: suspend, unsuspend, reset, the card search,
lapses kept by the store, and the schema upgrade that added them (from a schema-3 file)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating

from quizapp.core import review as rv
from quizapp.core.errors import UsageError
from quizapp.core.progress_io import export_progress, import_progress
from quizapp.core.store import APPLICATION_ID, MIGRATIONS, Store, to_iso
from tests.unit.test_review import make_bank, review

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


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


def learned(store: Store, key: str, at: datetime = T0) -> datetime:
    """Bring `key` into the Review state (two Goods a day apart); returns the next moment."""
    review(store, key, Rating.Good, at)
    review(store, key, Rating.Good, at + timedelta(minutes=11))
    return at + timedelta(days=1)


def lapses(store: Store, key: str) -> int:
    return store.conn.execute("SELECT lapses FROM cards WHERE card_id = ?", (key,)).fetchone()[0]


# --------------------------------------------------------------------------- suspend


def test_suspended_cards_never_enter_the_queue(store: Store) -> None:
    bank = make_bank({"a": 3})
    for i in range(3):
        learned(store, f"q:a.{i}")
    later = T0 + timedelta(days=60)  # all three due
    assert {i.key for i in rv.build_queue(store, bank, later).due} == {"q:a.0", "q:a.1", "q:a.2"}
    assert rv.suspend(store, "q:a.1") is True
    assert rv.suspend(store, "q:a.1") is False        # already suspended
    queue = rv.build_queue(store, bank, later)
    assert {i.key for i in queue.items} == {"q:a.0", "q:a.2"}
    assert rv.count_due(store, later) == 2
    assert "q:a.1" not in {i.key for i in rv.cram_items(store, bank, "a", later)}
    assert rv.unsuspend(store, "q:a.1") is True and rv.unsuspend(store, "q:a.1") is False
    assert "q:a.1" in {i.key for i in rv.build_queue(store, bank, later).due}


def test_suspending_an_unmet_question_keeps_it_out_of_new_cards(store: Store) -> None:
    bank = make_bank({"a": 2})
    assert {i.key for i in rv.build_queue(store, bank, T0).new} == {"q:a.0", "q:a.1"}
    rv.suspend(store, "q:a.0", T0)
    assert [i.key for i in rv.build_queue(store, bank, T0).new] == ["q:a.1"]
    rv.unsuspend(store, "q:a.0")
    assert {i.key for i in rv.build_queue(store, bank, T0).new} == {"q:a.0", "q:a.1"}


def test_unsuspend_and_reset_of_an_unknown_card_are_usage_errors(store: Store) -> None:
    with pytest.raises(UsageError, match="no card 'q:nope'"):
        rv.unsuspend(store, "q:nope")
    with pytest.raises(UsageError, match="no card"):
        rv.reset(store, "d:nope")
    with pytest.raises(ValueError):
        rv.suspend(store, "nonsense")


def test_reset_makes_a_card_new_and_keeps_its_log(store: Store) -> None:
    at = learned(store, "q:a.0")
    review(store, "q:a.0", Rating.Again, at + timedelta(days=10))   # a lapse
    assert lapses(store, "q:a.0") == 1
    rv.suspend(store, "q:a.0")
    rv.reset(store, "q:a.0", T0 + timedelta(days=20))
    row = store.conn.execute("SELECT * FROM cards WHERE card_id = 'q:a.0'").fetchone()
    assert row["last_review"] is None and row["stability"] is None and row["lapses"] == 0
    assert row["suspended"] == 1                                   # suspension stays
    assert Card.from_json(row["card"]).last_review is None
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 3
    (info,) = rv.find_cards(store)
    assert info.state == "new"


# --------------------------------------------------------------------------- lapses


def test_lapses_count_again_on_review_cards_only_and_undo_takes_one_back(store: Store) -> None:
    review(store, "q:a.0", Rating.Again, T0)               # a new card missed: no lapse
    assert lapses(store, "q:a.0") == 0
    at = learned(store, "q:a.1")
    record = review(store, "q:a.1", Rating.Again, at + timedelta(days=10))
    assert rv.is_lapse(Rating.Again, 2) and not rv.is_lapse(Rating.Again, 1)
    assert lapses(store, "q:a.1") == 1
    rv.undo_rating(store, record)
    assert lapses(store, "q:a.1") == 0


# --------------------------------------------------------------------------- search


def test_find_cards_filters(store: Store) -> None:
    bank = make_bank({"a": 2, "b": 1})
    bank.questions["b.0"] = type(bank.questions["b.0"])(
        **{**bank.questions["b.0"].__dict__, "prompt": {"en": "Why scale by √d?",
                                                        "zh": "为什么要缩放"}})
    learned(store, "q:a.0")
    review(store, "q:a.1", Rating.Again, T0)
    review(store, "q:b.0", Rating.Good, T0)
    review(store, "d:rmsnorm", Rating.Good, T0)
    rv.suspend(store, "q:a.1")
    keys = lambda **kw: [c.key for c in rv.find_cards(store, bank, **kw)]  # noqa: E731
    assert keys() == ["d:rmsnorm", "q:a.0", "q:a.1", "q:b.0"]
    assert keys(kinds=["drill"]) == ["d:rmsnorm"]
    assert keys(kinds=["question"], topic="a") == ["q:a.0", "q:a.1"]
    assert keys(states=["review"]) == ["q:a.0"]
    assert keys(suspended=True) == ["q:a.1"]
    assert keys(suspended=False, kinds=["question"]) == ["q:a.0", "q:b.0"]
    assert keys(text="SCALE") == ["q:b.0"] and keys(text="缩放") == ["q:b.0"]
    assert keys(text="rms") == ["d:rmsnorm"]
    assert keys(kinds=["nonsense"]) == []
    assert keys(limit=2) == ["d:rmsnorm", "q:a.0"]
    (b0,) = rv.find_cards(store, bank, text="scale")
    assert b0.topics == ("b",) and b0.kind == "question" and b0.item_id == "b.0"
    assert not b0.suspended and b0.lapses == 0


# --------------------------------------------------------------------------- persistence


def test_export_and_import_carry_suspension_and_lapses(store: Store, tmp_path: Path) -> None:
    at = learned(store, "q:a.0")
    review(store, "q:a.0", Rating.Again, at + timedelta(days=10))
    rv.suspend(store, "q:a.0")
    out = tmp_path / "p.json"
    export_progress(store, out)
    data = json.loads(out.read_text())
    assert data["cards"][0]["suspended"] is True
    assert [r["lapse"] for r in data["review_log"]] == [False, False, True]
    with Store.open(tmp_path / "other.db") as other:
        import_progress(other, out)
        import_progress(other, out)   # twice: nothing doubles
        row = other.conn.execute("SELECT suspended, lapses FROM cards").fetchone()
        assert tuple(row) == (1, 1)


def test_an_export_without_lapse_fields_counts_lapses_by_anki_rule(store: Store,
                                                                   tmp_path: Path) -> None:
    at = learned(store, "q:a.0")
    review(store, "q:a.0", Rating.Again, at + timedelta(days=10))
    out = tmp_path / "p.json"
    export_progress(store, out)
    data = json.loads(out.read_text())
    for entry in data["review_log"]:
        del entry["lapse"]
    for entry in data["cards"]:
        del entry["suspended"]
    out.write_text(json.dumps(data))
    with Store.open(tmp_path / "other.db") as other:
        import_progress(other, out)
        assert tuple(other.conn.execute("SELECT suspended, lapses FROM cards").fetchone()) \
            == (0, 1)


def test_a_schema_3_database_upgrades_without_loss(quizapp_home: Path) -> None:
    """A file written before suspension and lapses existed: every row survives, lapses are
    counted from its log, and the upgraded store works."""
    quizapp_home.mkdir(parents=True)
    path = quizapp_home / "progress.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for i, script in enumerate(MIGRATIONS[:3], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {i};\nCOMMIT;")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    card = Card(card_id=rv.fsrs_id("q:a.0"), due=T0)
    rows = []
    for n, (rating, state_before) in enumerate([(3, 0), (3, 1), (1, 2), (3, 3), (1, 2),
                                                (1, 3)]):
        at = to_iso(T0 + timedelta(days=n))
        rows.append(("q:a.0", rating, at, 1000, card.to_json(), at[:10], state_before))
    conn.executemany("INSERT INTO review_log (card_id, rating, reviewed_at, duration_ms, "
                     "card_before, day, state_before) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("INSERT INTO cards (card_id, fsrs_id, card, due, created_at, retired, state, "
                 "stability, last_review) VALUES (?, ?, ?, ?, ?, 0, 3, 1.5, ?)",
                 ("q:a.0", card.card_id, card.to_json(), to_iso(T0), to_iso(T0),
                  to_iso(T0 + timedelta(days=5))))
    conn.execute("INSERT INTO settings (key, value) VALUES ('review.new_per_day', '7')")
    conn.close()
    with Store.open() as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 6
        assert store.conn.execute("SELECT sum(reviews) FROM review_days").fetchone()[0] == 6
        assert [r[0] for r in store.conn.execute(
            "SELECT lapse FROM review_log ORDER BY reviewed_at")] == [0, 0, 1, 0, 1, 0]
        assert lapses(store, "q:a.0") == 2
        assert rv.ReviewSettings.load(store).new_per_day == 7
        (info,) = rv.find_cards(store)
        assert info.state == "relearning" and not info.suspended and info.lapses == 2
        rv.suspend(store, "q:a.0")
        assert rv.find_cards(store, suspended=True)[0].key == "q:a.0"
