"""A lesson file's Markdown, read into drafts: header, intro, steps, code blocks, hints.

Only the file's structure is decided here (what is a step, a hint, a role code block, a
`strings` table); `loader` builds the lesson model from the drafts and judges their content.
Problems are collected, never raised: an author wants them all, each with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tutor.lessons import translations
from tutor.lessons.model import CodeBlock, Problem
from tutor.lessons.variants import marker_problems

HEADER_KEYS = {"id", "title", "order", "summary", "lang"}
REQUIRED_KEYS = ("id", "title", "order", "summary")
CODE_ROLES = {"starter", "solution", "check", "setup", "mistake"}
CODE_LANGUAGES = {"python", "py"}

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_STEP_HEADING = re.compile(r"^##\s+(?P<title>.*?)\s*(?:\{#(?P<id>[^}\s]*)\})?\s*$")
_LEVEL3 = re.compile(r"^###\s+(?P<word>\w*)")
_SUBHEADING = re.compile(r"^###?\s")
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_ATTRIBUTE = re.compile(
    r"""\s*(?P<key>[a-z_]+)=(?:"(?P<double>(?:[^"\\]|\\.)*)"|'(?P<single>[^']*)')"""
)
"""`key="value"` (`\\"` for a quote inside) or `key='value'`."""
_ESCAPE = re.compile(r"\\(.)")


@dataclass
class Fence:
    line: int
    info: str
    body: list[str]


@dataclass
class StepDraft:
    line: int
    title: str
    id: str
    prose: list[str] = field(default_factory=list)
    hints: list[list[str]] = field(default_factory=list)
    blocks: list[tuple[str, dict[str, str], CodeBlock]] = field(default_factory=list)
    strings: list[Fence] = field(default_factory=list)


@dataclass
class Parsed:
    header: dict[str, str]
    intro: str
    steps: list[StepDraft]
    problems: list[Problem]
    strings: list[Fence] = field(default_factory=list)


def parse_file(path: Path, lang: str | None = None) -> Parsed:
    """Parse a lesson file, or with `lang` a translation file in that language."""
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Parsed({}, "", [], [Problem(path, 1, f"cannot read lesson: {error}")])
    lines = text.splitlines()
    problems.extend(Problem(path, line, message) for line, message in marker_problems(lines))
    header, body_start = _parse_header(path, lines, problems, lang is not None)
    hint_word = translations.hint_word(lang or "en").lower()
    strings: list[Fence] = []
    intro: list[str] = []
    steps: list[StepDraft] = []
    target: list[str] = intro
    step_ids: dict[str, int] = {}
    index = body_start
    while index < len(lines):
        line = lines[index]
        number = index + 1
        fence = _FENCE.match(line)
        if fence:
            block, index = _read_fence(lines, index, fence["fence"])
            if block.info == "strings":
                if lang is None:
                    problems.append(
                        Problem(path, number, "`strings` blocks belong in translation files")
                    )
                strings.append(block)
                continue
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
            steps.append(StepDraft(number, heading["title"], step_id))
            target = steps[-1].prose
        elif _is_hint(line, hint_word, lang, path, number, problems):
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
    return Parsed(header, join(intro), steps, problems, strings)


def _is_hint(
    line: str, word: str, lang: str | None, path: Path, number: int, problems: list[Problem]
) -> bool:
    """`### Hint` (`### Dica` in pt, `### Pista` in es) starts a hint.

    In a translation any other `###` heading is a hint heading gone wrong (English lessons
    have no other level-3 headings to translate), and unnoticed it would show its hint as
    prose: reported.
    """
    match = _LEVEL3.match(line)
    if match is None:
        return False
    found = match["word"].lower()
    if found == word or (lang is not None and found == "hint"):
        return True
    if lang is not None:
        problems.append(
            Problem(
                path,
                number,
                f"`{line.strip()}` is not a hint heading: in a {lang} file a hint starts "
                f"with `### {word.capitalize()}`",
            )
        )
    return False


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


def _read_fence(lines: list[str], start: int, fence: str) -> tuple[Fence, int]:
    """Read a fenced block opened on `start`; returns it and the index after its closing line."""
    info = _FENCE.match(lines[start])["info"].strip()  # type: ignore[index]
    body: list[str] = []
    index = start + 1
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
            return Fence(start + 1, info, body), index + 1
        body.append(lines[index])
        index += 1
    return Fence(start + 1, info, body), index


def _role_block(
    path: Path, fence: Fence, problems: list[Problem]
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


def join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")
