"""Every UI string has a Chinese translation, and every key binding is remappable and
explained (an id and a tooltip)."""

from __future__ import annotations

import ast
from pathlib import Path

import quizapp.tui as tui
from quizapp.tui.keys import binding_sections, known_binding_ids
from quizapp.tui.strings import ZH, tr

TUI = Path(tui.__file__).parent
#: Modules of other helpers (they keep their own strings in strings.py too, but are theirs).
OTHERS = ("screens/review.py", "screens/stats.py", "widgets/review/")


def _own_modules() -> list[Path]:
    return [p for p in TUI.rglob("*.py")
            if not any(str(p.relative_to(TUI)).startswith(o) for o in OTHERS)]


def literal_tr_calls() -> set[str]:
    """The first argument of every `tr("…", …)` call with a literal string."""
    found = set()
    for path in _own_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" \
                    and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def table_strings() -> set[str]:
    """Strings translated through a lookup table rather than a literal call."""
    from quizapp.tui.commands import SCREENS
    from quizapp.tui.screens.setup import DIFFICULTIES
    from quizapp.tui.widgets.drill.results import STATUS_STYLES, VERDICTS
    from quizapp.tui.widgets.home.panels import MODES
    from quizapp.tui.widgets.question.numeric import UNIT_HINTS
    from quizapp.tui.widgets.question.view import KIND_HELP, KIND_NAMES

    found = set(KIND_NAMES.values()) | set(KIND_HELP.values()) | set(DIFFICULTIES.values())
    found |= set(UNIT_HINTS.values()) | set(STATUS_STYLES) | set(VERDICTS)
    found |= {text for _, text in MODES}
    for label, help_text, _ in SCREENS:
        found |= {label, help_text}
    return found


def binding_strings() -> set[str]:
    found = set()
    for section in binding_sections():
        if any(section.module.startswith("quizapp.tui." + o.replace("/", ".").removesuffix(".py"))
               for o in OTHERS):
            continue
        found.add(section.title)
        for binding in section.bindings:
            if binding.description:
                found.add(binding.description)
            if binding.tooltip:
                found.add(binding.tooltip)
    return found


def test_every_ui_string_has_a_chinese_translation() -> None:
    needed = literal_tr_calls() | table_strings() | binding_strings()
    missing = sorted(s for s in needed if s not in ZH and not s.startswith("中文"))
    assert not missing, "add to quizapp/tui/strings.py ZH:\n" + "\n".join(missing)


def test_translations_keep_their_format_fields() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    broken = [en for en, zh in ZH.items() if fields(en) != fields(zh)]
    assert not broken


def test_tr_falls_back_to_english() -> None:
    assert tr("Quit", "zh") == ZH["Quit"]
    assert tr("Quit", "en") == "Quit"
    assert tr("no such string anywhere", "zh") == "no such string anywhere"


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    seen: dict[str, str] = {}
    for section in binding_sections():
        for binding in section.bindings:
            assert binding.id, f"{section.title}: binding {binding.key} has no id"
            assert binding.tooltip, f"{section.title}: binding {binding.id} has no tooltip"
            # One id, one meaning: the config file remaps by id.
            assert seen.setdefault(binding.id, section.title) == section.title, binding.id
    assert {"app.quit", "home.quiz", "drill.grade", "quiz.next"} <= known_binding_ids()
