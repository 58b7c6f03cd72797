"""Every exercise through the real worker, in lesson order, in one worker process.

`test_exercises.py` checks each exercise in isolation; this runs them the way a learner
meets them — one long-lived worker — so global state one lesson leaves behind (a
default dtype, grad mode) cannot break the next lesson unnoticed.
"""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import LESSONS
from tutor.lessons.loader import load_catalog
from tutor.sandbox.limits import GIB, Limits
from tutor.sandbox.supervisor import Supervisor


async def test_solutions_pass_and_starters_fail_in_one_worker() -> None:
    supervisor = Supervisor(replace(Limits(), memory=2 * GIB, check_timeout=120), spare=False)
    await supervisor.start()
    problems = []
    try:
        for step in load_catalog([LESSONS]).exercises():
            exercise = step.exercise
            assert exercise is not None
            for code, should_pass in (
                (exercise.solution.source, True),
                (exercise.starter.source, False),
            ):
                finished = await supervisor.check(
                    code,
                    key=step.key,
                    checks=exercise.checks,
                    setup=exercise.setup,
                    names=exercise.names,
                )
                report = finished.check
                if report is None or report.passed != should_pass:
                    which = "solution" if should_pass else "starter"
                    problems.append(f"{step.key} {which}: {finished.reason or report}")
    finally:
        await supervisor.close()
    assert problems == []
