"""`tutor progress export/import`, and rescuing what the app could not save: the CLI's side.

Every message is one line on stderr, prefixed `tutor:` like the rest of the CLI; the
exit status says whether the progress was read (or written) at all.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from tutor.arguments import tell
from tutor.i18n import N_, _
from tutor.progress.store import CANNOT_SAVE, ProgressStore, describe
from tutor.progress.transfer import NotProgress, atomic_write, read_file, to_text

RESCUED = N_(
    "Your unsaved changes were written to {path}; `tutor progress import {path}` adds them."
)


def rescue(store: ProgressStore) -> None:
    """The app quit with changes it could not save: put them where `progress import` finds them."""
    name = f"tutor-unsaved-{time.strftime('%Y%m%d-%H%M%S')}.json"
    for folder in (Path(tempfile.gettempdir()), Path.cwd()):
        try:
            atomic_write(folder / name, to_text(store.unsaved_changes()))
        except OSError:
            continue
        tell(_(RESCUED).format(path=folder / name))
        return


def export_progress(path: Path, file: Path | None) -> int:
    store = ProgressStore(path)
    tell(store.warning)
    try:
        text = to_text(store.snapshot())
    except (sqlite3.Error, OSError) as error:
        tell(_("progress cannot be read right now: {why}").format(why=describe(error, store.path)))
        return 1
    if file is None:
        sys.stdout.write(text)
        return 0
    try:
        atomic_write(file, text)
    except OSError as error:
        tell(_("cannot write {path}: {why}").format(path=file, why=error.strerror or error))
        return 1
    tell(_("progress written to {path}").format(path=file))
    return 0


def import_progress(path: Path, file: Path) -> int:
    try:
        snapshot = read_file(file)
    except OSError as error:
        tell(_("cannot read {path}: {why}").format(path=file, why=error.strerror or error))
        return 2
    except NotProgress as error:
        tell(_("{path} is not a progress export: {why}").format(path=file, why=error))
        return 1
    store = ProgressStore(path)
    tell(store.warning)
    try:
        changed, attempts = store.merge(snapshot)
    except (sqlite3.Error, OSError) as error:
        tell(_(CANNOT_SAVE).format(why=describe(error, store.path)))
        return 1
    tell(
        _("imported {path}: exercises changed: {changed}, attempts added: {attempts}").format(
            path=file, changed=changed, attempts=attempts
        )
    )
    return 0
