"""Shared fixtures: no test ever reads or writes the real user's progress."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
FIXTURE_LESSONS = REPO / "tests" / "fixtures" / "lessons"
"""A frozen copy of lessons for UI tests and snapshots, so curriculum edits do not break them."""


@pytest.fixture(autouse=True)
def tutor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    return home


@pytest.fixture
def write_lesson(tmp_path: Path):
    """Write a lesson file into a fresh folder and return its path."""
    folder = tmp_path / "lessons"
    folder.mkdir(exist_ok=True)

    def write(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
