"""The explainer through the real worker: runs, checks, `tutor run --explain`, `tutor check`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LESSONS
from tutor.lessons.loader import load_catalog
from tutor.sandbox.commands import check_file, run_file
from tutor.sandbox.supervisor import Supervisor

pytestmark = pytest.mark.asyncio(loop_scope="module")

FAILING = """import torch
from torch import nn
model = nn.Sequential(nn.Linear(10, 5))
x = torch.randn(8, 12)
x.float()
out = model(x)
"""


async def test_a_failed_run_carries_the_explanation_and_the_warnings(
    supervisor: Supervisor,
) -> None:
    finished = await supervisor.run(FAILING, key="feedback")
    assert finished.status == "error"
    assert "mat1 and mat2 shapes cannot be multiplied" in finished.traceback
    assert "`model[0]` is nn.Linear(10, 5)" in finished.explanation
    assert "`x` has shape (8, 12)" in finished.explanation
    assert finished.warnings == [
        "line 5: `x.float()` returns a new value and leaves `x` as it was; write `x = x.float()`."
    ]


async def test_a_successful_run_has_no_explanation_and_shows_silent_bugs(
    supervisor: Supervisor,
) -> None:
    code = "import torch\nimport torch.nn.functional as F\np, y = torch.ones(3, 1), torch.ones(3)\n"
    finished = await supervisor.run(code + "loss = F.mse_loss(p, y)\n", key="feedback-ok")
    assert finished.status == "ok" and finished.explanation == ""
    assert len(finished.warnings) == 1 and "`p.squeeze(1)`" in finished.warnings[0]


async def test_a_check_of_code_that_raised_carries_the_explanation(
    supervisor: Supervisor,
) -> None:
    step = load_catalog([LESSONS]).exercises()[0]
    exercise = step.exercise
    assert exercise is not None
    wrong = exercise.solution.source + "\nimport torch\np = torch.ones(2, 3) @ torch.ones(2, 3)\n"
    finished = await supervisor.check(wrong, key=step.key, checks=exercise.checks)
    assert finished.check is not None and not finished.check.passed
    message = finished.check.message
    assert message.startswith("your code raised RuntimeError: mat1 and mat2 shapes")
    assert "`torch.ones(2, 3)` has shape (2, 3)" in message


def test_tutor_check_prints_the_explanation(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    step = load_catalog([LESSONS]).exercises()[0]
    assert step.exercise is not None
    answer = tmp_path / "answer.py"
    extra = "\nimport torch\nprobe = torch.ones(3)\nprobe.reshape(3, 1)\nbad = probe[5]\n"
    answer.write_text(step.exercise.solution.source + extra)
    assert check_file(step, answer, device="cpu") == 1
    out = capfd.readouterr().out
    assert "your code raised IndexError" in out and "`probe` has shape (3,)" in out
    assert "`probe = probe.reshape(3, 1)`" in out


def test_run_explains_on_stderr_only_when_asked_or_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fail.py").write_text(FAILING)
    assert run_file("fail.py", device="cpu", explain=True) == 1
    err = capfd.readouterr().err
    traceback_end = err.index("RuntimeError: mat1 and mat2")
    explanation = err.index("tutor: `model[0]` is nn.Linear(10, 5)")
    assert traceback_end < explanation < err.index("tutor: line 5: `x.float()`")
    assert run_file("fail.py", device="cpu") == 1
    piped = capfd.readouterr().err
    expected = subprocess.run(
        [sys.executable, "fail.py"], capture_output=True, text=True, env=os.environ
    )
    assert piped.rpartition("tutor: device")[0] == expected.stderr
