"""The app and the progress store: saving that fails is said once, retried, and nothing is lost;
instances and `tutor check` sharing one TUTOR_HOME lose nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import OptionList, TextArea

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tutor import app as app_module
from tutor.app import SAVED_AGAIN, TutorApp
from tutor.lessons.loader import load_catalog
from tutor.locations import progress_file
from tutor.progress import ProgressStore, database
from tutor.screens import lesson as lesson_module
from tutor.screens.attempts import AttemptsScreen
from tutor.screens.lesson import LessonScreen

KEY = "tensors/from-a-list"
ATTEMPTS_KEY = "alt+a"


def make_app(store: ProgressStore | None = None, key: str = KEY) -> TutorApp:
    catalog = load_catalog([FIXTURE_LESSONS])
    store = store or ProgressStore(progress_file(), busy_timeout=0.05, retries=1)
    start = catalog.find_step(key)
    return TutorApp(catalog, store, start=start, open_start=True, supervisor=FakeSupervisor())


class Notes:
    """Records what the app told the learner."""

    def __init__(self, app: TutorApp) -> None:
        self.lines: list[str] = []
        real = app.notify

        def notify(message: str, **options: object) -> None:
            self.lines.append(message)
            real(message, **options)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]

    def saying(self, text: str) -> list[str]:
        return [line for line in self.lines if text in line]


async def test_a_full_disk_is_said_once_and_the_edits_are_saved_once_space_is_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app_module, "SAVE_RETRY_EVERY", 0.1)
    real_apply = database.apply

    def full(db: sqlite3.Connection, op: database.Op) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    app = make_app()
    notes = Notes(app)
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        monkeypatch.setattr(database, "apply", full)
        for text in ("# one\n", "# two\n", "# three\n"):
            screen.editor.insert(text)
            await pilot.press("f5")
            await pilot.pause()
        assert len(notes.saying("Progress cannot be saved right now: the disk")) == 1
        assert "not saved" in app.sub_title
        assert app.store.unsaved
        typed = screen.editor.text

        monkeypatch.setattr(database, "apply", real_apply)
        for _ in range(20):
            await pilot.pause(0.1)
            if not app.store.unsaved:
                break
        assert not app.store.unsaved
        assert notes.saying(SAVED_AGAIN) and "not saved" not in app.sub_title
    assert ProgressStore(progress_file()).progress.exercise(KEY).code == typed


async def test_an_app_left_open_does_not_undo_a_pass_made_elsewhere() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        elsewhere = ProgressStore(progress_file())
        elsewhere.mark_done(KEY)
        elsewhere.update(KEY, hints_shown=2)
        screen.editor.insert("# typed in the app\n")
        screen.save_code()
        await pilot.press("f2")  # this instance still thinks no hint was shown
        await pilot.pause()
    record = ProgressStore(progress_file()).progress.exercise(KEY)
    assert record.done and record.code is not None and "typed in the app" in record.code
    assert record.hints_shown == 2, "a stale instance never lowers it"


async def test_moving_to_a_step_shows_what_other_terminals_did_meanwhile() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        elsewhere = ProgressStore(progress_file())
        elsewhere.mark_done("tensors/dtypes")
        elsewhere.update("tensors/dtypes", code="from_the_other_terminal = 1\n")
        await pilot.press("f8")
        await pilot.pause()
        assert screen.step.key == "tensors/dtypes"
        assert screen.editor.text == "from_the_other_terminal = 1\n"
        assert "1/4 done" in app.sub_title


async def test_attempts_put_earlier_code_back_in_the_editor_undoably() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        screen.editor.load_text("first = 1\n")
        await pilot.press("f5")
        await pilot.pause()
        screen.editor.load_text("[bold]second[/] = [@click=app.quit]2\n")
        await pilot.press("f6")
        await pilot.pause()
        screen.editor.load_text("broken(\n")
        await pilot.press(ATTEMPTS_KEY)
        await pilot.pause()
        attempts = app.screen
        assert isinstance(attempts, AttemptsScreen)
        assert attempts.query_one(OptionList).option_count == 2
        shown = attempts.query_one("#attempt-code", TextArea).text
        assert shown == "[bold]second[/] = [@click=app.quit]2\n", "newest first, as plain text"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.editor.text == "first = 1\n"
        await pilot.press("ctrl+z")
        assert screen.editor.text == "broken(\n", "ctrl+z brings the previous code back"
        titles = [command.title for command in app.get_system_commands(screen)]
        assert any(title.startswith("Attempts") for title in titles), "in the palette too"
    kept = ProgressStore(progress_file()).attempts(KEY)
    assert [(attempt.kind, attempt.code) for attempt in kept] == [
        ("check", "[bold]second[/] = [@click=app.quit]2\n"),
        ("run", "first = 1\n"),
    ]


async def test_typing_is_saved_after_the_last_key_or_the_first_unsaved_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Saved 2 s after the last key OR 10 s after the first unsaved one: each delay is made
    endless in turn, so the other alone must save (and load on the machine cannot fake it)."""
    app = make_app()

    def stored() -> str:
        return ProgressStore(progress_file()).progress.exercise(KEY).code or ""

    async def saved(marker: str) -> bool:
        for _ in range(100):
            if marker in stored():
                return True
            await pilot.pause(0.05)
        return False

    monkeypatch.setattr(lesson_module, "AUTOSAVE_DELAY", 3600)
    monkeypatch.setattr(lesson_module, "AUTOSAVE_MAX_DELAY", 0.3)
    async with app.run_test() as pilot:
        await pilot.pause(0.5)
        await pilot.press("z", "z")  # typing that never pauses long enough
        assert await saved("zz"), "saved after the first unsaved key"

        monkeypatch.setattr(lesson_module, "AUTOSAVE_DELAY", 0.3)
        monkeypatch.setattr(lesson_module, "AUTOSAVE_MAX_DELAY", 3600)
        await pilot.press("j")
        assert await saved("zzj"), "saved after the last key"


async def test_concurrent_tutor_checks_and_an_open_app_lose_nothing(tmp_path: Path) -> None:
    """The done-when of issue 10: real `tutor check` processes beside an app that autosaves."""
    catalog = load_catalog([FIXTURE_LESSONS])
    others = [step for step in catalog.exercises() if step.key != KEY]
    assert len(others) >= 2
    checks = []
    for step in others:
        assert step.exercise is not None
        answer = tmp_path / f"{step.id}.py"
        answer.write_text(step.exercise.solution.source)
        command = ["--lessons", str(FIXTURE_LESSONS), "check", "--device", "cpu"]
        checks.append(
            subprocess.Popen(
                [sys.executable, "-m", "tutor", *command, step.key, str(answer)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    app = make_app(ProgressStore(progress_file(), busy_timeout=0.3, retries=2))
    deadline = time.monotonic() + 300
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        while any(check.poll() is None for check in checks) and time.monotonic() < deadline:
            screen.editor.insert("# typing\n")
            screen.save_code()  # an autosave, as often as the store allows
            await pilot.press("f5")
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        typed = screen.editor.text
        assert not app.store.unsaved, app.store.problem
    outputs = [check.communicate(timeout=60)[0] for check in checks]
    assert outputs == ["pass\n"] * len(checks)
    store = ProgressStore(progress_file())
    for step in others:
        assert store.progress.is_done(step.key), f"the pass of {step.key} was lost"
        assert [attempt.verdict for attempt in store.attempts(step.key)] == ["passed"]
    assert store.progress.exercise(KEY).code == typed
    assert len(store.attempts(KEY)) == typed.count("# typing")
