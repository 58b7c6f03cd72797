"""Find the task in a step's text: what the learner has to do, without the explanation.

On a small terminal the whole text and an editor do not fit together, so while the
learner types, the screen shows only the task. Lessons are translated by people who
write prose, not markers, so the task is found from the shape of the text alone, the
same way in every language: it is the last paragraph, together with what belongs to
it, the data it shows (a list, a table, an unlabelled fence) and the paragraphs
that introduce them (ending with a colon). A labelled code block (```python,
```text) before it is an example of the explanation, and ends the search. docs/lesson-format.md says
how to write a step so that this finds the whole task.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

_FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)")
_LIST = re.compile(r"^\s{0,3}([-*+]|\d+[.)])\s")


SELF_CONTAINED = 5
"""Lines from which a closing paragraph is a whole task, not the end of the one before."""


@dataclass(frozen=True)
class _Block:
    kind: str
    """"para", "data" (a list, a table, an unlabelled fence), "code" or "heading"."""
    start: int
    """Its first line's index in the text."""
    last: str
    """Its last line, stripped."""
    lines: int


def split_task(text: str) -> tuple[str, str]:
    """(explanation, task): the text up to its task, and the task (empty if none is found)."""
    lines = text.splitlines()
    blocks = _blocks(lines)
    start = _task_start(blocks)
    if start is None:
        return text, ""
    first = blocks[start].start
    return "\n".join(lines[:first]).rstrip() + "\n", "\n".join(lines[first:]).strip() + "\n"


def _task_start(blocks: list[_Block]) -> int | None:
    """The index of the task's first block (a paragraph), walking back from the end."""
    if not blocks or blocks[-1].kind == "heading":
        return None
    start = len(blocks) - 1
    if blocks[start].kind == "para" and blocks[start].lines >= SELF_CONTAINED:
        return start  # a long closing paragraph says it all
    while start > 0:
        current, before = blocks[start], blocks[start - 1]
        if before.kind == "heading":
            break
        if current.kind == "para" and before.kind == "code":
            break
        if current.kind == "para" and before.kind == "para" and not before.last.endswith(":"):
            break
        start -= 1
    if blocks[-1].kind == "code" and start > 0 and blocks[start - 1].kind == "para":
        # A closing example (how to copy values in) is a tip: the task is said before it.
        if all(block.last.endswith(":") for block in blocks[start:] if block.kind == "para"):
            start -= 1
    return start if blocks[start].kind == "para" else None


def _blocks(lines: list[str]) -> list[_Block]:
    """Blank-line separated blocks; a fence is one block whatever it holds."""
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            marker = fence["fence"]
            end = index + 1
            while end < len(lines) and not lines[end].strip().startswith(marker):
                end += 1
            # Unlabelled: data the task shows (a table of numbers); labelled (```python,
            # ```text): an example or a formula of the explanation.
            kind = "code" if fence["info"] else "data"
            last = min(end, len(lines) - 1)
            blocks.append(_Block(kind, index, lines[last].strip(), last - index + 1))
            index = end + 1
            continue
        end = index
        while end + 1 < len(lines) and lines[end + 1].strip() and not _FENCE.match(lines[end + 1]):
            end += 1
        stripped = line.lstrip()
        if stripped.startswith("#"):
            kind = "heading"
        elif stripped.startswith("|") or _LIST.match(line):
            kind = "data"
        else:
            kind = "para"
        blocks.append(_Block(kind, index, lines[end].strip(), end - index + 1))
        index = end + 1
    return blocks


TASK_WIDTH = 76
"""Columns of the task's text at 80x24: the screen less the pane's padding and the task's bar."""
TASK_ROWS = 8
"""Rows the task gets above the editor at 80x24 while the learner types (the editor keeps 10+)."""

_INLINE = re.compile(r"`+|\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def task_rows(task: str, width: int = TASK_WIDTH) -> int:
    """About how many rows `task` takes on screen at `width` columns, from its text alone.

    Words wrap as in the app's Markdown: code spans and emphasis lose their marks, list
    items are indented under their bullet, blocks are one blank row apart, and the
    last one keeps its blank row below. For authors (`tutor lint`); the test suite
    measures the shipped lessons on the real screen.
    """
    lines = task.splitlines()
    rows = 0
    for block in _blocks(lines):
        body = lines[block.start : block.start + block.lines]
        if _FENCE.match(body[0]):
            rows += max(len(body) - 2, 0)  # a fence's lines, never wrapped in data
        elif _LIST.match(body[0]):
            rows += sum(_wrapped(item, width - indent) for indent, item in _items(body))
        elif body[0].lstrip().startswith("|"):
            rows += len(body) + 1  # a table: its rows and a rule under the header
        else:
            rows += _wrapped(" ".join(line.strip() for line in body), width)
        rows += 1
    return rows


def _items(body: list[str]) -> list[tuple[int, str]]:
    """(indent, text) of each list item: continuation lines joined to their item."""
    items: list[tuple[int, str]] = []
    for line in body:
        marker = _LIST.match(line)
        if marker:
            items.append((len(marker[1]) + 1, line[marker.end() :].strip()))
        elif items:
            indent, text = items[-1]
            items[-1] = (indent, f"{text} {line.strip()}")
    return items


def _wrapped(text: str, width: int) -> int:
    """Rows of `text` as shown, wrapped at word boundaries."""
    shown = _INLINE.sub("", _LINK.sub(r"\1", text))
    return len(textwrap.wrap(shown, width, break_on_hyphens=False)) or 1
