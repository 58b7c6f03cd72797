"""Pilot: a two-rank run's output is labelled and coloured per rank, and each rank gets a curve.

The events are what the worker sends for two spawned ranks, the first points before
the first lines, so the lines arrive while the plot is in front (see
tests/sandbox/test_sandbox_ranks.py for the worker producing them); the app is driven
by keys, as a learner drives it.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tutor.app import TutorApp
from tutor.course import resume_step
from tutor.lessons.loader import load_catalog
from tutor.progress import ProgressStore
from tutor.sandbox.protocol import DeviceReport, Gpu, MetricPoint, MetricsEvent, OutputEvent
from tutor.screens.lesson import LessonScreen
from tutor.widgets.loss_plot import LossPlot
from tutor.widgets.output_log import RANK_STYLES, OutputLog

EVENTS = [
    MetricsEvent([MetricPoint(0, {"loss (rank 0)": 1.0}), MetricPoint(0, {"loss (rank 1)": 2.0})]),
    OutputEvent.from_wire({"stream": "stdout", "text": "[rank 0] epoch 0\n[rank 1] ep"}),
    OutputEvent.from_wire({"stream": "stdout", "text": "och 0\n[rank 1] [red]not markup[/]\n"}),
    MetricsEvent([MetricPoint(1, {"loss (rank 1)": 1.5}), MetricPoint(1, {"loss (rank 0)": 0.5})]),
    OutputEvent.from_wire({"stream": "stdout", "text": "done\n"}),
]


async def test_ranks_output_is_labelled_per_rank_and_each_rank_has_its_curve(
    tutor_home: Path,
) -> None:
    catalog = load_catalog([FIXTURE_LESSONS])
    store = ProgressStore(tutor_home / "progress.db")
    supervisor = FakeSupervisor(events=EVENTS)
    app = TutorApp(
        catalog, store, start=resume_step(catalog, store.progress), supervisor=supervisor
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8", "f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        output = screen.query_one(OutputLog)
        lines = list(output._texts)
        assert [line.plain for line in lines] == [
            "[rank 0] epoch 0",
            "[rank 1] epoch 0",
            "[rank 1] [red]not markup[/]",
            "done",
        ]
        for line, rank in zip(lines[:3], (0, 1, 1), strict=True):
            assert any(
                span.start == 0 and span.end == len("[rank 0] ") and span.style == RANK_STYLES[rank]
                for span in line.spans
            ), line.spans
        assert not lines[3].spans
        plot = screen.query_one(LossPlot)
        assert screen.query_one("#results").active == "plot-tab"  # the first metric shows it
        assert plot.series == {
            "loss (rank 0)": ([0.0, 1.0], [1.0, 0.5]),
            "loss (rank 1)": ([0.0, 1.0], [2.0, 1.5]),
        }
        await pilot.press("alt+g")  # back to the output, written while the plot was in front
        await pilot.pause()
        assert screen.query_one("#results").active == "output-tab"
        assert [strip.text.rstrip() for strip in output.lines] == [line.plain for line in lines]


async def test_the_header_shows_the_gpu_memory_the_worker_holds(tutor_home: Path) -> None:
    gib = 1024**3
    report = DeviceReport(
        "3.11.7", "2.13.0", True, "cuda", gpus=[Gpu("H100", 80 * gib)], gpu_memory_cap=0.5
    )
    supervisor = FakeSupervisor(report=report)
    catalog = load_catalog([FIXTURE_LESSONS])
    app = TutorApp(catalog, ProgressStore(tutor_home / "progress.db"), supervisor=supervisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        supervisor.gpu_memory = 3 * gib // 2
        app.update_progress_title()
        assert "cuda:0 · H100 · GPU 1.5 GiB of 40 GiB · ready" in app.sub_title
