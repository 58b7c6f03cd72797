"""Prose that depends on where the learner's code runs: GPU or CPU.

A lesson marks alternatives with HTML comments, which Markdown viewers hide, so the
file still reads well on GitHub:

    <!-- if cuda -->
    Your code runs on a GPU here ...
    <!-- else -->
    There is no GPU here, so ...
    <!-- end -->

The app keeps the branch that matches the worker's device.
"""

from __future__ import annotations

import re

CONDITIONS = ("cuda", "cpu")

_MARKER = re.compile(r"^\s*<!--\s*(?P<word>if|else|end)\b\s*(?P<condition>[\w-]*)\s*-->\s*$")


def for_device(text: str, device: str) -> str:
    """`text` with only the branches that hold for `device` ("cuda", "cuda:1", "cpu")."""
    kind = device.partition(":")[0]
    kept: list[str] = []
    showing: list[bool] = []
    for line in text.splitlines():
        marker = _MARKER.match(line)
        if marker is None:
            if all(showing):
                kept.append(line)
        elif marker["word"] == "if":
            showing.append(marker["condition"] == kind)
        elif marker["word"] == "else" and showing:
            showing[-1] = not showing[-1]
        elif marker["word"] == "end" and showing:
            showing.pop()
    return "\n".join(kept)


def marker_problems(lines: list[str]) -> list[tuple[int, str]]:
    """Unknown conditions and unbalanced markers, as (line number, message)."""
    problems: list[tuple[int, str]] = []
    open_at: list[int] = []
    for number, line in enumerate(lines, start=1):
        marker = _MARKER.match(line)
        if marker is None:
            continue
        word, condition = marker["word"], marker["condition"]
        if word == "if":
            if condition not in CONDITIONS:
                known = ", ".join(CONDITIONS)
                problems.append(
                    (number, f"unknown device condition {condition!r} (known: {known})")
                )
            open_at.append(number)
        elif not open_at:
            problems.append((number, f"`<!-- {word} -->` without a matching `<!-- if ... -->`"))
        elif word == "end":
            open_at.pop()
    problems.extend(
        (number, "`<!-- if ... -->` is never closed with `<!-- end -->`") for number in open_at
    )
    return problems
