"""The loader and validator: every problem of every file, as path:line: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.core.bank import KINDS, load_bank, load_taxonomy

FIXTURES = Path(__file__).parent.parent / "fixtures"
SHARED_TOPICS = Path(__file__).resolve().parents[3] / "shared" / "content" / "topics.yaml"


def test_good_fixture_loads_every_kind() -> None:
    bank = load_bank([FIXTURES / "good"])
    assert bank.problems == []
    assert {q.kind for q in bank.questions.values()} == set(KINDS)
    q = bank.questions["fixture.kv.bytes-per-token"]
    assert q.numeric is not None and q.numeric.unit == "bytes"
    assert q.languages == {"en", "zh"}
    source_lines = (FIXTURES / "good" / "sample.yaml").read_text().splitlines()
    assert "id: fixture.kv.bytes-per-token" in source_lines[q.line - 1]


def test_broken_fixtures_report_each_problem_with_its_line(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.chdir(FIXTURES)
    bank = load_bank([Path("broken")])
    lines = sorted(str(p) for p in bank.problems)
    expected = [
        "broken/bad_yaml.yaml:5: invalid YAML: found unexpected end of stream "
        "(while scanning a quoted scalar started at line 3)",
        "broken/dup_b.yaml:1: duplicate id 'broken.dup' (first defined at broken/dup_a.yaml:1)",
        "broken/problems.yaml:6: question 'broken.unknown-topic': unknown topic 'ropee' "
        "(did you mean 'rope'?)",
        "broken/problems.yaml:21: question 'broken.wrong-work': 'work' evaluates to 10, "
        "not the answer 11",
        "broken/problems.yaml:25: question 'broken.no-right-choice': 'difficulty' must be an "
        "integer from 1 to 5, got 9",
        "broken/problems.yaml:26: question 'broken.no-right-choice': a seed needs its 'section'",
        "broken/problems.yaml:29: question 'broken.no-right-choice': unknown field "
        "'explaination' (did you mean 'explanation'?)",
        "broken/problems.yaml:30: question 'broken.no-right-choice': a single-choice question "
        "needs exactly one correct choice, found 0",
        "broken/problems.yaml:39: question 'broken.bad-cloze': 'explanation' must be a mapping "
        "of languages like {en: ..., zh: ...}, got a plain string",
        "broken/problems.yaml:41: question 'broken.bad-cloze': template.en has slots with no "
        "blank: y",
        "broken/problems.yaml:55: question 'broken.spot-bug-line' bug 1: line 7 is outside the "
        "code (1–2)",
    ]
    for line in expected:
        assert line in lines
    missing_fields = [x for x in lines if "broken.missing-fields" in x]
    assert len(missing_fields) == 5  # source, choices, difficulty, prompt, explanation
    # Files with problems are skipped whole; the valid one still loads.
    assert set(bank.questions) == {"broken.dup"}
    assert sorted(p.name for p in bank.skipped) == ["bad_yaml.yaml", "dup_b.yaml",
                                                    "problems.yaml"]


def test_valid_files_load_beside_broken_ones() -> None:
    bank = load_bank([FIXTURES / "good", FIXTURES / "broken"])
    assert "fixture.attention.scale-why" in bank.questions
    assert bank.problems


def test_duplicate_key_in_a_mapping_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text((FIXTURES / "good" / "sample.yaml").read_text().replace(
        "  difficulty: 2\n  source: {seed", "  difficulty: 2\n  difficulty: 3\n  source: {seed", 1))
    bank = load_bank([path])
    assert any("duplicate key 'difficulty'" in p.message and p.line == 6 for p in bank.problems)


def test_top_level_must_be_a_list(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("id: x\nkind: single\n")
    bank = load_bank([path])
    assert [p.message for p in bank.problems] == ["a question file must be a YAML list of "
                                                   "questions"]


def test_user_question_dirs_from_environment(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "extra.yaml").write_text((FIXTURES / "good" / "sample.yaml").read_text()
                                     .replace("fixture.", "mine."))
    monkeypatch.setenv("QUIZAPP_QUESTION_DIRS", str(mine))
    bank = load_bank()
    assert "mine.kv.bytes-per-token" in bank.questions


def test_taxonomy_keeps_every_shared_id_and_adds_chinese() -> None:
    taxonomy = load_taxonomy()
    if SHARED_TOPICS.exists():
        import yaml

        shared = {t["id"] for t in yaml.safe_load(SHARED_TOPICS.read_text())}
        assert shared <= set(taxonomy.topics)
    assert len(taxonomy.topics) >= 111
    assert all(t.zh for t in taxonomy.topics.values())
    assert len(taxonomy.domains) == 14


def test_cache_returns_the_same_bank_and_notices_edits(tmp_path: Path) -> None:
    import os

    root = tmp_path / "qs"
    root.mkdir()
    path = root / "sample.yaml"
    text = (FIXTURES / "good" / "sample.yaml").read_text()
    path.write_text(text)
    first = load_bank([root])
    again = load_bank([root])
    assert set(again.questions) == set(first.questions) and again.problems == []
    path.write_text(text.replace("difficulty: 3", "difficulty: 30", 1))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    edited = load_bank([root])
    assert edited.problems and not edited.questions


def test_user_question_dirs_from_the_config_file(tmp_path: Path, quizapp_home: Path) -> None:
    mine = tmp_path / "from-config"
    mine.mkdir()
    (mine / "extra.yaml").write_text((FIXTURES / "good" / "sample.yaml").read_text()
                                     .replace("fixture.", "cfg."))
    quizapp_home.mkdir(parents=True, exist_ok=True)
    (quizapp_home / "config.toml").write_text(f'[content]\nquestion_dirs = ["{mine}"]\n')
    assert "cfg.kv.bytes-per-token" in load_bank().questions
