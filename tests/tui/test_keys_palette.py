"""The help screen, remapping keys from the config file, and the command palette."""

from __future__ import annotations

from typing import Any

from quizapp.core.config import Config
from quizapp.tui.keys import known_binding_ids
from quizapp.tui.screens.help import HelpScreen
from quizapp.tui.screens.quiz import QuizScreen
from quizapp.tui.screens.setup import QuizSetupScreen

from .conftest import type_text


async def test_help_lists_every_key(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        from quizapp.tui.keys import binding_sections

        # Every key is there, in the user's words: its explanation, never its binding id.
        for section in binding_sections():
            if section.title == "Help":
                continue
            for binding in section.bindings:
                assert (binding.tooltip or binding.description) in text, binding.id
        for binding_id in known_binding_ids():
            assert binding_id not in text, binding_id
        # On home, home's keys come first, then the ones that work everywhere.
        titles = [str(w.render()) for w in app.screen.query(".help-section")]
        assert titles[:2] == ["Home", "Everywhere"]
        assert "TopicPicker" not in text and "RatingBar" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_remapped_from_the_config(make_app: Any) -> None:
    app = make_app(config=Config(keys={"home.quiz": "x", "nonsense.id": "z"}))
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.pause()
        assert any("nonsense.id" in n.message for n in app._notifications)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, QuizSetupScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, QuizSetupScreen)
        await pilot.press("escape", "f1")
        await pilot.pause()
        rows = [row for row in app.screen.query(".help-row")
                if "Choose topics, kinds" in str(row.query_one(".help-text").render())]
        assert str(rows[0].query_one(".help-keys").render()).strip() == "x"  # the remap


async def test_palette_jumps_to_a_topic(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Quiz: B05 RMSNorm")
        await app.workers.wait_for_complete()  # the palette searches in a worker
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert all("rmsnorm" in q.topics for q in app.screen.questions)


async def test_palette_jumps_to_a_drill(make_app: Any) -> None:
    from quizapp.tui.commands import JumpProvider
    from quizapp.tui.screens.drill import DrillScreen

    app = make_app(drills=True, warm_grader=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        provider = JumpProvider(app.screen)
        hits = [hit async for hit in provider.search("rmsnorm")]
        drill_hits = [h for h in hits if h.help == "rmsnorm"]
        assert drill_hits
        drill_hits[0].command()
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        labels = [hit.text async for hit in provider.discover()]
        assert "Mock interview" in labels and any(label.startswith("Quiz: ") for label in labels)
