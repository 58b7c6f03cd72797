"""The parsed catalog kept between starts: reused while nothing changed, never trusted blindly."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import FIXTURE_LESSONS
from tutor.lessons.cache import cached_catalog
from tutor.lessons.files import lesson_files
from tutor.lessons.loader import load_catalog


def counting_loader(folder: Path) -> tuple[list[int], object]:
    calls: list[int] = []

    def build():
        calls.append(1)
        return load_catalog([folder])

    return calls, build


def copy_lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    for path in lesson_files([FIXTURE_LESSONS]):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_a_second_start_reuses_the_parsed_lessons(tmp_path: Path) -> None:
    folder = copy_lessons(tmp_path)
    calls, build = counting_loader(folder)
    kept = tmp_path / "cache" / "catalog-en.pickle"
    first = cached_catalog(lesson_files([folder]), "en", kept, build)
    second = cached_catalog(lesson_files([folder]), "en", kept, build)
    assert len(calls) == 1
    assert second == first == load_catalog([folder])


def test_an_edited_lesson_or_another_language_parses_again(tmp_path: Path) -> None:
    folder = copy_lessons(tmp_path)
    calls, build = counting_loader(folder)
    kept = tmp_path / "cache" / "catalog.pickle"
    cached_catalog(lesson_files([folder]), "en", kept, build)
    lesson = next(lesson_files([folder]))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stat = lesson.stat()
    os.utime(lesson, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    cached_catalog(lesson_files([folder]), "en", kept, build)
    cached_catalog(lesson_files([folder]), "pt", kept, build)
    assert len(calls) == 3


def test_a_damaged_or_unwritable_cache_only_costs_a_parse(tmp_path: Path) -> None:
    folder = copy_lessons(tmp_path)
    calls, build = counting_loader(folder)
    kept = tmp_path / "catalog.pickle"
    kept.write_bytes(b"not a pickle")
    assert cached_catalog(lesson_files([folder]), "en", kept, build) == load_catalog([folder])
    blocked = tmp_path / "a-file" / "catalog.pickle"
    (tmp_path / "a-file").write_text("in the way")
    assert cached_catalog(lesson_files([folder]), "en", blocked, build) == load_catalog([folder])
    assert len(calls) == 2
