"""The card browser's data (quizapp.core.card_browser): unmet items listed as new, the state
flags (suspended, leech), and problem reports appended as JSON lines."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from quizapp.core import paths, review
from quizapp.core.bank import load_bank
from quizapp.core.card_browser import DEFAULT_LEECH_THRESHOLD, browse, report_problem
from quizapp.core.drills import load_drills
from quizapp.core.errors import QuizappError
from quizapp.core.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def bank():  # noqa: ANN201
    return load_bank([FIXTURES / "good"])


def test_unmet_questions_and_drills_are_new(bank) -> None:  # noqa: ANN001
    drills = load_drills()
    with Store.open() as store:
        rows = browse(store, bank, drills)
        assert {r.item_id for r in rows} == set(bank.questions) | set(drills)
        assert all(r.state == "new" and not r.has_card for r in rows)
        assert [r.item_id for r in browse(store, bank, drills, kind="drill",
                                          text="rmsnorm")] == ["rmsnorm"]
        # A topic keeps questions only (drills have topics of their own vocabulary).
        assert {r.kind for r in browse(store, bank, drills, topic="rmsnorm")} == {"question"}


def test_states_suspended_and_leech(bank) -> None:  # noqa: ANN001
    key = review.card_key("question", "fixture.kv.bytes-per-token")
    other = review.card_key("question", "fixture.attention.scale-why")
    with Store.open() as store:
        review.record_practice(store, key, passed=True, now=NOW)
        review.record_practice(store, other, passed=True, now=NOW)
        met = browse(store, bank, {}, text="fixture.kv")
        assert [(r.state, r.has_card) for r in met] == [("learning", True)]
        assert browse(store, bank, {}, state="leech") == []
        store.conn.execute("UPDATE cards SET lapses = ? WHERE card_id = ?",
                           (DEFAULT_LEECH_THRESHOLD, key))
        store.conn.commit()
        assert [r.key for r in browse(store, bank, {}, state="leech")] == [key]
        review.suspend(store, other, NOW)
        suspended = browse(store, bank, {}, state="suspended")
        assert [r.key for r in suspended] == [other] and suspended[0].suspended
        # Met cards are never listed twice (as a card and as an unmet question).
        assert len(browse(store, bank, {})) == len(bank.questions)


def test_report_problem_appends_json_lines(bank) -> None:  # noqa: ANN001
    key = review.card_key("question", "fixture.attention.cloze-scale")
    first = report_problem(bank, key, "  gap 2 accepts 0.5  ", version="9.9", now=NOW)
    second = report_problem(bank, review.card_key("drill", "rmsnorm"), "typo", version="9.9",
                            now=NOW)
    assert first == second == paths.reports_path()
    entries = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert entries[0] == {"card": key, "question": "fixture.attention.cloze-scale",
                          "report": "gap 2 accepts 0.5", "app_version": "9.9",
                          "at": "2026-03-02T09:30:00.000000+00:00",
                          "file": entries[0]["file"]}
    assert entries[0]["file"].endswith("sample.yaml:" + str(
        bank.questions["fixture.attention.cloze-scale"].line))
    assert entries[1]["question"] is None and entries[1]["card"] == "d:rmsnorm"
    with pytest.raises(QuizappError, match="empty"):
        report_problem(bank, key, "   ")


def test_an_unwritable_reports_file_is_one_line(bank) -> None:  # noqa: ANN001
    paths.reports_path().mkdir(parents=True)
    with pytest.raises(QuizappError) as err:
        report_problem(bank, review.card_key("question", "fixture.kv.bytes-per-token"), "x")
    assert str(err.value).startswith(f"cannot write the report to {paths.reports_path()}: ")
    assert "\n" not in str(err.value)
