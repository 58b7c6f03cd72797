"""`tutor dev strings`: the texts in a lesson's code that a translation still lacks.

A translator works step by step; this prints, for each step, a `strings` block of the
English texts left to translate, ready to paste under the step's heading in the
translation file and fill in.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from tutor.lessons.loader import load_catalog
from tutor.lessons.model import Lesson, Translation
from tutor.lessons.translations import texts


def translation_path(lesson: Path, lang: str) -> Path:
    return lesson.with_name(f"{lesson.stem}.{lang}.md")


def missing_blocks(lesson: Lesson, translation: Translation | None) -> str:
    """One `strings` block per step with untranslated texts, each text listed once."""
    done = set(translation.strings) if translation is not None else set()
    parts = []
    for step in lesson.exercises:
        assert step.exercise is not None
        keys = []
        for key, _, _ in texts(step.exercise):
            if key not in done:
                done.add(key)
                keys.append(key)
        if keys:
            text = translation.steps.get(step.id) if translation is not None else None
            title = text.title if text is not None else step.title
            entries = "\n\n".join(f"- {key}\n+ " for key in keys)
            parts.append(f"## {title} {{#{step.id}}}\n\n```strings\n{entries}\n```\n")
    return "\n".join(parts)


def main(paths: list[Path], lang: str | None, out: TextIO = sys.stdout) -> int:
    if not lang:
        print("tutor dev strings: say which language: --lang pt (or es, ...)", file=sys.stderr)
        return 2
    status = 0
    for path in paths:
        target = translation_path(path, lang)
        files = [path, target] if target.exists() else [path]
        catalog = load_catalog(files)
        lesson = next((item for item in catalog.lessons if item.path == path), None)
        for problem in catalog.problems:
            print(problem, file=sys.stderr)
        if lesson is None:
            status = 1
            continue
        blocks = missing_blocks(lesson, lesson.translations.get(lang))
        if blocks:
            print(f"# {target}: paste each block under its step's heading\n", file=out)
            print(blocks, file=out)
    return status
