"""What a learner sees, pinned as SVG snapshots (update with `pytest --snapshot-update`)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tutor.app import TutorApp
from tutor.course import resume_step
from tutor.lessons.loader import load_catalog
from tutor.lessons.model import CheckReport
from tutor.progress import ProgressStore
from tutor.sandbox.protocol import Finished, MetricPoint, MetricsEvent, OutputEvent


def make_app(home: Path) -> TutorApp:
    catalog = load_catalog([FIXTURE_LESSONS])
    store = ProgressStore(home / "progress.db")
    store.mark_done("tensors/from-a-list")
    return TutorApp(
        catalog, store, start=resume_step(catalog, store.progress), supervisor=FakeSupervisor()
    )


def test_lesson_browser_80x24(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(80, 24), run_before=settle)


def test_lesson_step_80x24(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(80, 24), run_before=pressing("enter"))


def test_lesson_browser_200x60(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(200, 60), run_before=settle)


def test_lesson_step_160x48(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(160, 48), run_before=pressing("enter"))


LONG_MESSAGE = (
    "m has shape (3, 2), but the task asks for (2, 3): the rows and columns are swapped.\n"
    "Build it from [[1, 2, 3], [4, 5, 6]], then store m.ndim in rank; the message goes on "
    "past one line to show that it wraps instead of being cut."
)


def exercise_app(home: Path, events=(), finished: Finished | None = None) -> TutorApp:
    catalog = load_catalog([FIXTURE_LESSONS])
    store = ProgressStore(home / "progress.json")
    return TutorApp(
        catalog,
        store,
        start=catalog.find_step("tensors/from-a-list"),
        open_start=True,
        supervisor=FakeSupervisor(events=events, finished=finished),
    )


def failed_check(home: Path) -> TutorApp:
    output = "".join(f"epoch {i}: loss {1 / (i + 1):.4f} " + "word " * 12 + "\n" for i in range(12))
    return exercise_app(
        home,
        events=[OutputEvent("stdout", output)],
        finished=Finished("ok", check=CheckReport(False, LONG_MESSAGE)),
    )


def training_run(home: Path) -> TutorApp:
    points = [MetricPoint(i, {"loss": 16.1 * 0.96**i + 0.4}) for i in range(120)]
    return exercise_app(home, events=[MetricsEvent(points)])


def pressing(*keys: str):
    """Press `keys`, then settle: runs finished, the preview rendered, no cursor drawn.

    (`snap_compare`'s own `press` happens after `run_before`, too late to settle.)
    """

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)
        # A blinking cursor is drawn or not at random; without focus it is never drawn.
        pilot.app.screen.set_focus(None)
        await pilot.pause()

    return run_before


settle = pressing()


def test_editing_80x24(snap_compare, tutor_home: Path) -> None:
    """Typing: the task above, at least 10 editor lines, the verdict line below."""
    assert snap_compare(exercise_app(tutor_home), terminal_size=(80, 24), run_before=settle)


def test_failed_check_80x24(snap_compare, tutor_home: Path) -> None:
    """After a check: the whole verdict and the last lines of output."""
    assert snap_compare(failed_check(tutor_home), terminal_size=(80, 24), run_before=pressing("f6"))


def test_training_plot_80x24(snap_compare, tutor_home: Path) -> None:
    """A training run: the plot gets the rows, with a drawn curve and ordered labels."""
    assert snap_compare(training_run(tutor_home), terminal_size=(80, 24), run_before=pressing("f5"))


def test_failed_check_100x30(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(
        failed_check(tutor_home), terminal_size=(100, 30), run_before=pressing("f6")
    )


def test_training_plot_100x30(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(
        training_run(tutor_home), terminal_size=(100, 30), run_before=pressing("f5")
    )


def test_failed_check_and_solution_160x48(snap_compare, tutor_home: Path) -> None:
    """Side by side: the reference solution wraps in its pane, the verdict in full."""
    ProgressStore(tutor_home / "progress.json").update("tensors/from-a-list", solution_shown=True)
    assert snap_compare(
        failed_check(tutor_home), terminal_size=(160, 48), run_before=pressing("f6")
    )
