"""`quizapp export anki`: the .apkg read back as the SQLite collection Anki imports."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import pytest
import yaml

from quizapp.cli.main import main
from quizapp.core.anki import (
    CLOZE_MODEL_ID,
    QUESTION_MODEL_ID,
    export_anki,
    note_for,
    pattern_sample,
    shuffled_order,
    stable_id,
)
from quizapp.core.bank import Blank, load_bank, load_taxonomy
from quizapp.core.scoring import blank_correct

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(scope="module")
def fixture_bank():  # noqa: ANN201
    bank = load_bank([FIXTURES / "good"])
    assert not bank.problems
    return bank


def _read(apkg: Path, tmp_path: Path) -> dict:
    """The collection inside `apkg`: notes by GUID, card deck names, models, decks."""
    with zipfile.ZipFile(apkg) as package:
        assert "collection.anki2" in package.namelist()
        db = tmp_path / f"{apkg.stem}.anki2"
        db.write_bytes(package.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        models = json.loads(conn.execute("select models from col").fetchone()[0])
        decks = json.loads(conn.execute("select decks from col").fetchone()[0])
        notes = {guid: {"id": nid, "mid": mid, "fields": flds.split("\x1f"),
                        "tags": tags.split()}
                 for nid, guid, mid, flds, tags in
                 conn.execute("select id, guid, mid, flds, tags from notes")}
        cards = conn.execute("select nid, did, ord from cards").fetchall()
    finally:
        conn.close()
    deck_names = {int(k): v["name"] for k, v in decks.items()}
    by_note = {nid: deck_names[did] for nid, did, _ in cards}
    for note in notes.values():
        note["deck"] = by_note.get(note["id"])
    return {"models": models, "decks": deck_names, "notes": notes, "cards": cards}


def _by_id(collection: dict) -> dict[str, dict]:
    return {note["fields"][-1]: note for note in collection["notes"].values()}


def test_apkg_is_the_collection_anki_reads(fixture_bank, tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    questions = list(fixture_bank.questions.values())
    result = export_anki(tmp_path / "q.apkg", questions, taxonomy, "both")
    assert result.notes == len(questions) == 7 and result.cloze_notes == 1
    got = _read(tmp_path / "q.apkg", tmp_path)
    notes = _by_id(got)
    assert set(notes) == {q.id for q in questions}
    for question in questions:
        note = notes[question.id]
        assert got["notes"][genanki.guid_for(question.id)] is note
        assert note["mid"] == (CLOZE_MODEL_ID if question.kind == "cloze"
                               else QUESTION_MODEL_ID)
        domain = taxonomy.topics[question.topics[0]].domain
        assert note["deck"] == f"quizapp::{domain}"
        assert f"quizapp::kind::{question.kind}" in note["tags"]
    assert got["models"][str(CLOZE_MODEL_ID)]["type"] == 1  # Anki's cloze note type
    assert got["models"][str(QUESTION_MODEL_ID)]["type"] == 0
    assert [f["name"] for f in got["models"][str(QUESTION_MODEL_ID)]["flds"]] == \
        ["Prompt", "Answer", "Explanation", "Source", "Id"]
    assert {"quizapp::Transformer core", "quizapp::Normalisation and residual connections",
            "quizapp::KV cache, efficient attention, inference"} <= set(got["decks"].values())
    assert len(got["cards"]) == 7  # one card per note, the cloze one included (all gaps c1)


def test_reexport_keeps_guids_and_ids(fixture_bank, tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    questions = list(fixture_bank.questions.values())
    export_anki(tmp_path / "a.apkg", questions, taxonomy, "en", timestamp=1_700_000_000)
    export_anki(tmp_path / "b.apkg", questions, taxonomy, "en", timestamp=1_800_000_000)
    a, b = _read(tmp_path / "a.apkg", tmp_path), _read(tmp_path / "b.apkg", tmp_path)
    assert set(a["notes"]) == set(b["notes"]) == {genanki.guid_for(q.id) for q in questions}
    for guid, note in a["notes"].items():
        assert b["notes"][guid]["fields"] == note["fields"]
        assert b["notes"][guid]["deck"] == note["deck"]
    assert a["decks"] == b["decks"] and set(a["models"]) == set(b["models"])


def test_model_ids_are_the_documented_derivation() -> None:
    assert stable_id("quizapp/anki/model/question/v1") == QUESTION_MODEL_ID
    assert stable_id("quizapp/anki/model/cloze/v1") == CLOZE_MODEL_ID
    assert 1 << 30 <= stable_id("quizapp::Decoding") < 1 << 31


def test_each_kind_renders_its_answer(fixture_bank) -> None:
    q = fixture_bank.questions
    single = note_for(q["fixture.attention.scale-why"], "en").fields
    assert single[0].count("<li>") == 3 and "To save memory" in single[0]
    assert "✓ A." in single[1] and "✗ B." in single[1] and "Softmax already does that" in \
        single[1]
    multi = note_for(q["fixture.norms.which-are-norms"], "en").fields
    assert "Choose every correct option" in multi[0] and "A, B</div>" in multi[1]
    numeric = note_for(q["fixture.kv.bytes-per-token"], "en").fields
    assert "524,288 B" in numeric[1] and "512 KiB" in numeric[1]
    assert "2 × 32 × 32 × 128 × 2" in numeric[1]
    short = note_for(q["fixture.norms.rmsnorm-vs-layernorm"], "en").fields
    assert "RMSNorm divides by the RMS" in short[1] and "No mean subtraction" in short[1]
    assert short[1].count("(required)") == 1
    cloze = note_for(q["fixture.attention.cloze-scale"], "en").fields
    assert "{{c1::sqrt(d_k)}}" in cloze[0] and "{{c1::1}}" in cloze[0]
    assert "Fill in the blanks." in cloze[0] and "√d_k" in cloze[1]  # other spellings
    bug = note_for(q["fixture.attention.spot-bug"], "en").fields
    assert "<pre><code>" in bug[0] and '<span class="ln">3</span>  ' \
        "    p = s.softmax(dim=-2)" in bug[0]
    assert "<b>line 2</b>" in bug[1] and "Use dim=-1" in bug[1]
    ordering = q["fixture.norms.prenorm-order"]
    front, back = note_for(ordering, "en").fields[:2]
    assert shuffled_order(ordering) != [0, 1, 2]
    shown = [front.index(localized["en"]) for localized in ordering.items]
    assert shown != sorted(shown)  # the front never gives the order away
    assert back.index("Normalise x") < back.index("Apply the sub-layer F") < \
        back.index("Add the residual x")
    for question in q.values():
        assert note_for(question, "en").fields[3]  # a human source line, never a file name
        assert ".txt" not in note_for(question, "en").fields[3]


def test_languages(fixture_bank) -> None:
    question = fixture_bank.questions["fixture.attention.scale-why"]
    en, zh, both = (note_for(question, lang).fields[0] for lang in ("en", "zh", "both"))
    assert "Why divide" in en and "为什么" not in en
    assert "为什么" in zh and "Why divide" not in zh
    assert "Why divide" in both and "为什么" in both
    assert "Popular interview note" in note_for(question, "en").fields[3]


def test_html_is_escaped_and_maths_goes_to_mathjax(tmp_path: Path) -> None:
    common = {"topics": ["scaled-dot-product-attention"], "difficulty": 1,
              "source": {"refs": ["x"]}, "explanation": {"en": "ok"}}
    hostile = [
        {"id": "t.hostile.html", "kind": "spot_bug", **common,
         "prompt": {"en": "Is <script>alert(1)</script> run? Scores use $\\sqrt{d_k}$, "
                          "costs $5 and $10.\n\n```python\nif a < b: pass\n```"},
         "code": "if a < b and c > d:\n    x = '&amp;'\n",
         "bugs": [{"lines": [1], "summary": {"en": "`<` is wrong"}, "fix": {"en": "use >"}}]},
        {"id": "t.hostile.pattern", "kind": "cloze", **common, "prompt": {"en": "Fill."},
         "cloze": {"template": {"en": "KL is {{kl}}; braces {{b}}."},
                   "blanks": {"kl": {"accept": [r"^\s*(d\s*_?\s*\{?\s*)?kl\s*\}?\s*"
                                                r"\(\s*p\s*(\|\||,)\s*q\s*\)$"],
                                     "regex": True, "shown": "d_{kl}(p||q)"},
                              "b": {"accept": ["a}}b::c"]}}}},
    ]
    (tmp_path / "q.yaml").write_text(yaml.safe_dump(hostile, allow_unicode=True),
                                     encoding="utf-8")
    bank = load_bank([tmp_path])
    assert not bank.problems, bank.problems
    bug = note_for(bank.questions["t.hostile.html"], "en").fields
    assert "<script>" not in bug[0] and "&lt;script&gt;" in bug[0]
    assert "\\(\\sqrt{d_k}\\)" in bug[0] and "costs $5 and $10" in bug[0]
    assert "if a &lt; b: pass" in bug[0]
    assert "if a &lt; b and c &gt; d:" in bug[0] and "&amp;amp;" in bug[0]
    assert "<code>&lt;</code> is wrong" in bug[1]
    cloze = note_for(bank.questions["t.hostile.pattern"], "en").fields[0]
    assert "{{c1::d_&#123;kl&#125;(p||q)}}" in cloze
    assert "{{c1::a&#125;&#125;b&#58;&#58;c}}" in cloze  # cannot end the gap or add a hint


def test_pattern_samples_are_accepted_by_the_grader() -> None:
    for pattern, expected in [
        (r"^(π|pi|p)\s*_?\s*\{?(θ|theta)?\}?\s*\(\s*y\s*(\|\s*x)?\s*\)$", "π_{θ}(y|x)"),
        (r"[-−]\s*q\s*_?\{?(1|₁)\}?", "-q_{1}"),
        (r"^(a|b)+c*$", "a"),
    ]:
        sample = pattern_sample(pattern)
        assert sample == expected
        assert blank_correct(Blank(accept=(pattern,), regex=True), sample)
    assert pattern_sample(r"^.+$") is None  # "any character" has no sensible sample
    assert pattern_sample("(") is None


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rms.apkg"
    assert main(["export", "anki", str(target), "--topic", "rmsnorm", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("exported ") and str(target) in out
    notes = _read(target, tmp_path)["notes"].values()
    bank = load_bank()
    assert len(notes) == len(bank.by_topic("rmsnorm"))
    assert main(["export", "anki", str(tmp_path / "x.apkg"), "--topic", "no-such"]) == 2
    assert capsys.readouterr().err == "quizapp: unknown topic 'no-such'\n"
    assert main(["export", "anki", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("quizapp: ") and ".apkg" in err and err.count("\n") == 1
    missing = tmp_path / "no" / "dir" / "x.apkg"
    assert main(["export", "anki", str(missing), "--topic", "rmsnorm"]) == 1
    assert capsys.readouterr().err == \
        f"quizapp: {missing}: cannot write (No such file or directory)\n"
    assert not list(tmp_path.rglob("*.part"))


def test_parser_does_not_import_genanki() -> None:
    probe = ("import quizapp.cli.main as m, sys\nm.build_parser()\n"
             "print('genanki' in sys.modules, 'markdown_it' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
