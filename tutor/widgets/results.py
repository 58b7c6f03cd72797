"""What a run left behind: the verdict line and the Output / Variables / Plot tabs.

The lesson screen decides what to run; this pane only shows what the sandbox sent
back, so the screen never reaches into the tabs' widgets itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import Static, TabbedContent, TabPane

from tutor.i18n import N_, _
from tutor.sandbox.protocol import Event, Finished, MetricsEvent, OutputEvent, VariablesEvent
from tutor.widgets.output_log import OutputLog
from tutor.widgets.plain import plain
from tutor.widgets.variables import VariablesPanel

if TYPE_CHECKING:
    from tutor.widgets.loss_plot import LossPlot

PASS = N_("✓ PASS")
FAIL = N_("✗ NOT YET")
WARN = "⚠"
EXPLAIN = "→"


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

    def compose(self) -> ComposeResult:
        yield Static(id="verdict")
        with TabbedContent(id="results"):
            with TabPane(_("Output"), id="output-tab"):
                yield OutputLog(id="output")
            with TabPane(_("Variables"), id="variables-tab"):
                yield VariablesPanel(id="variables-panel")
            # The plot (plotext) is mounted when first needed, not on the way to the first paint.
            yield TabPane(_("Plot"), id="plot-tab")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#results", TabbedContent)

    @property
    def output(self) -> OutputLog:
        return self.query_one(OutputLog)

    @property
    def plot(self) -> LossPlot:
        return self.mount_plot()

    def mount_plot(self) -> LossPlot:
        """The plot, mounted on first use: importing plotext is slow and most steps never plot."""
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

    def set_verdict(self, text: str, kind: str = "") -> None:
        """Plain text, never markup: messages quote learners' code, e.g. `x[i]`."""
        verdict = self.query_one("#verdict", Static)
        verdict.update(plain(text))
        verdict.set_classes(kind)

    def clear(self) -> None:
        """A fresh step (or a reset) starts with empty output, variables and plot."""
        self.output.clear()
        self.variables.show([])
        if self.has_plot:
            self.plot.reset()
        self.tabs.active = "output-tab"

    def show_event(self, event: Event) -> None:
        """Streamed output, metric points and the variables table as they arrive."""
        if isinstance(event, OutputEvent):
            self.output.append(event.stream, event.text)
        elif isinstance(event, MetricsEvent):
            if not self.has_plot or not self.plot.series:
                self.tabs.active = "plot-tab"
            self.plot.add_points(event.points)
        elif isinstance(event, VariablesEvent):
            self.variables.show(event.variables)

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

    def toggle_plot(self) -> None:
        self.mount_plot()  # so the tab shows the curve, or how to get one
        self.tabs.active = "output-tab" if self.tabs.active == "plot-tab" else "plot-tab"

    def show_variables(self) -> None:
        """The Variables tab with the cursor in its table: arrows pick a row, Enter opens it.

        Focus has to move: from the editor, Enter would type a newline, and Tab indents.
        """
        self.tabs.active = "variables-tab"
        self.variables.focus_table()

    @property
    def variables(self) -> VariablesPanel:
        return self.query_one(VariablesPanel)
