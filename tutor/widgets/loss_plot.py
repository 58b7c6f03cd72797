"""Live metric curves from `tutor.log(...)`, redrawn at most ten times a second.

Every point is kept (the last run's curve stays visible after it ends); only the
drawing is downsampled to what the terminal can show.
"""

from __future__ import annotations

import math

from textual.reactive import reactive
from textual.timer import Timer
from textual_plotext import PlotextPlot

from tutor.i18n import _
from tutor.sandbox.protocol import MetricPoint

REDRAW_INTERVAL = 0.1


class LossPlot(PlotextPlot):
    """One line per metric name, x = step, with a legend; `log_scale` for losses."""

    log_scale: reactive[bool] = reactive(False)
    """Log y axis; points ≤ 0 are left out of the drawing, as a log axis cannot show them."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.series: dict[str, tuple[list[float], list[float]]] = {}
        self._redraw_timer: Timer | None = None

    @property
    def point_count(self) -> int:
        return sum(len(xs) for xs, _ in self.series.values())

    def add_points(self, points: list[MetricPoint]) -> None:
        for point in points:
            for metric, value in point.values.items():
                xs, ys = self.series.setdefault(metric, ([], []))
                xs.append(float(point.step))
                ys.append(value)
        self._schedule_redraw()

    def reset(self) -> None:
        self.series.clear()
        self._schedule_redraw()

    def watch_log_scale(self) -> None:
        self._schedule_redraw()

    def on_resize(self) -> None:
        self._schedule_redraw()

    def _schedule_redraw(self) -> None:
        """Coalesce bursts of points into one redraw per interval; no timer when idle."""
        if self._redraw_timer is None:
            self._redraw_timer = self.set_timer(REDRAW_INTERVAL, self._redraw)

    def _redraw(self) -> None:
        """Rebuild the figure from the kept series.

        The log scale is applied to the data here rather than with plotext's
        `yscale("log")`: plotext takes the log of its stored data in place on every
        build, and a widget is rendered many times, so the second render would take
        the log of a log (a math domain error on values below 1).
        """
        self._redraw_timer = None
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        budget = max(self.size.width * 2, 20)
        drawn: list[float] = []
        for metric, (xs, ys) in self.series.items():
            if self.log_scale:
                kept = [(x, math.log10(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
                xs, ys = [x for x, _ in kept], [y for _, y in kept]
            if xs:
                xs, ys = downsample(xs, ys, budget)
                plt.plot(xs, ys, label=metric, marker="braille")
                drawn.extend(ys)
        plt.xlabel("step")
        plt.ylabel(_("value (log scale)") if self.log_scale else _("value"))
        if drawn:
            # Rows of the plotting area: the widget less the frame, x ticks and labels.
            ticks, labels = y_ticks(min(drawn), max(drawn), self.size.height - 5, self.log_scale)
            plt.yticks(ticks, labels)
        if not drawn:
            plt.title(_("no metrics yet: call tutor.log(step=i, loss=...) in your loop"))
        self.refresh()


def y_ticks(low: float, high: float, rows: int, log_scale: bool) -> tuple[list[float], list[str]]:
    """Y ticks at most every other row, inside the data's range, so labels never collide.

    plotext's own ticks in a few rows overwrite each other (a `9.4` drawn above
    `16.1`), and log labels outside the range ran into the frame (`1e20.0`).
    """
    count = max(min(rows // 2, 6), 2)
    if high - low < 1e-12:
        ticks = [low]
    elif log_scale and math.floor(high) - math.ceil(low) + 1 >= 2:
        first, last = math.ceil(low), math.floor(high)
        stride = -(-(last - first + 1) // count)
        ticks = [float(tick) for tick in range(first, last + 1, stride)]
    else:
        ticks = [low + (high - low) * i / (count - 1) for i in range(count)]
    if log_scale:
        labels = [f"1e{tick:g}" if tick == int(tick) else f"{10**tick:.2g}" for tick in ticks]
    else:
        labels = [f"{tick:.3g}" for tick in ticks]
    return ticks, labels


def downsample(xs: list[float], ys: list[float], budget: int) -> tuple[list[float], list[float]]:
    """At most about `budget` points, evenly spaced, always keeping the latest one."""
    if len(xs) <= budget:
        return xs, ys
    stride = -(-len(xs) // budget)
    indices = list(range(0, len(xs), stride))
    if indices[-1] != len(xs) - 1:
        indices.append(len(xs) - 1)
    return [xs[i] for i in indices], [ys[i] for i in indices]
