"""`tutor lint`'s warning for a task too long to stay in view while the learner types.

Lessons are written on big screens, and many learners read them in an 80x24
terminal, where only the task stays above the editor while they type (see
`tutor.lessons.task`). A task longer than those rows scrolls partly out of view,
so a teacher hears about it from lint, in every language the lesson has:
translations run longer than the English.
"""

from __future__ import annotations

from tutor.lessons.model import Catalog, Lesson, Problem
from tutor.lessons.task import TASK_ROWS, split_task, task_rows
from tutor.lessons.translations import localize
from tutor.lessons.variants import for_device

DEVICES = ("cpu", "cuda")
"""Prose may differ by device: the task must fit as either learner sees it."""


def long_tasks(catalog: Catalog) -> list[Problem]:
    """A warning for each exercise, in each language, whose task does not fit at 80x24."""
    return [problem for lesson in catalog.lessons for problem in _lesson(lesson.source or lesson)]


def _lesson(lesson: Lesson) -> list[Problem]:
    found: list[Problem] = []
    for lang, translation in [(None, None), *sorted(lesson.translations.items())]:
        for step in localize(lesson, lang).exercises:
            if translation is None:
                path, line = lesson.path, step.line
            elif step.id in translation.steps:
                path, line = translation.path, translation.steps[step.id].line
            else:
                continue  # still in English: reported with the English file
            rows = max(
                task_rows(split_task(for_device(step.text, device))[1]) for device in DEVICES
            )
            if rows > TASK_ROWS:
                found.append(
                    Problem(
                        path,
                        line,
                        f"step {step.id!r}: its task takes {rows} rows, {TASK_ROWS} stay above"
                        " the editor at 80x24 while the learner types: move detail into the"
                        " explanation before it or into a hint",
                        warning=True,
                    )
                )
    return found
