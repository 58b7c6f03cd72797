"""`tutor dev check` on a small pack with one of every kind of broken exercise."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from tests.lesson_texts import EXERCISE, lesson
from tutor.authoring.devcheck import DevCheck, dev_check, report
from tutor.cli import main

BROKEN_EXERCISE = """
## Broken {#broken}

Make `x`.

```python starter
import torch
x = torch.tensor([1.0, 2.0, 3.0])
```

```python solution
import torch
x = torch.tensor([1, 2, 3])
```

```python check
expect_tensor("x", dtype=torch.float32)
```

```python check
expect(1 / 0, "never")
```

```python mistake message='it is "int64"'
import torch
x = torch.tensor([1, 2, 3])
```

### Hint

A hint.
"""

SAVES_A_FILE = """
## Saves {#saves}

Save `x` to `x.pt`.

```python starter
import torch
x = torch.ones(2)
```

```python solution
import torch
x = torch.ones(2)
torch.save(x, "x.pt")
```

```python check
import os
expect(os.path.exists("x.pt"), "save `x` to x.pt with torch.save")
```

```python mistake message="x.pt"
import torch
x = torch.ones(2)
```

### Hint

`torch.save(x, "x.pt")`.
"""


def line_of(path: Path, fragment: str, start: int = 1) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if n >= start and fragment in line)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pack")
    (folder / "01-good.md").write_text(lesson(id="good", body=EXERCISE + SAVES_A_FILE))
    (folder / "02-bad.md").write_text(lesson(id="bad", order=2, body=BROKEN_EXERCISE))
    (folder / "02-bad.pt.md").write_text("---\nlang: pt\n---\n\n## Quebrado {#broken}\n\nFaça.\n")
    return folder


@pytest.fixture(scope="module")
def checked(pack: Path) -> DevCheck:
    return asyncio.run(dev_check([pack], workers=2))


def test_every_broken_answer_is_named_at_its_block(pack: Path, checked: DevCheck) -> None:
    bad = pack / "02-bad.md"
    found = [(problem.path, problem.line, problem.message) for problem in checked.problems]
    solution = line_of(bad, "```python solution")
    starter = line_of(bad, "```python starter")
    mistake = line_of(bad, "```python mistake")
    crashing_check = line_of(bad, "1 / 0")
    assert (bad, solution) in [(path, line) for path, line, _ in found]
    messages = {line: message for path, line, message in found if path == bad}
    assert messages[solution].startswith("the solution should pass, but got: `x`: expected")
    assert messages[crashing_check].startswith(
        "a check crashed on the untouched starter: this exercise's check is broken"
        " (ZeroDivisionError: division by zero, at 02-bad.md line"
    )
    assert messages[mistake].startswith(
        """this mistake should fail with a message containing 'it is "int64"', got:"""
    )
    assert starter not in messages, "the starter failed (on a broken check, reported there)"
    assert all(path == bad for path, _, _ in found), found
    assert [line for _, line, _ in found] == sorted(line for _, line, _ in found)


def test_answers_do_not_share_a_working_folder(checked: DevCheck) -> None:
    """The solution of `saves` writes x.pt; the mistake after it must not find it."""
    saves = [o for o in checked.outcomes if o.answer.step.key == "good/saves"]
    assert [o.answer.what for o in saves] == [
        "the solution",
        "the untouched starter",
        "this mistake",
    ]
    assert all(o.problem is None for o in saves), [o.problem for o in saves]


def test_the_report_counts_and_names_the_slowest(checked: DevCheck) -> None:
    out = io.StringIO()
    report(checked, out)
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("tutor dev check: 2 lessons, 3 exercises, 9 answers checked in ")
    assert lines[-1].endswith(": 3 problems in 1 of 3 files")
    assert lines[-2].startswith("slowest exercises: ")
    assert len(checked.slowest()) == 3


def test_a_translation_of_a_lesson_with_errors_is_not_reported_as_orphaned(
    checked: DevCheck,
) -> None:
    assert not any("does not exist" in problem.message for problem in checked.problems)


def test_cli_without_lessons_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev", "check", str(tmp_path)]) == 2
    assert "no lesson files found" in capsys.readouterr().err


def test_with_a_language_the_translated_mistake_words_are_checked(write_lesson) -> None:
    """`dev check --lang pt 01-tiny.md` brings the lesson's pt file and checks its words."""
    from tests.test_translations import ENGLISH, PORTUGUESE

    path = write_lesson("01-tiny.md", ENGLISH)
    write_lesson("01-tiny.pt.md", PORTUGUESE)
    good = asyncio.run(dev_check([path], workers=1, lang="pt"))
    assert good.problems == [] and good.files == 2
    write_lesson(
        "01-tiny.pt.md",
        PORTUGUESE.replace("+ use um ponto decimal\n", "+ palavras que o veredito não diz\n"),
    )
    bad = asyncio.run(dev_check([path], workers=1, lang="pt"))
    assert any("palavras que o veredito não diz" in p.message for p in bad.problems), bad.problems
