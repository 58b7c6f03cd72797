"""The progress store: one SQLite database that any number of tutors share without loss.

Learners open two terminals (two SSH sessions, a tmux split) and run `tutor check`
beside the app. So nothing here ever writes a whole state back: every change is a
short transaction that reads the exercise's row, applies the change and writes the
row, and what only grows (a pass, hints, the solution seen) can never be undone by an
instance that has not seen it yet. The rollback journal, not WAL: WAL needs shared
memory, which the network file systems of many GPU servers' homes do not give.

A full disk, a read-only folder or a lock held too long must not stop a learner: a
change that cannot be written is applied in memory, queued, and written by `flush()`
(the app retries on a timer). A store that cannot be read is set aside, never
overwritten, and the learner starts clean.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tutor.i18n import N_, _
from tutor.progress import database, transfer
from tutor.progress.model import (
    EXERCISE_FIELDS,
    Attempt,
    ExerciseProgress,
    Progress,
    now,
)

BUSY_TIMEOUT = 2.0
"""How long a command waits for another instance's transaction (milliseconds, normally)."""
INTERACTIVE_BUSY_TIMEOUT = 0.3
"""The app waits this long for another instance's lock, not the CLI's 5 s: a key must never
wait on a save. A save that times out is kept in memory and retried."""
CANNOT_SAVE = N_("Progress cannot be saved right now: {why}.")
"""The one line the app and the CLI show when a change could not be written."""
SET_ASIDE = N_("{path} could not be used: {why}. It was kept as {backup}; starting afresh.")
NOT_SET_ASIDE = N_(
    "{path} could not be used: {why}, and moving it aside failed ({error}). "
    "Progress will not be saved this time."
)

T = TypeVar("T")


class ProgressStore:
    """The learner's progress, read at start and written change by change."""

    def __init__(self, path: Path, *, busy_timeout: float | None = None, retries: int = 3) -> None:
        self.path = path
        self.busy_timeout = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        """Seconds SQLite waits for another instance's transaction before giving up once."""
        self.retries = retries
        self.warning: str | None = None
        """Set when a store or an old `progress.json` was set aside; shown once by the UI/CLI."""
        self.writable = True
        """False when an unreadable store could not be moved aside: saving would destroy it."""
        self.problem: str | None = None
        """Why changes cannot be written right now (e.g. "the disk is full"); None when saved."""
        self.on_problem: Callable[[str | None], None] | None = None
        """Called when saving starts failing (with the reason) and when it works again (None)."""
        self.progress = Progress()
        """What the learner did, as this instance knows it: the store plus unsaved changes."""
        self._pending: list[database.Op] = []
        self._loaded = False
        self._connection: sqlite3.Connection | None = None
        self._inode: int | None = None
        _remove_stale_temp_files(path.parent)
        self.refresh()

    # -- reading ----------------------------------------------------------------------

    def refresh(self) -> bool:
        """Re-read the store, so passes made in other instances show; unsaved changes stay."""
        try:
            progress = self._read_progress()
        except database.Unreadable as error:
            if not self._set_aside(str(error)):
                return False
            return self.refresh()  # a fresh store now: it cannot be unreadable again
        except (sqlite3.Error, OSError) as error:
            self._failed(error)
            if not self._loaded and not self.path.exists():
                self._show_legacy()
            return False
        self._show(progress)
        self._loaded = True
        return True

    def _show_legacy(self) -> None:
        """No store and none can be made (a read-only home): show the old file meanwhile."""
        try:
            self._show(transfer.read_file(self.path.with_name("progress.json")).progress)
        except (OSError, transfer.NotProgress):
            pass

    def _show(self, progress: Progress) -> None:
        for op in self._pending:
            database.apply_in_memory(progress, op)
        self.progress.last_step = progress.last_step
        self.progress.exercises.clear()
        self.progress.exercises.update(progress.exercises)

    def attempts(self, key: str) -> list[Attempt]:
        """Every run and check of exercise `key`, newest first (unsaved ones included)."""
        pending = [op for op in reversed(self._pending) if isinstance(op, Attempt)]
        try:
            stored = self._transaction(lambda db: database.read_attempts(db, key), write=False)
        except (database.Unreadable, sqlite3.Error, OSError):
            stored = []
        return [attempt for attempt in pending if attempt.exercise == key] + stored

    def snapshot(self) -> transfer.Snapshot:
        """Everything stored, for `tutor progress export`; raises if the store cannot be read."""

        def read(db: sqlite3.Connection) -> transfer.Snapshot:
            return transfer.Snapshot(database.load(db), database.read_attempts(db, None)[::-1])

        return self._transaction(read, write=False)

    def unsaved_changes(self) -> transfer.Snapshot:
        """What is only in memory, as an importable snapshot: the last resort before exit."""
        keys = {op.key for op in self._pending if isinstance(op, database.Change)}
        exercises = {key: self.progress.exercise(key) for key in sorted(keys)}
        attempts = [op for op in self._pending if isinstance(op, Attempt)]
        return transfer.Snapshot(Progress(exercises=exercises), attempts)

    # -- changing ---------------------------------------------------------------------

    @property
    def unsaved(self) -> bool:
        return bool(self._pending)

    def update(self, key: str, **changes: object) -> ExerciseProgress:
        """Change fields of one exercise's record and persist it."""
        for name in changes:
            if name not in EXERCISE_FIELDS:
                raise TypeError(f"ExerciseProgress has no field {name!r}")
        if "code" in changes:
            changes["code_saved_at"] = now()
        self._change(database.Change(key, changes))
        return self.progress.exercise(key)

    def mark_done(self, key: str) -> None:
        if not self.progress.is_done(key):
            self._change(database.Change(key, {"done": True, "completed_at": now()}))

    def set_last_step(self, key: str) -> None:
        if self.progress.last_step != key:
            self._change(database.LastStep(key))

    def add_attempt(self, key: str, kind: str, verdict: str, passed: bool, code: str) -> None:
        """Keep a run or check: learners who break working code can go back to it."""
        self._change(Attempt(key, now(), kind, verdict, passed, code))

    def merge(self, snapshot: transfer.Snapshot) -> tuple[int, int]:
        """Fold an import in (done stays done, the newer code wins); return (exercises, attempts).

        Raises when the store cannot be written: an import is asked for, so it says so.
        """

        counts = self._transaction(lambda db: database.merge(db, snapshot))
        self.refresh()
        return counts

    def flush(self) -> bool:
        """Write every queued change; False (and `problem` set) when they still cannot be."""
        if not self._loaded and not self.refresh():
            return False
        if not self.writable:
            return False
        ops = list(self._pending)
        if ops:
            try:
                self._transaction(lambda db: [database.apply(db, op) for op in ops])
            except (database.Unreadable, sqlite3.Error, OSError) as error:
                self._failed(error)
                return False
            del self._pending[: len(ops)]
        if self.problem is not None:
            self.problem = None
            if self.on_problem is not None:
                self.on_problem(None)
        return True

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _change(self, op: database.Op) -> None:
        database.apply_in_memory(self.progress, op)
        last = self._pending[-1] if self._pending else None
        if (
            isinstance(op, database.Change)
            and isinstance(last, database.Change)
            and last.key == op.key
        ):
            # Coalesced: minutes of typing on a full disk keep one code, not one per save.
            self._pending[-1] = database.Change(op.key, {**last.changes, **op.changes})
        else:
            self._pending.append(op)
        if self.problem is None:
            # Once saving fails, changes only queue: a key must not wait on a lock each time.
            # The app's timer (or the command's last flush) writes them.
            self.flush()

    def _failed(self, error: BaseException) -> None:
        first = self.problem is None
        self.problem = describe(error, self.path)
        if first and self.on_problem is not None:
            self.on_problem(self.problem)

    # -- the database -----------------------------------------------------------------

    def _read_progress(self) -> Progress:
        return self._transaction(database.load, write=False)

    def _transaction(self, body: Callable[[sqlite3.Connection], T], *, write: bool = True) -> T:
        """Run `body` in one transaction, retrying a few times while another holds the lock."""
        for attempt in range(self.retries):
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                result = body(db)
                db.execute("COMMIT")
                return result
            except sqlite3.OperationalError as error:
                database.rollback(db)
                if not database.is_busy(error) or attempt == self.retries - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
            except BaseException:
                database.rollback(db)
                raise
        raise AssertionError("unreachable: the last retry raises")

    def _connect(self) -> sqlite3.Connection:
        if self._connection is not None:
            if self._same_file():
                return self._connection
            self.close()  # set aside by another instance: follow the path to the new store
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                self._create(db)
            elif version != database.SCHEMA_VERSION:
                wanted = database.SCHEMA_VERSION
                raise database.Unreadable(
                    _("it has schema version {version}, not {wanted}").format(
                        version=version, wanted=wanted
                    )
                )
        except sqlite3.DatabaseError as error:
            db.close()
            if isinstance(error, sqlite3.OperationalError):
                raise
            raise database.Unreadable(
                _("it is not a readable database ({error})").format(error=error)
            ) from None
        except BaseException:
            db.close()
            raise
        self._connection = db
        self._inode = os.stat(self.path).st_ino
        return db

    def _same_file(self) -> bool:
        try:
            return os.stat(self.path).st_ino == self._inode
        except OSError:
            return False

    def _create(self, db: sqlite3.Connection) -> None:
        """Make the tables and import an old `progress.json`, once, whoever starts first."""
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] == 0:
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
                if tables - database.TABLES - {"attempt_by_exercise"}:
                    raise database.Unreadable(_("it holds another program's tables"))
                for statement in database.SCHEMA:
                    db.execute(statement.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
                self._import_legacy(db)
                db.execute(f"PRAGMA user_version = {database.SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            database.rollback(db)
            raise

    def _import_legacy(self, db: sqlite3.Connection) -> None:
        """tutor before the SQLite store kept `progress.json`: import it, keep the file."""
        legacy = self.path.with_name("progress.json")
        if legacy == self.path:
            return
        try:
            snapshot = transfer.read_file(legacy)
        except FileNotFoundError:
            return
        except (OSError, transfer.NotProgress) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self.warning, _ = _move_aside(legacy, reason)
            return
        database.merge(db, snapshot)

    def _set_aside(self, why: str) -> bool:
        """Move an unreadable store aside; False when it had to stay (then nothing is saved)."""
        self.close()
        self.warning, moved = _move_aside(self.path, why)
        if not moved:
            self.writable = False
            self._loaded = True  # what we show is all we have; the bad store stays untouched
            self.problem = _("{path} cannot be read and could not be moved aside").format(
                path=self.path
            )
        return moved


def describe(error: BaseException, path: Path) -> str:
    """Why a change could not be written, in words a learner can act on."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    number = getattr(error, "errno", None)
    text = str(error).lower()
    full = number in (errno.ENOSPC, errno.EDQUOT) or "is full" in text
    if primary == sqlite3.SQLITE_FULL or full:
        return _("the disk holding {parent} is full").format(parent=path.parent)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return _("another program is holding the progress database locked")
    if (
        primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN)
        or number in (errno.EACCES, errno.EPERM, errno.EROFS)
        or "readonly" in text
        or "unable to open" in text
    ):
        return _("{parent} cannot be written").format(parent=path.parent)
    return f"{type(error).__name__}: {error}"


def _move_aside(path: Path, why: str) -> tuple[str, bool]:
    """Rename an unusable file (and its journal) beside itself: the line to show, and if moved."""
    backup = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        path.replace(backup)
        journal = path.with_name(f"{path.name}-journal")
        if journal.exists():
            # A journal left beside a fresh store would be "rolled back" into it.
            journal.replace(backup.with_name(f"{backup.name}-journal"))
    except OSError as error:
        return _(NOT_SET_ASIDE).format(path=path, why=why, error=error.strerror or error), False
    return _(SET_ASIDE).format(path=path, why=why, backup=backup), True


def _remove_stale_temp_files(folder: Path) -> None:
    """Older tutors wrote `progress.json` through temp files that a kill could leave behind."""
    try:
        for stale in folder.glob(".progress.json.*.tmp"):
            stale.unlink(missing_ok=True)
    except OSError:
        pass
