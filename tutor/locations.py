"""Where tutor's files live: the bundled lessons and the learner's own data.

One module answers every "where is it" question so that `TUTOR_HOME` (tests, custom
setups) and the installed-vs-checkout difference are handled in exactly one place.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "pytorch-tutor"


def bundled_lessons_dir() -> Path:
    """The lessons shipped with tutor: `lessons/` in a checkout, `tutor/curriculum/` in a wheel."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "lessons"
    if (package.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return package / "curriculum"


def data_dir() -> Path:
    """The learner's data folder: `$TUTOR_HOME`, else the platform's user data dir."""
    override = os.environ.get("TUTOR_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """What tutor can make again and keeps only to start faster (the parsed lessons)."""
    return data_dir() / "cache"


def progress_file() -> Path:
    """The SQLite store; an older `progress.json` beside it is imported once, and kept."""
    return data_dir() / "progress.db"


def scratch_folder(key: str) -> Path:
    """The working folder of exercise `key` (`lesson/step`): files its code saves land here.

    One per exercise, so a file one exercise's code writes can never make another's
    untouched starter pass; resetting the exercise empties it.
    """
    return data_dir() / "scratch" / key.replace("/", "--")
