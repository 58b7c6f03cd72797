"""Notice edited lesson files and reload them, for authors working with the app open.

Polling, not inotify: a stat of a few dozen files costs microseconds, works on every
OS and on network file systems, and needs no dependency. The app calls `poll` from a
thread every second or so; nothing here touches Textual.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from tutor.lessons.files import lesson_files
from tutor.lessons.loader import load_catalog
from tutor.lessons.model import Catalog
from tutor.lessons.packs import Pack

Signature = tuple[tuple[str, int, int], ...]


class LessonWatcher:
    """Reloads the catalog when a lesson file is added, removed or saved."""

    def __init__(
        self, directories: Sequence[Path], lang: str | None = None, packs: Sequence[Pack] = ()
    ) -> None:
        self.directories = list(directories)
        self.lang = lang
        self.packs = list(packs)
        self._seen = self._signature()

    def poll(self) -> Catalog | None:
        """The catalog as the files are now, if any changed since the last call; else None."""
        signature = self._signature()
        if signature == self._seen:
            return None
        self._seen = signature
        return load_catalog(self.directories, self.lang, self.packs)

    def _signature(self) -> Signature:
        folders = [*self.directories, *(pack.folder for pack in self.packs)]
        entries = []
        for path in lesson_files(folders):
            try:
                stat = os.stat(path)
            except OSError:
                continue  # removed between listing and stat: the next poll sees it gone
            entries.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(entries)
