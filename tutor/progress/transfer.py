"""Progress as readable JSON: the export format, and strict reading of any JSON we import.

The same reader takes a `tutor progress export` file and the `progress.json` of older
versions (format 1), and rejects anything with a wrong type before a single value
reaches the store: a file edited by hand or synced half-way must never crash tutor
or plant a number where code belongs.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tutor.i18n import _
from tutor.progress.model import EXERCISE_FIELDS, Attempt, ExerciseProgress, Progress, now

FORMAT = 2
"""Format 1 was the `progress.json` of tutor before the SQLite store; it has no attempts."""
ATTEMPT_KINDS = ("run", "check")


class NotProgress(ValueError):
    """The data is not progress tutor can use; the message says what is wrong, in plain words."""


@dataclass
class Snapshot:
    """Everything in a store or a file, ready to merge into another."""

    progress: Progress = field(default_factory=Progress)
    attempts: list[Attempt] = field(default_factory=list)


def read_file(path: Path) -> Snapshot:
    """Read and validate a progress file; raise `NotProgress` or `OSError`, nothing else."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise NotProgress(
            _("it is not UTF-8 text ({reason})").format(reason=error.reason)
        ) from None
    return parse_text(text)


def parse_text(text: str) -> Snapshot:
    import json  # here, not at the top: only exports, imports and old files need it

    try:
        data = json.loads(text)
    except RecursionError:
        raise NotProgress(_("it is nested too deeply to be progress data")) from None
    except ValueError as error:
        raise NotProgress(_("it is not valid JSON ({error})").format(error=error)) from None
    return parse(data)


def parse(data: Any) -> Snapshot:
    if not isinstance(data, dict):
        raise NotProgress(_("the top level is not an object"))
    if data.get("format") not in (1, FORMAT):
        raise NotProgress(_("unknown format {format!r}").format(format=data.get("format")))
    last_step = data.get("last_step")
    if last_step is not None and not isinstance(last_step, str):
        raise NotProgress(_("last_step is not a string"))
    exercises = data.get("exercises", {})
    if not isinstance(exercises, dict):
        raise NotProgress(_("exercises is not an object"))
    snapshot = Snapshot(Progress(last_step=last_step))
    for key, entry in exercises.items():
        if not isinstance(entry, dict):
            raise NotProgress(_("the entry for {key} is not an object").format(key=key))
        snapshot.progress.exercises[key] = _record(key, entry)
        attempts = entry.get("attempts", [])
        if not isinstance(attempts, list):
            raise NotProgress(_("the attempts of {key} are not a list").format(key=key))
        snapshot.attempts.extend(_attempt(key, attempt) for attempt in attempts)
    return snapshot


_TYPES: dict[str, tuple[type, ...]] = {
    "done": (bool,),
    "completed_at": (str, type(None)),
    "code": (str, type(None)),
    "code_saved_at": (str, type(None)),
    "hints_shown": (int,),
    "solution_shown": (bool,),
}


def _record(key: str, entry: dict[str, Any]) -> ExerciseProgress:
    values = {}
    for name, value in entry.items():
        if name not in EXERCISE_FIELDS:
            continue  # written by a newer tutor: ignored, not fatal
        if not isinstance(value, _TYPES[name]) or (name == "hints_shown" and _bad_count(value)):
            raise NotProgress(
                _("{name} of {key} has the wrong type ({type})").format(
                    name=name, key=key, type=type(value).__name__
                )
            )
        values[name] = value
    return ExerciseProgress(**values)


def _bad_count(value: Any) -> bool:
    return isinstance(value, bool) or value < 0


def _attempt(key: str, entry: Any) -> Attempt:
    if not isinstance(entry, dict):
        raise NotProgress(_("an attempt of {key} is not an object").format(key=key))
    at, kind, verdict = entry.get("at"), entry.get("kind"), entry.get("verdict")
    passed, code = entry.get("passed"), entry.get("code")
    if not (isinstance(at, str) and isinstance(verdict, str) and isinstance(code, str)):
        raise NotProgress(_("an attempt of {key} lacks its time, verdict or code").format(key=key))
    if kind not in ATTEMPT_KINDS or not isinstance(passed, bool):
        raise NotProgress(_("an attempt of {key} has a wrong kind or pass flag").format(key=key))
    return Attempt(exercise=key, at=at, kind=kind, verdict=verdict, passed=passed, code=code)


def to_data(snapshot: Snapshot) -> dict[str, Any]:
    """The export: only what differs from a fresh start, attempts under their exercise."""
    defaults = asdict(ExerciseProgress())
    exercises: dict[str, dict[str, Any]] = {}
    for key, record in sorted(snapshot.progress.exercises.items()):
        entry = {name: value for name, value in asdict(record).items() if value != defaults[name]}
        exercises[key] = entry
    for attempt in snapshot.attempts:
        entry = exercises.setdefault(attempt.exercise, {})
        described = asdict(attempt)
        del described["exercise"]
        entry.setdefault("attempts", []).append(described)
    return {
        "format": FORMAT,
        "exported_at": now(),
        "last_step": snapshot.progress.last_step,
        "exercises": dict(sorted(exercises.items())),
    }


def to_text(snapshot: Snapshot) -> str:
    import json

    return json.dumps(to_data(snapshot), indent=2, ensure_ascii=False) + "\n"


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
