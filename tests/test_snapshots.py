"""What a learner sees, pinned as SVG snapshots (update with `pytest --snapshot-update`)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tutor.app import TutorApp
from tutor.course import resume_step
from tutor.lessons.loader import load_catalog
from tutor.progress import ProgressStore


def make_app(home: Path) -> TutorApp:
    catalog = load_catalog([FIXTURE_LESSONS])
    store = ProgressStore(home / "progress.db")
    store.mark_done("tensors/from-a-list")
    return TutorApp(
        catalog, store, start=resume_step(catalog, store.progress), supervisor=FakeSupervisor()
    )


def test_lesson_browser_80x24(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(80, 24))


def test_lesson_step_80x24(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(80, 24), press=["enter"])


def test_lesson_browser_200x60(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(200, 60))


def test_lesson_step_160x48(snap_compare, tutor_home: Path) -> None:
    assert snap_compare(make_app(tutor_home), terminal_size=(160, 48), press=["enter"])
