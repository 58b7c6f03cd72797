"""Lesson prose: Textual's Markdown, with unlabelled code fences shown as plain text.

A fence without a language makes Textual ask Pygments to guess one, and guessing
imports every lexer Pygments has: about a second the first time, on the way to the
first paint of any step whose text shows printed output in a bare fence. Lessons
label their code (```python); what is left unlabelled is output, so plain text is
also the right rendering, and it needs no Pygments at all (even its lexer table
costs about 40 ms to import).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets.markdown import Markdown, MarkdownBlock, MarkdownFence


class PlainFence(MarkdownFence):
    """A code fence highlighted in its own language, or shown as plain text if it has none."""

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False) -> Content:
        if not language:
            return Content("\n".join(code.splitlines())).stylize_before("$text")
        return super().highlight(code, language, ansi, dark)


class Prose(Markdown):
    """Markdown for lesson text, hints and previews."""

    BLOCKS: dict[str, type[MarkdownBlock]] = {
        **Markdown.BLOCKS,
        "fence": PlainFence,
        "code_block": PlainFence,
    }
