"""Widgets of the review and stats screens.

Importing this package adds the Chinese of their strings to `quizapp.tui.strings.ZH`
(without overriding a translation already there), so `tr()` finds them.
"""

from quizapp.tui.strings import ZH
from quizapp.tui.widgets.review.zh import REVIEW_ZH

for _english, _chinese in REVIEW_ZH.items():
    ZH.setdefault(_english, _chinese)
