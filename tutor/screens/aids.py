"""What a learner may ask for on an exercise: hints, the reference solution, the starter
code back, an earlier attempt's code. Mixed into the lesson screen, whose step, store,
editor, results and text pane these work on.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import work
from textual.await_complete import AwaitComplete
from textual.screen import Screen

from tutor.i18n import _
from tutor.lessons.model import Step
from tutor.locations import scratch_folder
from tutor.progress import ProgressStore
from tutor.screens.step_words import revealed
from tutor.widgets.results import ResultsPane
from tutor.widgets.step_text import StepText

if TYPE_CHECKING:
    from tutor.widgets.code_editor import CodeEditor
    from tutor.widgets.code_preview import CodePreview


class ExerciseAids(Screen[None]):
    """The aids' actions; their keys are the lesson screen's (see `lesson_keys`)."""

    step: Step
    store: ProgressStore
    device: Callable[[], str]
    editor: CodeEditor | CodePreview
    editor_up: Callable[[], Awaitable[CodeEditor]]
    results: ResultsPane
    text_pane: StepText

    def _show_hints(self) -> AwaitComplete:
        record = self.store.progress.exercise(self.step.key)
        parts = revealed(self.step, record.hints_shown, record.solution_shown, self.device())
        return self.text_pane.show_hints(parts)

    async def action_hint(self) -> None:
        step = self.step
        if not step.hints:
            self.notify(_("This step has no hints."))
            return
        shown = self.store.progress.exercise(step.key).hints_shown
        if shown >= len(step.hints):
            self.notify(_("No more hints: F3 shows the reference solution."))
            return
        self.store.update(step.key, hints_shown=shown + 1)
        await self._reveal_hints()

    async def _reveal_hints(self) -> None:
        """Show what was just revealed: awaited, so quick key presses never race the update."""
        self.remove_class("-results")
        await self._show_hints()
        self.text_pane.scroll_end(animate=False)

    @work(exit_on_error=False)
    async def action_solution(self) -> None:
        step = self.step
        if step.exercise is None:
            return
        record = self.store.progress.exercise(step.key)
        if not record.done and not record.solution_shown:
            question = _(
                "Show the reference solution? Trying once more (and F2 for a hint) teaches more."
            )
            from tutor.screens.confirm import ConfirmScreen  # dialogs load when first asked

            if not await self.app.push_screen_wait(ConfirmScreen(question, yes=_("Show it"))):
                return
        self.store.update(step.key, solution_shown=True)
        await self._reveal_hints()

    @work(exit_on_error=False)
    async def action_reset(self) -> None:
        step = self.step
        if step.exercise is None:
            return
        from tutor.screens.confirm import ConfirmScreen

        if not await self.app.push_screen_wait(
            ConfirmScreen(
                _("Put the starter code back? Your code for this exercise is replaced."),
                yes=_("Reset"),
            )
        ):
            return
        self.editor.load_text(step.exercise.starter.source)
        self.store.update(step.key, code=None)
        await asyncio.to_thread(shutil.rmtree, scratch_folder(step.key), ignore_errors=True)
        self.results.clear()
        self.results.set_verdict(_("starter code restored · F5 runs it · F6 checks it"))

    @work(exit_on_error=False)
    async def action_attempts(self) -> None:
        step = self.step
        if step.exercise is None:
            return
        from tutor.screens.attempts import AttemptsScreen

        code = await self.app.push_screen_wait(
            AttemptsScreen(step.key, self.store.attempts(step.key))
        )
        if code is not None and step is self.step:
            editor = await self.editor_up()
            # An edit, not load_text: ctrl+z brings back the code it replaced.
            editor.replace(code, editor.document.start, editor.document.end)
            editor.focus()
