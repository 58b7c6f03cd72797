"""Starter and solution lines that fit the editor in an 80x24 terminal, in every language.

An 80x24 window is what most terminals and SSH clients open with, and there the lesson
screen stacks its panes: the editor gets the whole width, less its border, the line
numbers and the scroll bar. A longer line runs past the edge without a sign, and what is
cut off is often the `# TODO` that says what to write, so `tutor lint` warns an author
about each one: in the lesson file for the English code, in the translation file (at the
`strings` entry) where a translated comment makes a line longer.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutor.lessons import code_strings
from tutor.lessons.model import Catalog, CodeBlock, Exercise, Lesson, Problem, Translation
from tutor.lessons.translations import localize_exercise

EDITOR_COLUMNS = 70
"""Columns of code the editor shows at 80x24 without scrolling sideways, once the code has
10 to 99 lines and is taller than the editor: 80, less the editor's left border (1) and
padding (1 + 1), its vertical scroll bar (2), the line numbers' gutter (4) and the column
the cursor takes after a line's last character (1). It follows `screens/lesson.tcss`;
`tests/test_code_width.py` measures it there."""


def wide_lines(catalog: Catalog) -> list[Problem]:
    """Every starter or solution line wider than the editor, per language, as warnings."""
    found: list[Problem] = []
    for lesson in catalog.lessons:
        lesson = lesson.source or lesson
        for step in lesson.exercises:
            assert step.exercise is not None
            found.extend(_english(step.id, step.exercise))
            for _, translation in sorted(lesson.translations.items()):
                found.extend(_translated(lesson, step.id, step.exercise, translation))
    return found


def _english(step_id: str, exercise: Exercise) -> Iterator[Problem]:
    for role, block in _blocks(exercise):
        for number, line in _wide(block.source):
            yield Problem(
                block.path,
                block.line + number - 1,
                f"step {step_id!r}: this {role} line is {_columns(line)} columns; {_advice()}",
                warning=True,
            )


def _translated(
    lesson: Lesson, step_id: str, exercise: Exercise, translation: Translation
) -> Iterator[Problem]:
    """Lines a translated comment makes too wide, located at that comment's `strings` entry.

    A line as wide in English is the lesson file's to fix, and reported there.
    """
    localized = localize_exercise(exercise, translation.strings)
    for (role, block), (_, local) in zip(_blocks(exercise), _blocks(localized), strict=True):
        english = block.source.splitlines()
        keys = {text.line: text.key for text in code_strings.comments(block.source)}
        for number, line in _wide(local.source):
            if line == english[number - 1]:
                continue
            where = f"{lesson.path.name}:{block.line + number - 1}"
            yield Problem(
                translation.path,
                translation.string_lines.get(keys.get(number, ""), 1),
                f"step {step_id!r}: with this translation, the {role} line {where} is"
                f" {_columns(line)} columns; {_advice()}",
                warning=True,
            )


def _advice() -> str:
    return (
        f"the editor shows {EDITOR_COLUMNS} in an 80x24 terminal: shorten it, or put the"
        " comment on its own line above the code"
    )


def _blocks(exercise: Exercise) -> tuple[tuple[str, CodeBlock], ...]:
    return (("starter", exercise.starter), ("solution", exercise.solution))


def _columns(line: str) -> int:
    """Cells the editor gives `line` (its tabs are 4 wide; lesson code is ASCII or Latin)."""
    return len(line.expandtabs(4))


def _wide(source: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of each line longer than the editor shows."""
    for number, line in enumerate(source.splitlines(), start=1):
        if _columns(line) > EDITOR_COLUMNS:
            yield number, line
