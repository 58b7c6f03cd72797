"""F5/F6 pressed before the worker is up, in the app, against a real sandbox worker.

The app starts the worker only after its first frame, and torch takes seconds to
import on a loaded machine: a learner who opens a step and presses F6 at once must
get a verdict, not an error. The worker's start is held at a gate (`tests.start_gate`)
until the test opens it.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURE_LESSONS
from tests.start_gate import StartGate
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.progress import ProgressStore
from tutor.sandbox.limits import GIB, Limits
from tutor.sandbox.supervisor import Supervisor
from tutor.screens.lesson import LessonScreen

SOLUTION = "import torch\nm = torch.tensor([[1, 2, 3], [4, 5, 6]])\nrank = m.ndim\n"


def make_app(home: Path, python: Path) -> TutorApp:
    catalog = load_catalog([FIXTURE_LESSONS])
    supervisor = Supervisor(Limits(memory=2 * GIB, check_timeout=20), python=str(python))
    step = catalog.find_step("tensors/from-a-list")
    return TutorApp(
        catalog,
        ProgressStore(home / "progress.db"),
        start=step,
        open_start=True,
        supervisor=supervisor,
    )


async def press_early(app: TutorApp, pilot, key: str, code: str) -> LessonScreen:
    """Press `key` on the step with `code`, and return once the request waits for the worker."""
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    assert app.supervisor.state in ("closed", "starting"), "the gate holds every start"
    screen.editor.load_text(code)
    await pilot.press(key)
    while not app.supervisor.busy:
        await pilot.pause()
    return screen


async def requests_done(app: TutorApp) -> None:
    """Wait for the screen's run, check and interrupt, not for the worker's start."""
    requests = [worker for worker in app.workers if worker.group in ("sandbox", "control")]
    if requests:  # none would mean every worker to `wait_for_complete`
        await app.workers.wait_for_complete(requests)


def verdict(screen: LessonScreen) -> str:
    return str(screen.query_one("#verdict").render())


async def test_f6_before_the_worker_is_up_waits_for_it_and_ends_in_a_verdict(
    tutor_home: Path, gate: StartGate
) -> None:
    app = make_app(tutor_home, gate.python)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await press_early(app, pilot, "f6", SOLUTION)
        assert verdict(screen) == "checking… (the worker is still starting)"
        assert app.sub_title.startswith("starting · ")
        gate.open()
        await requests_done(app)
        await pilot.pause()
        assert "✓ PASS" in verdict(screen)
        assert app.store.progress.is_done("tensors/from-a-list")
        assert " · ready · " in app.sub_title


async def test_f4_while_waiting_for_the_worker_stops_the_check_before_it_runs(
    tutor_home: Path, gate: StartGate
) -> None:
    app = make_app(tutor_home, gate.python)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await press_early(app, pilot, "f6", SOLUTION)
        await pilot.press("f4")
        await requests_done(app)
        await pilot.pause()
        assert verdict(screen) == (
            "⚠ stopped by F4 before your code ran: the worker was still starting"
        )
        assert not app.supervisor.busy and app.supervisor.state == "starting"
        assert not app.store.progress.is_done("tensors/from-a-list")


async def test_a_worker_that_cannot_start_is_one_line_in_the_verdict(
    tutor_home: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-python"
    broken.write_text(
        "#!/bin/sh\necho 'ImportError: libtorch_cpu.so: cannot open shared object file' >&2\n"
        "exit 3\n"
    )
    broken.chmod(0o755)
    app = make_app(tutor_home, broken)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        await pilot.press("f5")
        await requests_done(app)
        await pilot.pause()
        assert verdict(screen) == (
            "⚠ the code worker could not start: the worker exited with status 3 while "
            "starting: ImportError: libtorch_cpu.so: cannot open shared object file "
            "· F12 tries again"
        )
