"""Shared fixtures: no test ever reads or writes the real user's progress."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.start_gate import StartGate
from tutor import i18n
from tutor.authoring.tester import Answer, Outcome, check_answers
from tutor.sandbox.limits import Limits

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
FIXTURE_LESSONS = REPO / "tests" / "fixtures" / "lessons"
"""A frozen copy of lessons for UI tests and snapshots, so curriculum edits do not break them."""
CHECK_TIMEOUT = 120.0
"""Seconds per answer in the suite: a loaded CI machine is far slower than a learner's."""


@pytest.fixture(autouse=True)
def tutor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch):
    """Tests read English unless they ask for another language, whatever the machine's locale."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def write_lesson(tmp_path: Path):
    """Write a lesson file into a fresh folder and return its path."""
    folder = tmp_path / "lessons"
    folder.mkdir(exist_ok=True)

    def write(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def checked(request: pytest.FixtureRequest) -> dict[Answer, Outcome]:
    """The outcome of every `answer` the session's tests are parametrized with.

    All of them are checked in one batch, in one pool of warm workers started once, so
    hundreds of answers cost seconds; a run of a few selected tests checks only theirs.
    The time limit is generous: a loaded CI machine must not turn a slow pass into a fail.
    """
    answers: dict[Answer, None] = {}
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        answer = callspec.params.get("answer") if callspec is not None else None
        if isinstance(answer, Answer):
            answers[answer] = None
    limits = replace(Limits(), check_timeout=CHECK_TIMEOUT)
    outcomes = {o.answer: o for o in asyncio.run(check_answers(list(answers), limits=limits))}
    killed = [answer for answer, outcome in outcomes.items() if killed_by_a_signal(outcome)]
    if killed:  # checked again, alone: once more a signal is the answer's own failure
        outcomes.update((o.answer, o) for o in asyncio.run(check_answers(killed, limits=limits)))
    return outcomes


def killed_by_a_signal(outcome: Outcome) -> bool:
    """A process of the answer's run died of a signal (a spawned DDP rank once aborted
    with SIGABRT on a CI machine running hundreds of answers at once; alone it passes)."""
    finished = outcome.finished
    return outcome.problem is not None and (
        finished.status == "crashed" or "terminated with signal" in finished.traceback
    )


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[StartGate]:
    """Worker starts held until the test opens the gate (see `tests.start_gate`)."""
    gate = StartGate(tmp_path / "gate")
    yield gate
    gate.close()
