"""Text widgets that understand the content's maths: Markdown blocks and inline labels.

Content texts are Markdown with optional `$…$` LaTeX. `MathMarkdown` runs them through
`mathtext.render_markdown` before Textual's Markdown sees them; `inline_content` turns a short
text (an option, a key point) into styled `Content` for one-line labels: maths as Unicode,
`code` highlighted, `**bold**` bold, everything else literal.
"""

from __future__ import annotations

import re

from textual.content import Content
from textual.widgets import Markdown

from quizapp.tui.mathtext import render_markdown, render_plain

_INLINE = re.compile(r"(`+)(.+?)\1|\*\*(.+?)\*\*")


class MathMarkdown(Markdown):
    """Markdown whose `$…$` maths is shown as readable Unicode (never swallowed)."""

    DEFAULT_CSS = """
    MathMarkdown { padding: 0; margin: 0; }
    MathMarkdown > MarkdownParagraph:last-child { margin-bottom: 0; }
    """

    def __init__(self, markdown: str = "", **kwargs: object) -> None:
        super().__init__(render_markdown(markdown), open_links=False, **kwargs)  # type: ignore[arg-type]

    def show(self, markdown: str) -> None:
        """Replace the text (maths rendered first)."""
        self.update(render_markdown(markdown))


def inline_content(text: str, base_style: str = "") -> Content:
    """A short Markdown text as styled Content: maths, `code` and **bold** only."""
    text = render_plain(text.strip())
    pieces: list[tuple[str, str] | str] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            pieces.append((text[pos:match.start()], base_style))
        if match.group(2) is not None:
            pieces.append((match.group(2).strip(), f"{base_style} $text-accent".strip()))
        else:
            pieces.append((match.group(3), f"{base_style} bold".strip()))
        pos = match.end()
    if pos < len(text):
        pieces.append((text[pos:], base_style))
    return Content.assemble(*pieces)
