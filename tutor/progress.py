"""The learner's progress: done exercises, their code, hints seen, where they left off.

Kept as indented JSON so a learner can read, back up or sync it. Every write is
atomic (temp file, fsync, rename) so a crash or a full disk never leaves half a file,
and a file we cannot read is moved aside, never overwritten: losing someone's
progress is the one bug a tutor must not have.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

FORMAT = 1


@dataclass
class ExerciseProgress:
    done: bool = False
    completed_at: str | None = None
    """ISO timestamp of the first pass."""
    code: str | None = None
    """The learner's latest code; None until they change the starter."""
    hints_shown: int = 0
    solution_shown: bool = False


@dataclass
class Progress:
    last_step: str | None = None
    """`lesson-id/step-id` of the step on screen when the learner left."""
    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)

    def exercise(self, key: str) -> ExerciseProgress:
        return self.exercises.get(key) or ExerciseProgress()

    def is_done(self, key: str) -> bool:
        return self.exercise(key).done


class ProgressStore:
    """Loads progress once, then saves every change straight away."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warning: str | None = None
        """Set when the file on disk could not be used; the UI and CLI show it once."""
        self.writable = True
        """False when an unreadable file could not be moved aside: saving would destroy it."""
        self.progress = self._load()

    def update(self, key: str, **changes: Any) -> ExerciseProgress:
        """Change fields of one exercise's record and persist it."""
        record = self.progress.exercises.setdefault(key, ExerciseProgress())
        for name, value in changes.items():
            if name not in _EXERCISE_FIELDS:
                raise TypeError(f"ExerciseProgress has no field {name!r}")
            setattr(record, name, value)
        self.save()
        return record

    def mark_done(self, key: str) -> None:
        record = self.progress.exercise(key)
        if not record.done:
            self.update(key, done=True, completed_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))

    def set_last_step(self, key: str) -> None:
        if self.progress.last_step != key:
            self.progress.last_step = key
            self.save()

    def save(self) -> None:
        if not self.writable:
            return
        data = {
            "format": FORMAT,
            "last_step": self.progress.last_step,
            "exercises": {
                key: _compact(asdict(record))
                for key, record in sorted(self.progress.exercises.items())
            },
        }
        atomic_write(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def _load(self) -> Progress:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Progress()
        except (OSError, UnicodeDecodeError) as error:
            return self._set_aside(f"could not read it ({error})")
        try:
            return _parse(json.loads(text))
        except (ValueError, TypeError, AttributeError) as error:
            return self._set_aside(f"it is not valid progress data ({error})")

    def _set_aside(self, why: str) -> Progress:
        backup = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            self.path.replace(backup)
        except OSError as error:
            self.warning = (
                f"Progress file {self.path}: {why}, and moving it aside failed ({error}). "
                "Progress will not be saved this time."
            )
            self.writable = False
        else:
            self.warning = (
                f"Progress file {self.path}: {why}. It was kept as {backup}; starting afresh."
            )
        return Progress()


_EXERCISE_FIELDS = {f.name for f in fields(ExerciseProgress)}


def _parse(data: Any) -> Progress:
    if not isinstance(data, dict):
        raise ValueError("top level is not an object")
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    last_step = data.get("last_step")
    if last_step is not None and not isinstance(last_step, str):
        raise ValueError("last_step is not a string")
    exercises = {}
    for key, record in data.get("exercises", {}).items():
        known = {name: value for name, value in record.items() if name in _EXERCISE_FIELDS}
        exercises[str(key)] = ExerciseProgress(**known)
    return Progress(last_step=last_step, exercises=exercises)


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Leave defaults out, so the file shows only what the learner did."""
    defaults = asdict(ExerciseProgress())
    return {name: value for name, value in record.items() if value != defaults[name]}


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` so readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
