"""Progress export and import: round trip, idempotence, merging, bad files; and the
`quizapp progress` commands."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating

from quizapp.cli.main import main
from quizapp.core import review as rv
from quizapp.core.errors import QuizappError
from quizapp.core.progress_io import export_progress, import_progress
from quizapp.core.store import Store

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


def review(store: Store, key: str, rating: Rating, at: datetime) -> None:
    settings = rv.ReviewSettings.load(store)
    card = rv.load_card(store, key, at)
    preview = rv.preview_ratings(settings.scheduler(), card, at)[rating]
    rv.commit_rating(store, key, card, preview, duration_ms=1500)


def fill(store: Store) -> None:
    """Some of everything: reviews, a retired card, attempts, drill results, settings."""
    rv.ReviewSettings(desired_retention=0.85, new_per_day=7).save(store)
    review(store, "q:a", Rating.Good, T0)
    review(store, "q:a", Rating.Good, T0 + timedelta(minutes=10))
    review(store, "q:b", Rating.Again, T0 + timedelta(minutes=1))
    review(store, "d:rmsnorm", Rating.Hard, T0 + timedelta(minutes=2))
    store.conn.execute("UPDATE cards SET retired = 1 WHERE card_id = 'q:b'")
    store.record_attempt("a", "question", {"x": [1, 2]}, 1.0, True, at=T0, duration_ms=900)
    store.record_attempt("中文", "question", "七亿", 0.0, False, mode="mock", at=T0)
    store.record_drill_result("rmsnorm", track="torch", status="passed", passed=True,
                              message="ok", at=T0,
                              result={"timing": {"user_ms": 1.5, "ratio": 1.2}})


def content(store: Store) -> dict[str, list[tuple]]:
    """Everything the export carries, in a comparable form (row ids left out)."""
    def rows(sql: str) -> list[tuple]:
        return sorted(tuple(r) for r in store.conn.execute(sql))

    return {
        "cards": rows("SELECT card_id, fsrs_id, card, due, created_at, retired, state, "
                      "stability, last_review FROM cards"),
        "log": rows("SELECT card_id, rating, reviewed_at, duration_ms, card_before, day, "
                    "state_before FROM review_log"),
        "attempts": rows("SELECT item_id, item_kind, at, mode, answer, score, passed, "
                         "duration_ms, hints_used FROM attempts"),
        "drills": rows("SELECT drill_id, at, track, status, passed, message, user_ms, ratio, "
                       "result FROM drill_results"),
        "settings": rows("SELECT key, value FROM settings WHERE key NOT LIKE 'review._%'"),
    }


def test_round_trip_into_a_fresh_store(store: Store, tmp_path: Path) -> None:
    fill(store)
    report = export_progress(store, tmp_path / "p.json", now=T0)
    assert (report.cards, report.reviews, report.attempts, report.drill_results) == (3, 4, 2, 1)
    with Store.open(tmp_path / "other.db") as other:
        imported = import_progress(other, tmp_path / "p.json")
        assert imported.reviews_added == 4 and imported.cards_added == 3
        assert imported.attempts_added == 2 and imported.drill_results_added == 1
        assert content(other) == content(store)
        # The imported store schedules exactly as the original does.
        assert rv.ReviewSettings.load(other) == rv.ReviewSettings.load(store)
        export_progress(other, tmp_path / "again.json", now=T0)
    first = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert first == second
    assert first["format"] == "quizapp-progress" and first["version"] == 1


def test_importing_twice_duplicates_nothing(store: Store, tmp_path: Path) -> None:
    fill(store)
    export_progress(store, tmp_path / "p.json")
    before = content(store)
    report = import_progress(store, tmp_path / "p.json")   # into the same store
    assert report.reviews_added == 0 and report.reviews_present == 4
    assert (report.cards_added, report.cards_updated, report.attempts_added,
            report.drill_results_added, report.settings_added) == (0, 0, 0, 0, 0)
    import_progress(store, tmp_path / "p.json")
    assert content(store) == before


def test_merge_keeps_the_later_card_state_and_both_histories(store: Store, tmp_path: Path
                                                             ) -> None:
    review(store, "q:a", Rating.Good, T0)
    export_progress(store, tmp_path / "base.json")
    with Store.open(tmp_path / "laptop.db") as laptop:
        import_progress(laptop, tmp_path / "base.json")
        review(laptop, "q:a", Rating.Good, T0 + timedelta(days=1))     # later, on the laptop
        laptop_card = rv.load_card(laptop, "q:a")
        export_progress(laptop, tmp_path / "laptop.json")
    review(store, "q:c", Rating.Easy, T0 + timedelta(hours=3))           # meanwhile, here
    rv.ReviewSettings(new_per_day=3).save(store)
    report = import_progress(store, tmp_path / "laptop.json")
    assert report.reviews_added == 1 and report.reviews_present == 1
    assert report.cards_updated == 1 and report.settings_added == 0
    assert rv.load_card(store, "q:a") == laptop_card
    assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 3
    assert rv.ReviewSettings.load(store).new_per_day == 3     # local settings win
    # An older state never replaces a newer one.
    report = import_progress(store, tmp_path / "base.json")
    assert report.cards_updated == 0 and rv.load_card(store, "q:a") == laptop_card


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ("[]", "not a quizapp progress export"),
    ('{"format": "quizapp-progress", "version": 99}', "newer quizapp"),
    ('{"format": "quizapp-progress", "version": 1, "review_log": {}}', "must be a list"),
    ('{"format": "quizapp-progress", "version": 1, "review_log": '
     '[{"card_id": "q:a", "rating": 9, "reviewed_at": "2026-01-01T00:00:00+00:00"}]}',
     "review_log[0]: 'rating' must be 1 to 4"),
    ('{"format": "quizapp-progress", "version": 1, "review_log": '
     '[{"card_id": "q:a", "rating": 3, "reviewed_at": "2026-01-01T00:00:00"}]}',
     "has no time zone"),
    ('{"format": "quizapp-progress", "version": 1, "cards": [{"card_id": "x"}]}',
     "must start with 'q:', 'd:' or 'm:'"),
])
def test_bad_files_are_one_line_errors_and_import_nothing(store: Store, tmp_path: Path,
                                                          text: str, message: str) -> None:
    good = {"format": "quizapp-progress", "version": 1, "settings": {"review.new_per_day": 4}}
    path = tmp_path / "bad.json"
    data = text
    if text.startswith('{"format"') and "settings" not in text:
        loaded = json.loads(text)
        loaded["settings"] = good["settings"]       # would be imported if not rolled back
        data = json.dumps(loaded)
    path.write_text(data, encoding="utf-8")
    with pytest.raises(QuizappError) as err:
        import_progress(store, path)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert store.get_setting("review.new_per_day") is None


def test_export_is_atomic_and_refuses_bad_targets(store: Store, tmp_path: Path) -> None:
    fill(store)
    with pytest.raises(QuizappError, match="is a directory"):
        export_progress(store, tmp_path)
    with pytest.raises(QuizappError, match="no such directory"):
        export_progress(store, tmp_path / "missing" / "p.json")
    export_progress(store, tmp_path / "p.json")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_progress_commands(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                           ) -> None:
    fill(store)
    target = tmp_path / "p.json"
    assert main(["progress", "export", str(target)]) == 0
    assert "exported 4 review(s)" in capsys.readouterr().out
    assert main(["progress", "import", str(target)]) == 0
    assert "0 review(s) added (4 already present)" in capsys.readouterr().out
    assert main(["progress", "import", str(tmp_path / "nope.json")]) == 2
    assert capsys.readouterr().err.strip() == f"quizapp: no such file: {tmp_path / 'nope.json'}"
    assert main(["progress", "settings", "--retention", "0.8", "--new-per-day", "12",
                 "--learning-steps", "2m, 20m"]) == 0
    out = capsys.readouterr().out
    assert "0.80" in out and "12" in out and "2m, 20m" in out
    settings = rv.ReviewSettings.load(store)
    assert settings.desired_retention == 0.8 and settings.new_per_day == 12
    assert main(["progress", "settings", "--learning-steps", "ten"]) == 2
    assert "bad step" in capsys.readouterr().err
    assert main(["progress", "optimize"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("quizapp: the optimizer needs 512") and err.count("\n") == 1
    assert os.path.exists(target)
