"""The command palette finds any lesson or step by its title or its id ("devi" finds
the devices lesson, titled "CPU and GPU"), and opens it like Enter in the lesson list."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tutor.course import first_unfinished
from tutor.i18n import _
from tutor.lessons.model import Catalog, Step
from tutor.progress import Progress
from tutor.screens.messages import StepChosen


class StepCommands(Provider):
    """Needs an app with `catalog` and `store` (TutorApp); opens through `StepChosen`."""

    def _entries(self) -> Iterator[tuple[str, Step, bool]]:
        """(what the palette shows, the step it opens, whether it opens a whole lesson)."""
        catalog: Catalog = getattr(self.app, "catalog")  # noqa: B009 - any app carrying one
        progress: Progress = getattr(self.app, "store").progress  # noqa: B009
        for lesson in catalog.lessons:
            text = _("Open lesson: {title} · {id}").format(title=lesson.title, id=lesson.id)
            yield text, first_unfinished(lesson, progress), True
            for step in lesson.steps:
                text = _("Open step: {lesson} › {step} · {key}")
                yield text.format(lesson=lesson.title, step=step.title, key=step.key), step, False

    def _open(self, step: Step) -> None:
        self.app.post_message(StepChosen(step))

    async def discover(self) -> Hits:
        for text, step, whole_lesson in self._entries():
            if whole_lesson:
                yield DiscoveryHit(text, partial(self._open, step))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, step, _whole_lesson in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._open, step))
