"""The learner's progress: done exercises, their code and every attempt, hints seen, where they
left off. No Textual here: the app, the CLI and the tests share this one store."""

from __future__ import annotations

from tutor.progress.model import Attempt, ExerciseProgress, Progress
from tutor.progress.store import CANNOT_SAVE, ProgressStore
from tutor.progress.transfer import NotProgress, Snapshot, atomic_write

__all__ = [
    "CANNOT_SAVE",
    "Attempt",
    "ExerciseProgress",
    "NotProgress",
    "Progress",
    "ProgressStore",
    "Snapshot",
    "atomic_write",
]
