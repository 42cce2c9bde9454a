"""The command palette's jumps: any screen, any topic (starts a quiz on it), any drill."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from quizapp.core.bank import localize
from quizapp.tui.strings import tr

#: (English label, help, action on the app) of the screens one can jump to.
SCREENS = (
    ("Home", "The start screen", "open('home')"),
    ("New quiz…", "Choose topics, kinds, difficulty and length", "open('setup')"),
    ("Surprise me", "A quiz mixed from the whole bank", "surprise_me"),
    ("Mock interview", "Timed, feedback at the end", "mock_interview"),
    ("Review", "Today's spaced-repetition queue", "open('review')"),
    ("Stats", "Review and mastery statistics", "open('stats')"),
    ("Card browser", "Search cards; suspend, reset, report a problem", "open('cards')"),
    ("Interview date…", "Plan review to cover every card before your interview",
     "interview_date"),
    ("Help", "Every key of the app", "help"),
)


class JumpProvider(Provider):
    """Jump to a screen, start a quiz on a topic or domain, or open a drill."""

    def _targets(self) -> Iterator[tuple[str, str, Callable[[], Any], bool]]:
        """(label, help, callback, shown before typing) for every jump."""
        app: Any = self.app
        lang = app.lang
        for label, help_text, action in SCREENS:
            yield (tr(label, lang), tr(help_text, lang),
                   partial(app.run_action, action), True)
        content = app.content
        if content is None:
            return
        from quizapp.core.quiz import questions_in

        quiz = tr("Quiz", lang)
        for domain, topics in content.taxonomy.domains.items():
            title = topics[0].domain_zh if lang == "zh" else domain
            count = len(questions_in(content.bank, (t.id for t in topics)))
            yield (f"{quiz}: {title}", tr("{n} questions", lang).format(n=count),
                   partial(app.start_domain_quiz, domain), True)
        for topic in content.taxonomy.topics.values():
            count = len(content.bank.by_topic(topic.id))
            if count:
                yield (f"{quiz}: {topic.code} {topic.title(lang)}",
                       tr("{n} questions", lang).format(n=count),
                       partial(app.start_topic_quiz, topic.id), False)
        drill_word = tr("Drill", lang)
        for drill_id, drill in content.drills.items():
            title = localize(drill.title, lang) or drill_id
            yield (f"{drill_word}: {title}", drill_id, partial(app.open_drill, drill_id), True)

    async def discover(self) -> Hits:
        for label, help_text, callback, shown in self._targets():
            if shown:
                yield DiscoveryHit(label, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, callback, _ in self._targets():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=help_text)
