"""The app in the learner's language, and switching language while it runs."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from tests.conftest import LESSONS
from tests.fakes import FakeSupervisor
from tutor import i18n
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.progress import ProgressStore
from tutor.screens.lesson import LessonScreen
from tutor.widgets.code_editor import CodeEditor


async def footer_text(app: TutorApp, pilot) -> str:
    """The Footer's key descriptions, once it has composed them (it does so after a refresh)."""
    for _ in range(20):
        keys = app.screen.query(FooterKey)
        if keys:
            return " ".join(key.description for key in keys)
        await pilot.pause(0.05)
    raise AssertionError("the footer shows no keys")


async def test_the_palette_switches_language_on_the_same_step_keeping_the_code(
    tutor_home: Path,
) -> None:
    catalog = load_catalog([LESSONS])
    store = ProgressStore(tutor_home / "progress.db")
    step = catalog.find_step("tensors/from-a-list")
    app = TutorApp(catalog, store, start=step, open_start=True, supervisor=FakeSupervisor())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        app.screen.query_one(CodeEditor).text = "m = 1  # mine\n"
        assert "Help" in await footer_text(app, pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Language: Português (Brasil)" in commands
        await app.switch_language("pt")
        await pilot.pause()
        assert i18n.current() == "pt"
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert screen.step.key == "tensors/from-a-list"
        assert screen.step.title == "A partir de uma lista"
        assert screen.query_one(CodeEditor).text == "m = 1  # mine\n", "the learner's code stays"
        assert "TODO: um tensor" in screen.step.exercise.starter.source
        footer = await footer_text(app, pilot)
        assert "Ajuda" in footer and "Help" not in footer
        assert "Idioma: English" in [c.title for c in app.get_system_commands(app.screen)]
        await app.switch_language("es")
        await pilot.pause()
        assert app.screen.step.title == "A partir de una lista"
        assert "Ayuda" in await footer_text(app, pilot)
