"""Lesson packs installed with pip: found through the `tutor.lessons` entry points."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_LESSONS
from tests.fakes import FakeSupervisor
from tests.lesson_texts import lesson
from tutor.app import TutorApp
from tutor.cli import main
from tutor.lessons.loader import load_catalog
from tutor.lessons.model import Lesson
from tutor.lessons.packs import installed_packs
from tutor.progress import ProgressStore
from tutor.widgets.lesson_tree import LessonTree


def install(site: Path, dist: str, entry_points: str) -> None:
    """A distribution as pip leaves it: importlib.metadata finds it on sys.path."""
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[tutor.lessons]\n{entry_points}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site-packages"
    package = site / "workshop_lessons"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "01-warmup.md").write_text(lesson(id="warmup", title="Warm-up", order=1))
    install(site, "gpu-workshop", "gpu-workshop = workshop_lessons")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_an_installed_pack_is_listed_under_its_name(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packs, problems = installed_packs()
    assert [(pack.name, pack.folder, pack.distribution) for pack in packs] == [
        ("gpu-workshop", site / "workshop_lessons", "gpu-workshop 1.0")
    ]
    assert problems == []
    assert main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "bundled lessons:"
    at = out.index("gpu-workshop:")
    assert out[at + 1].split()[:2] == ["warmup", "Warm-up"]
    assert main(["list", "--json"]) == 0
    lessons = json.loads(capsys.readouterr().out)
    assert {entry["id"]: entry["from"] for entry in lessons}["warmup"] == "gpu-workshop"


def test_an_attribute_naming_a_folder_and_a_broken_pack(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = site / "more"
    folder.mkdir()
    (folder / "01-extra.md").write_text(lesson(id="extra", title="Extra", order=50))
    (site / "more_lessons.py").write_text(f"FOLDER = {str(folder)!r}\n")
    install(site, "more", "more = more_lessons:FOLDER")
    install(site, "gone", "gone = no_such_module")
    packs, problems = installed_packs()
    assert [pack.name for pack in packs] == ["gpu-workshop", "more"]
    assert len(problems) == 1 and "'gone'" in problems[0] and "no_such_module" in problems[0]
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert "more:" in captured.out.splitlines()
    assert "lesson pack 'gone' (no_such_module) cannot be used" in captured.err


def test_lessons_folders_given_on_the_command_line_leave_packs_out(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "01-mine.md").write_text(lesson(id="mine"))
    assert main(["--lessons", str(mine), "list"]) == 0
    out = capsys.readouterr().out
    assert "mine" in out and "warmup" not in out


async def test_the_lesson_list_shows_a_pack_under_its_name(site: Path, tutor_home: Path) -> None:
    packs, _ = installed_packs()
    catalog = load_catalog([FIXTURE_LESSONS], packs=packs)
    app = TutorApp(
        catalog, ProgressStore(tutor_home / "progress.json"), supervisor=FakeSupervisor()
    )
    async with app.run_test() as pilot:
        await pilot.pause()
        tree = app.screen.query_one(LessonTree)
        pack_node = tree.root.children[-1]
        assert str(pack_node.label) == "gpu-workshop (installed pack)"
        (warmup,) = pack_node.children
        assert isinstance(warmup.data, Lesson) and warmup.data.pack == "gpu-workshop"
        step = warmup.data.steps[1]
        tree.select_step(step)
        await pilot.pause()
        assert tree.cursor_node is not None and tree.cursor_node.data == step
        tree.refresh_marks()
        assert str(warmup.label).startswith(f"  {len(catalog.lessons)}. Warm-up")


def test_packs_are_kept_between_starts_until_something_is_installed(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Scanning every distribution's entry points is a good part of a start: it is kept."""
    assert main(["list"]) == 0

    def no_scan() -> None:
        raise AssertionError("the packs were looked up again with nothing installed")

    monkeypatch.setattr("tutor.cli.installed_packs", no_scan)
    assert main(["list"]) == 0
    assert "gpu-workshop:" in capsys.readouterr().out.splitlines()
    monkeypatch.undo()
    monkeypatch.syspath_prepend(str(site))
    folder = site / "more"
    folder.mkdir()
    (folder / "01-extra.md").write_text(lesson(id="extra", title="Extra", order=50))
    (site / "more_lessons.py").write_text(f"FOLDER = {str(folder)!r}\n")
    install(site, "more", "more = more_lessons:FOLDER")
    assert main(["list"]) == 0
    assert "more:" in capsys.readouterr().out.splitlines()
