"""Progress import and export under hostile input (issue 15): every bad file is one line
naming the entry and field, nothing is written, and the commands that read the settings keep
working. Files that are not files (a FIFO, /dev/zero) are refused without blocking.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.core.errors import QuizappError
from quizapp.core.progress_io import export_progress, import_progress
from quizapp.core.store import Store
from tests.unit.test_progress import content, fill


@pytest.fixture
def exported(tmp_path: Path) -> dict:
    """A real export with some of everything, from a separate home."""
    with Store.open(tmp_path / "source.db") as source:
        fill(source)
        export_progress(source, tmp_path / "good.json")
    return json.loads((tmp_path / "good.json").read_text(encoding="utf-8"))


def _set(data: dict, where: tuple, value: object) -> dict:
    data = copy.deepcopy(data)
    node = data
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    return data


DEEP = {"a": 1}
for _ in range(200):
    DEEP = {"a": DEEP}

#: (where in the export, bad value, words the one-line error must contain)
BAD_FIELDS = [
    (("settings", "review.desired_retention"), "0.9", "review.desired_retention"),
    (("settings", "review.desired_retention"), 5, "review.desired_retention"),
    (("settings", "review.new_per_day"), -1, "review.new_per_day"),
    (("settings", "review.new_per_day"), 2**62, "review.new_per_day"),
    (("settings", "review.learning_steps"), ["1m"], "review.learning_steps"),
    (("settings", "review.learning_steps"), [1e30], "review.learning_steps"),
    (("settings", "review.maximum_interval"), 0, "review.maximum_interval"),
    (("settings", "review.parameters"), [1.0] * 3, "review.parameters"),
    (("settings", "review.optimized_at"), "yesterday", "optimized_at"),
    (("settings", "language"), ["en"], "language"),
    (("settings", "drill.hints.rmsnorm"), "many", "drill.hints.rmsnorm"),
    (("settings", "from.the.future"), {"nested": [1]}, "from.the.future"),
    (("settings", "x" * 300), 1, "name"),
    (("review_log", 0, "rating"), 9, "review_log[0]"),
    (("review_log", 0, "reviewed_at"), "9999-12-31T23:59:59-14:00", "review_log[0]"),
    (("review_log", 0, "reviewed_at"), "0001-01-01T00:00:00+14:00", "review_log[0]"),
    (("review_log", 0, "day"), ["2026-01-01"], "review_log[0]: 'day'"),
    (("review_log", 0, "state_before"), "new", "review_log[0]: 'state_before'"),
    (("review_log", 0, "duration_ms"), 2**70, "integer out of range"),
    (("cards", 0, "card", "stability"), "high", "cards[0]"),
    (("cards", 0, "card", "state"), 7, "cards[0]"),
    (("cards", 0, "card", "due"), "+999999-01-01T00:00:00+00:00", "cards[0]"),
    (("cards", 0, "retired"), "maybe", "cards[0]"),
    (("attempts", 0, "score"), 1e308, "attempts[0]"),
    (("attempts", 0, "mode"), {"a": 1}, "attempts[0]: 'mode'"),
    (("attempts", 0, "hints_used"), "3", "attempts[0]"),
    (("attempts", 0, "item_kind"), 5, "attempts[0]"),
    (("attempts", 0, "answer"), DEEP, "nested more than"),
    (("drill_results", 0, "ratio"), -3, "drill_results[0]"),
    (("drill_results", 0, "message"), ["x"], "drill_results[0]"),
]


@pytest.mark.parametrize("where, value, words", BAD_FIELDS,
                         ids=[".".join(map(str, w)) for w, _, _ in BAD_FIELDS])
def test_every_bad_field_rejects_the_file_and_writes_nothing(
        tmp_path: Path, exported: dict, where: tuple, value: object, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_set(exported, where, value)), encoding="utf-8")
    with Store.open() as store:
        before = content(store)
        with pytest.raises(QuizappError) as err:
            import_progress(store, path)
        assert content(store) == before
    message = str(err.value)
    assert words in message and "\n" not in message and len(message) < 300, message
    assert "nothing was imported" in message


@pytest.mark.parametrize("text, words", [
    ('{"format": "quizapp-progress", "version": 1, "attempts": [{"score": NaN}]}',
     "NaN is not a number"),
    ('{"format": "quizapp-progress", "version": 1, "attempts": [{"score": Infinity}]}',
     "Infinity is not a number"),
    ('{"format": "quizapp-progress", "version": 1, "x": 1e400}', "not a finite number"),
    ('{"format": "quizapp-progress", "version": 1, "x": ' + "9" * 5000 + "}",
     "a number is too large"),
    ('{"format": "quizapp-progress", "version": 1, "x": ' + "[" * 5000 + "]" * 5000 + "}",
     "nest"),
    ('{"format": "quizapp-progress", "version": 1, "x": ' + "[" * 100 + "]" * 100 + "}",
     "nested more than"),
])
def test_unparseable_values_are_one_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with Store.open() as store, pytest.raises(QuizappError) as err:
        import_progress(store, path)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_bom_is_accepted(tmp_path: Path, exported: dict) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(exported).encode())
    with Store.open() as store:
        report = import_progress(store, path)
    assert report.reviews_added == len(exported["review_log"]) > 0


def test_rejected_settings_leave_stats_and_settings_working(
        tmp_path: Path, exported: dict, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_set(exported, ("settings", "review.new_per_day"), "lots")))
    assert main(["progress", "import", str(path)]) == 1
    assert "review.new_per_day" in capsys.readouterr().err
    assert main(["progress", "settings"]) == 0
    assert main(["stats", "--json"]) == 0


def _import_in_thread(path: Path) -> tuple[bool, object]:
    box: dict[str, object] = {}

    def run() -> None:
        with Store.open() as store:
            try:
                import_progress(store, path)
            except QuizappError as err:
                box["result"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    return not thread.is_alive(), box.get("result")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    finished, result = _import_in_thread(fifo)
    assert finished, "import blocked on a FIFO"
    assert isinstance(result, QuizappError) and "not a regular file" in str(result)


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    finished, result = _import_in_thread(Path("/dev/zero"))
    assert finished and isinstance(result, QuizappError)
    assert "not a regular file" in str(result)


# --------------------------------------------------------------------------- export


def test_export_to_bad_places_is_one_line(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("x")
    for target in (tmp_path / "a-file" / "p.json", tmp_path / ("n" * 300 + ".json")):
        assert main(["progress", "export", str(target)]) == 1
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and err.startswith("quizapp: cannot write"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "quizapp-home"]


def test_export_to_an_unwritable_directory_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: root ignores file permissions")
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"] \
        if os.geteuid() == 0 else []
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        done = subprocess.run([*prefix, sys.executable, "-m", "quizapp.cli.main", "progress",
                               "export", str(locked / "p.json")],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "QUIZAPP_HOME": str(tmp_path / "home")})
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("quizapp: cannot write") and \
        len(done.stderr.splitlines()) == 1
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("key, value", [
    ("review.new_per_day", "lots"), ("review.new_per_day", 10**30),
    ("review.new_per_day", 2.5), ("review.desired_retention", "high"),
    ("review.learning_steps", [1e30]), ("review.learning_steps", "1m"),
    ("review.maximum_interval", -4), ("review.parameters", [1, 2]),
    ("review.parameters", ["x"] * 21),
])
def test_settings_damaged_before_this_check_do_not_break_the_commands(
        key: str, value: object, capsys: pytest.CaptureFixture[str]) -> None:
    """A store written by an older import that did not check its settings: `stats` and
    `progress settings` still run (the bad value is ignored), and the setting can be fixed."""
    with Store.open() as store:
        store.set_setting(key, value)
    assert main(["stats", "--json"]) == 0
    assert main(["progress", "settings"]) == 0
    assert main(["progress", "settings", "--new-per-day", "12", "--retention", "0.9",
                 "--learning-steps", "1m", "--reset-parameters"]) == 0
    assert "new cards per day  12" in capsys.readouterr().out
