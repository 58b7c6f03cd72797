"""Learner-controlled text is drawn as text: never markup, no control codes, bounded cost.

Each widget that shows names, values, output, tracebacks, messages, notifications or
lesson text from a third-party pack gets the same hostile strings.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from tutor.lessons.model import Catalog, Lesson, Step
from tutor.progress import Progress
from tutor.sandbox.protocol import Finished, Variable
from tutor.widgets.lesson_tree import LessonTree
from tutor.widgets.plain import LINE_LIMIT, LineBuffer, literal, plain, shorten
from tutor.widgets.results import ResultsPane
from tutor.widgets.variables import VariablesTable

HOSTILE = [
    "[/]",
    "[@click=app.quit]q[/]",
    "[bold red]unclosed",
    "\x1b[2J\x1b]0;title\x07\r\x00\x9b",
    "[" * 3000 + "]" * 3000,
    "x" * 3_000_000,
]


def test_shorten_keeps_head_and_tail_and_counts_the_rest() -> None:
    text = "a" * 10 + "b" * 100_000 + "c" * 10
    short = shorten(text, 100)
    assert short.startswith("a" * 10) and short.endswith("c" * 10)
    assert "(99,920 characters not shown)" in short
    assert len(short) < 200
    assert str(plain("[b]\x1b")) == "[b]\\x1b"


def test_line_buffer_keeps_a_huge_line_in_bounded_memory() -> None:
    buffer = LineBuffer(limit=100)
    for _ in range(1000):
        buffer.add("y" * 1000)
    assert len(buffer.head) == 75 and len(buffer.tail) == 25
    assert buffer.hidden == 1_000_000 - 100
    assert f"({buffer.hidden:,} characters not shown)" in buffer.text()


def lesson_with_titles(title: str) -> Catalog:
    path = Path("pack.md")
    step = Step(lesson_id="pack", id="s", title=title, text=title, line=1)
    return Catalog((Lesson("pack", title, 1, title, path, steps=(step,)),))


class Widgets(App[None]):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.catalog = lesson_with_titles(title)

    def compose(self) -> ComposeResult:
        yield LessonTree(self.catalog, Progress())
        yield ResultsPane()


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_every_widget_shows_hostile_text_plainly(text: str) -> None:
    app = Widgets(text)
    async with app.run_test(size=(80, 40)) as pilot:
        app.query_one(LessonTree).root.expand_all()
        await pilot.pause()  # the results' tabs come up after the first frame
        results = app.query_one(ResultsPane)
        started = time.monotonic()
        results.output.append("stdout", f"{text}\nmore {text}")
        results.output.append("stderr", text)
        results.output.flush()
        results.query_one(VariablesTable).show(
            [Variable(text, text, (1,), text, text, True), Variable("ok", "int")]
        )
        results.show_finished(Finished("error", reason=text, traceback=text), check=False)
        results.set_verdict(text, "-fail")
        app.notify(text, markup=False)
        for tab in ("variables-tab", "plot-tab", "output-tab"):
            results.tabs.active = tab
            await pilot.pause()
        await pilot.click(LessonTree, offset=(4, 0))
        await pilot.pause()
        assert app.is_running, "no link or markup quit the app"
        assert time.monotonic() - started < 10
        lines = [line.text for line in results.output.lines]
        assert len(lines) < 4 * 2 * LINE_LIMIT / 70, "a huge line is drawn as head and tail"
        if len(text) < LINE_LIMIT:
            assert literal(text) in lines[0], "brackets shown as typed, control codes escaped"
        verdict = str(results.query_one("#verdict").render())
        assert "\x1b" not in verdict and "\x00" not in verdict
        assert len(verdict) < 2 * LINE_LIMIT
