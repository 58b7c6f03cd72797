"""The Textual app: wires the lessons, the progress store and the screens together.

Kept thin on purpose: screens and widgets own their behaviour; the app only decides
which screen shows what and offers the main actions in the command palette.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tutor.course import first_unfinished, resume_step
from tutor.lessons.model import Catalog, Step
from tutor.progress import ProgressStore
from tutor.screens.home import HomeScreen
from tutor.screens.lesson import LessonScreen


class TutorApp(App[None]):
    """pytorch-tutor: lessons on the left, a step on the right, everything by keyboard."""

    TITLE = "pytorch-tutor"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        catalog: Catalog,
        store: ProgressStore,
        *,
        start: Step | None = None,
        device: str = "auto",
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.store = store
        self.start = start
        self.device = device

    def on_mount(self) -> None:
        self.update_progress_title()
        self.push_screen(HomeScreen(self.catalog, self.store.progress, highlight=self.start))
        if self.start is not None and self.store.progress.last_step is not None:
            self.open_step(self.start)
        if self.store.warning:
            self.notify(self.store.warning, title="Progress", severity="warning", timeout=15)
        if self.catalog.broken:
            names = ", ".join(broken.path.name for broken in self.catalog.broken)
            self.notify(f"Some lessons could not be loaded: {names}", severity="error", timeout=10)

    def open_step(self, step: Step) -> None:
        """Show `step`, replacing a lesson screen already open rather than stacking another."""
        if isinstance(self.screen, LessonScreen):
            self.screen.step = step
        else:
            self.push_screen(LessonScreen(self.catalog, self.store, step))

    def update_progress_title(self) -> None:
        exercises = self.catalog.exercises()
        done = sum(self.store.progress.is_done(step.key) for step in exercises)
        self.sub_title = f"{done}/{len(exercises)} exercises done"

    @on(HomeScreen.StepChosen)
    def step_chosen(self, message: HomeScreen.StepChosen) -> None:
        self.open_step(message.step)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        resume = resume_step(self.catalog, self.store.progress)
        if resume is not None:
            yield SystemCommand("Resume", f"Open {resume.key}", partial(self.open_step, resume))
        if isinstance(screen, LessonScreen):
            yield SystemCommand("Next step", "Go to the next step", screen.action_next_step)
            yield SystemCommand(
                "Previous step", "Go to the previous step", screen.action_previous_step
            )
            yield SystemCommand("Lessons", "Back to the lesson list", self.pop_screen)
        for lesson in self.catalog.lessons:
            step = first_unfinished(lesson, self.store.progress)
            yield SystemCommand(
                f"Open lesson: {lesson.title}", lesson.summary, partial(self.open_step, step)
            )
