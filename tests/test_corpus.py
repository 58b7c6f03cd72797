"""Our own corpus of alternative answers: correct ones pass, wrong ones fail naming the mistake.

Runs in-process, like `test_exercises.py`: these are answers we wrote, not learners'.
"""

from __future__ import annotations

import pytest

from tests.conftest import LESSONS
from tests.corpus_cases import Case, load_cases
from tutor.lessons.loader import load_catalog

torch = pytest.importorskip("torch")
checks = pytest.importorskip("tutor.lessons.checks")

CATALOG = load_catalog([LESSONS])
CASES = load_cases()


@pytest.fixture(autouse=True)
def _fresh_torch_state():
    default_dtype = torch.get_default_dtype()
    torch.manual_seed(0)
    yield
    torch.set_default_dtype(default_dtype)
    torch.set_grad_enabled(True)


def test_every_case_names_an_exercise() -> None:
    unknown = [case.where for case in CASES if CATALOG.find_step(case.key) is None]
    assert unknown == []


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.where)
def test_case(case: Case) -> None:
    step = CATALOG.find_step(case.key)
    assert step is not None and step.exercise is not None, f"{case.where}: no exercise {case.key}"
    report = checks.attempt(step.exercise, case.code)
    if case.passes:
        assert report.passed, f"{case.where}: a correct answer was rejected: {report.message}"
        return
    assert not report.passed, f"{case.where}: a wrong answer passed"
    missing = [word for word in case.expect if word.lower() not in report.message.lower()]
    assert not missing, f"{case.where}: the message {report.message!r} lacks {missing}"
