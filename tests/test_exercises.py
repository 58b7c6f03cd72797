"""Every exercise in `lessons/`: solution passes, starter fails, each mistake fails as promised.

Runs in-process (trusted lesson code, not learners'), so a new exercise is tested the
moment it is written, with no sandbox start-up per case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.lessons.loader import load_catalog
from tutor.lessons.model import Step

torch = pytest.importorskip("torch")
checks = pytest.importorskip("tutor.lessons.checks")

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
CATALOG = load_catalog([LESSONS])
EXERCISES = CATALOG.exercises()


def _ids(step: Step) -> str:
    return step.key


@pytest.fixture(autouse=True)
def _fresh_torch_state():
    """Exercises set seeds and default dtypes; keep one exercise from leaking into the next."""
    default_dtype = torch.get_default_dtype()
    torch.manual_seed(0)
    yield
    torch.set_default_dtype(default_dtype)


def test_lessons_load_cleanly() -> None:
    assert CATALOG.problems == ()
    assert EXERCISES


@pytest.mark.parametrize("step", EXERCISES, ids=_ids)
def test_solution_passes(step: Step) -> None:
    report = checks.attempt(step.exercise, step.exercise.solution.source)
    assert report.passed, report.message


@pytest.mark.parametrize("step", EXERCISES, ids=_ids)
def test_starter_fails(step: Step) -> None:
    report = checks.attempt(step.exercise, step.exercise.starter.source)
    assert not report.passed
    assert report.message


@pytest.mark.parametrize(
    "step,index",
    [(step, index) for step in EXERCISES for index in range(len(step.exercise.mistakes))],
    ids=lambda value: value.key if isinstance(value, Step) else f"mistake{value}",
)
def test_mistake_fails_with_its_message(step: Step, index: int) -> None:
    mistake = step.exercise.mistakes[index]
    report = checks.attempt(step.exercise, mistake.code.source)
    assert not report.passed, f"mistake at {mistake.code.filename} passed the checks"
    assert mistake.message in report.message
