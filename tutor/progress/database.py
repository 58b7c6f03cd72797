"""The rows behind the progress store: schema, reading with type checks, and changes.

Every function here runs inside a transaction its caller opened, so each change is
a read-modify-write that cannot interleave with another instance's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from tutor.i18n import _
from tutor.progress import transfer
from tutor.progress.model import Attempt, ExerciseProgress, Progress, apply_changes, merge_record

SCHEMA_VERSION = 1
SCHEMA = (
    """CREATE TABLE exercise (
        key TEXT PRIMARY KEY,
        done INTEGER NOT NULL DEFAULT 0,
        completed_at TEXT,
        code TEXT,
        code_saved_at TEXT,
        hints_shown INTEGER NOT NULL DEFAULT 0,
        solution_shown INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE attempt (
        id INTEGER PRIMARY KEY,
        exercise TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        verdict TEXT NOT NULL,
        passed INTEGER NOT NULL,
        code TEXT NOT NULL
    )""",
    "CREATE INDEX attempt_by_exercise ON attempt (exercise, id)",
    "CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT)",
)
TABLES = {"exercise", "attempt", "setting"}
_COLUMNS = "key, done, completed_at, code, code_saved_at, hints_shown, solution_shown"
_ATTEMPT_COLUMNS = "exercise, at, kind, verdict, passed, code"


class Unreadable(Exception):
    """The store holds something we cannot trust; the message says what, in plain words."""


@dataclass(frozen=True)
class Change:
    key: str
    changes: dict[str, object]


@dataclass(frozen=True)
class LastStep:
    key: str


Op = Change | LastStep | Attempt


def is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error)


def rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite rolls back by itself when it cannot; the journal makes it safe


def load(db: sqlite3.Connection) -> Progress:
    progress = Progress()
    for row in db.execute(f"SELECT {_COLUMNS} FROM exercise"):
        progress.exercises[row[0]] = record(row)
    last = db.execute("SELECT value FROM setting WHERE name = 'last_step'").fetchone()
    if last is not None:
        if not isinstance(last[0], str | None):
            raise Unreadable(_("its last step is not text"))
        progress.last_step = last[0]
    return progress


def record(row: tuple[object, ...]) -> ExerciseProgress:
    key, done, completed_at, code, code_saved_at, hints, solution = row
    texts = (key, completed_at, code, code_saved_at)
    if (
        not isinstance(key, str)
        or not all(isinstance(value, str | None) for value in texts)
        or done not in (0, 1)
        or solution not in (0, 1)
        or type(hints) is not int
        or hints < 0
    ):
        raise Unreadable(_("the record of {key!r} holds values of the wrong type").format(key=key))
    return ExerciseProgress(
        done=bool(done),
        completed_at=completed_at,  # type: ignore[arg-type]
        code=code,  # type: ignore[arg-type]
        code_saved_at=code_saved_at,  # type: ignore[arg-type]
        hints_shown=hints,
        solution_shown=bool(solution),
    )


def read_record(db: sqlite3.Connection, key: str) -> ExerciseProgress:
    row = db.execute(f"SELECT {_COLUMNS} FROM exercise WHERE key = ?", (key,)).fetchone()
    return ExerciseProgress() if row is None else record(row)


def write_record(db: sqlite3.Connection, key: str, record: ExerciseProgress) -> None:
    db.execute(
        f"INSERT OR REPLACE INTO exercise ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            int(record.done),
            record.completed_at,
            record.code,
            record.code_saved_at,
            record.hints_shown,
            int(record.solution_shown),
        ),
    )


def read_attempts(db: sqlite3.Connection, key: str | None) -> list[Attempt]:
    where = "" if key is None else "WHERE exercise = ?"
    rows = db.execute(
        f"SELECT {_ATTEMPT_COLUMNS} FROM attempt {where} ORDER BY id DESC",
        () if key is None else (key,),
    )
    return [
        Attempt(str(exercise), str(at), str(kind), str(verdict), bool(passed), str(code))
        for exercise, at, kind, verdict, passed, code in rows
    ]


def insert_attempts(db: sqlite3.Connection, attempts: Iterable[Attempt], unique: bool) -> int:
    added = 0
    for attempt in attempts:
        values = (
            attempt.exercise,
            attempt.at,
            attempt.kind,
            attempt.verdict,
            int(attempt.passed),
            attempt.code,
        )
        if (
            unique
            and db.execute(
                "SELECT 1 FROM attempt WHERE exercise = ? AND at = ? AND kind = ? AND code = ?",
                (attempt.exercise, attempt.at, attempt.kind, attempt.code),
            ).fetchone()
        ):
            continue
        db.execute(f"INSERT INTO attempt ({_ATTEMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", values)
        added += 1
    return added


def apply(db: sqlite3.Connection, op: Op) -> None:
    """Read-modify-write of one change, inside the caller's transaction."""
    if isinstance(op, Change):
        record = read_record(db, op.key)
        apply_changes(record, op.changes)
        write_record(db, op.key, record)
    elif isinstance(op, LastStep):
        set_last_step(db, op.key)
    else:
        insert_attempts(db, [op], unique=False)


def apply_in_memory(progress: Progress, op: Op) -> None:
    if isinstance(op, Change):
        apply_changes(progress.exercises.setdefault(op.key, ExerciseProgress()), op.changes)
    elif isinstance(op, LastStep):
        progress.last_step = op.key


def set_last_step(db: sqlite3.Connection, key: str | None) -> None:
    db.execute("INSERT OR REPLACE INTO setting (name, value) VALUES ('last_step', ?)", (key,))


def merge(db: sqlite3.Connection, snapshot: transfer.Snapshot) -> tuple[int, int]:
    changed = 0
    for key, theirs in snapshot.progress.exercises.items():
        mine = read_record(db, key)
        before = (mine.done, mine.code)
        merge_record(mine, theirs)
        write_record(db, key, mine)
        changed += (mine.done, mine.code) != before
    if snapshot.progress.last_step and load_last_step(db) is None:
        set_last_step(db, snapshot.progress.last_step)
    return changed, insert_attempts(db, snapshot.attempts, unique=True)


def load_last_step(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM setting WHERE name = 'last_step'").fetchone()
    return None if row is None else row[0]
