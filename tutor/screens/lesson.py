"""One step of a lesson: its text and, for exercises, the learner's workspace.

The screen owns the learner's actions (run, check, hints, solution, reset, ...). The
code itself runs in the sandbox through the supervisor it is given, awaited in Textual
workers, so the UI stays responsive whatever the snippet does. The editor and the
results pane are widgets of their own; the screen only wires them to the sandbox and
the progress store, and tells the app about progress with a message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Header, Static

from tutor.i18n import _
from tutor.lessons.model import Catalog, Lesson, Step
from tutor.lessons.variants import for_device
from tutor.locations import data_dir
from tutor.progress import ProgressStore
from tutor.progress.attempts import verdict
from tutor.screens.aids import ExerciseAids
from tutor.screens.lesson_keys import LESSON_BINDINGS
from tutor.screens.messages import BackToLessons, ProgressChanged
from tutor.screens.step_words import problems_markdown, title_line
from tutor.widgets.bindings import translate_bindings
from tutor.widgets.code_preview import CodePreview
from tutor.widgets.first_frame import after_first_frame
from tutor.widgets.footer import KeyFooter
from tutor.widgets.plain import plain
from tutor.widgets.results import PASS, WARN, ResultsPane
from tutor.widgets.step_text import StepText

if TYPE_CHECKING:
    from textual.widgets import TextArea

    from tutor.sandbox.protocol import Event
    from tutor.sandbox.supervisor import Supervisor
    from tutor.sandbox.worker import SandboxError
    from tutor.widgets.code_editor import CodeEditor

AUTOSAVE_DELAY = 2.0
"""Seconds after the last keystroke before the code is saved..."""
AUTOSAVE_MAX_DELAY = 10.0
"""...or after the first unsaved one, whichever comes first: steady typing is saved too."""
NARROW_WIDTH = 110
"""Below this many columns the panes stack instead of sitting side by side."""


class LessonScreen(ExerciseAids):
    """Keys work from inside the editor: the main ones are function keys with alt+ twins."""

    CSS_PATH = "lesson.tcss"
    AUTO_FOCUS = ""
    """No auto-focus: `watch_step` focuses the editor or the text, and a first focus
    elsewhere would restyle the screen twice on the way to its first frame."""
    BINDINGS = LESSON_BINDINGS

    step: reactive[Step] = reactive[Step](None, always_update=True, init=False)  # type: ignore[arg-type]
    """The step on screen; setting it saves the old step's code and shows the new one."""

    def __init__(
        self,
        catalog: Catalog,
        store: ProgressStore,
        step: Step,
        *,
        supervisor: Callable[[], Supervisor],
        device: Callable[[], str],
    ) -> None:
        """`device()` names where learners' code runs ("cuda" or "cpu"), for the prose;
        `supervisor()` gives the sandbox, made when first asked for (after the first frame).

        The classes the first step needs are set before anything mounts: each class
        changed later restyles the whole screen, on the way to the first paint.
        """
        super().__init__(classes=" ".join(_layout_classes(step.is_exercise, self.app.size.width)))
        translate_bindings(self)
        self.catalog = catalog
        self.store = store
        self._supervisor = supervisor
        self.device = device
        self._initial = step
        self._ran_code: str | None = None
        """The code of the last run, to tell a new edit from a late `Changed` message."""
        self._stopped_by: str | None = None
        """The key that interrupted the current run, named in its verdict."""
        lesson = catalog.lesson(step.lesson_id)
        assert lesson is not None, "a step opened always belongs to a loaded lesson"
        self._lesson = lesson
        """The step's lesson as last loaded: kept while its file is broken (live reload)."""
        self._autosave: Timer | None = None
        self._autosave_deadline: Timer | None = None
        self._text_device = ""
        """The device the prose on screen was written for; re-render when it changes."""
        self._editor_lock = asyncio.Lock()
        """One editor replaces the preview, however many ask for it at once."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="step-title")
        with Horizontal(id="body"):
            # An exercise opens with the editor focused: the text starts as while typing.
            yield StepText(id="step-pane", classes="-typing" if self._initial.is_exercise else "")
            with Vertical(id="workspace"):
                # The editor replaces its preview after the first frame (see `editor_up`).
                yield CodePreview(id="editor-preview", classes="code-pane")
                yield ResultsPane(id="results-pane")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.step = self._initial
        after_first_frame(self, self.editor_up)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Typing: a small screen shows only the task (and hints) above the editor."""
        self.text_pane.set_typing(event.widget is self.editor)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    @property
    def lesson(self) -> Lesson:
        lesson = self.catalog.lesson(self.step.lesson_id)
        if lesson is None:  # its file is broken right now (live reload): the last good one
            return self._lesson
        self._lesson = lesson
        return lesson

    @property
    def lesson_path(self) -> Path:
        return self._lesson.path

    @property
    def supervisor(self) -> Supervisor:
        return self._supervisor()

    @property
    def text_pane(self) -> StepText:
        return self.query_one(StepText)

    @property
    def editor(self) -> CodeEditor | CodePreview:
        """Where the code is: the editor, or its preview until the editor is up."""
        return self.query_one(".code-pane")  # type: ignore[return-value]

    async def editor_up(self) -> CodeEditor:
        """The editor, in its preview's place (once): with the code, the focus and no undo."""
        from tutor.widgets.code_editor import CodeEditor

        async with self._editor_lock:
            try:
                return self.query_one("#editor", CodeEditor)
            except NoMatches:
                pass
            preview = self.query_one(CodePreview)
            editor = CodeEditor(preview.text, id="editor", classes="code-pane")
            await self.query_one("#workspace").mount(editor, before=preview)
            if preview.has_focus:  # before the preview goes, which would move the focus away
                self.set_focus(editor)
            await preview.remove()
            return editor

    @on(CodePreview.Wanted)
    async def _editor_wanted(self, message: CodePreview.Wanted) -> None:
        """A key or click on the preview: the editor now, and the key handed to it."""
        editor = await self.editor_up()
        self.set_focus(editor)
        if message.key is not None:
            # Sent as from the app, as a key from the terminal is: made here, its sender
            # would be this screen, where bubbling stops short of the app's bindings.
            key = events.Key(message.key.key, message.key.character).set_sender(self.app)
            self.app.post_message(key)

    @property
    def results(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    # -- showing a step ---------------------------------------------------------------

    def watch_step(self, previous: Step | None, step: Step) -> None:
        if previous is not None:
            self.save_code(previous)
        if self.store.refresh():  # what other terminals and `tutor check` did meanwhile
            self.post_message(ProgressChanged())
        # One restyle of the whole screen, not one per class: restyling is most of a switch.
        kept = set(self.classes) - {"-exercise", "-narrow", "-results"}
        self.set_classes(kept | _layout_classes(step.is_exercise, self.app.size.width))
        self.show_text()
        self.text_pane.scroll_home(animate=False)
        if step.exercise is not None:
            record = self.store.progress.exercise(step.key)
            self.editor.load_text(
                record.code if record.code is not None else step.exercise.starter.source
            )
            if not self.editor.has_focus:  # focus() lands later: a quick Esc would lose to it
                self.editor.focus()
            self.results.clear()
            self.results.set_verdict(
                _("{passed} — done earlier; F3 compares with the reference solution").format(
                    passed=_(PASS)
                )
                if record.done
                else _("F5 runs your code · F6 checks it · F2 gives a hint · F1 lists every key")
            )
        else:
            self.query_one("#step-pane").focus()
        self._update_title()
        self.call_after_refresh(self._step_shown, step)

    def _step_shown(self, step: Step) -> None:
        """Remembered once the step is on screen: a switch need not wait for a disk write."""
        if step is self.step:
            self.store.set_last_step(step.key)

    def show_text(self) -> None:
        """Render the step's prose for the device the worker reported (GPU or CPU).

        An exercise's task is shown apart, marked, and alone above the editor on a
        small screen while the learner types (see `tutor.lessons.task`).
        """
        device = self.device()
        self._text_device = device
        self.text_pane.show(for_device(self.step.text, device), exercise=self.step.is_exercise)
        self._show_hints()

    def lessons_changed(self, catalog: Catalog) -> None:
        """The lesson files were edited: show this step as its file is now, code untouched.

        The step object is swapped without `watch_step`, which would reload the editor.
        A file that no longer loads shows its problems in place of the text until fixed.
        """
        self.catalog = catalog
        step = catalog.find_step(self.step.key)
        broken = next((b for b in catalog.broken if b.path == self.lesson_path), None)
        if step is not None:
            self.set_reactive(LessonScreen.step, step)
            self.show_text()
            self._update_title()
            return
        problems = broken.problems if broken is not None else ()
        self.text_pane.show_problems(problems_markdown(self.lesson_path, self.step.key, problems))

    def device_changed(self) -> None:
        if self.step is not None and self.device() != self._text_device:
            self.show_text()

    def _update_title(self) -> None:
        done = self.store.progress.is_done(self.step.key)
        title = title_line(self.lesson, self.step, done)
        self.query_one("#step-title", Static).update(plain(title))

    # -- code persistence -------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """The code changed: save it soon, and give a small screen back to the editor
        once the code differs from the run's.

        Compared by text: `Changed` for keys typed just before F5 arrives after the run began.
        """
        if self.editor.text != self._ran_code:
            self.remove_class("-results")
        self.text_pane.set_typing(True)
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_DELAY, self.save_code)
        if self._autosave_deadline is None:
            self._autosave_deadline = self.set_timer(AUTOSAVE_MAX_DELAY, self.save_code)

    def save_code(self, step: Step | None = None) -> None:
        """Store the editor's code for `step` (the one on screen), unless it is the starter.

        `watch_step` passes the step being left: by then `self.step` is already the next one.
        """
        for timer in (self._autosave, self._autosave_deadline):
            if timer is not None:
                timer.stop()
        self._autosave = self._autosave_deadline = None
        step = step or self.step
        if step is None or step.exercise is None:
            return
        code = self.editor.text
        stored = self.store.progress.exercise(step.key).code
        if code == (stored if stored is not None else step.exercise.starter.source):
            return
        self.store.update(step.key, code=code)

    # -- running and checking ---------------------------------------------------------

    def action_run(self) -> None:
        if self.step.is_exercise:
            self._execute(check=False)

    def action_check(self) -> None:
        if self.step.is_exercise:
            self._execute(check=True)

    @work(group="sandbox", exit_on_error=False)
    async def _execute(self, check: bool) -> None:
        from tutor.sandbox.worker import SandboxError

        supervisor = self.supervisor
        if supervisor.busy:
            self.notify(_("Your code is still running: F4 stops it."), severity="warning")
            return
        step = self.step
        exercise = step.exercise
        assert exercise is not None
        self.save_code()
        code = self.editor.text
        self.results.clear()
        self._ran_code = self.editor.text
        self.add_class("-results")
        self._stopped_by = None
        if supervisor.state in ("closed", "starting"):  # the request waits for the start
            said = (
                _("checking… (the worker is still starting)")
                if check
                else _("running… (the worker is still starting)")
            )
        else:
            said = _("checking…") if check else _("running…")
        self.results.set_verdict(said, "-running")
        on_event = partial(self._on_event, step)
        try:
            if check:
                finished = await supervisor.check(
                    code,
                    key=step.key,
                    checks=exercise.checks,
                    setup=exercise.setup,
                    names=exercise.names,
                    on_event=on_event,
                )
            else:
                finished = await supervisor.run(
                    code, key=step.key, setup=exercise.setup, on_event=on_event
                )
        except SandboxError as error:
            self._worker_failed(error)
            return
        said, passed = verdict(finished, check)
        self.store.add_attempt(step.key, "check" if check else "run", said, passed, code)
        if check and finished.check is not None and finished.check.passed:
            # Recorded even if the learner moved on while a long check ran.
            self.store.mark_done(step.key)
            self.post_message(ProgressChanged())
        if step is self.step:
            self.results.show_finished(finished, check, stopped_by=self._stopped_by)
            self._update_title()

    def _on_event(self, step: Step, event: Event) -> None:
        """Show what the run of `step` sends, unless the learner has moved to another step."""
        if step is self.step:
            self.results.show_event(event)

    def action_interrupt(self, key: str = "F4") -> None:
        """Stop the run; the verdict then names `key`, the key the learner pressed.

        ctrl+c when nothing runs is skipped, so it copies as everywhere else in Textual.
        """
        if not self.supervisor.busy:
            if key == "ctrl+c":
                raise SkipAction()
            self.notify(_("Nothing is running."))
            return
        self._stopped_by = key
        self._interrupt()

    @work(group="control", exit_on_error=False)
    async def _interrupt(self) -> None:
        await self.supervisor.interrupt()

    @work(group="control", exit_on_error=False)
    async def action_restart(self) -> None:
        from tutor.sandbox.worker import SandboxError

        self.results.set_verdict(_("restarting the worker…"), "-running")
        try:
            await self.supervisor.restart()
        except SandboxError as error:
            self._worker_failed(error)
            return
        self.results.set_verdict(_("a fresh worker is ready; your variables were cleared"), "")

    def _worker_failed(self, error: SandboxError) -> None:
        """No worker could start: the sandbox's own one-line reason, and what to do."""
        self.results.set_verdict(
            f"{WARN} "
            + _("the code worker could not start: {error} · F12 tries again").format(error=error),
            "-warning",
        )

    async def action_external_editor(self) -> None:
        """Edit in $EDITOR (vim, emacs, nano) with the app suspended, then reload the file."""
        step = self.step
        if step.exercise is not None:
            path = data_dir() / "scratch" / f"{step.key.replace('/', '--')}.py"
            if (await self.editor_up()).edit_externally(path):
                self.save_code()

    # -- navigation and view --------------------------------------------------------------

    def action_back(self) -> None:
        self.save_code()
        self.post_message(BackToLessons(self.step))

    def action_next_step(self) -> None:
        self._move(+1)

    def action_previous_step(self) -> None:
        self._move(-1)

    def _move(self, offset: int) -> None:
        steps = [step for lesson in self.catalog.lessons for step in lesson.steps]
        keys = [step.key for step in steps]
        if self.step.key not in keys:  # its lesson file is broken right now (live reload)
            self.notify(_("This lesson's file has problems: fix them and save first."))
            return
        index = keys.index(self.step.key) + offset
        if 0 <= index < len(steps):
            self.step = steps[index]
        else:
            self.notify(
                _("That was the last step.") if offset > 0 else _("This is the first step.")
            )

    def action_toggle_plot(self) -> None:
        self.results.toggle_plot()

    def action_show_variables(self) -> None:
        """The variables, ready for arrows and Enter; pressed there, back to the editor.

        On a small screen the results take the text's place, as after a run.
        """
        if not self.step.is_exercise:
            return
        if self.results.variables_focused:
            self.editor.focus()
            return
        self.add_class("-results")
        self.results.show_variables()

    def action_toggle_results_size(self) -> None:
        """The hidden editor loses focus: give it back when the results shrink again."""
        self.toggle_class("-results-max")
        if self.has_class("-results-max"):
            self.results.focus_tabs()
        elif self.step.is_exercise:
            self.editor.focus()

    def action_scroll_text(self, direction: int) -> None:
        """Also brings the whole text back above the editor (see `on_descendant_focus`)."""
        self.text_pane.page(direction)

    def action_toggle_log_scale(self) -> None:
        self.results.toggle_log_scale()

    def action_toggle_dark(self) -> None:
        self.app.theme = "textual-light" if self.app.current_theme.dark else "textual-dark"

    def action_help(self) -> None:
        from tutor.screens.help import HelpScreen
        from tutor.widgets.code_editor import CodeEditor

        self.app.push_screen(HelpScreen(self, CodeEditor.BINDINGS))


def _layout_classes(exercise: bool, width: int) -> set[str]:
    """The screen classes that choose the layout: the workspace shown, the panes stacked."""
    classes = {"-exercise"} if exercise else set()
    return classes | {"-narrow"} if width < NARROW_WIDTH else classes
