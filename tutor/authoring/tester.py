"""Check many answers against many exercises at once, in warm sandbox workers.

The engine of `tutor dev check` and of the project's own exercise tests: one
mechanism, so what the suite proves about the bundled lessons is what an author's
`dev check` proves about a pack. Answers run exactly as a learner's `Check` runs them
(the same worker, setup, checks and limits), never in-process. Torch is imported once
per worker, one worker per core, and every answer gets a fresh namespace, freshly
seeded random generators and an empty working folder of its own, so no answer can
pass or fail because of another. No torch and no Textual here.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from tutor.lessons.model import CheckReport, Problem, Step
from tutor.sandbox.limits import Limits
from tutor.sandbox.protocol import Finished
from tutor.sandbox.supervisor import Supervisor


@dataclass(frozen=True)
class Answer:
    """Code to check as an answer to one exercise, and the verdict it must get."""

    step: Step
    code: str
    should_pass: bool
    what: str
    """The answer in the author's words: "the solution", "the untouched starter", ..."""
    path: Path
    line: int
    """Where the answer is written, so a problem points at its block."""
    expect: tuple[str, ...] = ()
    """Fragments a failing verdict must contain (case-insensitive)."""
    lang: str = "en"
    """The language the verdict is worded in (the step is localized to it)."""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Outcome:
    """What the checks made of one answer."""

    answer: Answer
    finished: Finished
    seconds: float
    """Wall-clock time of the whole check, as the learner would wait for it."""

    @property
    def report(self) -> CheckReport | None:
        return self.finished.check

    @property
    def verdict(self) -> str:
        """The message the learner would read."""
        report = self.report
        return report.message if report is not None else self.finished.reason

    @property
    def broken(self) -> bool:
        """A check failed by its own bug, not because of the answer."""
        return self.report is not None and self.report.broken

    @property
    def problem(self) -> Problem | None:
        """What is wrong with the exercise, located for the author; None if all is as promised."""
        answer, report = self.answer, self.report
        if self.broken:
            assert report is not None
            line = report.line or answer.line
            return Problem(answer.path, line, f"a check crashed on {answer.what}: {report.message}")
        passed = report is not None and report.passed
        if answer.should_pass and not passed:
            return Problem(
                answer.path, answer.line, f"{answer.what} should pass, but got: {self.verdict}"
            )
        if not answer.should_pass and passed:
            return Problem(
                answer.path, answer.line, f"{answer.what} passes the checks: they should reject it"
            )
        if not answer.should_pass and report is None:
            return Problem(
                answer.path, answer.line, f"{answer.what} never reached the checks: {self.verdict}"
            )
        missing = [word for word in answer.expect if word.lower() not in self.verdict.lower()]
        if missing:
            wanted = " and ".join(repr(word) for word in missing)
            return Problem(
                answer.path,
                answer.line,
                f"{answer.what} should fail with a message containing {wanted}, "
                f"got: {self.verdict}",
            )
        return None


def exercise_answers(steps: Iterable[Step]) -> list[Answer]:
    """For every exercise: its solution must pass, its starter and each mistake must fail."""
    answers: list[Answer] = []
    for step in steps:
        exercise = step.exercise
        if exercise is None:
            continue
        answers.append(
            Answer(
                step,
                exercise.solution.source,
                True,
                "the solution",
                exercise.solution.path,
                exercise.solution.line - 1,
            )
        )
        answers.append(
            Answer(
                step,
                exercise.starter.source,
                False,
                "the untouched starter",
                exercise.starter.path,
                exercise.starter.line - 1,
            )
        )
        for mistake in exercise.mistakes:
            answers.append(
                Answer(
                    step,
                    mistake.code.source,
                    False,
                    "this mistake",
                    mistake.code.path,
                    mistake.code.line - 1,
                    (mistake.message,) if mistake.message else (),
                )
            )
    return answers


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Tester:
    """A pool of warm workers: `async with Tester() as tester: await tester.run(answers)`."""

    def __init__(
        self, workers: int | None = None, limits: Limits | None = None, device: str = "auto"
    ) -> None:
        # One torch thread each: the workers already use every core between them.
        self.limits = replace(limits or Limits(), threads=1)
        self.device = device
        self.size = workers or default_workers()
        self._root = Path()
        """Each answer's working folder lives here, and is removed after it."""
        self._supervisors: list[Supervisor] = []
        self._count = 0

    async def __aenter__(self) -> Tester:
        self._root = Path(tempfile.mkdtemp(prefix="tutor-dev-check-"))
        self._supervisors = [
            Supervisor(self.limits, self.device, cwd=self._root, spare=False)
            for _ in range(self.size)
        ]
        try:
            await asyncio.gather(*(supervisor.start() for supervisor in self._supervisors))
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await asyncio.gather(*(supervisor.close() for supervisor in self._supervisors))
        shutil.rmtree(self._root, ignore_errors=True)

    async def run(
        self,
        answers: Sequence[Answer],
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        """Check every answer, as many at a time as there are workers; outcomes in order."""
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(len(answers)):
            queue.put_nowait(index)
        outcomes: list[Outcome | None] = [None] * len(answers)

        async def serve(supervisor: Supervisor) -> None:
            while not queue.empty():
                index = queue.get_nowait()
                outcome = await self._check(supervisor, answers[index])
                outcomes[index] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)

        await asyncio.gather(*(serve(supervisor) for supervisor in self._supervisors))
        return [outcome for outcome in outcomes if outcome is not None]

    async def _check(self, supervisor: Supervisor, answer: Answer) -> Outcome:
        exercise = answer.step.exercise
        assert exercise is not None
        self._count += 1
        folder = self._root / str(self._count)
        started = time.perf_counter()
        try:
            finished = await supervisor.check(
                answer.code,
                key=answer.step.key,
                checks=exercise.checks,
                setup=exercise.setup,
                names=exercise.names,
                cwd=folder,
                lang=answer.lang,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return Outcome(answer, finished, time.perf_counter() - started)


async def check_answers(
    answers: Sequence[Answer],
    *,
    workers: int | None = None,
    limits: Limits | None = None,
    device: str = "auto",
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Start a pool, check `answers`, close the pool."""
    async with Tester(min(workers or default_workers(), max(len(answers), 1)), limits, device) as t:
        return await t.run(answers, on_outcome)
