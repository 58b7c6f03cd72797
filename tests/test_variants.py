"""Device-dependent prose: the right branch for the worker's device, and lint for markers."""

from __future__ import annotations

from dataclasses import replace

from tests.fakes import REPORT, FakeSupervisor
from tests.lesson_texts import lesson
from tutor.app import TutorApp
from tutor.lessons.loader import load_catalog
from tutor.lessons.variants import for_device, marker_problems
from tutor.progress import ProgressStore

TEXT = """Intro.
<!-- if cuda -->
On the GPU.
<!-- else -->
On the CPU.
<!-- end -->
<!-- if cpu -->
Only CPU.
<!-- end -->
Outro."""


def test_each_device_sees_its_branch() -> None:
    assert for_device(TEXT, "cuda:1") == "Intro.\nOn the GPU.\nOutro."
    assert for_device(TEXT, "cpu") == "Intro.\nOn the CPU.\nOnly CPU.\nOutro."


def test_marker_problems_are_located() -> None:
    lines = ["<!-- if gpu -->", "x", "<!-- end -->", "<!-- else -->", "<!-- if cpu -->"]
    assert marker_problems(lines) == [
        (1, "unknown device condition 'gpu' (known: cuda, cpu)"),
        (4, "`<!-- else -->` without a matching `<!-- if ... -->`"),
        (5, "`<!-- if ... -->` is never closed with `<!-- end -->`"),
    ]


def test_loader_reports_unclosed_marker(write_lesson) -> None:
    path = write_lesson("x.md", lesson().replace("Just words.", "<!-- if cuda -->\nGPU!"))
    (broken,) = load_catalog([path.parent]).broken
    assert any("never closed" in problem.message for problem in broken.problems)


async def test_step_text_follows_the_worker_device(tutor_home, write_lesson) -> None:
    variants = "<!-- if cuda -->\nYou have a GPU.\n<!-- else -->\nCPU here.\n<!-- end -->"
    folder = write_lesson("01-tiny.md", lesson().replace("Just words.", variants)).parent
    catalog = load_catalog([folder])
    on_gpu = FakeSupervisor(report=replace(REPORT, cuda_available=True, selected="cuda"))
    store = ProgressStore(tutor_home / "progress.db")
    app = TutorApp(catalog, store, start=catalog.lessons[0].steps[0], supervisor=on_gpu)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        source = app.screen.query_one("#step-text").source
        assert "You have a GPU." in source and "CPU here." not in source
