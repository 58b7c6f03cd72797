"""App flows driven through Textual's Pilot: browse, open, step through, resume, quit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tests.lesson_texts import lesson
from tutor.app import TutorApp
from tutor.course import resume_step
from tutor.lessons.loader import load_catalog
from tutor.lessons.model import BrokenLesson, CheckReport, Lesson, Step
from tutor.progress import ProgressStore
from tutor.sandbox.protocol import Finished
from tutor.screens.home import HomeScreen
from tutor.screens.lesson import LessonScreen
from tutor.widgets.lesson_tree import LessonTree


def make_app(home: Path, lessons: Path = FIXTURE_LESSONS) -> TutorApp:
    catalog = load_catalog([lessons])
    store = ProgressStore(home / "progress.db")
    return TutorApp(
        catalog, store, start=resume_step(catalog, store.progress), supervisor=FakeSupervisor()
    )


async def test_first_launch_lists_lessons_with_cursor_on_the_first_step(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        tree = app.screen.query_one(LessonTree)
        assert isinstance(tree.root.children[0].data, Lesson)
        assert tree.cursor_node.data.key == "tensors/what-is-a-tensor"
        assert app.sub_title == "cpu · 2 threads · ready · 0/4 done"


async def test_open_step_walk_and_go_back(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter")
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.step.key == "tensors/what-is-a-tensor"
        await pilot.press("f8")
        assert app.screen.step.key == "tensors/from-a-list"
        await pilot.press("f8")
        assert app.screen.step.key == "tensors/dtypes"
        await pilot.press("f7", "f7")
        assert app.screen.step.key == "tensors/what-is-a-tensor"
        await pilot.press("f7")
        assert app.screen.step.key == "tensors/what-is-a-tensor", "the first step stays put"
        assert app.store.progress.last_step == "tensors/what-is-a-tensor"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_step_text_is_rendered_markdown(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8")
        await pilot.pause()
        title = str(app.screen.query_one("#step-title").render())
        assert "Tensors · step 2/" in title and "From a list" in title and "exercise" in title
        task = app.screen.query_one("#step-task")
        assert "Create a tensor" in task.source, "the exercise's task, shown apart"


async def test_reopening_resumes_on_the_last_step(tutor_home: Path) -> None:
    async with make_app(tutor_home).run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8", "f8")
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.step.key == "tensors/dtypes"


async def test_done_marks_show_in_the_tree(tutor_home: Path) -> None:
    ProgressStore(tutor_home / "progress.db").mark_done("tensors/from-a-list")
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.pause()
        labels = [
            str(node.label) for node in app.screen.query_one(LessonTree).root.children[0].children
        ]
        assert "✓ From a list" in labels and "○ Data types" in labels
        assert app.sub_title.endswith("· 1/4 done")


async def test_broken_lesson_is_shown_with_its_error(tutor_home: Path, write_lesson) -> None:
    write_lesson("01-good.md", lesson(id="good"))
    folder = write_lesson(
        "02-bad.md", lesson(id="bad", order=2).replace("order: 2", "order: two")
    ).parent
    app = make_app(tutor_home, folder)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(LessonTree)
        broken = [node for node in tree.root.children if isinstance(node.data, BrokenLesson)]
        assert len(broken) == 1
        assert "cannot load" in str(broken[0].label)
        tree.move_cursor(broken[0])
        await pilot.pause(0.3)
        await app.screen.show_preview()
        assert "`order` must be a whole number" in app.screen.query_one("#preview").source


async def test_command_palette_opens_a_lesson(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.press(*"open lesson tensors")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert isinstance(app.screen.step, Step)


async def test_ctrl_q_quits(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.press("enter", "ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_help_toggle_plot_and_theme_on_the_lesson_screen(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8")
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        await pilot.press("f1")
        await pilot.pause()
        keys = app.screen.query_one("Markdown").source
        assert "`f5` or `^r`" in keys and "`?`" in keys and "Run your code in the sandbox" in keys
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("f9")
        assert screen.query_one("#results").active == "plot-tab"
        await pilot.press("alt+g")
        assert screen.query_one("#results").active == "output-tab"
        dark = app.current_theme.dark
        await pilot.press("alt+d")
        assert app.current_theme.dark != dark


async def test_fake_run_and_check_flow_marks_progress(tutor_home: Path) -> None:
    """The screen's bookkeeping around a check, independent of a real worker."""
    app = make_app(tutor_home)
    app.supervisor.finished = Finished("ok", check=CheckReport(True, "all checks passed"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8", "f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.supervisor.requests[-1][0] == "check"
        assert "✓ PASS" in str(app.screen.query_one("#verdict").render())
        assert app.store.progress.is_done("tensors/from-a-list")


async def test_resume_key_opens_the_saved_step(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8", "f8", "escape", "escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("up", "r")
        assert app.screen.step.key == "tensors/dtypes"


class HeldSupervisor(FakeSupervisor):
    """Holds a check open until the test lets it finish, like a long training check."""

    def __init__(self) -> None:
        super().__init__(finished=Finished("ok", check=CheckReport(True, "all checks passed")))
        self.release = asyncio.Event()

    async def check(self, code: str, *, key: str, on_event=None, **_: object) -> Finished:
        await self.release.wait()
        return await super().check(code, key=key, on_event=on_event)


async def test_a_pass_is_recorded_even_after_moving_on(tutor_home: Path) -> None:
    catalog = load_catalog([FIXTURE_LESSONS])
    supervisor = HeldSupervisor()
    store = ProgressStore(tutor_home / "progress.db")
    start = catalog.find_step("tensors/from-a-list")
    app = TutorApp(catalog, store, start=start, open_start=True, supervisor=supervisor)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("f6", "f8")
        assert app.screen.step.key == "tensors/dtypes"
        supervisor.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.progress.is_done("tensors/from-a-list")
        assert "PASS" not in str(app.screen.query_one("#verdict").render()), "shown on its own step"
        assert app.sub_title.endswith("1/4 done")


async def test_focus_returns_to_the_editor_after_enlarging_the_results_and_back(
    tutor_home: Path,
) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8")
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert screen.focused is screen.editor
        await pilot.press("alt+m")
        assert not screen.editor.display or not screen.editor.region
        await pilot.press("alt+m", "x")
        assert screen.focused is screen.editor
        assert "x" in screen.editor.text


async def test_command_palette_opens_a_step_by_its_id(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"dtyp")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.step.key == "tensors/dtypes"


async def test_the_preview_renders_only_where_the_cursor_rests(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        rendered: list[object] = []
        original = screen.show_preview

        def counting():
            rendered.append(screen._previewing)
            return original()

        screen.show_preview = counting
        await pilot.press(*["down"] * 6)
        await pilot.pause(0.5)
        assert len(rendered) == 1, "one preview after a burst of key presses"
        assert rendered[0] is screen.query_one(LessonTree).cursor_node.data


async def test_work_waiting_for_the_first_frame_runs_even_if_no_whole_frame_is_seen(
    tutor_home: Path, monkeypatch
) -> None:
    """The worker's start and the editor wait for the first whole frame; should Textual
    never write one that the app recognizes, they come a little later, not never."""
    import tutor.app

    class NeverWritten:
        pass

    monkeypatch.setattr(tutor.app, "LayoutUpdate", NeverWritten)
    monkeypatch.setattr(tutor.app, "FIRST_FRAME_AT_LATEST", 0.3)
    catalog = load_catalog([FIXTURE_LESSONS])
    step = catalog.find_step("tensors/from-a-list")
    store = ProgressStore(tutor_home / "progress.db")
    app = TutorApp(catalog, store, start=step, open_start=True, supervisor=FakeSupervisor())
    async with app.run_test() as pilot:
        await pilot.pause(0.1)
        assert not app.first_frame_shown and app.supervisor.state == "closed"
        await pilot.pause(0.5)
        assert app.first_frame_shown and app.supervisor.state == "ready"
        assert type(app.screen.editor).__name__ == "CodeEditor"
