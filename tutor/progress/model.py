"""What the learner did, as plain data: shared by the store, the import and the export."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timezone


def now() -> str:
    """UTC to the millisecond: readable in an export, and sortable as text across machines."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class ExerciseProgress:
    done: bool = False
    completed_at: str | None = None
    """ISO timestamp of the first pass."""
    code: str | None = None
    """The learner's latest code; None until they change the starter."""
    code_saved_at: str | None = None
    """When `code` was written: an import keeps the newer of two codes."""
    hints_shown: int = 0
    solution_shown: bool = False


EXERCISE_FIELDS = {f.name: f for f in fields(ExerciseProgress)}


@dataclass(frozen=True)
class Attempt:
    """One run or check of an exercise: the code as it was then and what came of it."""

    exercise: str
    at: str
    kind: str
    """"run" or "check"."""
    verdict: str
    """One line in plain words, as the learner saw it."""
    passed: bool
    code: str


@dataclass
class Progress:
    last_step: str | None = None
    """`lesson-id/step-id` of the step on screen when the learner left."""
    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)

    def exercise(self, key: str) -> ExerciseProgress:
        return self.exercises.get(key) or ExerciseProgress()

    def is_done(self, key: str) -> bool:
        return self.exercise(key).done


def apply_changes(record: ExerciseProgress, changes: dict[str, object]) -> None:
    """Apply one instance's change to a record that others may have changed meanwhile.

    What the learner earned only grows (a pass, hints, the solution seen), so a stale
    instance can never undo it; the code is the learner's latest word and overwrites.
    """
    for name, value in changes.items():
        if name == "done":
            record.done = record.done or bool(value)
        elif name == "completed_at":
            record.completed_at = record.completed_at or value  # type: ignore[assignment]
        elif name == "hints_shown":
            record.hints_shown = max(record.hints_shown, value)  # type: ignore[type-var]
        elif name == "solution_shown":
            record.solution_shown = record.solution_shown or bool(value)
        elif name in ("code", "code_saved_at"):
            setattr(record, name, value)
        else:
            raise TypeError(f"ExerciseProgress has no field {name!r}")


def merge_record(mine: ExerciseProgress, theirs: ExerciseProgress) -> None:
    """Fold an imported record into ours: done stays done, the newer code wins."""
    if theirs.done and (not mine.done or _earlier(theirs.completed_at, mine.completed_at)):
        mine.completed_at = theirs.completed_at
    apply_changes(
        mine,
        {
            "done": theirs.done,
            "hints_shown": theirs.hints_shown,
            "solution_shown": theirs.solution_shown,
        },
    )
    if theirs.code is not None and (
        mine.code is None or (theirs.code_saved_at or "") > (mine.code_saved_at or "")
    ):
        mine.code, mine.code_saved_at = theirs.code, theirs.code_saved_at


def _earlier(first: str | None, second: str | None) -> bool:
    return first is not None and (second is None or first < second)
