"""The lesson screen against a real sandbox worker: every learner action, end to end in Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LESSONS
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.progress import ProgressStore
from tutor.sandbox.limits import GIB, Limits
from tutor.sandbox.supervisor import Supervisor
from tutor.screens.lesson import LessonScreen
from tutor.widgets.loss_plot import LossPlot
from tutor.widgets.output_log import OutputLog
from tutor.widgets.variables import VariablesTable

SOLUTION = "import torch\nm = torch.tensor([[1, 2, 3], [4, 5, 6]])\nrank = m.ndim\n"


def make_app(home: Path) -> TutorApp:
    catalog = load_catalog([FIXTURE_LESSONS])
    store = ProgressStore(home / "progress.db")
    supervisor = Supervisor(Limits(memory=2 * GIB, check_timeout=20))
    return TutorApp(
        catalog, store, start=catalog.find_step("tensors/from-a-list"), supervisor=supervisor
    )


async def open_exercise(app: TutorApp, pilot, code: str | None = None) -> LessonScreen:
    await pilot.press("enter")
    while app.supervisor.state != "ready":
        await pilot.pause(0.05)
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    if code is not None:
        screen.editor.load_text(code)
    return screen


async def press_and_wait(app: TutorApp, pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await app.workers.wait_for_complete()
    await pilot.pause()


def verdict(screen: LessonScreen) -> str:
    return str(screen.query_one("#verdict").render())


def output_text(screen: LessonScreen) -> str:
    return "\n".join(line.text for line in screen.query_one(OutputLog).lines)


async def test_run_streams_output_and_fills_the_variables_panel(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, SOLUTION + "print('hello')\nm.sum()\n")
        await press_and_wait(app, pilot, "f5")
        text = output_text(screen)
        assert "hello" in text and "tensor(21)" in text, (
            "print output and the final expression's repr"
        )
        table = screen.query_one(VariablesTable)
        cells = [str(cell) for cell in table.get_row("m")]
        assert cells == ["m", "Tensor", "(2, 3)", "int64", "cpu", "no", ""]
        assert [str(cell) for cell in table.get_row("rank")][-1] == "2", "numbers are listed too"
        assert "ran in" in verdict(screen)
        assert "cpu · 2 threads" in app.sub_title or "cpu ·" in app.sub_title


async def test_terminal_sequences_and_markup_are_shown_literally(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, "print('\\x1b[2J[bold red]x[/]')\n")
        await press_and_wait(app, pilot, "f5")
        assert "\\x1b[2J[bold red]x[/]" in output_text(screen)


async def test_check_fails_with_the_specific_message_then_passes(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(
            app, pilot, "import torch\nm = torch.tensor([1, 2, 3, 4, 5, 6])\nrank = 1\n"
        )
        await press_and_wait(app, pilot, "f6")
        assert "✗ NOT YET" in verdict(screen)
        assert "expected a tensor of shape (2, 3), got int64 of shape (6,)" in verdict(screen)
        assert not app.store.progress.is_done("tensors/from-a-list")

        screen.editor.load_text(SOLUTION)
        await press_and_wait(app, pilot, "ctrl+t")
        assert "✓ PASS" in verdict(screen)
        assert app.store.progress.is_done("tensors/from-a-list")
        assert "✓ done" in str(screen.query_one("#step-title").render())
        assert app.sub_title.endswith("1/4 done")
    assert ProgressStore(tutor_home / "progress.db").progress.is_done("tensors/from-a-list")


async def test_hints_one_at_a_time_then_solution_after_confirming(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot)
        hints = screen.query_one("#hints")
        assert not hints.display
        await pilot.press("f2")
        assert "Hint 1 of 2" in hints.source and "Hint 2" not in hints.source
        await pilot.press("alt+h")
        assert "Hint 2 of 2" in hints.source
        assert app.store.progress.exercise("tensors/from-a-list").hints_shown == 2

        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert "Reference solution" not in hints.source
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "Reference solution" in hints.source and "m.ndim" in hints.source
        assert app.store.progress.exercise("tensors/from-a-list").solution_shown


async def test_reset_restores_the_starter_after_confirming(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, "my work\n")
        screen.save_code()
        await pilot.press("alt+x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert screen.editor.text == screen.step.exercise.starter.source
        assert app.store.progress.exercise("tensors/from-a-list").code is None


async def test_interrupting_an_endless_loop(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, "while True:\n    pass\n")
        await pilot.press("f5")
        while app.supervisor.state != "running":
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        assert "running" in app.sub_title
        await press_and_wait(app, pilot, "f4")
        assert "stopped" in verdict(screen) and "variables are kept" in verdict(screen)
        assert app.supervisor.state == "ready"
        screen.editor.load_text("print(6 * 7)\n")
        await press_and_wait(app, pilot, "f5")
        assert "42" in output_text(screen)


async def test_crash_is_explained_and_a_fresh_worker_takes_over(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, "import ctypes\nctypes.string_at(0)\n")
        await press_and_wait(app, pilot, "f5")
        assert "SIGSEGV" in verdict(screen) and "variables were lost" in verdict(screen)
        screen.editor.load_text("print('alive')\n")
        await press_and_wait(app, pilot, "f5")
        assert "alive" in output_text(screen)


async def test_restart_clears_variables(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, "kept = 1\n")
        await press_and_wait(app, pilot, "f5")
        await press_and_wait(app, pilot, "f12")
        assert "fresh worker" in verdict(screen)
        screen.editor.load_text("print(kept)\n")
        await press_and_wait(app, pilot, "f5")
        assert "NameError" in output_text(screen)


async def test_live_plot_receives_metrics_while_the_loop_runs(tutor_home: Path) -> None:
    code = (
        "import tutor, time\n"
        "for i in range(50):\n    tutor.log(step=i, loss=1 / (i + 1))\n    time.sleep(0.01)\n"
    )
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, code)
        await press_and_wait(app, pilot, "f5")
        plot = screen.query_one(LossPlot)
        assert plot.point_count == 50
        assert plot.series["loss"][1][0] == 1.0
        assert screen.query_one("#results").active == "plot-tab"
        await pilot.press("alt+l")
        await pilot.pause(0.2)
        assert plot.log_scale
        await pilot.press("f8")
        assert plot.point_count == 0, "a new step starts with an empty plot"
        assert screen.query_one("#results").active == "output-tab"


async def test_output_flood_keeps_the_app_responsive(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, "for i in range(300_000):\n    print(i)\n")
        await press_and_wait(app, pilot, "f5")
        text = output_text(screen)
        assert "0" in text and "299999" in text, "head and tail are kept"
        assert len(screen.query_one(OutputLog).lines) <= 10_500


@pytest.mark.parametrize("size", [(200, 60), (60, 20), (80, 24), (200, 60)])
async def test_resizing_keeps_the_workspace_usable(tutor_home: Path, size: tuple[int, int]) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.resize_terminal(*size)
        await pilot.pause()
        assert screen.has_class("-narrow") == (size[0] < 110)
        assert screen.editor.region.height >= 3


async def test_code_survives_leaving_and_quitting(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_exercise(app, pilot, "first = 1\n")
        await pilot.press("f8")
        screen.editor.load_text("second = 2\n")
        await pilot.press("ctrl+q")
    store = ProgressStore(tutor_home / "progress.db")
    assert store.progress.exercise("tensors/from-a-list").code == "first = 1\n"
    assert store.progress.exercise("tensors/dtypes").code == "second = 2\n"
    assert store.progress.last_step == "tensors/dtypes"


async def test_run_pressed_while_the_worker_starts_runs_when_it_is_ready(tutor_home: Path) -> None:
    app = make_app(tutor_home)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        screen.editor.load_text("print('first try')\n")
        await press_and_wait(app, pilot, "f5")
        assert "first try" in output_text(screen)
