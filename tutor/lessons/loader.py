"""Read lesson files (see docs/lesson-format.md) into the model, collecting every problem.

The parser never raises on bad input: a lesson author wants the whole list of what is
wrong, each with a file and line, and a learner wants the other lessons to load anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

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
from tutor.lessons.variants import marker_problems

HEADER_KEYS = {"id", "title", "order", "summary", "lang"}
REQUIRED_KEYS = ("id", "title", "order", "summary")
CODE_ROLES = {"starter", "solution", "check", "setup", "mistake"}
CODE_LANGUAGES = {"python", "py"}

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LANG = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
_STEP_HEADING = re.compile(r"^##\s+(?P<title>.*?)\s*(?:\{#(?P<id>[^}\s]*)\})?\s*$")
_HINT_HEADING = re.compile(r"^###\s+(hint|dica|pista)\b.*$", re.IGNORECASE)
_SUBHEADING = re.compile(r"^###?\s")
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_ATTRIBUTE = re.compile(
    r"""\s*(?P<key>[a-z_]+)=(?:"(?P<double>(?:[^"\\]|\\.)*)"|'(?P<single>[^']*)')"""
)
"""`key="value"` (`\\"` for a quote inside) or `key='value'`."""
_ESCAPE = re.compile(r"\\(.)")
_TRANSLATION_NAME = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2}(-[A-Z]{2})?)$")


@dataclass
class _Fence:
    line: int
    info: str
    body: list[str]


@dataclass
class _StepDraft:
    line: int
    title: str
    id: str
    prose: list[str] = field(default_factory=list)
    hints: list[list[str]] = field(default_factory=list)
    blocks: list[tuple[str, dict[str, str], CodeBlock]] = field(default_factory=list)


@dataclass
class _Parsed:
    header: dict[str, str]
    intro: str
    steps: list[_StepDraft]
    problems: list[Problem]


def load_catalog(
    directories: Iterable[Path], lang: str | None = None, packs: Iterable[Pack] = ()
) -> Catalog:
    """Load every lesson under `directories` and in `packs`; broken files become `BrokenLesson`s.

    Lesson ids are unique across all of them: progress is stored under them.
    """
    lessons: list[Lesson] = []
    broken: list[BrokenLesson] = []
    translations: list[tuple[Translation, list[Problem]]] = []
    seen: dict[str, Path] = {}
    files = [("", path) for path in lesson_files(directories)]
    files += [(pack.name, path) for pack in packs for path in lesson_files([pack.folder])]
    for pack, path in files:
        if _TRANSLATION_NAME.match(path.stem):
            translations.append(load_translation(path))
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
    for translation, problems in translations:
        base_path = translation.path.with_name(translation.path.stem.rsplit(".", 1)[0] + ".md")
        base_stem = base_path.stem
        base = next((lesson for lesson in lessons if lesson.path == base_path), None)
        failed = next((item for item in broken if item.path == base_path), None)
        original = base or (failed.lesson if failed is not None else None)
        if original is not None:
            problems.extend(_translation_mismatches(original, translation))
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
        ordered = tuple(lesson.localized(lang) for lesson in ordered)
    return Catalog(lessons=ordered, broken=tuple(broken))


def lesson_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The `.md` lesson files named by `paths` (files, or folders searched one level deep)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.md") if p.name.lower() != "readme.md")
        else:
            yield path


def load_lesson(path: Path) -> tuple[Lesson | None, list[Problem]]:
    """Parse one lesson file; the lesson is None when its header is unusable."""
    parsed = _parse_file(path)
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
    parsed = _parse_file(path, translation=True)
    problems = parsed.problems
    lang = _TRANSLATION_NAME.match(path.stem)["lang"]  # type: ignore[index]
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
            draft.title, _join(draft.prose), tuple(_join(h) for h in draft.hints), draft.line
        )
    translation = Translation(
        lang=lang,
        title=parsed.header.get("title", ""),
        summary=parsed.header.get("summary", ""),
        intro=parsed.intro,
        steps=steps,
        path=path,
    )
    return translation, _sorted(problems)


def _parse_file(path: Path, translation: bool = False) -> _Parsed:
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _Parsed({}, "", [], [Problem(path, 1, f"cannot read lesson: {error}")])
    lines = text.splitlines()
    problems.extend(Problem(path, line, message) for line, message in marker_problems(lines))
    header, body_start = _parse_header(path, lines, problems, translation)
    intro: list[str] = []
    steps: list[_StepDraft] = []
    target: list[str] = intro
    step_ids: dict[str, int] = {}
    index = body_start
    while index < len(lines):
        line = lines[index]
        number = index + 1
        fence = _FENCE.match(line)
        if fence:
            block, index = _read_fence(lines, index, fence["fence"])
            role_block = _role_block(path, block, problems)
            if role_block is None:
                target.extend(lines[block.line - 1 : index])
            elif not steps:
                problems.append(
                    Problem(path, number, f"`{role_block[0]}` code must be inside a step")
                )
            else:
                steps[-1].blocks.append(role_block)
            continue
        heading = _STEP_HEADING.match(line) if line.startswith("## ") else None
        if heading:
            step_id = heading["id"]
            if not step_id:
                problems.append(
                    Problem(path, number, "step heading needs an id: `## Title {#step-id}`")
                )
                step_id = f"step-{len(steps) + 1}"
            elif not _ID.match(step_id):
                problems.append(
                    Problem(
                        path,
                        number,
                        f"bad step id {step_id!r}: use lowercase letters, digits and -",
                    )
                )
            elif step_id in step_ids:
                problems.append(
                    Problem(
                        path,
                        number,
                        f"duplicate step id {step_id!r} (first on line {step_ids[step_id]})",
                    )
                )
            step_ids.setdefault(step_id, number)
            steps.append(_StepDraft(number, heading["title"], step_id))
            target = steps[-1].prose
        elif _HINT_HEADING.match(line):
            if not steps:
                problems.append(Problem(path, number, "a hint must be inside a step"))
            else:
                steps[-1].hints.append([])
                target = steps[-1].hints[-1]
        elif _SUBHEADING.match(line) and steps and target is not steps[-1].prose:
            target = steps[-1].prose
            target.append(line)
        else:
            target.append(line)
        index += 1
    return _Parsed(header, _join(intro), steps, problems)


def _parse_header(
    path: Path, lines: list[str], problems: list[Problem], translation: bool
) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "a lesson starts with a `---` header block"))
        return {}, 0
    header: dict[str, str] = {}
    for index in range(1, len(lines)):
        line = lines[index]
        number = index + 1
        if line.strip() == "---":
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not colon or not key:
            problems.append(
                Problem(path, number, f"header lines are `key: value`, got {line.strip()!r}")
            )
        elif key not in HEADER_KEYS:
            known = ", ".join(sorted(HEADER_KEYS))
            problems.append(Problem(path, number, f"unknown header key {key!r} (known: {known})"))
        elif key in header:
            problems.append(Problem(path, number, f"header key {key!r} given twice"))
        elif not value:
            problems.append(Problem(path, number, f"header key {key!r} has no value"))
        else:
            header[key] = value
            if key == "id" and not _ID.match(value):
                problems.append(
                    Problem(
                        path,
                        number,
                        f"bad lesson id {value!r}: use lowercase letters, digits and -",
                    )
                )
    else:
        problems.append(Problem(path, 1, "header block is not closed with `---`"))
        return header, len(lines)
    if not translation:
        for key in REQUIRED_KEYS:
            if key not in header:
                problems.append(Problem(path, 1, f"header is missing {key!r}"))
    return header, index + 1


def _read_fence(lines: list[str], start: int, fence: str) -> tuple[_Fence, int]:
    """Read a fenced block opened on `start`; returns it and the index after its closing line."""
    info = _FENCE.match(lines[start])["info"].strip()  # type: ignore[index]
    body: list[str] = []
    index = start + 1
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
            return _Fence(start + 1, info, body), index + 1
        body.append(lines[index])
        index += 1
    return _Fence(start + 1, info, body), index


def _role_block(
    path: Path, fence: _Fence, problems: list[Problem]
) -> tuple[str, dict[str, str], CodeBlock] | None:
    """The block's role and attributes if it is one of ours, None for ordinary Markdown code."""
    words = fence.info.split(maxsplit=2)
    if len(words) < 2 or words[0] not in CODE_LANGUAGES:
        return None
    role = words[1]
    if role not in CODE_ROLES:
        if re.fullmatch(r"[a-z]+", role):
            known = ", ".join(sorted(CODE_ROLES))
            problems.append(
                Problem(path, fence.line, f"unknown code role {role!r} (known: {known})")
            )
        return None
    attributes = _attributes(path, fence.line, words[2] if len(words) > 2 else "", problems)
    code = CodeBlock("\n".join(fence.body) + "\n", path, fence.line + 1)
    return role, attributes, code


def _attributes(path: Path, line: int, text: str, problems: list[Problem]) -> dict[str, str]:
    """`key="value"` pairs after the role; anything else there is reported, not dropped."""
    attributes: dict[str, str] = {}
    position = 0
    while position < len(text.rstrip()):
        match = _ATTRIBUTE.match(text, position)
        if match is None:
            problems.append(
                Problem(
                    path,
                    line,
                    f'cannot read {text[position:].strip()!r}: write key="value"'
                    " (a quote inside the value as \\\", or use key='value')",
                )
            )
            break
        if match["double"] is not None:
            attributes[match["key"]] = _ESCAPE.sub(r"\1", match["double"])
        else:
            attributes[match["key"]] = match["single"]
        position = match.end()
    return attributes


def _build_step(path: Path, lesson_id: str, draft: _StepDraft, problems: list[Problem]) -> Step:
    hints = tuple(_join(hint) for hint in draft.hints)
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
    return Step(lesson_id, draft.id, draft.title, _join(draft.prose), draft.line, hints, exercise)


def _build_exercise(
    path: Path,
    draft: _StepDraft,
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


def _translation_mismatches(base: Lesson, translation: Translation) -> list[Problem]:
    """Unknown step ids, and hints only partly translated (they replace all the originals)."""
    problems = []
    for step_id, text in translation.steps.items():
        step = base.step(step_id)
        if step is None:
            problems.append(
                Problem(translation.path, text.line, f"step {step_id!r} is not in {base.path.name}")
            )
        elif text.hints and len(text.hints) != len(step.hints):
            problems.append(
                Problem(
                    translation.path,
                    text.line,
                    f"step {step_id!r} has {plural(len(step.hints), 'hint')} in "
                    f"{base.path.name} and {len(text.hints)} here: translate every one "
                    "(or none, to keep the originals)",
                )
            )
    return problems


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


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")
