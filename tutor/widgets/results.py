"""What a run left behind: the verdict line and the Output / Variables / Plot tabs.

The lesson screen decides what to run; this pane only shows what the sandbox sent
back, so the screen never reaches into the tabs' widgets itself.

The tabs come after the screen's first frame: a DataTable, a RichLog and the tabs
themselves (with their modules) are a quarter of the lesson screen's start, and
nothing has run yet to fill them. Whatever is asked of them before they are up
waits for them, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import Static

from tutor.i18n import N_, _
from tutor.widgets.first_frame import after_first_frame
from tutor.widgets.plain import plain

if TYPE_CHECKING:
    from textual.widgets import TabbedContent

    from tutor.sandbox.protocol import Event, Finished
    from tutor.widgets.loss_plot import LossPlot
    from tutor.widgets.output_log import OutputLog
    from tutor.widgets.variables import VariablesPanel

PASS = N_("✓ PASS")
FAIL = N_("✗ NOT YET")
WARN = "⚠"
EXPLAIN = "→"


def when_tabs_up(method: Callable[..., None]) -> Callable[..., None]:
    """`method` runs now if the pane's tabs are up, else as soon as they are, in order."""

    @wraps(method)
    def asked(pane: ResultsPane, *args: Any, **kwargs: Any) -> None:
        pane._with_tabs(partial(method, pane, *args, **kwargs))

    return asked


class ResultsPane(Vertical):
    """The verdict on top, then the tabs; a training run's first metric brings up the plot."""

    DEFAULT_CSS = """
    ResultsPane {
        height: auto;
    }
    ResultsPane > #verdict {
        height: auto;
        max-height: 6;
        overflow-y: auto;
        padding: 0 1;
        background: $boost;
    }
    ResultsPane > #verdict.-pass {
        background: $success 25%;
        text-style: bold;
    }
    ResultsPane > #verdict.-fail {
        background: $error 25%;
        text-style: bold;
    }
    ResultsPane > #verdict.-warning {
        background: $warning 25%;
        text-style: bold;
    }
    ResultsPane > #verdict.-running {
        color: $text-muted;
    }
    ResultsPane TabPane {
        padding: 0;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._tabs_asked = False
        self._tabs_up = False
        self._waiting: list[Callable[[], object]] = []
        """What was asked of the tabs before they were up, in order."""

    def compose(self) -> ComposeResult:
        yield Static(id="verdict")

    def on_mount(self) -> None:
        after_first_frame(self, self._mount_tabs)

    async def _mount_tabs(self) -> None:
        """Mount the tabs (once), then do what was asked of them meanwhile."""
        if self._tabs_asked:
            return
        self._tabs_asked = True
        from textual.widgets import TabbedContent, TabPane

        from tutor.widgets.output_log import OutputLog
        from tutor.widgets.variables import VariablesPanel

        tabs = TabbedContent(id="results")
        for pane in (
            TabPane(_("Output"), OutputLog(id="output"), id="output-tab"),
            TabPane(_("Variables"), VariablesPanel(id="variables-panel"), id="variables-tab"),
            # The plot (plotext) is mounted when first needed: few steps plot.
            TabPane(_("Plot"), id="plot-tab"),
        ):
            tabs.compose_add_child(pane)  # as `with TabbedContent():` does in a compose
        await self.mount(tabs)
        self._tabs_up = True
        while self._waiting:
            self._waiting.pop(0)()

    def _with_tabs(self, action: Callable[[], object]) -> None:
        """Do `action` now if the tabs are up, else as soon as they are (asked for now)."""
        if self._tabs_up:
            action()
            return
        self._waiting.append(action)
        if not self._tabs_asked:  # before the first frame was out: a key pressed early
            self.call_later(self._mount_tabs)

    @property
    def tabs_up(self) -> bool:
        return self._tabs_up

    @property
    def tabs(self) -> TabbedContent:
        from textual.widgets import TabbedContent

        return self.query_one("#results", TabbedContent)

    @property
    def output(self) -> OutputLog:
        from tutor.widgets.output_log import OutputLog

        return self.query_one(OutputLog)

    @property
    def variables(self) -> VariablesPanel:
        from tutor.widgets.variables import VariablesPanel

        return self.query_one(VariablesPanel)

    @property
    def plot(self) -> LossPlot:
        return self.mount_plot()

    def mount_plot(self) -> LossPlot:
        """The plot, mounted on first use: importing plotext is slow and most steps never plot."""
        from textual.widgets import TabPane

        from tutor.widgets.loss_plot import LossPlot

        try:
            return self.query_one(LossPlot)
        except NoMatches:
            plot = LossPlot(id="plot")
            self.query_one("#plot-tab", TabPane).mount(plot)
            return plot

    @property
    def has_plot(self) -> bool:
        return bool(self.query("#plot"))

    @property
    def variables_focused(self) -> bool:
        return self._tabs_up and self.variables.has_focus_within

    def set_verdict(self, text: str, kind: str = "") -> None:
        """Plain text, never markup: messages quote learners' code, e.g. `x[i]`."""
        verdict = self.query_one("#verdict", Static)
        verdict.update(plain(text))
        verdict.set_classes(kind)

    def clear(self) -> None:
        """A fresh step (or a reset) starts with empty output, variables and plot."""
        if self._tabs_asked:  # tabs still to come start empty: no need to bring them now
            self._empty()

    @when_tabs_up
    def _empty(self) -> None:
        self.output.clear()
        self.variables.show([])
        if self.has_plot:
            self.plot.reset()
        self.tabs.active = "output-tab"

    @when_tabs_up
    def show_event(self, event: Event) -> None:
        """Streamed output, metric points and the variables table as they arrive."""
        from tutor.sandbox.protocol import MetricsEvent, OutputEvent, VariablesEvent

        if isinstance(event, OutputEvent):
            self.output.append(event.stream, event.text)
        elif isinstance(event, MetricsEvent):
            if not self.has_plot or not self.plot.series:
                self.tabs.active = "plot-tab"
            self.plot.add_points(event.points)
        elif isinstance(event, VariablesEvent):
            self.variables.show(event.variables)

    @when_tabs_up
    def show_finished(
        self, finished: Finished, check: bool, *, stopped_by: str | None = None
    ) -> None:
        """The traceback into the output, and one verdict line that says what happened.

        `stopped_by` is the key the learner pressed to interrupt the run: the sandbox
        says "Ctrl+C" (what it sends), the learner may have pressed F4.
        """
        output = self.output
        output.flush()
        if finished.traceback:
            output.append("stderr", finished.traceback.rstrip("\n") + "\n")
        if finished.explanation:
            output.note(f"{EXPLAIN} {finished.explanation}")
        for warning in finished.warnings:
            output.note(f"{WARN} {warning}")
        reason = finished.reason
        if finished.status == "interrupted" and stopped_by is not None:
            reason = reason.replace("Ctrl+C", stopped_by)
        if finished.status not in ("ok", "error"):
            output.note(f"{WARN} {reason}")
            self.set_verdict(f"{WARN} {reason}", "-warning")
        elif check and finished.check is not None and finished.check.passed:
            self.set_verdict(
                _("{passed} — {message}. F8: next step · F3: the reference solution").format(
                    passed=_(PASS), message=finished.check.message
                ),
                "-pass",
            )
        elif check and finished.check is not None:
            self.set_verdict(f"{_(FAIL)} — {finished.check.message}", "-fail")
        elif finished.status == "error" and finished.explanation:
            self.set_verdict(_("✗ error: {what}").format(what=finished.explanation), "-fail")
        elif finished.status == "error":
            last = (finished.traceback.strip().splitlines()[-1:] or [finished.reason])[0]
            if "'ellipsis'" in last:
                last = _("{error} — replace the `...` placeholders with your code").format(
                    error=last
                )
            self.set_verdict(_("✗ error: {what}").format(what=last), "-fail")
        elif finished.warnings:
            self.set_verdict(f"{WARN} {finished.warnings[0]}", "-warning")
        else:
            self.set_verdict(
                _("ran in {seconds:.1f} s · F6 checks it").format(seconds=finished.seconds), ""
            )

    @when_tabs_up
    def toggle_plot(self) -> None:
        self.mount_plot()  # so the tab shows the curve, or how to get one
        self.tabs.active = "output-tab" if self.tabs.active == "plot-tab" else "plot-tab"

    @when_tabs_up
    def toggle_log_scale(self) -> None:
        plot = self.plot
        plot.log_scale = not plot.log_scale
        self.notify(
            _("Plot y axis: log scale") if plot.log_scale else _("Plot y axis: linear scale")
        )

    @when_tabs_up
    def show_variables(self) -> None:
        """The Variables tab with the cursor in its table: arrows pick a row, Enter opens it.

        Focus has to move: from the editor, Enter would type a newline, and Tab indents.
        """
        self.tabs.active = "variables-tab"
        self.variables.focus_table()

    @when_tabs_up
    def focus_tabs(self) -> None:
        self.tabs.focus()
