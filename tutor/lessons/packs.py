"""Lesson packs installed with pip, found through the `tutor.lessons` entry-point group.

A teacher's package declares, in its `pyproject.toml`,

    [project.entry-points."tutor.lessons"]
    gpu-workshop = "gpu_workshop.lessons"

naming a package (or module) whose folder holds lesson files, or an attribute
(`"gpu_workshop:LESSONS"`) holding a folder path. A package is located, not imported
(only its parent packages are), so listing packs runs next to none of their code.
See docs/lesson-packs.md.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "tutor.lessons"


@dataclass(frozen=True)
class Pack:
    """An installed pack: its name (the entry point's) and the folder of its lessons."""

    name: str
    folder: Path
    distribution: str = ""
    """The pip package that installed it, e.g. `gpu-workshop 1.2`."""


def installed_packs() -> tuple[list[Pack], list[str]]:
    """Every installed pack, by name, and a sentence for each entry point that is unusable."""
    from importlib.metadata import entry_points  # with what it imports, a good part of a start

    packs: list[Pack] = []
    problems: list[str] = []
    for entry in sorted(entry_points(group=GROUP), key=lambda entry: entry.name):
        try:
            folder = _folder(entry)
        except Exception as error:  # noqa: BLE001 - one broken pack must not hide the others
            problems.append(f"lesson pack {entry.name!r} ({entry.value}) cannot be used: {error}")
            continue
        if not folder.is_dir():
            problems.append(f"lesson pack {entry.name!r}: {folder} is not a folder")
            continue
        dist = entry.dist
        packs.append(Pack(entry.name, folder, f"{dist.name} {dist.version}" if dist else ""))
    return packs, problems


def search_folders() -> list[Path]:
    """The folders pip installs into, as Python searches them: installing or removing a
    distribution adds or removes an entry in one, which changes its modification time.
    A start keeps the packs found (see `tutor.lessons.cache.kept`) until one changes."""
    return [Path(entry) for entry in sys.path if entry and Path(entry).is_dir()]


def _folder(entry: EntryPoint) -> Path:
    if entry.attr:
        value = entry.load()
        return _module_folder(value) if isinstance(value, ModuleType) else Path(value)
    spec = importlib.util.find_spec(entry.module)
    if spec is None:
        raise ImportError(f"no module named {entry.module!r}")
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    if spec.origin is None:
        raise ImportError(f"{entry.module!r} has no folder")
    return Path(spec.origin).parent


def _module_folder(module: ModuleType) -> Path:
    paths = getattr(module, "__path__", None)
    if paths:
        return Path(next(iter(paths)))
    if module.__file__ is None:
        raise ImportError(f"{module.__name__!r} has no folder")
    return Path(module.__file__).parent
