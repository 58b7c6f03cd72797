"""Warnings torch only prints, explained with the learner's names; and Python's suggestions."""

from __future__ import annotations

import linecache
import textwrap

from tutor.feedback.runtime import watch
from tutor.lessons.model import CheckReport
from tutor.sandbox.execution import format_error
from tutor.sandbox.protocol import Finished

FILENAME = "<your code>"


def run(code: str) -> list[str]:
    source = textwrap.dedent(code)
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    with watch({FILENAME}) as notes:
        exec(compile(source, FILENAME, "exec"), {"__name__": "__main__"})
    return notes


def test_mse_with_n1_and_n_shapes_is_shown_once_per_line_with_the_fix() -> None:
    notes = run(
        """
        import torch
        import torch.nn.functional as F
        from torch import nn
        pred, y = torch.randn(4, 1), torch.randn(4)
        for step in range(50):
            loss = F.mse_loss(pred, y)
        criterion = nn.MSELoss()
        other = criterion(y, pred)
        """
    )
    assert len(notes) == 2
    assert notes[0].startswith("line 7: `F.mse_loss(pred, y)` compares `pred` of shape (4, 1)")
    assert "`y` of shape (4,)" in notes[0] and "(4, 4)" in notes[0]
    assert "`pred.squeeze(1)`" in notes[0]
    assert notes[1].startswith("line 9: `criterion(y, pred)`") and "`pred.squeeze(1)`" in notes[1]


def test_grad_of_a_non_leaf_is_explained() -> None:
    notes = run(
        """
        import torch
        w = torch.randn(3, requires_grad=True)
        scaled = w * 2
        scaled.sum().backward()
        g = scaled.grad
        """
    )
    assert notes == [
        "line 6: `scaled.grad` is None: `scaled` is not a leaf but the result of an operation "
        "(MulBackward0), and backward() only fills the .grad of leaves. Read the .grad of the "
        "tensor you created with requires_grad=True, or call `scaled.retain_grad()` before "
        "backward()."
    ]


def test_tracebacks_keep_pythons_did_you_mean() -> None:
    source = "import torch\nt = torch.zeros(2)\nt.zero()\n"
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    try:
        exec(compile(source, FILENAME, "exec"), {})
    except AttributeError as error:
        text = format_error(error, {FILENAME})
    assert text.rstrip().endswith("has no attribute 'zero'. Did you mean: 'zero_'?")
    try:
        exec(compile("weights = 1\nweight\n", FILENAME, "exec"), {})
    except NameError as error:
        text = format_error(error, {FILENAME})
    assert text.rstrip().endswith("Did you mean: 'weights'?")


def test_finished_carries_explanation_and_warnings_over_the_wire() -> None:
    finished = Finished(
        "error",
        reason="RuntimeError: x",
        check=CheckReport(False, "m"),
        explanation="`x` has shape (2,).",
        warnings=["line 1: `x.float()` ..."],
    )
    assert Finished.from_wire(finished.to_wire()) == finished
    assert Finished.from_wire({"status": "ok"}).warnings == []
