"""The progress store: round trips, atomic writes, and a bad file is rescued, not overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tutor import progress as progress_module
from tutor.progress import ProgressStore


def test_round_trip_keeps_everything_the_learner_did(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.mark_done("tensors/from-a-list")
    store.update("tensors/dtypes", code="x = 1\n", hints_shown=2, solution_shown=True)
    store.set_last_step("tensors/dtypes")

    again = ProgressStore(path).progress
    assert again.is_done("tensors/from-a-list")
    assert not again.is_done("tensors/dtypes")
    dtypes = again.exercise("tensors/dtypes")
    assert (dtypes.code, dtypes.hints_shown, dtypes.solution_shown) == ("x = 1\n", 2, True)
    assert again.last_step == "tensors/dtypes"


def test_file_is_human_readable_json_without_defaults(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    ProgressStore(path).update("tensors/dtypes", hints_shown=1)
    data = json.loads(path.read_text())
    assert data == {
        "format": 1,
        "last_step": None,
        "exercises": {"tensors/dtypes": {"hints_shown": 1}},
    }
    assert path.read_text().count("\n") > 3, "indented for people"


def test_missing_file_means_a_fresh_start(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "nowhere" / "progress.json")
    assert store.warning is None and store.progress.exercises == {}
    store.mark_done("a/b")
    assert (tmp_path / "nowhere" / "progress.json").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'["a list"]',
        b'{"format": 99}',
        b"\xff\xfe",
        b'{"format": 1, "exercises": {"a/b": 3}}',
    ],
)
def test_corrupt_file_is_moved_aside_with_a_warning(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    store = ProgressStore(path)
    assert store.progress.exercises == {}
    assert store.warning and "It was kept as" in store.warning
    (backup,) = tmp_path.glob("progress.json.corrupt-*")
    assert backup.read_bytes() == content
    store.mark_done("a/b")
    assert backup.read_bytes() == content, "the rescued copy is never overwritten"
    assert ProgressStore(path).progress.is_done("a/b")


def test_unmovable_bad_file_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.json"
    path.write_text("{broken")

    def refuse(self: Path, target: Path) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(Path, "replace", refuse)
    store = ProgressStore(path)
    assert store.warning and "will not be saved" in store.warning
    store.mark_done("a/b")
    assert path.read_text() == "{broken"


def test_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.mark_done("a/b")
    before = path.read_text()

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(progress_module.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        store.mark_done("c/d")
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"], "no temp file left behind"


def test_write_goes_through_a_renamed_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.json"
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(source: str, target: str) -> None:
        calls.append((Path(source).name, Path(target).name))
        real_replace(source, target)

    monkeypatch.setattr(progress_module.os, "replace", spy)
    ProgressStore(path).mark_done("a/b")
    ((source, target),) = calls
    assert source.startswith(".progress.json.") and target == "progress.json"


def test_tutor_home_decides_where_progress_lives(tutor_home: Path) -> None:
    from tutor.locations import progress_file

    assert progress_file() == tutor_home / "progress.json"
