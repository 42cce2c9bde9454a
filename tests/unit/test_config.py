"""The user's config file: defaults, values, and one clear line per problem."""

from __future__ import annotations

from pathlib import Path

from quizapp.core import paths
from quizapp.core.config import Config, load_config


def write(text: str) -> Path:
    path = paths.config_path()
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_means_defaults() -> None:
    assert load_config() == Config()


def test_values_are_read() -> None:
    write('[ui]\nlanguage = "zh"\ntheme = "nord"\n'
          '[quiz]\nlength = 15\nmock_length = 6\nmock_minutes = 30\n'
          '[content]\nquestion_dirs = ["~/qs"]\n'
          '[keys]\n"home.quiz" = "x, ctrl+x"\n')
    config = load_config()
    assert config.language == "zh" and config.theme == "nord"
    assert (config.quiz_length, config.mock_length, config.mock_minutes) == (15, 6, 30)
    assert config.question_dirs == (Path("~/qs").expanduser(),)
    assert config.keys == {"home.quiz": "x,ctrl+x"}
    assert config.problems == ()


def test_bad_values_are_reported_and_defaulted() -> None:
    path = write('[ui]\nlanguage = "fr"\n[quiz]\nlength = 0\nmock_minutes = true\n'
                 'colour = 3\n[sound]\non = true\n[keys]\n"home.quiz" = ""\n')
    config = load_config()
    assert config.language is None and config.quiz_length == 10 and config.mock_minutes == 20
    assert config.keys == {}
    assert all(p.startswith(f"{path}: ") for p in config.problems)
    text = "\n".join(config.problems)
    for needle in ("ui.language must be one of en, zh", "quiz.length must be a whole number",
                   "quiz.mock_minutes", "unknown setting quiz.colour",
                   "unknown section [sound]", "[keys] home.quiz"):
        assert needle in text


def test_invalid_toml_is_one_line() -> None:
    write("[ui\nlanguage = zh\n")
    config = load_config()
    assert config == Config(problems=config.problems)
    assert len(config.problems) == 1 and "invalid TOML" in config.problems[0]
    assert "\n" not in config.problems[0]


def test_not_utf8() -> None:
    paths.config_path().write_bytes(b"\xff\xfe[ui]")
    assert "not UTF-8" in load_config().problems[0]
