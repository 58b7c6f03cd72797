"""The Textual app: wires the lessons, the progress store and the screens together.

Kept thin on purpose: screens and widgets own their behaviour; the app only decides
which screen shows what and offers the main actions in the command palette.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual._compositor import LayoutUpdate
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.timer import Timer

from tutor import i18n
from tutor.course import resume_step
from tutor.i18n import N_, _
from tutor.lessons.model import Catalog, Step
from tutor.progress import CANNOT_SAVE, ProgressStore
from tutor.sandbox.limits import Limits
from tutor.screens.messages import BackToLessons, ProgressChanged, StepChosen
from tutor.screens.step_commands import StepCommands
from tutor.widgets.bindings import translate_bindings
from tutor.widgets.first_frame import after_first_frame, frame_shown
from tutor.widgets.plain import printable

if TYPE_CHECKING:
    from rich.console import RenderableType

    from tutor.lessons.watch import LessonWatcher
    from tutor.sandbox.supervisor import Supervisor
    from tutor.screens.home import HomeScreen
    from tutor.screens.lesson import LessonScreen

SAVE_RETRY_EVERY = 3.0
"""Seconds between tries to save changes that could not be saved (disk full, locked...)."""
KEPT_IN_MEMORY = N_("Your changes are kept and saved as soon as that is possible.")
SAVED_AGAIN = N_("Progress is saved again.")
TEXTUAL_WORDS = (
    N_("palette"),
    N_("Open the command palette"),
    N_("Bell"),
    N_("Ring the bell"),
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit the application as soon as possible"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)
"""Textual's own words (its palette key and system commands), for our catalogs: the app
shows them through `_()` like its own."""
WORKER_STATES = {
    "starting": N_("starting"),
    "ready": N_("ready"),
    "running": N_("running"),
    "restarting": N_("restarting"),
    "closed": N_("closed"),
}
"""The worker's states as the header names them."""
FIRST_FRAME_AT_LATEST = 3.0
"""Seconds after the app mounts when work waiting for the first frame runs regardless."""
WATCH_INTERVAL = 1.0
"""Seconds between looks at the lesson files' modification times."""


class TutorApp(App[None]):
    """pytorch-tutor: lessons on the left, a step on the right, everything by keyboard."""

    TITLE = "pytorch-tutor"
    COMMANDS = App.COMMANDS | {StepCommands}
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
    ]

    def __init__(
        self,
        catalog: Catalog,
        store: ProgressStore,
        *,
        start: Step | None = None,
        open_start: bool | None = None,
        supervisor: Supervisor | None = None,
        device: str = "auto",
        watcher: LessonWatcher | None = None,
        watch_interval: float = WATCH_INTERVAL,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.catalog = catalog
        self.watcher = watcher
        """Reloads edited lesson files (`tutor --lessons DIR`), polled every `watch_interval`."""
        self.watch_interval = watch_interval
        self.store = store
        self.start = start
        self.open_start = store.progress.last_step is not None if open_start is None else open_start
        """Open `start` on the lesson screen (resume, `tutor open`), or only highlight it."""
        self._supervisor = supervisor
        self._device = device
        self._limits = Limits()
        """Read now: a bad limit in the environment stops `tutor` with one line, not later."""
        if supervisor is not None:
            supervisor.on_state = self._worker_state_changed
        self._running_since: float | None = None
        self._running_timer: Timer | None = None
        self._save_retry: Timer | None = None
        self.first_frame_shown = False
        """Set once a frame reached the terminal; see `tutor.widgets.first_frame`."""

    def on_mount(self) -> None:
        self.update_progress_title()
        if self.watcher is not None:
            self.set_interval(self.watch_interval, self.reload_lessons)
        if self.start is not None and self.open_start:
            self.open_step(self.start)  # the lesson list is made when the learner goes to it
        else:
            self.push_screen(self.lesson_list(self.start))
        # After the first paint: the worker's start (a process importing torch) would
        # compete with it for the CPU.
        after_first_frame(self, self.start_sandbox)
        # Should Textual never write a whole frame (a change in a later version), the
        # deferred work must still run: late beats never (the worker's start among it).
        self.set_timer(FIRST_FRAME_AT_LATEST, self._first_frame_at_latest)
        if self.store.warning:
            self.notify(
                self.store.warning, title="Progress", severity="warning", timeout=15, markup=False
            )
        self.store.on_problem = self.progress_problem
        if self.store.problem:
            self.progress_problem(self.store.problem)
        if self.catalog.broken:
            names = ", ".join(broken.path.name for broken in self.catalog.broken)
            self.notify(
                printable(_("Some lessons could not be loaded: {names}").format(names=names)),
                severity="error",
                timeout=10,
                markup=False,
            )

    @property
    def supervisor(self) -> Supervisor:
        """Runs learners' code in the worker process; started after the first frame.

        Made on first use: its modules (the worker's protocol, limits, ...) are not
        needed for the lesson list's first frame.
        """
        if self._supervisor is None:
            from tutor.sandbox.supervisor import Supervisor

            self._supervisor = Supervisor(self._limits, device=self._device)
            self._supervisor.on_state = self._worker_state_changed
        return self._supervisor

    def _first_frame_at_latest(self) -> None:
        if not self.first_frame_shown:
            frame_shown(self)

    def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
        """The first whole frame of a screen of ours is out: deferred work may start.

        Not the first display: the ones inside Textual's start-up batch write nothing,
        and the first one after it may be a partial update (the header's subtitle)
        that leaves the rest of the terminal blank until the whole frame follows.
        """
        super()._display(screen, renderable)
        if (
            not self.first_frame_shown
            and not self._batch_count
            and isinstance(renderable, LayoutUpdate)
            and screen.id != "_default"
            and screen.is_mounted
        ):
            frame_shown(self)

    def lesson_list(self, highlight: Step | None) -> HomeScreen:
        """A new lesson list; its screen's module loads on first use, as `tutor open`
        may never show it."""
        from tutor.screens.home import HomeScreen

        return HomeScreen(
            self.catalog, self.store.progress, highlight=highlight, device=self.lesson_device
        )

    @on(BackToLessons)
    def back_to_lessons(self, message: BackToLessons) -> None:
        """Back to the lesson list under the step, or to a new one if the app opened on a step."""
        from tutor.screens.home import HomeScreen

        if any(isinstance(screen, HomeScreen) for screen in self.screen_stack):
            self.pop_screen()
        else:
            self.switch_screen(self.lesson_list(message.step))

    def open_step(self, step: Step) -> None:
        """Show `step`, replacing a lesson screen already open rather than stacking another."""
        from tutor.screens.lesson import LessonScreen  # its editor and plot load on first use

        if isinstance(self.screen, LessonScreen):
            self.screen.step = step
        else:
            self.push_screen(
                LessonScreen(
                    self.catalog,
                    self.store,
                    step,
                    supervisor=lambda: self.supervisor,
                    device=self.lesson_device,
                )
            )

    @work(group="sandbox-start", exit_on_error=False)
    async def start_sandbox(self) -> None:
        try:
            await self.supervisor.start()
        except Exception as error:  # noqa: BLE001 - the app stays usable for reading
            self.notify(
                printable(_("The code worker could not start: {error}").format(error=error)),
                severity="error",
                timeout=20,
                markup=False,
            )
        self.update_progress_title()

    @work(thread=True, exclusive=True, group="lessons-reload", exit_on_error=False)
    def reload_lessons(self) -> None:
        """Stat the lesson files (and reparse them if one changed) off the event loop."""
        assert self.watcher is not None
        catalog = self.watcher.poll()
        if catalog is not None:
            self.call_from_thread(self.lessons_changed, catalog)

    def lessons_changed(self, catalog: Catalog) -> None:
        """Show the lessons as their files are now, on every screen, keeping the learner's code."""
        from tutor.screens.home import HomeScreen

        self.catalog = catalog
        for screen in self.screen_stack:
            target = screen if isinstance(screen, HomeScreen) else self.lesson_screen(screen)
            if target is not None:
                target.lessons_changed(catalog)
        self.update_progress_title()

    async def on_unmount(self) -> None:
        if self._supervisor is not None:
            await self._supervisor.close()

    def _worker_state_changed(self, state: str, reason: str = "") -> None:
        if reason:
            self.notify(
                printable(reason), title="Worker", severity="warning", timeout=10, markup=False
            )
        if state == "running":
            self._running_since = time.monotonic()
            self._running_timer = self._running_timer or self.set_interval(
                0.1, self.update_progress_title
            )
        else:
            self._running_since = None
            if self._running_timer is not None:
                self._running_timer.stop()
                self._running_timer = None
        lesson_screen = self.lesson_screen(self.screen) if self.screen_stack else None
        if state == "ready" and lesson_screen is not None:
            lesson_screen.device_changed()
        self.update_progress_title()

    def progress_problem(self, why: str | None) -> None:
        """Say once that saving fails and keep retrying; say when it works again."""
        if why is not None:
            line = f"{_(CANNOT_SAVE).format(why=why)} {_(KEPT_IN_MEMORY)}"
            self.notify(line, title="Progress", severity="warning", timeout=15, markup=False)
            if self._save_retry is None:
                self._save_retry = self.set_interval(SAVE_RETRY_EVERY, self.store.flush)
        else:
            self.notify(_(SAVED_AGAIN), title=_("Progress"), timeout=5)
            if self._save_retry is not None:
                self._save_retry.stop()
                self._save_retry = None
        self.update_progress_title()

    def lesson_device(self) -> str:
        """Where learners' code runs, "cuda" or "cpu", so prose can match it."""
        report = self._supervisor.device_report if self._supervisor else None
        return report.selected if report is not None else "cpu"

    def update_progress_title(self) -> None:
        """Header: device · worker state · progress, e.g. `cpu · 2 threads · ready · 3/40 done`."""
        exercises = self.catalog.exercises()
        done = sum(self.store.progress.is_done(step.key) for step in exercises)
        supervisor = self._supervisor
        state = "starting" if supervisor is None else supervisor.state
        state = _(WORKER_STATES.get(state, state))
        if self._running_since is not None:
            seconds = time.monotonic() - self._running_since
            state = _("running {seconds:.1f} s").format(seconds=seconds)
        report = supervisor.device_report if supervisor else None
        total = len(exercises)
        memory = report.gpu_memory_label(supervisor.gpu_memory) if report and supervisor else ""
        parts = [
            report.label if report else "",
            memory,
            state,
            _("{done}/{total} done").format(done=done, total=total),
        ]
        if self.store.problem is not None:
            parts.append(_("not saved"))
        self.sub_title = " · ".join(part for part in parts if part)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                CommandPalette(placeholder=_("Search for commands…"), id="--command-palette")
            )

    async def action_quit(self) -> None:
        """Save the code on screen first: quitting must never lose a keystroke."""
        lesson_screen = self.lesson_screen(self.screen)
        if lesson_screen is not None:
            lesson_screen.save_code()
        await super().action_quit()

    @staticmethod
    def lesson_screen(screen: Screen) -> LessonScreen | None:
        """`screen` if it is a lesson screen; never imports one just to ask."""
        module = sys.modules.get("tutor.screens.lesson")
        return screen if module is not None and isinstance(screen, module.LessonScreen) else None

    @on(ProgressChanged)
    def progress_changed(self) -> None:
        self.update_progress_title()

    @on(StepChosen)
    def step_chosen(self, message: StepChosen) -> None:
        self.open_step(message.step)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))
        lesson_screen = self.lesson_screen(screen)
        if lesson_screen is not None:
            yield from lesson_commands(lesson_screen)
        resume = resume_step(self.catalog, self.store.progress)
        if resume is not None:
            yield SystemCommand(
                _("Resume"),
                _("Open {step}").format(step=resume.key),
                partial(self.open_step, resume),
            )
        for lang in i18n.LANGUAGES:
            if lang != i18n.current():
                yield SystemCommand(
                    _("Language: {name}").format(name=i18n.NAMES[lang]),
                    _("Show the app, the lessons and the checks' messages in {name}").format(
                        name=i18n.NAMES[lang]
                    ),
                    partial(self.switch_language, lang),
                )

    async def switch_language(self, lang: str) -> None:
        """Speak `lang` from now on: screens are built anew, on the same step, code kept.

        Every label, key and lesson text is made when a screen is built, so rebuilding is
        what makes the switch complete; the next run's messages follow it in the worker.
        """
        lesson_screen = self.lesson_screen(self.screen)
        at = lesson_screen.step.key if lesson_screen is not None else None
        if lesson_screen is not None:
            lesson_screen.save_code()
        i18n.set_language(lang)
        translate_bindings(self)
        # Re-translating every lesson parses their code: off the event loop.
        from tutor.lessons.translations import in_language

        self.catalog = await asyncio.to_thread(in_language, self.catalog, lang)
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(self.lesson_list(self.start))
        step = self.catalog.find_step(at) if at is not None else None
        if step is not None:
            self.open_step(step)
        self.update_progress_title()


def lesson_commands(screen: LessonScreen) -> Iterable[SystemCommand]:
    """Every action of the lesson screen's key bindings, once each, for the palette."""
    seen: set[str] = set()
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or not binding.tooltip:
            continue
        name = binding.action.split("(")[0]
        if name in seen:
            continue
        seen.add(name)
        yield SystemCommand(
            f"{_(binding.description)} ({binding.key.split(',')[0]})",
            _(binding.tooltip),
            partial(screen.run_action, binding.action),
        )
