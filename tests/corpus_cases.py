"""Read `tests/corpus/*.md` (format in tests/corpus/README.md) into test cases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"

_STEP = re.compile(r"^##\s+(?P<id>[a-z0-9][a-z0-9-]*)\s*$")
_OPEN = re.compile(r"^```python\s+(?P<kind>correct|wrong)(?P<rest>.*)$")
_EXPECT = re.compile(r'expect="(?P<words>[^"]*)"')


@dataclass(frozen=True)
class Case:
    key: str
    """`lesson-id/step-id` of the exercise."""
    code: str
    passes: bool
    expect: tuple[str, ...]
    """Words the failure message must contain (case-insensitive); wrong answers only."""
    where: str
    """`file:line` of the case, for the test id and failure messages."""


def load_cases(folder: Path = CORPUS) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(folder.glob("*.md")):
        if path.name == "README.md":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        lesson_id, step_id = path.stem, None
        index = 0
        while index < len(lines):
            line = lines[index]
            step = _STEP.match(line)
            opened = _OPEN.match(line)
            if step:
                step_id = step["id"]
            elif opened:
                start = index + 1
                index += 1
                while index < len(lines) and lines[index].strip() != "```":
                    index += 1
                if step_id is None:
                    raise ValueError(f"{path}:{start}: a case before any `## step-id`")
                expect = tuple(m["words"] for m in _EXPECT.finditer(opened["rest"]))
                passes = opened["kind"] == "correct"
                if not passes and not expect:
                    raise ValueError(f'{path}:{start}: a wrong answer needs expect="..."')
                code = "\n".join(lines[start:index]) + "\n"
                where = f"{path.name}:{start}"
                cases.append(Case(f"{lesson_id}/{step_id}", code, passes, expect, where))
            index += 1
    return cases
