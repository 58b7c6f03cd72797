"""What the lesson screen writes about a step, as plain functions of the lesson and progress.

The title line, the hints and solution revealed so far, and the problems of a lesson file
that stopped loading: no widget here, so each can be tested and translated on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tutor.i18n import _
from tutor.lessons.model import Lesson, Problem, Step
from tutor.lessons.variants import for_device
from tutor.widgets.lesson_tree import DONE, TODO


def title_line(lesson: Lesson, step: Step, done: bool) -> str:
    """E.g. `Tensors · step 2/11 · From a list · ○ exercise`."""
    number = lesson.steps.index(step) + 1
    if step.is_exercise:
        mark = f"{DONE} " + _("done") if done else f"{TODO} " + _("exercise")
    else:
        mark = _("reading")
    where = _("step {number}/{total}").format(number=number, total=len(lesson.steps))
    return f"{lesson.title} · {where} · {step.title} · {mark}"


def revealed(step: Step, hints_shown: int, solution_shown: bool, device: str) -> list[str]:
    """Markdown sections for the hints shown so far and, once asked for, the solution."""
    parts = [
        "### "
        + _("Hint {number} of {total}").format(number=number, total=len(step.hints))
        + f"\n\n{for_device(hint, device)}"
        for number, hint in enumerate(step.hints[:hints_shown], start=1)
    ]
    if step.exercise is not None and solution_shown:
        solution = step.exercise.solution.source.rstrip()
        parts.append("### " + _("Reference solution") + f"\n\n```python\n{solution}\n```")
    return parts


def problems_markdown(path: Path, key: str, problems: Sequence[Problem]) -> str:
    """In place of a step whose lesson file no longer loads: what to fix, line by line."""
    lines = [
        "- " + _("line {line}: {message}").format(line=problem.line, message=problem.message)
        for problem in problems
    ]
    listed = "\n".join(lines) or "- " + _("there is no step `{key}` any more").format(key=key)
    heading = _("**{file} has problems**; fix them and save, and this step comes back:").format(
        file=path.name
    )
    return f"{heading}\n\n{listed}\n"
