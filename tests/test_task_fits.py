"""Every shipped exercise's task fits above the editor at 80x24, in every language.

Issue 11's goal for a small terminal: while the learner types, the whole task is
visible without a key pressed, and the editor keeps at least 10 lines. Measured on
the real lesson screen as the learner sees it: one app per language walks through
every exercise (an app per exercise would take minutes), waits until the step's
Markdown is rendered, and compares the task's rows with the rows its pane shows,
and with the rows `tutor lint` estimates (which warns teachers about their packs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.fakes import FakeSupervisor
from tutor import i18n
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.lessons.model import Catalog
from tutor.lessons.task import split_task, task_rows
from tutor.lessons.variants import for_device
from tutor.locations import bundled_lessons_dir
from tutor.progress import ProgressStore
from tutor.screens.lesson import LessonScreen
from tutor.widgets.prose import Prose

LANGUAGES = ("en", "pt", "es")
EDITOR_LINES = 10
"""Lines of code the editor shows at 80x24 while the learner types (issue 11)."""


def bundled(lang: str) -> Catalog:
    return load_catalog([bundled_lessons_dir()], lang=None if lang == "en" else lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_task_changes_with_the_device(lang: str) -> None:
    """So the walk below, with a CPU worker, measures the tasks a GPU learner sees too."""
    for step in bundled(lang).exercises():
        on_cpu = split_task(for_device(step.text, "cpu"))[1]
        assert on_cpu == split_task(for_device(step.text, "cuda"))[1], step.key


async def rendered(pilot: Pilot[None], screen: LessonScreen) -> None:
    """Wait until the step's Markdown is mounted (it is parsed in a thread), then laid out.

    Until the first frame is out the parts are plain text; Markdown replaces them.
    """
    for _ in range(200):
        await pilot.pause()
        parts = screen.text_pane.children
        if all(isinstance(part, Prose) and not part.lock.is_locked for part in parts):
            break
    await pilot.pause()


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_task_fits_above_the_editor_at_80x24(lang: str, tutor_home: Path) -> None:
    i18n.set_language(lang)
    catalog = bundled(lang)
    steps = catalog.exercises()
    store = ProgressStore(tutor_home / "progress.db")
    app = TutorApp(catalog, store, start=steps[0], open_start=True, supervisor=FakeSupervisor())
    too_long: list[str] = []
    misjudged: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        for step in steps:
            screen.step = step
            await rendered(pilot, screen)
            assert screen.focused is screen.editor and screen.text_pane.has_class("-typing")
            task = screen.query_one("#step-task", Prose).outer_size.height
            shown = screen.text_pane.scrollable_content_region.height
            lines = screen.editor.scrollable_content_region.height
            estimate = task_rows(split_task(for_device(step.text, "cpu"))[1])
            if abs(estimate - task) > 1:
                misjudged.append(f"{step.key}: {task} rows on screen, {estimate} estimated")
            if task > shown or lines < EDITOR_LINES:
                too_long.append(
                    f"{step.key}: the task takes {task} rows, {shown} are shown;"
                    f" the editor shows {lines} lines"
                )
    assert not too_long, f"{lang}: tasks that do not fit at 80x24:\n" + "\n".join(too_long)
    assert not misjudged, "`tutor lint`'s task_rows is off:\n" + "\n".join(misjudged)
