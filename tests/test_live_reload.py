"""`tutor --lessons DIR`: saving a lesson file updates the open app (Pilot)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Markdown

from tests.fakes import FakeSupervisor
from tests.lesson_texts import lesson
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.lessons.watch import LessonWatcher
from tutor.progress import ProgressStore
from tutor.screens.lesson import LessonScreen
from tutor.widgets.lesson_tree import LessonTree


async def wait_for(pilot: Pilot, condition, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def step_text(app: TutorApp) -> str:
    """The explanation and the task (an exercise's last paragraph, shown apart)."""
    parts = ("#step-text", "#step-task")
    return "".join(app.screen.query_one(part, Markdown).source for part in parts)


async def test_an_edited_lesson_file_updates_the_open_step(write_lesson, tutor_home: Path) -> None:
    path = write_lesson("01-tiny.md", lesson())
    catalog = load_catalog([path.parent])
    start = catalog.find_step("tiny/make-x")
    app = TutorApp(
        catalog,
        ProgressStore(tutor_home / "progress.db"),
        start=start,
        open_start=True,
        supervisor=FakeSupervisor(),
        watcher=LessonWatcher([path.parent]),
        watch_interval=0.05,
    )
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        screen.editor.load_text("x = 'my own code'")
        assert "holding 1, 2, 3" in step_text(app)

        edited = (
            lesson()
            .replace("holding 1, 2, 3", "holding one, two and three")
            .replace("Use a decimal point.", "Write 1.0, not 1.")
            .replace("values=[1, 2, 3])", "values=[1, 2, 3])\nexpect(True, 'edited check')")
        )
        path.write_text(edited, encoding="utf-8")
        await wait_for(pilot, lambda: "one, two and three" in step_text(app), "new text")
        assert screen.step.hints == ("Write 1.0, not 1.",)
        assert "edited check" in screen.step.exercise.checks[0].source
        assert screen.editor.text == "x = 'my own code'", "the learner's code is kept"
        assert app.catalog.find_step("tiny/make-x") is screen.step

        path.write_text(edited.replace("order: 1", "order: one"), encoding="utf-8")
        await wait_for(pilot, lambda: "has problems" in step_text(app), "lint errors shown")
        assert "line 4: `order` must be a whole number, got 'one'" in step_text(app)
        await pilot.press("f8")  # moving on from a broken lesson is refused, not a crash
        assert app.screen is screen

        path.write_text(edited, encoding="utf-8")
        await wait_for(pilot, lambda: "one, two and three" in step_text(app), "fixed again")
        assert screen.editor.text == "x = 'my own code'"

        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LessonScreen), "the lesson list")
        (node,) = app.screen.query_one(LessonTree).root.children
        assert node.data.steps[1].text.endswith("holding one, two and three.")


async def test_no_watcher_without_a_lessons_folder(write_lesson, tutor_home: Path) -> None:
    """The bundled lessons are not polled: a learner never edits them."""
    from tutor.cli import _watcher, build_parser

    assert _watcher(build_parser().parse_args([])) is None
    path = write_lesson("01-tiny.md", lesson())
    watcher = _watcher(build_parser().parse_args(["--lessons", str(path.parent)]))
    assert watcher is not None and watcher.poll() is None
    path.write_text(lesson(title="Renamed"), encoding="utf-8")
    catalog = watcher.poll()
    assert catalog is not None and catalog.lessons[0].title == "Renamed"
    assert watcher.poll() is None
