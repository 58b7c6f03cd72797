"""Read lesson files (see docs/lesson-format.md) into the model, collecting every problem.

The parser never raises on bad input: a lesson author wants the whole list of what is
wrong, each with a file and line, and a learner wants the other lessons to load anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from tutor.lessons import translations
from tutor.lessons.files import lesson_files
from tutor.lessons.model import (
    BrokenLesson,
    Catalog,
    CodeBlock,
    Exercise,
    Lesson,
    Mistake,
    Problem,
    Step,
    StepText,
    Translation,
)
from tutor.lessons.packs import Pack
from tutor.lessons.parse import REQUIRED_KEYS, StepDraft, join, parse_file

_TRANSLATION_NAME = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2}(-[A-Z]{2})?)$")


def load_catalog(
    directories: Iterable[Path], lang: str | None = None, packs: Iterable[Pack] = ()
) -> Catalog:
    """Load every lesson under `directories` and in `packs`; broken files become `BrokenLesson`s.

    Lesson ids are unique across all of them: progress is stored under them.
    """
    lessons: list[Lesson] = []
    broken: list[BrokenLesson] = []
    translated: list[tuple[Translation, list[Problem]]] = []
    seen: dict[str, Path] = {}
    files = [("", path) for path in lesson_files(directories)]
    files += [(pack.name, path) for pack in packs for path in lesson_files([pack.folder])]
    for pack, path in files:
        if _TRANSLATION_NAME.match(path.stem):
            translated.append(load_translation(path))
            continue
        lesson, problems = load_lesson(path)
        if lesson is not None and pack:
            lesson = replace(lesson, pack=pack)
        if lesson is not None and lesson.id in seen:
            line = _header_line(path, "id")
            problems.append(
                Problem(
                    path, line, f"duplicate lesson id {lesson.id!r} (also in {seen[lesson.id]})"
                )
            )
        if lesson is None or problems:
            broken.append(_broken(path, lesson, problems))
        else:
            seen[lesson.id] = path
            lessons.append(lesson)
    for translation, problems in translated:
        base_path = translation.path.with_name(translation.path.stem.rsplit(".", 1)[0] + ".md")
        base_stem = base_path.stem
        base = next((lesson for lesson in lessons if lesson.path == base_path), None)
        failed = next((item for item in broken if item.path == base_path), None)
        original = base or (failed.lesson if failed is not None else None)
        if original is not None:
            problems.extend(translations.problems(original, translation))
        elif failed is not None:
            problems.append(
                Problem(
                    translation.path,
                    1,
                    f"the lesson it translates, {failed.path.name}, cannot be loaded:"
                    " fix that file first",
                )
            )
        else:
            problems.append(
                Problem(
                    translation.path,
                    1,
                    f"translation of a lesson that does not exist ({base_stem}.md)",
                )
            )
        if problems:
            broken.append(
                BrokenLesson(
                    translation.path,
                    translation.path.stem,
                    translation.path.name,
                    _by_line(problems),
                    translates=f"{base_stem}.md",
                )
            )
        elif base is not None:
            base.translations[translation.lang] = translation
    ordered = tuple(sorted(lessons, key=lambda lesson: (lesson.pack, lesson.order, lesson.id)))
    if lang:
        ordered = tuple(translations.localize(lesson, lang) for lesson in ordered)
    return Catalog(lessons=ordered, broken=tuple(broken))


def load_lesson(path: Path) -> tuple[Lesson | None, list[Problem]]:
    """Parse one lesson file; the lesson is None when its header is unusable."""
    parsed = parse_file(path)
    problems = parsed.problems
    header = parsed.header
    if "lang" in header:
        problems.append(Problem(path, 1, "`lang` belongs in translation files (name.xx.md) only"))
    order = _parse_order(path, header["order"], problems) if "order" in header else 0
    if not all(key in header for key in REQUIRED_KEYS):
        return None, _sorted(problems)
    steps = [_build_step(path, header["id"], draft, problems) for draft in parsed.steps]
    if not steps:
        problems.append(Problem(path, 1, "a lesson needs at least one `## Step title {#step-id}`"))
    lesson = Lesson(
        id=header["id"],
        title=header["title"],
        order=order,
        summary=header["summary"],
        path=path,
        intro=parsed.intro,
        steps=tuple(steps),
    )
    return lesson, _sorted(problems)


def load_translation(path: Path) -> tuple[Translation, list[Problem]]:
    lang = _TRANSLATION_NAME.match(path.stem)["lang"]  # type: ignore[index]
    parsed = parse_file(path, lang)
    problems = parsed.problems
    if parsed.header.get("lang", lang) != lang:
        problems.append(
            Problem(path, 1, f"`lang` says {parsed.header['lang']!r}, file name says {lang!r}")
        )
    steps: dict[str, StepText] = {}
    for draft in parsed.steps:
        if draft.blocks:
            problems.append(
                Problem(
                    path,
                    draft.blocks[0][2].line - 1,
                    "translations carry prose only: code blocks come from the lesson",
                )
            )
        steps[draft.id] = StepText(
            draft.title, join(draft.prose), tuple(join(h) for h in draft.hints), draft.line
        )
    strings: dict[str, str] = {}
    string_lines: dict[str, int] = {}
    for fence in parsed.strings:
        for english, translated, line in translations.parse_strings(
            path, fence.line, fence.body, problems
        ):
            if strings.get(english, translated) != translated:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"`- {english}` is translated twice, differently (first on line "
                        f"{string_lines[english]})",
                    )
                )
            strings.setdefault(english, translated)
            string_lines.setdefault(english, line)
    translation = Translation(
        lang=lang,
        title=parsed.header.get("title", ""),
        summary=parsed.header.get("summary", ""),
        intro=parsed.intro,
        steps=steps,
        path=path,
        strings=strings,
        string_lines=string_lines,
    )
    return translation, _sorted(problems)


def _build_step(path: Path, lesson_id: str, draft: StepDraft, problems: list[Problem]) -> Step:
    hints = tuple(join(hint) for hint in draft.hints)
    blocks: dict[str, list[tuple[dict[str, str], CodeBlock]]] = {}
    for role, attributes, code in draft.blocks:
        _check_syntax(code, role, problems)
        blocks.setdefault(role, []).append((attributes, code))
    exercise = None
    if blocks:
        exercise = _build_exercise(path, draft, blocks, problems)
        if not hints:
            problems.append(Problem(path, draft.line, "an exercise needs at least one `### Hint`"))
    elif hints:
        problems.append(
            Problem(path, draft.line, "hints belong to exercise steps (this step has no code)")
        )
    return Step(lesson_id, draft.id, draft.title, join(draft.prose), draft.line, hints, exercise)


def _build_exercise(
    path: Path,
    draft: StepDraft,
    blocks: dict[str, list[tuple[dict[str, str], CodeBlock]]],
    problems: list[Problem],
) -> Exercise | None:
    for role in ("starter", "solution", "setup"):
        for _, extra in blocks.get(role, [])[1:]:
            problems.append(
                Problem(path, extra.line - 1, f"more than one `{role}` block in this step")
            )
    for role in ("starter", "solution", "check", "mistake"):
        if role not in blocks:
            problems.append(
                Problem(path, draft.line, f"exercise {draft.id!r} has no `python {role}` block")
            )
    mistakes = []
    for attributes, code in blocks.get("mistake", []):
        message = attributes.get("message", "")
        if not message:
            problems.append(
                Problem(
                    path,
                    code.line - 1,
                    'a mistake block names the message it must get: message="..."',
                )
            )
        mistakes.append(Mistake(code, message))
    if not all(role in blocks for role in ("starter", "solution", "check")):
        return None
    return Exercise(
        starter=blocks["starter"][0][1],
        solution=blocks["solution"][0][1],
        checks=tuple(code for _, code in blocks["check"]),
        setup=blocks["setup"][0][1] if "setup" in blocks else None,
        mistakes=tuple(mistakes),
    )


def _check_syntax(code: CodeBlock, role: str, problems: list[Problem]) -> None:
    try:
        compile(code.source, code.filename, "exec")
    except SyntaxError as error:
        line = code.line + (error.lineno or 1) - 1
        problems.append(Problem(code.path, line, f"syntax error in {role} code: {error.msg}"))


def _parse_order(path: Path, value: str, problems: list[Problem]) -> int:
    try:
        return int(value)
    except ValueError:
        line = _header_line(path, "order")
        problems.append(Problem(path, line, f"`order` must be a whole number, got {value!r}"))
        return 0


def _header_line(path: Path, key: str) -> int:
    """Where `key` sits in the header: reread rather than carried, as only errors need it."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.partition(":")[0].strip() == key:
            return number
    return 1


def _broken(path: Path, lesson: Lesson | None, problems: list[Problem]) -> BrokenLesson:
    if lesson is None:
        return BrokenLesson(path, path.stem, path.name, _by_line(problems))
    return BrokenLesson(path, lesson.id, lesson.title, _by_line(problems), lesson=lesson)


def problems_summary(problems: Sequence[Problem], files: int) -> str:
    """E.g. "3 files, no problems" or "4 problems in 2 of 3 files"."""
    if not problems:
        return f"{plural(files, 'file')}, no problems"
    bad = len({problem.path for problem in problems})
    return f"{plural(len(problems), 'problem')} in {bad} of {plural(files, 'file')}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _sorted(problems: list[Problem]) -> list[Problem]:
    """An author fixes a file top to bottom."""
    return sorted(problems, key=lambda problem: problem.line)


def _by_line(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(_sorted(problems))
