"""The lesson screen shows the explainer's sentence in the verdict and under the traceback."""

from __future__ import annotations

from pathlib import Path

from tests.test_app import make_app
from tutor.sandbox.protocol import Finished
from tutor.widgets.output_log import OutputLog

EXPLANATION = (
    "`x` has shape (8, 12) and `W` has shape (10, 5): the last dimension of `x` (12) must "
    "equal the number of rows of `W` (10)."
)
WARNING = "line 3: `x.float()` returns a new value and leaves `x` as it was; write `x = x.float()`."


async def _run(home: Path, finished: Finished) -> tuple[str, str]:
    app = make_app(home)
    app.supervisor.finished = finished
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "f8", "f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = str(app.screen.query_one("#verdict").render())
        output = "\n".join(line.text for line in app.screen.query_one(OutputLog).lines)
    return verdict, output


async def test_an_explained_error_fills_the_verdict_and_follows_the_traceback(
    tutor_home: Path,
) -> None:
    traceback = "Traceback (most recent call last):\nRuntimeError: mat1 and mat2 shapes [x]\n"
    finished = Finished(
        "error", traceback=traceback, explanation=EXPLANATION, warnings=[WARNING], exit_code=1
    )
    verdict, output = await _run(tutor_home, finished)
    assert verdict == f"✗ error: {EXPLANATION}"
    flat = " ".join(output.split())
    assert flat.index("mat1 and mat2 shapes [x]") < flat.index(EXPLANATION) < flat.index(WARNING)


async def test_a_run_that_does_nothing_useful_warns_in_the_verdict(tutor_home: Path) -> None:
    verdict, output = await _run(tutor_home, Finished("ok", warnings=[WARNING], seconds=0.1))
    assert verdict == f"⚠ {WARNING}"
    assert WARNING in " ".join(output.split())
