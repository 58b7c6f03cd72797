"""The step's prose pane: the explanation, the exercise's task apart, then hints.

The task (see `tutor.lessons.task`) is marked at every size and, on a small
terminal while the learner types, is all that stays above the editor with the
hints (the `-typing` class; the layout lives in the lesson screen's styles).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import VerticalScroll

from tutor.lessons.task import split_task
from tutor.widgets.prose import Prose


class StepText(VerticalScroll):
    """Three Markdown parts that are rendered separately, so each can be shown or hidden."""

    def compose(self) -> ComposeResult:
        yield Prose(id="step-text")
        yield Prose(id="step-task")
        yield Prose(id="hints")

    def show(self, text: str, *, exercise: bool) -> None:
        """`text` (already for the device); an exercise's task goes to its own part."""
        explanation, task = split_task(text) if exercise else (text, "")
        # No heading: the title bar above names the step, and rows are precious at 80x24.
        self._show("#step-text", explanation + "\n")
        self._show("#step-task", task)

    def show_problems(self, markdown: str) -> None:
        """What is wrong with the lesson file, in place of the text until it is fixed."""
        self._show("#step-task", "")
        self._show("#step-text", markdown)

    def show_hints(self, parts: list[str]) -> AwaitComplete:
        return self._show("#hints", "\n\n".join(parts))

    def set_typing(self, typing: bool) -> None:
        self.set_class(typing, "-typing")

    def page(self, direction: int) -> None:
        """Scroll a page, with the whole text back (out of typing mode)."""
        self.set_typing(False)
        self.scroll_relative(y=direction * max(self.size.height - 2, 1), animate=False)

    def _show(self, selector: str, text: str) -> AwaitComplete:
        prose = self.query_one(selector, Prose)
        prose.set_class(not text.strip(), "-empty")
        return prose.update(text)
