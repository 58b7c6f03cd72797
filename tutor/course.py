"""Questions that need both the lessons and the learner's progress: where to resume, what is done.

Plain functions so the CLI, the app and the tests answer them the same way.
"""

from __future__ import annotations

from typing import Any

from tutor.lessons.model import Catalog, Lesson, Step
from tutor.locations import bundled_lessons_dir
from tutor.progress import Progress


def first_unfinished(lesson: Lesson, progress: Progress) -> Step:
    """Where to open a lesson: its first step when it is new, else the first exercise to do.

    A new lesson starts at the top, so the reading steps that explain its data and
    names are never skipped.
    """
    exercises = lesson.exercises
    if not any(progress.is_done(step.key) for step in exercises):
        return lesson.steps[0]
    return next((step for step in exercises if not progress.is_done(step.key)), lesson.steps[0])


def resume_step(catalog: Catalog, progress: Progress) -> Step | None:
    """Where `tutor` opens: the step left on, else the first unfinished exercise anywhere."""
    if progress.last_step:
        step = catalog.find_step(progress.last_step)
        if step is not None:
            return step
    for lesson in catalog.lessons:
        if any(not progress.is_done(step.key) for step in lesson.exercises):
            return first_unfinished(lesson, progress)
    return catalog.lessons[0].steps[0] if catalog.lessons else None


def resolve(catalog: Catalog, progress: Progress, target: str) -> Step | None:
    """`lesson` or `lesson/step` as typed on the command line."""
    if "/" in target:
        return catalog.find_step(target)
    lesson = catalog.lesson(target)
    return first_unfinished(lesson, progress) if lesson else None


def done_count(lesson: Lesson, progress: Progress) -> tuple[int, int]:
    exercises = lesson.exercises
    return sum(progress.is_done(step.key) for step in exercises), len(exercises)


def origin(lesson: Lesson) -> str:
    """Where a lesson comes from: its pack's name, "bundled", or the folder it was read from."""
    if lesson.pack:
        return lesson.pack
    if lesson.path.parent == bundled_lessons_dir():
        return "bundled"
    return str(lesson.path.parent)


def listing(catalog: Catalog, progress: Progress) -> list[dict[str, Any]]:
    """The shape `tutor list --json` prints."""
    return [
        {
            "id": lesson.id,
            "title": lesson.title,
            "from": origin(lesson),
            "exercises": [
                {"id": step.key, "title": step.title, "done": progress.is_done(step.key)}
                for step in lesson.exercises
            ],
        }
        for lesson in catalog.lessons
    ]
