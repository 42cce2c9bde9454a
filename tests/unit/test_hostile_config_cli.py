"""The config file and the command line under hostile input (issue 15): a FIFO, a device,
deep nesting, markup-like text, dotted and colliding key names; overflowing option values.
Each is one line, never a traceback and never a hang."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.core import paths
from quizapp.core.config import Config, load_config


def _load_in_thread() -> Config:
    box: dict[str, Config] = {}
    thread = threading.Thread(target=lambda: box.update(config=load_config()), daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "load_config blocked"
    return box["config"]


def test_a_fifo_as_config_is_refused_without_blocking() -> None:
    os.mkfifo(paths.config_path())
    config = _load_in_thread()
    assert config == Config(problems=config.problems)
    assert len(config.problems) == 1 and "not a regular file" in config.problems[0]


def test_dev_zero_as_config_is_refused() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    paths.config_path().symlink_to("/dev/zero")
    config = _load_in_thread()
    assert len(config.problems) == 1 and "not a regular file" in config.problems[0]


def test_deep_nesting_is_one_line() -> None:
    paths.config_path().write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    config = load_config()
    assert len(config.problems) == 1 and "deep" in config.problems[0]
    paths.config_path().write_text("[ui]\nlanguage = " + "[" * 20 + "]" * 20 + "\n")
    config = load_config()
    assert len(config.problems) == 1 and "nest more than" in config.problems[0]


def test_huge_config_is_refused() -> None:
    paths.config_path().write_text("# " + "x" * (2 << 20) + "\n")
    assert "larger than" in load_config().problems[0]


def test_dotted_keys_mean_the_same_and_collisions_are_reported() -> None:
    paths.config_path().write_text(
        '[keys]\nhome.quiz = "x"\n"home.review" = "x"\n"home.stats" = "s"\n'
        'drill.grade = "ctrl+r"\n')
    config = load_config()
    assert config.keys == {"home.quiz": "x", "home.stats": "s", "drill.grade": "ctrl+r"}
    (problem,) = config.problems
    assert "home.review and home.quiz both use 'x'" in problem


def test_quoted_and_dotted_twice_is_reported() -> None:
    paths.config_path().write_text('[keys]\nhome.quiz = "x"\n"home.quiz" = "y"\n')
    config = load_config()
    assert config.keys == {"home.quiz": "x"}
    assert any("given twice" in p for p in config.problems)


def test_unknown_names_are_reported_and_cut() -> None:
    paths.config_path().write_text(
        f'[ui]\nlanguage = "{"[bold]" * 100}"\nfont = 3\n["{"s" * 500}"]\na = 1\n')
    problems = load_config().problems
    assert len(problems) == 3
    assert any("unknown setting ui.font (known: language, theme)" in p for p in problems)
    assert all(len(p) < 300 for p in problems)


def test_quizapp_home_a_file_leaves_the_config_to_defaults(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    home = tmp_path / "file"
    home.write_text("")
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    config = load_config()
    assert len(config.problems) == 1 and "cannot use the quizapp home" in config.problems[0]


@pytest.mark.parametrize("argv", [
    ["progress", "settings", "--learning-steps", "100000000000d"],
    ["progress", "settings", "--relearning-steps", "1" * 400 + "s"],
    ["progress", "settings", "--learning-steps", "0m"],
    ["progress", "settings", "--learning-steps", "x" * 10000],
    ["progress", "settings", "--new-per-day", "99999999999999999999"],
    ["progress", "settings", "--new-per-day", "-1"],
    ["progress", "settings", "--retention", "nan"],
    ["progress", "settings", "--retention", "1e999"],
    ["progress", "settings", "--retention", "-inf"],
    ["quiz", "-n", "100000000000000000000"],
    ["quiz", "-n", "0"],
])
def test_overflowing_option_values_are_one_line(argv: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("quizapp: ") and len(err) < 300, err
    assert main(["progress", "settings"]) == 0  # nothing half-saved
