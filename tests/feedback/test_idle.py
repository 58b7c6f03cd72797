"""The "this line does nothing" pass: what it flags, and no false alarm on any solution."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from tests.conftest import LESSONS
from tutor.feedback.idle import confirm, find
from tutor.lessons.checks import compile_block
from tutor.lessons.loader import load_catalog

CODE = textwrap.dedent(
    """
    import torch
    x = torch.randn(3)
    model = torch.nn.Linear(3, 2)
    device = "cuda" if torch.cuda.is_available else "cpu"
    x.to(device)
    model.to(device)
    x.float()
    x.grad.zero_
    model.eval
    optimizer.zero_grad
    x.reshape(3, 1)
    seen = set()
    seen.add(1)
    torch.cat([x, x])
    x == 3
    x.shape
    """
).lstrip("\n")


def warnings_for(code: str, namespace: dict[str, object]) -> dict[int, str]:
    return {int(m.split(":")[0].split()[1]): m for m in confirm(find(code), namespace)}


def test_flags_discarded_results_and_methods_without_a_call() -> None:
    found = warnings_for(CODE, {"x": torch.randn(3), "model": torch.nn.Linear(3, 2), "seen": set()})
    assert "`torch.cuda.is_available()`" in found[4]
    assert found[5] == (
        "line 5: `x.to(device)` returns a new value and leaves `x` as it was; write "
        "`x = x.to(device)`."
    )
    assert "`x = x.float()`" in found[7]
    assert "`x.grad.zero_()`" in found[8]
    assert "`model.eval()`" in found[9]
    assert "`optimizer.zero_grad()`" in found[10]
    assert "`x = x.reshape(3, 1)`" in found[11]
    assert "`torch.cat([x, x])`" in found[14]
    assert "single `=`" in found[15]
    # model.to() moves a module in place, set.add mutates, the last line is displayed
    assert not {6, 13, 16} & set(found)


def test_unknown_receivers_are_only_flagged_when_the_method_is_unambiguous() -> None:
    found = warnings_for("a.to(device)\nb.view(3)\nc.add(1)\nprint(1)\n", {})
    assert set(found) == {2}


def test_code_that_does_not_parse_has_no_warnings() -> None:
    assert find("def broken(:\n") == []


@pytest.mark.parametrize("step", load_catalog([LESSONS]).exercises(), ids=lambda step: step.key)
def test_no_false_alarm_on_any_lesson_solution(
    step,  # noqa: ANN001 - a Step
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Exercises write files (model.pt, checkpoint.pt) into their own folder, as in the worker.
    monkeypatch.chdir(tmp_path)
    exercise = step.exercise
    namespace: dict[str, object] = {"__name__": "__main__"}
    torch.manual_seed(0)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for block in (exercise.setup, exercise.solution):
                if block is not None:
                    exec(compile_block(block), namespace)
    finally:
        torch.set_default_dtype(torch.float32)  # as the worker does between runs
    assert confirm(find(exercise.solution.source), namespace) == []


def test_the_pass_imports_no_torch() -> None:
    code = "import sys, tutor.feedback.idle; print('torch' in sys.modules)"
    root = Path(__file__).parents[2]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.stdout.strip() == "False", result.stderr
