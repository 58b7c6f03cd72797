"""The receiving end of `tutor.log(...)` inside the worker process.

Outside the sandbox (plain `python`, the exercise tests) no sink is installed and
points are dropped, so lesson code that logs metrics runs anywhere unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

MetricSink = Callable[[int | None, Mapping[str, float]], None]

_sink: MetricSink | None = None


def install_sink(sink: MetricSink | None) -> None:
    global _sink
    _sink = sink


def emit(step: int | None, values: Mapping[str, float]) -> None:
    if _sink is not None:
        _sink(step, values)


@contextmanager
def paused() -> Iterator[None]:
    """Drop points while a check re-runs the learner's code: the plot shows the learner's run."""
    global _sink
    saved, _sink = _sink, None
    try:
        yield
    finally:
        _sink = saved
