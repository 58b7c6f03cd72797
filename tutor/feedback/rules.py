"""The registry of error families the explainer knows.

A rule matches torch's (or Python's) message with a tolerant regular expression, then
looks at the learner's values to write its sentences. It returns None whenever the
values do not confirm the story: a message that guesses wrong is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tutor.feedback.scene import Scene

Rule = Callable[[Scene, re.Match[str]], "str | None"]


@dataclass(frozen=True)
class Entry:
    pattern: re.Pattern[str]
    rule: Rule
    types: tuple[str, ...]
    """Exception class names the rule applies to; empty for any."""


RULES: list[Entry] = []


def rule(pattern: str, *types: str) -> Callable[[Rule], Rule]:
    """Register `function` for messages matching `pattern` (searched, case-insensitive)."""

    def register(function: Rule) -> Rule:
        RULES.append(Entry(re.compile(pattern, re.IGNORECASE | re.DOTALL), function, types))
        return function

    return register
