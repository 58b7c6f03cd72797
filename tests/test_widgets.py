"""Widgets on their own: literal output, partial lines, plot downsampling and log scale,
the step text's switch to Markdown, the results' tabs coming up after the first frame."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Markdown

from tutor.sandbox.protocol import Finished, MetricPoint, OutputEvent, Variable, VariablesEvent
from tutor.widgets.loss_plot import LossPlot, downsample
from tutor.widgets.output_log import OutputLog
from tutor.widgets.plain import literal
from tutor.widgets.results import ResultsPane
from tutor.widgets.step_text import StepText, plain_text


def test_literal_makes_control_characters_visible() -> None:
    assert literal("\x1b[2Jred\x07") == "\\x1b[2Jred\\x07"
    assert literal("[bold]x[/]\tend") == "[bold]x[/]  end"


def test_downsample_keeps_the_latest_point() -> None:
    xs = [float(i) for i in range(1000)]
    small_x, small_y = downsample(xs, xs, 100)
    assert len(small_x) <= 101 and small_x[0] == 0 and small_x[-1] == 999
    assert downsample(xs[:10], xs[:10], 100) == (xs[:10], xs[:10])


class WidgetApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OutputLog()
        yield LossPlot()


async def test_output_waits_for_the_newline_and_flushes_the_rest() -> None:
    app = WidgetApp()
    async with app.run_test() as pilot:
        log = app.query_one(OutputLog)
        log.append("stdout", "hel")
        log.append("stdout", "lo\nwor")
        await pilot.pause()
        assert [line.text for line in log.lines] == ["hello"]
        log.flush()
        await pilot.pause()
        assert [line.text for line in log.lines] == ["hello", "wor"]


async def settle(plot: LossPlot, pilot) -> None:
    """Wait for the throttled redraw, however slow the machine."""
    while plot._redraw_timer is not None:
        await pilot.pause(0.05)


async def test_log_scale_survives_zero_and_negative_values() -> None:
    app = WidgetApp()
    async with app.run_test(size=(100, 40)) as pilot:
        plot = app.query_one(LossPlot)
        plot.add_points(
            [MetricPoint(i, {"loss": 1.0 / (i + 1), "shift": i - 5.0}) for i in range(10)]
        )
        plot.add_points([MetricPoint(10, {"loss": 0.0})])
        plot.log_scale = True
        await settle(plot, pilot)
        assert plot.point_count == 21
        first, second = str(plot.render()), str(plot.render())  # plotext once failed on re-renders
        assert first == second and "1e0" in first and "log scale" in first
        plot.series.clear()
        plot.add_points([MetricPoint(0, {"loss": -1.0})])
        await settle(plot, pilot)
        plot.render()


def test_y_ticks_are_ordered_inside_the_range_and_fit_the_rows() -> None:
    from tutor.widgets.loss_plot import y_ticks

    ticks, labels = y_ticks(0.8, 16.1, rows=2, log_scale=False)
    assert ticks == sorted(ticks) and len(ticks) == 2 and labels == ["0.8", "16.1"]
    ticks, labels = y_ticks(-9.7, 1.2, rows=12, log_scale=True)
    assert ticks == sorted(ticks) and len(ticks) <= 6
    assert all(-9.7 <= tick <= 1.2 for tick in ticks) and labels[-1] == "1e1"
    ticks, labels = y_ticks(0.2, 0.5, rows=12, log_scale=True)  # less than a decade
    assert ticks == sorted(ticks) and all(label[0].isdigit() for label in labels)


async def test_output_wraps_at_the_pane_width() -> None:
    app = WidgetApp()
    async with app.run_test(size=(60, 20)) as pilot:
        log = app.query_one(OutputLog)
        log.append("stdout", " ".join(f"word{i}" for i in range(30)) + "\n")
        await pilot.pause()
        width = log.scrollable_content_region.width
        assert all(len(line.text.rstrip()) <= width for line in log.lines)
        assert "word29" in "".join(line.text for line in log.lines)
        log.styles.width = 40
        await pilot.pause()
        assert all(len(line.text.rstrip()) <= 40 for line in log.lines), "wrapped again"


def test_plain_text_reads_as_the_markdown_will() -> None:
    """Before Markdown loads: paragraphs joined (they wrap at the pane), blocks kept apart,
    fenced code line by line without its fence lines, `[markup]` left as it is."""
    markdown = (
        "A tensor holds numbers\nin a grid [bold]x[/].\n\n"
        "- one item\n- two items\n\n"
        "```python\nx = 1\n    y = 2\n```\n"
        "Last line."
    )
    assert plain_text(markdown) == (
        "A tensor holds numbers in a grid [bold]x[/].\n\n"
        "- one item\n- two items\n\n"
        "  x = 1\n      y = 2\n"
        "Last line."
    )


class StepTextApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StepText()


async def test_step_text_turns_into_markdown_with_the_text_shown_meanwhile() -> None:
    app = StepTextApp()
    async with app.run_test() as pilot:
        pane = app.query_one(StepText)
        pane.show("Some *text*.\n\nCreate a tensor `m`.", exercise=True)
        await pilot.pause()
        await pilot.pause()
        parts = {part: pane.query_one(f"#{part}") for part in ("step-text", "step-task", "hints")}
        assert all(isinstance(part, Markdown) for part in parts.values())
        assert "Some *text*." in parts["step-text"].source
        assert parts["hints"].has_class("-empty") and not parts["step-text"].has_class("-empty")


class EarlyResultsApp(App[None]):
    """Asks the results pane for everything in the turn it mounts, before its tabs are up."""

    def compose(self) -> ComposeResult:
        yield ResultsPane()

    def on_mount(self) -> None:
        pane = self.query_one(ResultsPane)
        self.tabs_up_at_mount = pane.tabs_up
        pane.clear()
        pane.show_event(OutputEvent("stdout", "hello\n"))
        pane.show_event(VariablesEvent([Variable("rank", "int", value="2")]))
        pane.show_finished(Finished("ok", seconds=0.5), check=False)
        pane.toggle_log_scale()
        pane.show_variables()


async def test_what_is_asked_of_the_results_before_their_tabs_are_up_is_done_in_order() -> None:
    app = EarlyResultsApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        pane = app.query_one(ResultsPane)
        assert not app.tabs_up_at_mount and pane.tabs_up
        assert pane.variables.table.row_count == 1
        assert pane.tabs.active == "variables-tab" and pane.variables_focused
        assert "ran in 0.5 s" in str(pane.query_one("#verdict").render())
        assert pane.plot.log_scale
        pane.tabs.active = "output-tab"
        await pilot.pause()
        assert [line.text for line in pane.output.lines] == ["hello"]
