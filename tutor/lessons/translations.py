"""Translation files against their lesson: the `strings` tables, what is missing, the result.

A translation (`NN-name.pt.md`) carries prose, hints and a table of the texts inside the
lesson's code (see `code_strings`). Three things are decided here, all without a worker:
whether a translation is usable (`problems`: a table entry that would break a check),
what it leaves in English (`gaps`: an author's to-do list, per language), and the lesson a
learner reads once it is applied (`localize`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from tutor.lessons import code_strings
from tutor.lessons.model import (
    Catalog,
    CodeBlock,
    Exercise,
    Lesson,
    Problem,
    Step,
    Translation,
)

#: The heading that starts a hint, per language; a translation in a language not listed here
#: (a teacher's pack in French, say) uses the English one.
HINT_WORDS: dict[str, str] = {"en": "Hint", "pt": "Dica", "es": "Pista"}


def hint_word(lang: str) -> str:
    return HINT_WORDS.get(lang.partition("-")[0], HINT_WORDS["en"])


def parse_strings(
    path: Path, first_line: int, body: list[str], problems: list[Problem]
) -> Iterator[tuple[str, str, int]]:
    """(English, translation, line) for each `- English` / `+ translation` pair of a block."""
    pending: tuple[str, int] | None = None
    for offset, raw in enumerate(body):
        number = first_line + 1 + offset
        line = raw  # exact: a message may end in a space ("…, got " + value)
        if not line.strip():
            continue
        if line.startswith("- "):
            if pending is not None:
                problems.append(_no_translation(path, *pending))
            pending = (line[2:], number)
        elif line.startswith("+ ") or line == "+":
            if pending is None:
                problems.append(
                    Problem(path, number, "a `+ ` translation needs its `- ` English line before")
                )
                continue
            yield pending[0], line[2:], pending[1]
            pending = None
        else:
            problems.append(
                Problem(
                    path,
                    number,
                    "a strings block holds `- English` lines, each followed by `+ translation`",
                )
            )
    if pending is not None:
        problems.append(_no_translation(path, *pending))


def _no_translation(path: Path, english: str, line: int) -> Problem:
    return Problem(path, line, f"`- {_short(english)}` has no `+ ` translation after it")


def texts(exercise: Exercise) -> Iterator[tuple[str, CodeBlock, int]]:
    """(key, block, line in the lesson file) of every translatable text of an exercise."""
    for block in (exercise.starter, exercise.solution):
        for text in code_strings.comments(block.source):
            yield text.key, block, block.line + text.line - 1
    for block in exercise.checks:
        for text in code_strings.literals(block.source):
            yield text.key, block, block.line + text.line - 1
    for mistake in exercise.mistakes:
        if mistake.message:
            yield mistake.message, mistake.code, mistake.code.line - 1


def problems(lesson: Lesson, translation: Translation) -> list[Problem]:
    """What makes a translation unusable: unknown steps, partial hints, entries that break code."""
    found = []
    for step_id, text in translation.steps.items():
        step = lesson.step(step_id)
        if step is None:
            found.append(
                Problem(
                    translation.path, text.line, f"step {step_id!r} is not in {lesson.path.name}"
                )
            )
        elif text.hints and len(text.hints) != len(step.hints):
            found.append(
                Problem(
                    translation.path,
                    text.line,
                    f"step {step_id!r} has {_hints(len(step.hints))} in {lesson.path.name} and "
                    f"{len(text.hints)} here: translate every one (or none, to keep the originals)",
                )
            )
    for english, translated in translation.strings.items():
        line = translation.string_lines.get(english, 1)
        if Counter(code_strings.fields(english)) != Counter(code_strings.fields(translated)):
            wanted = " ".join(code_strings.fields(english)) or "none"
            found.append(
                Problem(
                    translation.path,
                    line,
                    f"the translation of `{_short(english)}` must keep the same {{fields}}"
                    f" ({wanted})",
                )
            )
    for step in lesson.exercises:
        assert step.exercise is not None
        localized = localize_exercise(step.exercise, translation.strings)
        for block in localized.checks:
            try:
                compile(block.source, block.filename, "exec")
            except SyntaxError as error:
                keys = [k for k, b, _ in texts(step.exercise) if b.line == block.line]
                guilty = next((k for k in keys if k in translation.strings), "")
                found.append(
                    Problem(
                        translation.path,
                        translation.string_lines.get(guilty, 1),
                        f"with this file's strings, the check at {lesson.path.name}:{block.line}"
                        f" no longer compiles ({error.msg}): a translation may use the"
                        " quote that closes its string",
                    )
                )
    return found


def gaps(lesson: Lesson, translation: Translation) -> list[Problem]:
    """What a learner would still read in English, and table entries that match nothing."""
    lesson = lesson.source or lesson  # the texts to translate are the author's
    path = translation.path
    found = [
        Problem(path, 1, f"the header has no translated {key}", warning=True)
        for key in ("title", "summary")
        if not getattr(translation, key)
    ]
    used: set[str] = set()
    for step in lesson.steps:
        text = translation.steps.get(step.id)
        if text is None:
            found.append(Problem(path, 1, f"step {step.id!r} is not translated", warning=True))
        elif step.hints and not text.hints:
            word = hint_word(translation.lang)
            found.append(
                Problem(
                    path,
                    text.line,
                    f"step {step.id!r}: its hints are not translated (### {word})",
                    warning=True,
                )
            )
        if step.exercise is None:
            continue
        line = text.line if text is not None else 1
        for key, _, _ in texts(step.exercise):
            if key in translation.strings:
                used.add(key)
            elif key not in used:
                used.add(key)
                found.append(
                    Problem(
                        path,
                        line,
                        f"step {step.id!r}: not translated: `- {_short(key)}`",
                        warning=True,
                    )
                )
    for english in translation.strings:
        if english not in used:
            found.append(
                Problem(
                    path,
                    translation.string_lines.get(english, 1),
                    f"`- {_short(english)}` matches no text in {lesson.path.name}"
                    " (changed in the English?)",
                    warning=True,
                )
            )
    return found


def translation_gaps(catalog: Catalog) -> list[Problem]:
    """`gaps` of every translation in `catalog`, as warnings, file by file."""
    return [
        gap
        for lesson in catalog.lessons
        for _, translation in sorted(lesson.translations.items())
        for gap in gaps(lesson, translation)
    ]


def in_language(catalog: Catalog, lang: str) -> Catalog:
    """`catalog` as a learner reading `lang` sees it (English where it is not translated)."""
    return replace(catalog, lessons=tuple(localize(lesson, lang) for lesson in catalog.lessons))


def localize(lesson: Lesson, lang: str | None) -> Lesson:
    """`lesson` as a learner reading `lang` sees it: prose, hints and code's words translated.

    A lesson already shown in another language is translated from its English source.
    """
    lesson = lesson.source or lesson
    translation = lesson.translations.get(lang or "")
    if translation is None:
        return lesson
    steps = tuple(_localize_step(step, translation) for step in lesson.steps)
    return replace(
        lesson,
        source=lesson,
        title=translation.title or lesson.title,
        summary=translation.summary or lesson.summary,
        intro=translation.intro or lesson.intro,
        steps=steps,
    )


def _localize_step(step: Step, translation: Translation) -> Step:
    text = translation.steps.get(step.id)
    if text is not None:
        step = replace(step, title=text.title, text=text.text, hints=text.hints or step.hints)
    if step.exercise is not None and translation.strings:
        step = replace(step, exercise=localize_exercise(step.exercise, translation.strings))
    return step


def localize_exercise(exercise: Exercise, table: dict[str, str]) -> Exercise:
    """The starter's and solution's comments, the checks' messages and the mistakes' words."""

    def comments(block: CodeBlock) -> CodeBlock:
        source = code_strings.translate(block.source, code_strings.comments(block.source), table)
        return replace(block, source=source)

    def literals(block: CodeBlock) -> CodeBlock:
        source = code_strings.translate(block.source, code_strings.literals(block.source), table)
        return replace(block, source=source)

    return replace(
        exercise,
        starter=comments(exercise.starter),
        solution=comments(exercise.solution),
        checks=tuple(literals(block) for block in exercise.checks),
        mistakes=tuple(
            replace(mistake, message=table.get(mistake.message) or mistake.message)
            for mistake in exercise.mistakes
        ),
    )


def _hints(count: int) -> str:
    return f"{count} hint" if count == 1 else f"{count} hints"


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
