"""Every string of the quizapp UI, in English and Chinese.

The English text is the key (as with gettext): code writes `tr("Quit", lang)`, and binding
descriptions and tooltips are declared in English and translated where they are shown (the
footer, the help screen). `ZH` maps each English string to its Chinese. Format fields such as
`{n}` are filled after translation: `tr("{n} questions", lang).format(n=3)`.
A test walks the package for `tr("…")` calls and `Binding(...)` texts and checks each has a
translation here.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def tr(text: str, lang: str) -> str:
    """`text` (English) in `lang`; English when there is no translation."""
    if lang == "zh":
        return ZH.get(text, text)
    return text


ZH: dict[str, str] = {
}
