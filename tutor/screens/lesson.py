"""One step of a lesson: its text, and for exercises the learner's workspace."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, Static

from tutor.lessons.model import Catalog, Lesson, Step
from tutor.progress import ProgressStore
from tutor.widgets.lesson_tree import DONE, READING, TODO


class LessonScreen(Screen[None]):
    """Shows a step; next/previous walk through the lesson and on into the next one."""

    CSS_PATH = "lesson.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Lessons", tooltip="Back to the lesson list"),
        Binding("f8,alt+n", "next_step", "Next", priority=True, tooltip="Go to the next step"),
        Binding(
            "f7,alt+p", "previous_step", "Prev", priority=True, tooltip="Go to the previous step"
        ),
    ]

    step: reactive[Step] = reactive[Step](None, always_update=True, init=False)  # type: ignore[arg-type]
    """The step on screen; setting it redraws the text and records where the learner is."""

    def __init__(self, catalog: Catalog, store: ProgressStore, step: Step) -> None:
        super().__init__()
        self.catalog = catalog
        self.store = store
        self._initial = step

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="step-title")
        with VerticalScroll(id="step-pane"):
            yield Markdown(id="step-text")
        yield Footer()

    def on_mount(self) -> None:
        self.step = self._initial
        self.query_one("#step-pane").focus()

    def watch_step(self, step: Step) -> None:
        lesson = self.lesson
        number = lesson.steps.index(step) + 1
        if step.is_exercise:
            mark = f"{DONE} done" if self.store.progress.is_done(step.key) else f"{TODO} exercise"
        else:
            mark = f"{READING} reading"
        self.query_one("#step-title", Static).update(
            f"{lesson.title} · step {number}/{len(lesson.steps)} · {step.title} · {mark}"
        )
        self.query_one("#step-text", Markdown).update(step_markdown(step))
        self.query_one("#step-pane", VerticalScroll).scroll_home(animate=False)
        self.store.set_last_step(step.key)

    @property
    def lesson(self) -> Lesson:
        lesson = self.catalog.lesson(self.step.lesson_id)
        assert lesson is not None, "a step on screen always belongs to a loaded lesson"
        return lesson

    def action_next_step(self) -> None:
        self._move(+1)

    def action_previous_step(self) -> None:
        self._move(-1)

    def _move(self, offset: int) -> None:
        steps = [step for lesson in self.catalog.lessons for step in lesson.steps]
        index = next(i for i, step in enumerate(steps) if step.key == self.step.key) + offset
        if 0 <= index < len(steps):
            self.step = steps[index]
        else:
            self.notify("That was the last step." if offset > 0 else "This is the first step.")


def step_markdown(step: Step) -> str:
    """The step as the learner reads it; an exercise shows its starter code below the text."""
    parts = [f"# {step.title}", step.text]
    if step.exercise is not None:
        parts.append(f"```python\n{step.exercise.starter.source.rstrip()}\n```")
    return "\n\n".join(parts) + "\n"
