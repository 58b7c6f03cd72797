"""The command palette finds any lesson or step by its title or its id ("devi" finds
the devices lesson, titled "CPU and GPU"), and opens it like Enter in the lesson list."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tutor.course import first_unfinished
from tutor.lessons.model import Catalog, Step
from tutor.progress import Progress
from tutor.screens.home import HomeScreen


class StepCommands(Provider):
    """Needs an app with `catalog` and `store` (TutorApp); opens through `StepChosen`."""

    def _entries(self) -> Iterator[tuple[str, Step]]:
        catalog: Catalog = getattr(self.app, "catalog")  # noqa: B009 - any app carrying one
        progress: Progress = getattr(self.app, "store").progress  # noqa: B009
        for lesson in catalog.lessons:
            yield f"Open lesson: {lesson.title} · {lesson.id}", first_unfinished(lesson, progress)
            for step in lesson.steps:
                yield f"Open step: {lesson.title} › {step.title} · {step.key}", step

    def _open(self, step: Step) -> None:
        self.app.post_message(HomeScreen.StepChosen(step))

    async def discover(self) -> Hits:
        for text, step in self._entries():
            if text.startswith("Open lesson"):
                yield DiscoveryHit(text, partial(self._open, step))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, step in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._open, step))
