"""Which files are lessons: apart from the parser, so that a start served from the
cache of parsed lessons (`tutor.lessons.cache`) never imports the parsing code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path


def lesson_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The `.md` lesson files named by `paths` (files, or folders searched one level deep)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.md") if p.name.lower() != "readme.md")
        else:
            yield path
