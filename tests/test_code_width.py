"""Starter and solution lines fit the editor at 80x24: the width measured, warned, kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import LESSONS
from tests.fakes import FakeSupervisor
from tests.lesson_texts import HEADER
from tutor.app import TutorApp
from tutor.cli import main
from tutor.lessons.code_width import EDITOR_COLUMNS, wide_lines
from tutor.lessons.loader import load_catalog
from tutor.progress import ProgressStore
from tutor.screens.lesson import LessonScreen

FILLER = "x = 1\n" * 30


def exercise_lesson(starter: str, solution: str = "x = 1\n") -> str:
    return (
        HEADER.format(id="wide", title="Wide", order=1)
        + f"""
## Write it {{#write}}

Write it.

```python starter
{starter}```

```python solution
{solution}```

```python check
expect(x == 1, "set `x` to 1")
```

```python mistake message="set `x` to 1"
x = 2
```

### Hint

One.
"""
    )


async def editor_view(lesson: Path, size: tuple[int, int], home: Path, longest: int):
    """The editor on the exercise, holding 30 lines and one of `longest` characters."""
    catalog = load_catalog([lesson])
    step = catalog.lessons[0].exercises[0]
    store = ProgressStore(home / "progress.db")
    app = TutorApp(catalog, store, start=step, open_start=True, supervisor=FakeSupervisor())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        editor = screen.editor
        assert screen.focused is editor
        editor.text = FILLER + "y = 2  # " + "c" * (longest - len("y = 2  # "))
        editor.move_cursor((0, 0))
        await pilot.pause()
        assert editor.show_vertical_scrollbar, "the code is taller than the editor"
        shown = editor.scrollable_content_region.width - editor.gutter_width
        return shown, editor.show_horizontal_scrollbar


@pytest.mark.parametrize(("size", "layout"), [((80, 24), "-narrow"), ((100, 30), "-narrow")])
async def test_the_editor_shows_editor_columns_at_80x24_and_more_at_100x30(
    write_lesson, tutor_home: Path, size: tuple[int, int], layout: str
) -> None:
    """The width the lint rule uses is the stacked layout's, at the terminal's usual size.

    The text area keeps one column after a line's end for the cursor: a line filling the
    last column makes a horizontal scroll bar.
    """
    lesson = write_lesson("01-wide.md", exercise_lesson(FILLER))
    shown, sideways = await editor_view(lesson, size, tutor_home, EDITOR_COLUMNS)
    assert not sideways
    if size == (80, 24):
        assert shown - 1 == EDITOR_COLUMNS
        _, sideways = await editor_view(lesson, size, tutor_home, EDITOR_COLUMNS + 1)
        assert sideways, "one column more scrolls sideways"
    else:
        assert shown - 1 > EDITOR_COLUMNS


def test_lint_warns_about_wide_lines_per_language_and_still_passes(
    write_lesson, capsys: pytest.CaptureFixture[str]
) -> None:
    starter = "import torch\nx = ...  # TODO: one\n" + "y = 0  # " + "w" * 66 + "\n"
    english = write_lesson("01-wide.md", exercise_lesson(starter))
    write_lesson(
        "01-wide.pt.md",
        "---\nlang: pt\ntitle: Larga\nsummary: Uma lição.\n---\n\n## Escreva {#write}\n\n"
        "Escreva.\n\n```strings\n- TODO: one\n+ TODO: um número inteiro, o número um, que cabe"
        " em uma linha só\n```\n",
    )
    warnings = [str(problem) for problem in wide_lines(load_catalog([english.parent]))]
    assert warnings == [
        f"{english}:15: warning: step 'write': this starter line is 75 columns; the editor"
        f" shows {EDITOR_COLUMNS} in an 80x24 terminal: shorten it, or put the comment on its"
        " own line above the code",
        f"{english.with_name('01-wide.pt.md')}:12: warning: step 'write': with this"
        " translation, the starter line 01-wide.md:14 is 73 columns; the editor shows"
        f" {EDITOR_COLUMNS} in an 80x24 terminal: shorten it, or put the comment on its own"
        " line above the code",
    ]
    assert main(["lint", str(english.parent)]) == 0, "a warning, not a problem"
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-2:] == warnings
    assert captured.err.endswith("; 2 warnings: code lines wider than the editor at 80x24)\n")


@pytest.mark.parametrize("lang", ["en", "pt", "es"])
def test_every_shipped_starter_and_solution_fits_the_editor_at_80x24(lang: str) -> None:
    catalog = load_catalog([LESSONS])
    if lang != "en":
        assert all(lang in lesson.translations for lesson in catalog.lessons)
    language = {lesson.path: "en" for lesson in catalog.lessons} | {
        translation.path: code
        for lesson in catalog.lessons
        for code, translation in lesson.translations.items()
    }
    wide = [str(p) for p in wide_lines(catalog) if language[p.path] == lang]
    assert wide == []
