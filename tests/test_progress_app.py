"""The app and the progress store: saving that fails is said once, retried, and nothing is lost;
instances and `tutor check` sharing one TUTOR_HOME lose nothing."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tutor import app as app_module
from tutor.app import SAVED_AGAIN, TutorApp
from tutor.lessons.loader import load_catalog
from tutor.locations import progress_file
from tutor.progress import ProgressStore, database
from tutor.screens.lesson import LessonScreen

KEY = "tensors/from-a-list"


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
