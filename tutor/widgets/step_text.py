"""The step's prose pane: the explanation, the exercise's task apart, then hints.

The task (see `tutor.lessons.task`) is marked at every size and, on a small
terminal while the learner types, is all that stays above the editor with the
hints (the `-typing` class; the layout lives in the lesson screen's styles).

Until the app's first frame is out the parts are plain text: importing Textual's
Markdown (with markdown-it and Pygments) and building its blocks is a good share of
a start. The same words then come back as Markdown in one batch, a few frames later.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Static

from tutor.lessons.task import split_task
from tutor.widgets.first_frame import after_first_frame

PARTS = ("step-text", "step-task", "hints")
FENCE = re.compile(r"\s*(```|~~~)")
BLOCK_START = re.compile(r"\s*([-*+>|#]|\d+[.)])")
"""Lines that start their own block in Markdown (list items, quotes, tables, headings)."""


class StepText(VerticalScroll):
    """Three parts rendered separately, so each can be shown or hidden."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._texts = dict.fromkeys(PARTS, "")
        """Each part's Markdown, kept for the switch from plain text to Markdown."""

    def compose(self) -> ComposeResult:
        for part in PARTS:
            yield Static(id=part, classes="-empty", markup=False)

    def on_mount(self) -> None:
        after_first_frame(self, self._load_markdown)

    async def _load_markdown(self) -> None:
        from tutor.widgets.prose import Prose

        parts = [Prose(id=part) for part in PARTS]
        for prose in parts:
            prose.set_class(not self._texts[prose.id or ""].strip(), "-empty")
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(parts)
            for prose in parts:
                await prose.update(self._texts[prose.id or ""])

    def show(self, text: str, *, exercise: bool) -> None:
        """`text` (already for the device); an exercise's task goes to its own part."""
        explanation, task = split_task(text) if exercise else (text, "")
        # No heading: the title bar above names the step, and rows are precious at 80x24.
        self._show("step-text", explanation + "\n")
        self._show("step-task", task)

    def show_problems(self, markdown: str) -> None:
        """What is wrong with the lesson file, in place of the text until it is fixed."""
        self._show("step-task", "")
        self._show("step-text", markdown)

    def show_hints(self, parts: list[str]) -> AwaitComplete:
        return self._show("hints", "\n\n".join(parts))

    def set_typing(self, typing: bool) -> None:
        self.set_class(typing, "-typing")

    def page(self, direction: int) -> None:
        """Scroll a page, with the whole text back (out of typing mode)."""
        self.set_typing(False)
        self.scroll_relative(y=direction * max(self.size.height - 2, 1), animate=False)

    def _show(self, part: str, text: str) -> AwaitComplete:
        self._texts[part] = text
        try:
            widget = self.query_one(f"#{part}")
        except NoMatches:  # between plain text and Markdown: `_load_markdown` shows it
            return AwaitComplete(_nothing())
        widget.set_class(not text.strip(), "-empty")
        if isinstance(widget, Static):
            widget.update(plain_text(text))
            return AwaitComplete(_nothing())
        return widget.update(text)  # type: ignore[attr-defined]


async def _nothing() -> None:
    """What there is to await when a part changed at once."""


def plain_text(markdown: str) -> str:
    """`markdown` as it reads before it is rendered: paragraphs joined into lines as
    Markdown joins them (so they wrap at the pane's width), fenced code line by line."""
    lines: list[str] = []
    paragraph: list[str] = []
    fenced = False

    def end_paragraph() -> None:
        if paragraph:
            lines.append(" ".join(paragraph))
            paragraph.clear()

    for line in markdown.splitlines():
        if FENCE.match(line):
            end_paragraph()
            fenced = not fenced
        elif fenced:
            lines.append("  " + line)
        elif not line.strip():
            end_paragraph()
            lines.append("")
        elif BLOCK_START.match(line):
            end_paragraph()
            paragraph.append(line.rstrip())
        else:
            paragraph.append(line.strip())
    end_paragraph()
    return "\n".join(lines).strip("\n")
