"""The lesson model: what a lesson file means once it has been read.

Plain frozen dataclasses, so the UI, the CLI, the sandbox and the tests share one
vocabulary and nothing here drags Textual or torch into whoever imports it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson file, located for an editor's jump-to-line."""

    path: Path
    line: int
    message: str
    warning: bool = False
    """Something left to do (an untranslated text) rather than something wrong: `tutor lint`
    prints it and still succeeds."""

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.message}"


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block with a role (starter, solution, check, setup, mistake)."""

    source: str
    path: Path
    line: int
    """Line in the lesson file of the block's first line of code, so errors in it map back."""

    @property
    def filename(self) -> str:
        """The name given to `compile`, so tracebacks and syntax errors point into the lesson."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class CheckReport:
    """The verdict on one attempt: the first failing check's message, or a pass.

    Made by the checks in the worker, carried to the UI in the sandbox protocol.
    """

    passed: bool
    message: str = ""
    line: int | None = None
    """Line in the lesson file of the failing check, for authors."""
    broken: bool = False
    """The check failed by its own bug, not the learner's: the message says so and the
    author (`tutor dev check`) must fix the lesson."""


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and a fragment of the message the checks must give for it."""

    code: CodeBlock
    message: str


@dataclass(frozen=True)
class Exercise:
    """The code side of an exercise step: everything the sandbox needs to run and check it."""

    starter: CodeBlock
    solution: CodeBlock
    checks: tuple[CodeBlock, ...]
    setup: CodeBlock | None = None
    """Hidden code run before the learner's, e.g. to load a dataset."""
    mistakes: tuple[Mistake, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        """Names the learner is asked to define (the solution binds them) or is given (setup).

        A check that fails on a name outside this set has a bug of its own.
        """
        blocks = (self.solution, self.setup)
        return frozenset().union(*(bound_names(b.source) for b in blocks if b is not None))


@dataclass(frozen=True)
class Step:
    """One screenful of a lesson: prose, and for an exercise step its code and hints."""

    lesson_id: str
    id: str
    title: str
    text: str
    """Markdown prose with the role code blocks and hints taken out."""
    line: int
    hints: tuple[str, ...] = ()
    exercise: Exercise | None = None

    @property
    def key(self) -> str:
        """Global id, `lesson-id/step-id`: the id of the exercise in progress and on the CLI."""
        return f"{self.lesson_id}/{self.id}"

    @property
    def is_exercise(self) -> bool:
        return self.exercise is not None


@dataclass(frozen=True)
class StepText:
    """The translatable part of a step: a translation file supplies only this."""

    title: str
    text: str
    hints: tuple[str, ...]
    line: int = 1
    """Line of the step's heading in the translation file."""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    order: int
    summary: str
    path: Path
    intro: str = ""
    """Prose between the header and the first step."""
    steps: tuple[Step, ...] = ()
    translations: dict[str, Translation] = field(default_factory=dict)
    pack: str = ""
    """The installed pack it comes from (see `tutor.lessons.packs`); "" for a lesson folder."""
    source: Lesson | None = field(default=None, compare=False, repr=False)
    """The lesson as its author wrote it, when this is a translated view of it."""

    @property
    def exercises(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.is_exercise)

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)


@dataclass(frozen=True)
class Translation:
    lang: str
    title: str
    summary: str
    intro: str
    steps: dict[str, StepText]
    path: Path
    strings: dict[str, str] = field(default_factory=dict)
    """The texts inside the lesson's code (comments, check messages), English to translated:
    see `tutor.lessons.code_strings`."""
    string_lines: dict[str, int] = field(default_factory=dict)
    """Where each English text of `strings` is listed in the translation file."""


@dataclass(frozen=True)
class BrokenLesson:
    """A lesson file that could not be loaded; the app lists it with its problems."""

    path: Path
    id: str
    title: str
    problems: tuple[Problem, ...]
    lesson: Lesson | None = None
    """What could be read of it, so `tutor dev check` still runs its exercises."""
    translates: str = ""
    """For a translation file: the name of the lesson file it translates."""


@dataclass(frozen=True)
class Catalog:
    """Every lesson found, in teaching order, and the files that failed to load."""

    lessons: tuple[Lesson, ...]
    broken: tuple[BrokenLesson, ...] = ()

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(problem for broken in self.broken for problem in broken.problems)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def find_step(self, key: str) -> Step | None:
        """Look up `lesson-id/step-id`."""
        lesson_id, _, step_id = key.partition("/")
        lesson = self.lesson(lesson_id)
        return lesson.step(step_id) if lesson else None

    def exercises(self) -> tuple[Step, ...]:
        return tuple(step for lesson in self.lessons for step in lesson.exercises)


def bound_names(source: str) -> frozenset[str]:
    """Every name `source` binds anywhere: assignments, imports, defs, loop targets."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return frozenset(names)
