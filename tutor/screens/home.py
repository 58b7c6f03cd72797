"""The lesson browser: pick a lesson or step, read its text on the right."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Tree

from tutor.course import first_unfinished, resume_step
from tutor.i18n import N_, _
from tutor.lessons.model import BrokenLesson, Catalog, Lesson, Step
from tutor.lessons.variants import for_device
from tutor.progress import Progress
from tutor.screens.messages import StepChosen
from tutor.widgets.bindings import translate_bindings
from tutor.widgets.footer import KeyFooter
from tutor.widgets.lesson_tree import Entry, LessonTree

PREVIEW_DELAY = 0.12
"""Seconds the cursor must rest on an entry before its preview is rendered."""


class HomeScreen(Screen[None]):
    """Lists lessons with progress; Enter on a lesson opens it where the learner stopped."""

    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding(
            "o", "open", N_("Open"), tooltip=N_("Open the lesson where you stopped, or the step")
        ),
        Binding("r", "resume", N_("Resume"), tooltip=N_("Open the step you left off on")),
    ]

    def __init__(
        self,
        catalog: Catalog,
        progress: Progress,
        highlight: Step | None = None,
        *,
        device: Callable[[], str] = lambda: "cpu",
    ) -> None:
        """`device()` names where learners' code runs, so the preview's prose matches it."""
        super().__init__()
        translate_bindings(self)
        self.catalog = catalog
        self.progress = progress
        self.highlight = highlight
        self.device = device
        self._previewing: Entry | None = None
        self._preview_timer: Timer | None = None
        self._resumed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield LessonTree(self.catalog, self.progress, id="lesson-tree")
            # The preview (Markdown) is mounted with the first one shown, after the first paint.
            yield VerticalScroll(id="preview-pane")
        yield KeyFooter()

    def on_mount(self) -> None:
        tree = self.query_one(LessonTree)
        if self.highlight is not None:
            tree.select_step(self.highlight)
        tree.focus()

    def on_screen_resume(self) -> None:
        """Back from a step: its marks may have changed (the first showing has them fresh)."""
        if self._resumed:
            self.query_one(LessonTree).refresh_marks()
        self._resumed = True

    def lessons_changed(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.query_one(LessonTree).show_catalog(catalog)

    @on(Tree.NodeHighlighted)
    def schedule_preview(self, event: Tree.NodeHighlighted[Entry]) -> None:
        """Render only where the cursor rests: 15 quick Down presses make one preview."""
        self._previewing = event.node.data
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self.show_preview)

    async def show_preview(self) -> None:
        from tutor.widgets.prose import Prose

        self._preview_timer = None
        text = for_device(preview(self._previewing), self.device())
        if not self.query("#preview"):
            await self.query_one("#preview-pane", VerticalScroll).mount(Prose(id="preview"))
        await self.query_one("#preview", Prose).update(text)

    @on(Tree.NodeSelected)
    def open_selected(self, event: Tree.NodeSelected[Entry]) -> None:
        """Enter on a step opens it; Enter on a lesson only expands it (Tree's default)."""
        if isinstance(event.node.data, Step):
            self.post_message(StepChosen(event.node.data))

    def action_open(self) -> None:
        node = self.query_one(LessonTree).cursor_node
        if node is None:
            return
        entry = node.data
        if isinstance(entry, Lesson):
            self.post_message(StepChosen(first_unfinished(entry, self.progress)))
        elif isinstance(entry, Step):
            self.post_message(StepChosen(entry))

    def action_resume(self) -> None:
        step = resume_step(self.catalog, self.progress)
        if step is not None:
            self.post_message(StepChosen(step))


def preview(entry: Entry | None) -> str:
    """Markdown for the right-hand pane."""
    if isinstance(entry, Lesson):
        steps = "\n".join(
            f"{number}. "
            + (_("{title} (exercise)") if step.is_exercise else "{title}").format(title=step.title)
            for number, step in enumerate(entry.steps, start=1)
        )
        where = (
            _("From the installed lesson pack `{pack}`.").format(pack=entry.pack) + "\n\n"
            if entry.pack
            else ""
        )
        heading = _("Steps")
        return (
            f"# {entry.title}\n\n*{entry.summary}*\n\n{where}{entry.intro}\n\n"
            f"## {heading}\n\n{steps}\n"
        )
    if isinstance(entry, Step):
        return f"# {entry.title}\n\n{entry.text}\n"
    if isinstance(entry, BrokenLesson):
        problems = "\n".join(f"- `{problem}`" for problem in entry.problems)
        title = _("{title} cannot be loaded").format(title=entry.title)
        advice = _("The file has problems; fix them and restart, or run `tutor lint`:")
        return f"# {title}\n\n{advice}\n\n{problems}\n"
    return ""
