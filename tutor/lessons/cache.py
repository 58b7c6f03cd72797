"""The parsed lesson catalog, kept on disk so that a start does not parse everything again.

Parsing and lint-checking every lesson (each code block is compiled to find syntax
errors) is most of what `tutor` does before its first frame. Lessons rarely change
between two starts, so the result is pickled in the learner's data folder, keyed by
each lesson file's path, size and modification time, the language, and the files
of the code that reads lessons (a new tutor version never reads an old pickle). Any
doubt (a changed key, an unreadable or foreign file) means parsing again; a cache
that cannot be written is simply not kept.

The installed lesson packs are kept the same way (`kept`), keyed by the folders
Python searches for distributions.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from tutor.lessons.model import Catalog

READERS = Path(__file__).parent
"""The code that turns lesson files into a `Catalog`: its files are part of the key."""

T = TypeVar("T")


def cached_catalog(
    files: Iterable[Path], salt: str, path: Path, build: Callable[[], Catalog]
) -> Catalog:
    """The catalog `build()` makes from lesson `files`, or the one kept in `path` for them.

    `salt` is whatever else `build` depends on (the language, the packs' names).
    """
    return kept([*files, *sorted(READERS.glob("*.py"))], salt, path, build, Catalog)


def kept(files: Iterable[Path], salt: str, path: Path, build: Callable[[], T], kind: type) -> T:
    """What `build()` returns, or what `path` keeps for the same `files` (sizes and
    modification times), `salt` and Python, if it is a `kind`."""
    key = _key(files, salt)
    try:
        with path.open("rb") as stream:
            kept_key, value = pickle.load(stream)
        if kept_key == key and isinstance(value, kind):
            return value
    except Exception:  # noqa: BLE001 - missing, truncated, or from other code: build again
        pass
    value = build()
    _keep(path, (key, value))
    return value


def _key(files: Iterable[Path], salt: str) -> str:
    """The whole description, not a hash of it: a few kilobytes, and no hashlib to load."""
    parts = [sys.version, salt]
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            parts.append(f"{path}\0missing")
            continue
        parts.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\0".join(parts)


def _keep(path: Path, value: object) -> None:
    """Written whole or not at all: another tutor starting at the same time reads either."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError):
        Path(temporary).unlink(missing_ok=True)
