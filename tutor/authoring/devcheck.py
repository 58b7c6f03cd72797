"""`tutor dev check`: everything an author must know about a lesson folder, in one run.

Lint first (it needs no worker), then every exercise's solution, starter and mistakes
through the warm-worker tester, then how much of each lesson every translation covers.
Each problem is printed as `file:line: what`, sorted the way an author fixes a file.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from tutor import i18n
from tutor.authoring.tester import Outcome, check_answers, default_workers, exercise_answers
from tutor.lessons.files import lesson_files
from tutor.lessons.loader import load_catalog, plural, problems_summary
from tutor.lessons.model import Catalog, Lesson, Problem
from tutor.lessons.translations import gaps
from tutor.sandbox.limits import Limits
from tutor.sandbox.worker import SandboxError

SLOWEST_SHOWN = 5


@dataclass
class DevCheck:
    """The result of one `dev check`: what is wrong, and what was measured."""

    files: int
    lessons: list[Lesson]
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    """One line per language: which lessons and steps its translations cover."""
    seconds: float = 0.0
    workers: int = 0

    @property
    def exercises(self) -> int:
        return sum(len(lesson.exercises) for lesson in self.lessons)

    def slowest(self, count: int = SLOWEST_SHOWN) -> list[tuple[str, float]]:
        """Exercises by the time all their answers took, slowest first."""
        totals: dict[str, float] = defaultdict(float)
        for outcome in self.outcomes:
            totals[outcome.answer.step.key] += outcome.seconds
        return sorted(totals.items(), key=lambda item: -item[1])[:count]

    def summary(self) -> str:
        return (
            f"{plural(len(self.lessons), 'lesson')}, {plural(self.exercises, 'exercise')}, "
            f"{plural(len(self.outcomes), 'answer')} checked in {self.seconds:.1f} s "
            f"on {plural(self.workers, 'worker')}: {problems_summary(self.problems, self.files)}"
        )


async def dev_check(
    paths: Sequence[Path],
    *,
    workers: int | None = None,
    limits: Limits | None = None,
    device: str = "auto",
    lang: str | None = None,
) -> DevCheck:
    """Lint `paths`, check every exercise in them, and measure translation coverage.

    With `lang`, the exercises are the translated ones (comments, check messages, and the
    mistakes' expected words in that language), as a learner reading `lang` meets them.
    """
    started = time.perf_counter()
    paths = with_translations(paths)
    files = list(lesson_files(paths))
    catalog = load_catalog(paths, lang=lang)
    lessons = [*catalog.lessons, *(b.lesson for b in catalog.broken if b.lesson is not None)]
    result = DevCheck(len(files), lessons, problems=list(catalog.problems))
    answers = exercise_answers(step for lesson in lessons for step in lesson.steps)
    if lang:
        answers = [replace(answer, lang=lang) for answer in answers]
    if answers:
        result.workers = min(workers or default_workers(), len(answers))
        result.outcomes = await check_answers(
            answers, workers=result.workers, limits=limits, device=device
        )
    result.problems.extend(o.problem for o in result.outcomes if o.problem is not None)
    result.coverage = translation_coverage(catalog)
    result.problems.sort(key=lambda problem: (str(problem.path), problem.line))
    result.seconds = time.perf_counter() - started
    return result


def with_translations(paths: Sequence[Path]) -> list[Path]:
    """`paths`, plus the translation files next to each lesson file named on its own.

    An author checking `05-graphs.md` means its translations too: they share its checks.
    """
    found = list(paths)
    for path in paths:
        if path.is_file() and path.suffix == ".md" and "." not in path.stem:
            found.extend(
                sibling
                for sibling in sorted(path.parent.glob(f"{path.stem}.*.md"))
                if sibling not in found
            )
    return found


def translation_coverage(catalog: Catalog) -> list[str]:
    """E.g. `pt: 2 of 10 lessons, 14 texts to translate; autograd 5 of 6 steps (not: cubic)`."""
    languages = sorted({lang for lesson in catalog.lessons for lang in lesson.translations})
    lines = []
    for lang in languages:
        parts = []
        translated = [lesson for lesson in catalog.lessons if lang in lesson.translations]
        for lesson in translated:
            steps = lesson.translations[lang].steps
            missing = [step.id for step in lesson.steps if step.id not in steps]
            text = f"{lesson.id} {len(lesson.steps) - len(missing)} of {len(lesson.steps)} steps"
            if missing:
                text += f" (not: {', '.join(missing)})"
            parts.append(text)
        left = sum(len(gaps(lesson, lesson.translations[lang])) for lesson in translated)
        app = len(i18n.untranslated(lang)) if lang in i18n.LANGUAGES else len(i18n.messages())
        lines.append(
            f"{lang}: app messages untranslated: {app} of {len(i18n.messages())}; "
            f"{len(translated)} of {plural(len(catalog.lessons), 'lesson')}, "
            f"{plural(left, 'warning')} (`tutor lint`); " + "; ".join(parts)
        )
    return lines


def report(result: DevCheck, out: TextIO) -> None:
    for problem in result.problems:
        print(problem, file=out)
    for line in result.coverage:
        print(f"translations {line}", file=out)
    slowest = ", ".join(f"{key} {seconds:.1f} s" for key, seconds in result.slowest())
    if slowest:
        print(f"slowest exercises: {slowest}", file=out)
    print(f"tutor dev check: {result.summary()}", file=out)


def main(
    paths: Sequence[Path],
    device: str = "auto",
    workers: int | None = None,
    lang: str | None = None,
) -> int:
    """The command: 0 when every file and exercise is as promised, 1 if not, 2 if it cannot run."""
    if not list(lesson_files(paths)):
        print("tutor dev check: no lesson files found", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(dev_check(paths, workers=workers, device=device, lang=lang))
    except SandboxError as error:
        print(f"tutor dev check: {error}", file=sys.stderr)
        return 2
    report(result, sys.stdout)
    return 1 if result.problems else 0
